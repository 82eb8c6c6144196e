/**
 * Link-dump benchmark (workload 7 of issue 8): dump every link of the current network namespace
 * with `getLinks()` and decode each one completely (`toJSON()`: every attribute, nested sets,
 * stats, af_spec), the counterpart of Go's `netlink.LinkList()` and pyroute2's eager parse
 * (shared/peers/gonl `links`, pyroute2_bench.py `links`). Run it inside a namespace with the
 * links made (bench/run.sh: 1,000 dummy links), never in the host namespace.
 *
 *   deno run -A bench/links.ts [REPETITIONS]      bun bench/links.ts [REPETITIONS]
 *
 * Last stdout line:
 *   impl=deno links=N seconds=MEDIAN min=S max=S cold=S runs=R times=S,S,... attrs=A
 * `cold` is the first dump of the process; `seconds` the median of R more; `attrs` the number of
 * top-level attributes decoded per dump (a check that the work was done).
 * @module
 */

import { IPRoute } from "../mod.ts";
import { args, coldThenWarm, runtime } from "./_common.ts";

const reps = Math.max(1, Number.parseInt(args[0] ?? "5", 10) || 5);

async function once(ipr: IPRoute): Promise<{ seconds: number; links: number; attrs: number }> {
  const t0 = performance.now();
  const links = await ipr.getLinks();
  let attrs = 0;
  for (let i = 0; i < links.length; i++) attrs += (links[i].toJSON().attrs as unknown[]).length;
  return { seconds: (performance.now() - t0) / 1000, links: links.length, attrs };
}

using ipr = new IPRoute();
const { last, summary } = await coldThenWarm(reps, () => once(ipr));
console.log(`impl=${runtime} links=${last.links} ${summary} attrs=${last.attrs}`);
