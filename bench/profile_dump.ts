/**
 * Where the time of a route dump goes: the phases of `getRoutes({ family: 2 })` + `get("dst")`
 * timed separately with the library's own pieces, on the same socket. Run inside a namespace
 * prepared by shared/peers/setup_routes.sh (never the host's):
 *
 *   deno run -A bench/profile_dump.ts [REPETITIONS]     bun bench/profile_dump.ts [REPETITIONS]
 *
 * Phases (medians of R repetitions after one warm-up, milliseconds):
 *   kernel+recv  send + FfiTransport.receive() until NLMSG_DONE (one recv per datagram, copy into an arena)
 *   ffi-raw      the same datagrams with libc.recv alone into one reused buffer (no poll/peek/slice)
 *   decode       decodeDatagram() of every datagram (frames + one NlMsg per message)
 *   filter       matches(m, { family: 2 }), what getRoutes applies to every message
 *   dst          m.get("dst") on every message (attribute index + ip codec)
 *   total        getRoutes({ family: 2 }) + get("dst") through IPRoute, for comparison
 *   copy-fresh   the same datagrams copied into new 256 KiB buffers, as the transport keeps them
 *                (what first-touching fresh memory costs on this machine)
 *   copy-reused  the same copies into one buffer reused for every repetition (warm memory)
 *   lean         NOT nlroute: a minimal decoder over the same datagrams (one small object per
 *                message, get("dst") scans the TLVs, no index arrays), to show what decode +
 *                filter + dst could cost; compare with decode + filter + dst
 * @module
 */

import { IPRoute, type NlMsg, decodeDatagram, rtnl } from "../mod.ts";
import { matches } from "../src/api/filter.ts";
import { FfiTransport } from "../ffi/transport.ts";
import { libc } from "../ffi/load.ts";

declare const Bun: unknown;
const runtime = typeof Bun !== "undefined" ? "bun" : "deno";
const args = typeof Deno !== "undefined" ? Deno.args : (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const reps = Math.max(1, Number.parseInt(args[0] ?? "5", 10) || 5);

const NLMSG_DONE = 3;
let seq = 1000;
/** RTM_GETROUTE dump request for AF_INET: nlmsghdr (16) + rtmsg (12). */
function request(): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(28);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 28, true);
  dv.setUint16(4, 26, true); // RTM_GETROUTE
  dv.setUint16(6, 0x301, true); // NLM_F_REQUEST | NLM_F_DUMP
  dv.setUint32(8, ++seq, true);
  b[16] = 2; // rtm_family AF_INET
  return b;
}

function isDone(dg: Uint8Array): boolean {
  const dv = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
  for (let off = 0; off + 16 <= dg.length;) {
    const len = dv.getUint32(off, true);
    if (dv.getUint16(off + 4, true) === NLMSG_DONE) return true;
    off += (len + 3) & ~3;
    if (len < 16) break;
  }
  return false;
}

/** The lean comparison: what a message must at least cost (one object, nothing else retained). */
class LeanMsg {
  constructor(readonly dv: DataView, readonly off: number, readonly len: number) {}
  get type(): number {
    return this.dv.getUint16(this.off + 4, true);
  }
  get family(): number {
    return this.dv.getUint8(this.off + 16);
  }
  #dst: string | undefined;
  dst(): string | undefined {
    if (this.#dst !== undefined) return this.#dst;
    const dv = this.dv;
    const end = this.off + this.len;
    for (let a = this.off + 28; a + 4 <= end;) {
      const alen = dv.getUint16(a, true);
      if (alen < 4) break;
      if ((dv.getUint16(a + 2, true) & 0x3fff) === 1 && alen === 8) {
        return (this.#dst = `${dv.getUint8(a + 4)}.${dv.getUint8(a + 5)}.${dv.getUint8(a + 6)}.${dv.getUint8(a + 7)}`);
      }
      a += (alen + 3) & ~3;
    }
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const t = FfiTransport.open();
const ipr = new IPRoute();
const phases: Record<string, number[]> = { "kernel+recv": [], "ffi-raw": [], decode: [], filter: [], dst: [], "sum of phases": [], total: [], lean: [], "copy-fresh": [], "copy-reused": [] };
// kept across repetitions so that the fresh copies stay alive as a dump's would
let keptCopies: Uint8Array[] = [];
let reusedCopy: Uint8Array | null = null;
let info = "";
for (let rep = 0; rep <= reps; rep++) {
  // 1. the transport as Connection uses it
  let t0 = performance.now();
  t.send(request());
  const dgs: Uint8Array[] = [];
  for (;;) {
    const dg = t.receive(10_000);
    if (dg === null) throw new Error("timeout");
    dgs.push(dg);
    if (isDone(dg)) break;
  }
  const recvMs = performance.now() - t0;

  // 2. bare libc.recv (blocking socket, reused 32 KiB buffer): the FFI + kernel floor
  const buf = new Uint8Array(32 * 1024);
  t0 = performance.now();
  libc.send(t.fd, request(), 0);
  let rawCount = 0;
  for (;;) {
    const n = libc.recv(t.fd, buf, 0);
    rawCount++;
    if (isDone(buf.subarray(0, n))) break;
  }
  const rawMs = performance.now() - t0;

  // 3. decode
  t0 = performance.now();
  const msgs: NlMsg[] = [];
  for (const dg of dgs) {
    const ms = decodeDatagram(dg, rtnl);
    for (let i = 0; i < ms.length; i++) msgs.push(ms[i]);
  }
  const decodeMs = performance.now() - t0;

  // 4. the family filter getRoutes applies
  t0 = performance.now();
  const kept = msgs.filter((m) => m.nlmsgType === 24 && matches(m, { family: 2 }));
  const filterMs = performance.now() - t0;

  // 5. get("dst")
  t0 = performance.now();
  let withDst = 0;
  for (let i = 0; i < kept.length; i++) if (kept[i].get("dst") !== undefined) withDst++;
  const dstMs = performance.now() - t0;

  // 6. the real thing
  t0 = performance.now();
  const routes = await ipr.getRoutes({ family: 2 });
  let w2 = 0;
  for (let i = 0; i < routes.length; i++) if (routes[i].get("dst") !== undefined) w2++;
  const totalMs = performance.now() - t0;

  // 7. lean comparison over the same datagrams
  t0 = performance.now();
  const lean: LeanMsg[] = [];
  for (const dg of dgs) {
    const dv = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
    for (let off = 0; off + 16 <= dg.length;) {
      const len = dv.getUint32(off, true);
      if (len < 16 || off + len > dg.length) throw new Error("bad frame");
      const m = new LeanMsg(dv, off, len);
      if (m.type === 24 && m.family === 2) lean.push(m);
      off += (len + 3) & ~3;
    }
  }
  let leanDst = 0;
  for (let i = 0; i < lean.length; i++) if (lean[i].dst() !== undefined) leanDst++;
  const leanMs = performance.now() - t0;
  if (leanDst !== withDst) throw new Error(`lean decoder disagrees: ${leanDst} vs ${withDst}`);

  // 8. the copies alone: into fresh buffers, then into one reused buffer
  t0 = performance.now();
  const copies: Uint8Array[] = [];
  let arena = new Uint8Array(0);
  let used = 0;
  for (const dg of dgs) {
    if (arena.length - used < dg.length) {
      arena = new Uint8Array(Math.max(256 * 1024, dg.length));
      used = 0;
      copies.push(arena);
    }
    arena.set(dg, used);
    used += (dg.length + 7) & ~7;
  }
  const freshMs = performance.now() - t0;
  keptCopies = copies;
  const total = dgs.reduce((n, d) => n + ((d.length + 7) & ~7), 0);
  reusedCopy ??= new Uint8Array(total + 256 * 1024);
  reusedCopy.fill(1); // touched once before timing
  t0 = performance.now();
  let at = 0;
  for (const dg of dgs) {
    reusedCopy.set(dg, at);
    at += (dg.length + 7) & ~7;
  }
  const reusedMs = performance.now() - t0;

  if (rep === 0) continue; // warm-up
  phases["copy-fresh"].push(freshMs);
  phases["copy-reused"].push(reusedMs);
  phases["kernel+recv"].push(recvMs);
  phases["ffi-raw"].push(rawMs);
  phases.decode.push(decodeMs);
  phases.filter.push(filterMs);
  phases.dst.push(dstMs);
  phases["sum of phases"].push(recvMs + decodeMs + filterMs + dstMs);
  phases.total.push(totalMs);
  phases.lean.push(leanMs);
  const bytes = dgs.reduce((n, d) => n + d.length, 0);
  info = `datagrams=${dgs.length} (raw ${rawCount}) bytes=${bytes} messages=${msgs.length} routes=${kept.length} with_dst=${withDst} api_routes=${routes.length} api_with_dst=${w2}`;
}
t.close();
ipr.close();
if (keptCopies.length === 0) throw new Error("no copies were made");
console.log(`nlroute-${runtime} profile ${info} reps=${reps}`);
for (const [k, v] of Object.entries(phases)) {
  console.log(`  ${k.padEnd(14)} median ${median(v).toFixed(2).padStart(8)} ms   min ${Math.min(...v).toFixed(2).padStart(8)}   max ${Math.max(...v).toFixed(2).padStart(8)}`);
}
