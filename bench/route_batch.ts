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

import { IPRoute } from "../mod.ts";
import { args, inRouteNamespace, runtime } from "./_common.ts";

const here = args.includes("--here");
const count = Number.parseInt(args.find((a) => /^\d+$/.test(a)) ?? "5000", 10);

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

const r = await inRouteNamespace(here, "nlbench-batch", run);
console.log(`impl=${runtime} seconds=${r.seconds.toFixed(4)} count=${count} datagrams=${r.datagrams} queue_seconds=${r.queue.toFixed(4)}`);
