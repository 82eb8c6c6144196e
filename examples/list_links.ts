/**
 * List links like `ip -br link`: index, name, state, kind, MTU, MAC.
 *
 *   deno run --allow-ffi --allow-read examples/list_links.ts [netns]
 *   bun examples/list_links.ts [netns]
 */
import { IPRoute } from "../mod.ts";

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const netns = args[0];

using ipr = new IPRoute(netns ? { netns } : {});
for (const link of await ipr.getLinks()) {
  const kind = (link.get(["linkinfo", "kind"]) as string | undefined) ?? "-";
  console.log(
    [
      String(link.get("index")).padStart(3),
      String(link.get("ifname")).padEnd(16),
      String(link.get("state")).padEnd(5),
      kind.padEnd(8),
      String(link.get("mtu")).padStart(5),
      link.get("address") ?? "",
    ].join(" "),
  );
}
