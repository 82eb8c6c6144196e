/**
 * Route-dump benchmark for nlroute, the counterpart of the peers' `dump` mode
 * (shared/peers/pyroute2_bench.py, gonl/main.go): dump the IPv4 routes of the current network
 * namespace with `getRoutes({ family: 2 })` and read every route's `dst`, so lazy decoding is
 * paid for. Run it inside a namespace prepared by shared/peers/setup_routes.sh, never in the
 * host namespace (bench/run.sh does that).
 *
 *   deno run -A bench/dump_routes.ts [REPETITIONS]
 *   bun bench/dump_routes.ts [REPETITIONS]
 *
 * Prints one line, like the peers:
 *   nlroute-deno dump routes=N with_dst=N seconds=MEDIAN min=S max=S cold=S runs=R times=S,S,...
 * `cold` is the first dump of the process (JIT cold, as every peer's single dump is); `seconds`
 * is the median of R further dumps after that warm-up. Each time is performance.now() around
 * dump + touch, with the socket already open.
 * @module
 */

import { IPRoute } from "../mod.ts";

declare const Bun: unknown;

const runtime = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";
const args = typeof Deno !== "undefined" ? Deno.args : (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const reps = Math.max(1, Number.parseInt(args[0] ?? "5", 10) || 5);

async function once(ipr: IPRoute): Promise<{ seconds: number; routes: number; withDst: number }> {
  const t0 = performance.now();
  const routes = await ipr.getRoutes({ family: 2 });
  let withDst = 0;
  for (let i = 0; i < routes.length; i++) if (routes[i].get("dst") !== undefined) withDst++;
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, routes: routes.length, withDst };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

using ipr = new IPRoute();
const cold = await once(ipr);
const times: number[] = [];
let last = cold;
for (let i = 0; i < reps; i++) {
  last = await once(ipr);
  times.push(last.seconds);
  if (last.routes !== cold.routes) throw new Error(`route count changed between dumps: ${cold.routes} then ${last.routes}`);
}
const f = (s: number) => s.toFixed(4);
console.log(
  `nlroute-${runtime} dump routes=${last.routes} with_dst=${last.withDst} seconds=${f(median(times))} ` +
    `min=${f(Math.min(...times))} max=${f(Math.max(...times))} cold=${f(cold.seconds)} runs=${reps} times=${times.map(f).join(",")}`,
);
