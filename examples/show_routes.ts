/**
 * Show routes like `ip route show table all`, optionally for one family: 4 or 6.
 *
 *   deno run --allow-ffi --allow-read examples/show_routes.ts [4|6] [netns]
 *   bun examples/show_routes.ts [4|6] [netns]
 */
import { AF, IPRoute, RTN } from "../mod.ts";

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ?? (globalThis as { process?: { argv: string[] } }).process?.argv.slice(2) ?? [];
const family = args[0] === "4" ? AF.AF_INET : args[0] === "6" ? AF.AF_INET6 : undefined;
const netns = args[1];

const TYPES: Record<number, string> = Object.fromEntries(Object.entries(RTN).map(([k, v]) => [v, k.slice(4).toLowerCase()]));

using ipr = new IPRoute(netns ? { netns } : {});
const names = new Map((await ipr.getLinks()).map((l) => [l.get("index") as number, l.get("ifname") as string]));
for (const r of await ipr.getRoutes(family ? { family } : {})) {
  const type = r.get("type") as number;
  const dstLen = r.get("dst_len") as number;
  const dst = dstLen === 0 && r.get("dst") === undefined ? "default" : `${r.get("dst")}/${dstLen}`;
  const parts = [type === RTN.RTN_UNICAST ? "" : TYPES[type], dst];
  const gw = r.get("gateway");
  if (gw) parts.push("via", String(gw));
  const oif = r.get("oif") as number | undefined;
  if (oif) parts.push("dev", names.get(oif) ?? String(oif));
  const hops = r.get("multipath") as { oif: number; hops: number; attrs?: { get(k: string): unknown } }[] | undefined;
  for (const h of hops ?? []) parts.push(`nexthop via ${h.attrs?.get("gateway") ?? "-"} dev ${names.get(h.oif) ?? h.oif} weight ${h.hops + 1}`);
  parts.push("table", String(r.get("table")));
  const metric = r.get("priority");
  if (metric !== undefined) parts.push("metric", String(metric));
  console.log(parts.filter(Boolean).join(" "));
}
