/**
 * Pipelined route-add benchmark (workload 3 of issue 8): the N adds of bench/route_add.ts
 * (`10.201.x.y/32 via 10.255.0.2 dev bv0`, as iproute2_bench.sh adds them) queued on one
 * `ipr.batch()` and sent with `commit()`: many requests per datagram, one ACK each, every result
 * checked. Compare with `ip -batch` (iproute2_bench.sh add N) and with the sequential adds.
 *
 *   deno run -A bench/route_batch.ts [N] [--here]
 *   bun bench/route_batch.ts [N] [--here]
 *
 * Without `--here` it creates a namespace (`ip netns add`), sets it up as
 * shared/peers/setup_routes.sh does (veth bv0/bv1 up, 10.255.0.1/16 on bv0), runs there and
 * removes it. With `--here` it runs in the current namespace, which must be set up that way and
 * must not be the host's (bench/run.sh uses `unshare -n` + setup_routes.sh 0 and exports HOST_NETNS,
 * the host's `readlink /proc/self/ns/net`, for this check).
 *
 * The last stdout line is `impl=deno|bun seconds=S count=N datagrams=D queue_seconds=Q`:
 * `seconds` is queue + commit (the whole pipelined add, socket open, bv0 resolved once),
 * `queue_seconds` the part spent queueing (validation and encoding), `datagrams` how many
 * sendmsg calls carried the N requests.
 * @module
 */

import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { IPRoute } from "../mod.ts";

declare const Bun: unknown;

const runtime = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";
const argv = typeof Deno !== "undefined" ? Deno.args : (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const here = argv.includes("--here");
const count = Number.parseInt(argv.find((a) => /^\d+$/.test(a)) ?? "5000", 10);

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "inherit"] });
}

async function run(netns: string | undefined): Promise<{ seconds: number; queue: number; datagrams: number }> {
  using ipr = new IPRoute(netns === undefined ? {} : { netns });
  const [oif] = await ipr.linkLookup({ ifname: "bv0" });
  if (oif === undefined) throw new Error("no bv0 in this namespace: set it up as shared/peers/setup_routes.sh does");
  const dsts = Array.from({ length: count }, (_, i) => `10.201.${(i >> 8) & 255}.${i & 255}/32`);
  const before = ipr.connection.stats.batchDatagrams;
  const t0 = performance.now();
  const b = ipr.batch();
  for (let i = 0; i < count; i++) b.route("add", { dst: dsts[i], gateway: "10.255.0.2", oif });
  const t1 = performance.now();
  const results = await b.commit();
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => !r.ok);
  if (failed.length) throw new Error(`${failed.length} of ${count} adds failed, first: ${(failed[0] as { error: Error }).error.message}`);
  const n = (await ipr.getRoutes({ family: 2, table: 254, dst: (d: unknown) => typeof d === "string" && d.startsWith("10.201.") })).length;
  if (n !== count) throw new Error(`expected ${count} routes in 10.201.0.0/16, found ${n}`);
  return { seconds, queue: (t1 - t0) / 1000, datagrams: ipr.connection.stats.batchDatagrams - before };
}

let r: { seconds: number; queue: number; datagrams: number };
if (here) {
  // bench/run.sh exports HOST_NETNS; /proc/1/ns/net cannot be read from inside unshare -n
  let host = (globalThis as unknown as { process?: { env: Record<string, string | undefined> } }).process?.env.HOST_NETNS;
  try {
    host ??= readlinkSync("/proc/1/ns/net");
  } catch {
    throw new Error("--here: cannot tell the host network namespace (set HOST_NETNS=$(readlink /proc/self/ns/net) outside)");
  }
  if (readlinkSync("/proc/self/ns/net") === host) throw new Error("refusing to add routes in the host network namespace: run inside unshare -n, or without --here");
  r = await run(undefined);
} else {
  const ns = `nlbench-batch-${(globalThis as unknown as { process?: { pid: number } }).process?.pid ?? 0}`;
  ip("netns", "add", ns);
  try {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "add", "bv0", "type", "veth", "peer", "name", "bv1");
    ip("-n", ns, "addr", "add", "10.255.0.1/16", "dev", "bv0");
    ip("-n", ns, "link", "set", "bv0", "up");
    ip("-n", ns, "link", "set", "bv1", "up");
    r = await run(ns);
  } finally {
    ip("netns", "del", ns);
  }
}
console.log(`impl=${runtime} seconds=${r.seconds.toFixed(4)} count=${count} datagrams=${r.datagrams} queue_seconds=${r.queue.toFixed(4)}`);
