/**
 * Fuzzing over the fixture corpus: decode → encode → decode is stable for the captured messages,
 * and mutated kernel bytes (bit flips, byte sets, truncations, nlmsg_len / nla_len / type edits,
 * duplicated and removed spans, attributes swapped for others of the same size) either decode or raise NetlinkDecodeError — never another
 * exception, never a hang. The PRNG is seeded; a failure names the seed and the mutant's hex.
 *
 *   NLROUTE_FUZZ_SEED=1234 npx tsx --test tests/fuzz_test.ts      # reproduce a run
 *   NLROUTE_FUZZ_COUNT=200000 npx deno test -A tests/fuzz_test.ts  # a longer run
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { NetlinkDecodeError } from "../src/marshal/errors.ts";
import { decodeDatagram, encodeMessage, messageInitFromJSON } from "../src/marshal/message.ts";
import { rtnl } from "../src/rtnl/messages.ts";
import { envVar, hex, listFixtures } from "./_fixtures.ts";

const MIN_MUTATIONS = 20_000;
/** A run that cannot finish its mutations in this time is a failure (a pathological decoder). */
const DEADLINE_MS = 120_000;
/** One mutant taking this long to decode is reported as a (near-)hang. */
const SLOW_MUTANT_MS = 500;

function seedFromEnv(): number {
  const s = envVar("NLROUTE_FUZZ_SEED");
  if (s !== undefined && s.trim() !== "") {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`Invalid NLROUTE_FUZZ_SEED: ${JSON.stringify(s)}, expected a u32`);
    return n;
  }
  return Math.floor(Math.random() * 0x1_0000_0000);
}

function countFromEnv(): number {
  const s = envVar("NLROUTE_FUZZ_COUNT");
  const n = s === undefined ? MIN_MUTATIONS : Number(s);
  if (!Number.isInteger(n) || n < MIN_MUTATIONS) throw new RangeError(`Invalid NLROUTE_FUZZ_COUNT: ${JSON.stringify(s)}, expected an integer ≥ ${MIN_MUTATIONS}`);
  return n;
}

/** mulberry32: small, fast, good enough for choosing mutations; same sequence on every runtime. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

// reads that are safe on mutants: a second mutation may use offsets a truncation moved out
function getU16(b: Uint8Array, off: number): number {
  return off + 2 <= b.length ? new DataView(b.buffer, b.byteOffset).getUint16(off, true) : 0;
}

function getU32(b: Uint8Array, off: number): number {
  return off + 4 <= b.length ? new DataView(b.buffer, b.byteOffset).getUint32(off, true) : 0;
}

// ---------------------------------------------------------------------------------------------
// the inputs: every captured message, and each fixture's messages as one datagram

interface Input {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Offsets of the nlmsghdrs in `bytes`. */
  readonly msgOffsets: readonly number[];
  /** Offsets of attribute headers (top level and nested) found by walking the TLVs. */
  readonly nlaOffsets: readonly number[];
}

/** Attribute header offsets in [start, end), recursing into payloads that are a clean TLV chain. */
function walkNlas(dv: DataView, start: number, end: number, out: number[], depth: number): boolean {
  let off = start;
  const found: number[] = [];
  while (end - off >= 4) {
    const len = dv.getUint16(off, true);
    if (len < 4 || off + len > end) return false;
    found.push(off);
    off += (len + 3) & ~3;
  }
  if (off < end && end - off >= 4) return false;
  for (const o of found) {
    out.push(o);
    const len = dv.getUint16(o, true);
    if (depth < 6 && len > 8) walkNlas(dv, o + 4, o + len, out, depth + 1);
  }
  return true;
}

function makeInput(name: string, messages: readonly Uint8Array[]): Input {
  const total = messages.reduce((n, m) => n + ((m.length + 3) & ~3), 0);
  const bytes = new Uint8Array(total);
  const msgOffsets: number[] = [];
  const nlaOffsets: number[] = [];
  let off = 0;
  for (const m of messages) {
    bytes.set(m, off);
    msgOffsets.push(off);
    const kind = rtnl.kind(new DataView(m.buffer, m.byteOffset).getUint16(4, true));
    const start = off + 16 + kind.schema.fields.size;
    walkNlas(new DataView(bytes.buffer), start, off + m.length, nlaOffsets, 0);
    off += (m.length + 3) & ~3;
  }
  return { name, bytes, msgOffsets, nlaOffsets };
}

const fixtures = listFixtures();
const inputs: Input[] = [];
for (const f of fixtures) {
  f.messages.forEach((m, i) => inputs.push(makeInput(`${f.name}#${i}`, [m])));
  if (f.messages.length > 1) inputs.push(makeInput(f.name, f.messages));
}

// every attribute of the corpus by its padded size, for swaps that keep all framing intact
// (IFLA_INFO_KIND "vxlan" in a veth's linkinfo: the payload is then decoded as the wrong kind)
const tlvsBySize = new Map<number, Uint8Array[]>();
for (const inp of inputs) {
  for (const a of inp.nlaOffsets) {
    const size = Math.min((getU16(inp.bytes, a) + 3) & ~3, inp.bytes.length - a);
    const list = tlvsBySize.get(size) ?? [];
    list.push(inp.bytes.subarray(a, a + size));
    tlvsBySize.set(size, list);
  }
}

// ---------------------------------------------------------------------------------------------
// mutations

type Rand = () => number;
const int = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[int(rand, xs.length)];
const INTERESTING_U8 = [0x00, 0x01, 0x03, 0x04, 0x7f, 0x80, 0xfe, 0xff];
const RTM_TYPES = [...rtnl.byType.keys()];

function setU16(b: Uint8Array, off: number, v: number): void {
  if (off + 2 <= b.length) new DataView(b.buffer, b.byteOffset).setUint16(off, v & 0xffff, true);
}

function setU32(b: Uint8Array, off: number, v: number): void {
  if (off + 4 <= b.length) new DataView(b.buffer, b.byteOffset).setUint32(off, v >>> 0, true);
}

function lengthValue(rand: Rand, current: number, max: number): number {
  switch (int(rand, 8)) {
    case 0: return 0;
    case 1: return int(rand, 20);
    case 2: return current - 1 - int(rand, 4);
    case 3: return current + 1 + int(rand, 4);
    case 4: return max;
    case 5: return max + 1 + int(rand, 8);
    case 6: return 0xffffffff;
    default: return int(rand, max + 16);
  }
}

/**
 * One mutation applied to a copy; returns the mutant and a short description. Span edits of a
 * single message often fix nlmsg_len up too, so the damage is found inside, not by the frame check.
 */
function mutate(rand: Rand, inp: Input, src: Uint8Array): [Uint8Array, string] {
  const [b, what] = mutateOnce(rand, inp, src);
  if (b.length !== src.length && inp.msgOffsets.length === 1 && b.length >= 4 && rand() < 0.6) {
    setU32(b, 0, b.length);
    return [b, `${what}, nlmsg_len fixed up`];
  }
  return [b, what];
}

function mutateOnce(rand: Rand, inp: Input, src: Uint8Array): [Uint8Array, string] {
  let b = src.slice();
  const n = b.length;
  if (n === 0) return [b, "empty"];
  const op = int(rand, 11);
  switch (op) {
    case 0: {
      const flips = 1 + int(rand, 4);
      for (let i = 0; i < flips; i++) b[int(rand, n)] ^= 1 << int(rand, 8);
      return [b, `flip ${flips} bits`];
    }
    case 1: {
      const at = int(rand, n);
      b[at] = rand() < 0.5 ? pick(rand, INTERESTING_U8) : int(rand, 256);
      return [b, `set byte ${at}`];
    }
    case 2: {
      const at = int(rand, n + 1);
      return [b.slice(0, at), `truncate to ${at}`];
    }
    case 3: {
      const m = pick(rand, inp.msgOffsets);
      const cur = getU32(b, m);
      setU32(b, m, lengthValue(rand, cur, n - m));
      return [b, `nlmsg_len at ${m}`];
    }
    case 4: {
      if (inp.nlaOffsets.length === 0) return mutateOnce(rand, inp, src);
      const a = pick(rand, inp.nlaOffsets);
      const cur = getU16(b, a);
      setU16(b, a, lengthValue(rand, cur, Math.min(0xffff, n - a)));
      return [b, `nla_len at ${a}`];
    }
    case 5: {
      if (inp.nlaOffsets.length === 0) return mutateOnce(rand, inp, src);
      const a = pick(rand, inp.nlaOffsets);
      const t = getU16(b, a + 2);
      const r = int(rand, 3);
      setU16(b, a + 2, r === 0 ? t ^ 0x8000 : r === 1 ? (t & 0xc000) | int(rand, 80) : int(rand, 0x10000));
      return [b, `nla_type at ${a}`];
    }
    case 6: {
      const m = pick(rand, inp.msgOffsets);
      setU16(b, m + 4, rand() < 0.8 ? pick(rand, RTM_TYPES) : int(rand, 0x10000));
      return [b, `nlmsg_type at ${m}`];
    }
    case 7: {
      const from = int(rand, n);
      const len = 1 + int(rand, Math.min(64, n - from));
      const at = int(rand, n + 1);
      const out = new Uint8Array(n + len);
      out.set(b.subarray(0, at), 0);
      out.set(src.subarray(from, from + len), at);
      out.set(b.subarray(at), at + len);
      b = out;
      return [b, `duplicate ${from}+${len} at ${at}`];
    }
    case 8: {
      const from = int(rand, n);
      const len = 1 + int(rand, Math.min(64, n - from));
      const out = new Uint8Array(n - len);
      out.set(b.subarray(0, from), 0);
      out.set(b.subarray(from + len), from);
      return [out, `remove ${from}+${len}`];
    }
    case 9: {
      if (inp.nlaOffsets.length === 0) return mutateOnce(rand, inp, src);
      const a = pick(rand, inp.nlaOffsets);
      const size = Math.min((getU16(b, a) + 3) & ~3, n - a);
      const other = tlvsBySize.get(size);
      if (!other) return mutateOnce(rand, inp, src);
      b.set(pick(rand, other), a);
      return [b, `swap the ${size}-byte attribute at ${a}`];
    }
    default: {
      // length edits that keep the datagram framing consistent: the error must come from the
      // attributes, deep inside, not from the frame check
      const a = inp.nlaOffsets.length ? pick(rand, inp.nlaOffsets) : 16;
      const grow = 4 * (1 + int(rand, 4));
      const out = new Uint8Array(n + grow);
      if (a > n) return [b, "no-op"];
      out.set(b.subarray(0, a), 0);
      out.set(b.subarray(a), a + grow);
      for (const m of inp.msgOffsets) if (m < a) setU32(out, m, getU32(b, m) + grow);
      return [out, `insert ${grow} zero bytes at ${a}`];
    }
  }
}

/** Decode fully: frames, family headers, every attribute at every depth. */
function decodeAll(bytes: Uint8Array): number {
  let n = 0;
  for (const msg of decodeDatagram(bytes, rtnl)) n += JSON.stringify(msg).length;
  return n;
}

// ---------------------------------------------------------------------------------------------

test("fuzz corpus: decode → encode → decode is stable for every captured message", () => {
  assert.ok(inputs.length > 0, "no fixtures under tests/fixtures");
  for (const f of fixtures) {
    f.messages.forEach((bytes, i) => {
      const where = `${f.name} message ${i}`;
      const [msg] = decodeDatagram(bytes, rtnl);
      const json = JSON.parse(JSON.stringify(msg));
      // through the JSON form
      const { schema, init } = messageInitFromJSON(rtnl, json);
      const again = decodeDatagram(encodeMessage(schema, init), rtnl);
      assert.deepEqual(JSON.parse(JSON.stringify(again[0])), json, `${where}: decode(encode(toJSON())) differs`);
      // straight from the decoded message (raw attribute types kept): byte-exact
      const direct = encodeMessage(msg.schema, {
        type: msg.header.type,
        flags: msg.header.flags,
        seq: msg.header.sequence_number,
        pid: msg.header.pid,
        fields: msg.fields,
        attrs: msg,
      });
      assert.equal(hex(direct), hex(bytes), `${where}: encode(decoded message) is not the kernel's bytes`);
    });
  }
});

test(`fuzz corpus: ${MIN_MUTATIONS}+ mutants raise only NetlinkDecodeError`, () => {
  const seed = seedFromEnv();
  const count = countFromEnv();
  const rand = prng(seed);
  const started = Date.now();
  const stats = { decoded: 0, rejected: 0 };
  const repro = `NLROUTE_FUZZ_SEED=${seed}`;
  for (let i = 0; i < count; i++) {
    if (i % 1000 === 0 && Date.now() - started > DEADLINE_MS) {
      assert.fail(`${repro}: only ${i} of ${count} mutants in ${DEADLINE_MS} ms — the decoder is pathologically slow somewhere`);
    }
    const inp = pick(rand, inputs);
    let [bytes, what] = mutate(rand, inp, inp.bytes);
    if (rand() < 0.25) {
      const [b2, w2] = mutate(rand, inp, bytes);
      bytes = b2;
      what += `, then ${w2}`;
    }
    const t0 = Date.now();
    try {
      decodeAll(bytes);
      stats.decoded++;
    } catch (e) {
      if (!(e instanceof NetlinkDecodeError)) {
        const stack = e instanceof Error ? e.stack : String(e);
        assert.fail(`${repro}: mutant #${i} of ${inp.name} (${what}) threw ${(e as Error)?.name ?? typeof e}, not NetlinkDecodeError\nmutant hex: ${hex(bytes)}\n${stack}`);
      }
      stats.rejected++;
    }
    const took = Date.now() - t0;
    if (took > SLOW_MUTANT_MS) {
      assert.fail(`${repro}: mutant #${i} of ${inp.name} (${what}) took ${took} ms to decode\nmutant hex: ${hex(bytes)}`);
    }
  }
  assert.equal(stats.decoded + stats.rejected, count);
  // both outcomes must occur, or the mutations are not exercising the decoder
  assert.ok(stats.decoded > 0 && stats.rejected > 0, `${repro}: decoded ${stats.decoded}, rejected ${stats.rejected}`);
});
