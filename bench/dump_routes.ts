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
import { args, coldThenWarm, runtime } from "./_common.ts";

const reps = Math.max(1, Number.parseInt(args[0] ?? "5", 10) || 5);

async function once(ipr: IPRoute): Promise<{ seconds: number; routes: number; withDst: number }> {
  const t0 = performance.now();
  const routes = await ipr.getRoutes({ family: 2 });
  let withDst = 0;
  for (let i = 0; i < routes.length; i++) if (routes[i].get("dst") !== undefined) withDst++;
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, routes: routes.length, withDst };
}

using ipr = new IPRoute();
let first = -1;
const { last, summary } = await coldThenWarm(reps, async () => {
  const r = await once(ipr);
  if (first < 0) first = r.routes;
  else if (r.routes !== first) throw new Error(`route count changed between dumps: ${first} then ${r.routes}`);
  return r;
});
console.log(`nlroute-${runtime} dump routes=${last.routes} with_dst=${last.withDst} ${summary}`);
