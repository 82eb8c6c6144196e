/**
 * Namespace cycle benchmark: per cycle, create a namespace, open an IPRoute inside it, dump its
 * links, close, remove — the workload of ../shared/peers/pyroute2_netns.py.
 *
 *   npx deno run -A bench/netns.ts [CYCLES]     npx bun bench/netns.ts [CYCLES]
 *
 * CYCLES defaults to $BENCH_NETNS_CYCLES or 1000; 50 warm-up cycles run first. Namespaces are
 * named nlb-PID-I and each is removed in the same cycle (also on error). The last stdout line is
 * `impl=deno|bun ms_per_cycle=... cycles=N seconds=... create_ms=... open_dump_ms=... remove_ms=...
 * cpu_ms_per_cycle=...` (CPU time of this process, user + system: what wall time becomes on an idle
 * machine, minus the kernel's deferred namespace clean-up).
 * @module
 */

import { IPRoute, netns } from "../mod.ts";

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const args = "Deno" in globalThis ? Deno.args : process.argv.slice(2);
const cycles = Number(args[0] ?? env.BENCH_NETNS_CYCLES ?? 1000);
if (!Number.isInteger(cycles) || cycles < 1) throw new RangeError(`cycles must be a positive integer, got ${args[0]}`);
const impl = "Deno" in globalThis ? "deno" : "bun";
const prefix = `nlb-${process.pid}`;

const phase = { create: 0, openDump: 0, remove: 0 };

async function cycle(i: number): Promise<void> {
  const name = `${prefix}-${i}`;
  const t0 = performance.now();
  await netns.create(name);
  const t1 = performance.now();
  let t2 = t1;
  try {
    using ipr = new IPRoute({ netns: name });
    const links = await ipr.getLinks();
    if (links.length !== 1) throw new Error(`expected only lo in a fresh namespace, got ${links.length} links`);
    t2 = performance.now();
  } finally {
    await netns.remove(name);
  }
  const t3 = performance.now();
  phase.create += t1 - t0;
  phase.openDump += t2 - t1;
  phase.remove += t3 - t2;
}

for (let i = 0; i < 50; i++) await cycle(-1 - i);
phase.create = phase.openDump = phase.remove = 0;
const cpu0 = process.cpuUsage();
const start = performance.now();
for (let i = 0; i < cycles; i++) await cycle(i);
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpu0);
const per = (x: number) => (x / cycles).toFixed(3);
console.log(
  `impl=${impl} ms_per_cycle=${per(ms)} cycles=${cycles} seconds=${(ms / 1000).toFixed(4)} ` +
    `create_ms=${per(phase.create)} open_dump_ms=${per(phase.openDump)} remove_ms=${per(phase.remove)} ` +
    `cpu_ms_per_cycle=${per((cpu.user + cpu.system) / 1000)}`,
);
