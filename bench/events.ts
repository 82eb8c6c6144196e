/**
 * Event burst benchmark: nlroute listens (`ipr.events()`, IPv4 + IPv6 route groups, default
 * receive buffer) while another process, `ip -batch`, adds N routes in a fresh network namespace.
 * Counts the RTM_NEWROUTE events received live (a resync dump after an overflow does not count)
 * and the time from starting `ip` until it has exited and all N arrived (or 20 s passed), as the
 * peers in ../shared/peers (pyroute2_events.py, gonl events) measure it.
 *
 *   npx deno run -A bench/events.ts [N]      npx bun bench/events.ts [N]      (root; N = 20000)
 *
 * Last stdout line: `impl=deno|bun received=N expected=N seconds=S overflows=K first_ms=F cpu_user_ms=U
 * cpu_sys_ms=Y` (first_ms: clock start to first event; cpu_*: this process's CPU while timed).
 * @module
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IPRoute } from "../mod.ts";
import { sh } from "../tests/kernel/_netns.ts";

const n = Number(process.argv[2] ?? process.env.BENCH_EVENTS ?? 20_000);
if (!Number.isInteger(n) || n < 1 || n > 65_536) throw new RangeError(`N must be in 1..65536, got ${process.argv[2]}`);
const impl = "Deno" in globalThis ? "deno" : "bun";
const LIMIT_MS = 20_000;

const ns = `nlb-events-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "nlroute-events-"));
sh("ip", ["netns", "add", ns]);
try {
  for (const args of [
    ["link", "set", "lo", "up"],
    ["link", "add", "bv0", "type", "veth", "peer", "name", "bv1"],
    ["addr", "add", "10.255.0.1/16", "dev", "bv0"],
    ["link", "set", "bv0", "up"],
    ["link", "set", "bv1", "up"],
  ]) sh("ip", ["-n", ns, ...args]);
  const batch = join(dir, "routes.batch");
  let text = "";
  for (let i = 0; i < n; i++) text += `route add 10.203.${(i >> 8) & 255}.${i & 255}/32 via 10.255.0.2 dev bv0\n`;
  writeFileSync(batch, text);

  using ipr = new IPRoute({ netns: ns });
  const stream = ipr.events({ groups: ["ipv4_route", "ipv6_route"] });
  // The peers start their clock with the listener running (Go's RouteSubscribe has its reading
  // goroutine going, pyroute2 reads on the calling thread): so does this bench, by waiting for
  // the event of one warm-up route (outside the measured 10.203/16) before starting the clock.
  // On Bun that is the poller worker's start-up (~40-60 ms, measured with BENCH_EVENTS_COLD=1).
  if (!process.env.BENCH_EVENTS_COLD) {
    await ipr.route("add", { dst: "10.204.0.0/32", gateway: "10.255.0.2", oif: "bv0" });
    // next(), not for-await: a break would close the stream
    for (let r = await stream.next(); !r.done; r = await stream.next()) {
      if (r.value.event === "RTM_NEWROUTE" && r.value.get("dst") === "10.204.0.0") break;
    }
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let first = 0;
  const child = spawn("ip", ["-n", ns, "-batch", batch], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const timer = setTimeout(() => stream.close(), LIMIT_MS);
  let received = 0;
  let overflows = 0;
  let replayed = 0;
  let dumpLeft = 0;
  for await (const m of stream) {
    if (first === 0) first = performance.now() - t0;
    if (m.event === "OVERFLOW") {
      overflows++;
      dumpLeft = stream.stats.resynced - replayed;
      replayed = stream.stats.resynced;
      continue;
    }
    if (dumpLeft > 0) {
      dumpLeft--;
      continue;
    }
    if (m.event === "RTM_NEWROUTE" && ++received >= n) break;
  }
  clearTimeout(timer);
  const code = await exited;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await stream.return();
  if (code !== 0) console.error(`ip -batch exited with ${code}`);
  console.log(`impl=${impl} received=${received} expected=${n} seconds=${seconds.toFixed(4)} overflows=${overflows} first_ms=${first.toFixed(1)} cpu_user_ms=${(cpu.user / 1000).toFixed(0)} cpu_sys_ms=${(cpu.system / 1000).toFixed(0)}`);
} finally {
  sh("ip", ["netns", "del", ns]);
  rmSync(dir, { recursive: true, force: true });
}
