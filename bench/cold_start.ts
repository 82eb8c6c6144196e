/**
 * Cold start: the smallest nlroute program, timed from outside by bench/cold_start.sh (process
 * start to exit, after the first `getLinks()` result). Alone it prints one line,
 * `impl=deno links=3 first_result_ms=21.4`, where first_result_ms is the runtime's own clock
 * (performance.now(): from the runtime's time origin to the first result, so it leaves out exec
 * and runtime start-up).
 *
 *   npx deno run -A bench/cold_start.ts [netns]      npx bun bench/cold_start.ts [netns]
 *
 * Read-only: it lists the links of the namespace it runs in, or of `netns` (a name or path).
 * @module
 */

import { IPRoute } from "../mod.ts";

const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const netns = (g.Deno ? g.Deno.args : g.process?.argv.slice(2) ?? [])[0];
using ipr = new IPRoute(netns ? { netns } : {});
const links = await ipr.getLinks();
const ms = performance.now();
console.log(`impl=${g.Deno ? "deno" : "bun"} links=${links.length} first_result_ms=${ms.toFixed(1)}`);
