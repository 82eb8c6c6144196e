/**
 * Traffic control: queueing disciplines (RTM_*QDISC: `tc qdisc add | replace | change | del |
 * show` for the kinds whose options this library encodes: pfifo, bfifo, pfifo_head_drop,
 * pfifo_fast, htb, mq) and htb classes (RTM_*TCLASS: `tc class ...`, rates and rate tables
 * computed as tc does); every kind decodes in dumps.
 * @module
 */

import { NLM_F, type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { TC_H, tcmsg } from "../rtnl/tc.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { checkUint, mergeMatch } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.tc`: qdiscs, and classes with pyroute2's `-class` suffix. */
export type TcCommand =
  | "add" | "replace" | "change" | "del" | "delete" | "dump" | "show"
  | "add-class" | "replace-class" | "change-class" | "del-class" | "dump-class"
  | "add-filter" | "replace-filter" | "change-filter" | "del-filter" | "dump-filter";

const COMMANDS: Readonly<Record<string, { type: number; flags: number }>> = {
  add: { type: RTM.RTM_NEWQDISC, flags: NLM_F.CREATE | NLM_F.EXCL },
  replace: { type: RTM.RTM_NEWQDISC, flags: NLM_F.CREATE | NLM_F.REPLACE },
  change: { type: RTM.RTM_NEWQDISC, flags: 0 },
  del: { type: RTM.RTM_DELQDISC, flags: 0 },
  delete: { type: RTM.RTM_DELQDISC, flags: 0 },
};

/** The class or filter commands (`add-class`...), with the flags tc sends: a "replace" is CREATE alone. */
function subCommands(suffix: string, newType: number, delType: number): Readonly<Record<string, { type: number; flags: number }>> {
  return {
    [`add-${suffix}`]: { type: newType, flags: NLM_F.CREATE | NLM_F.EXCL },
    [`replace-${suffix}`]: { type: newType, flags: NLM_F.CREATE },
    [`change-${suffix}`]: { type: newType, flags: 0 },
    [`del-${suffix}`]: { type: delType, flags: 0 },
  };
}

const CLASS_COMMANDS = subCommands("class", RTM.RTM_NEWTCLASS, RTM.RTM_DELTCLASS);

/** The kinds `tc("add")` encodes, with their option keys. */
const KINDS: Readonly<Record<string, readonly string[]>> = {
  pfifo: ["limit"],
  bfifo: ["limit"],
  pfifo_head_drop: ["limit"],
  pfifo_fast: [],
  htb: ["default", "r2q", "direct_qlen"],
  mq: [],
};

/** Qdisc kinds `tc()` can add: the others are decoded in dumps but not encoded. */
export const QDISC_KINDS: readonly string[] = Object.keys(KINDS);

const OWN_KEYS = ["index", "kind", "handle", "parent"];

/**
 * A handle or parent as `tc` writes it: "1:" (major 1), "1:10" (major 1, minor 0x10: both hex),
 * "root", "ingress", "none", or the 32-bit number.
 *
 * @param value the handle
 * @param key how errors name it
 * @returns the 32-bit handle
 * @example
 * ```ts
 * parseHandle("1:10", "classid"); // 0x10010
 * parseHandle("root", "parent");  // 0xffffffff
 * ```
 */
export function parseHandle(value: unknown, key: string): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`Invalid ${key}: ${value} is not a 32-bit handle`);
    return value;
  }
  if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected "1:", "1:10", "root" or a number, got ${show(value)}`);
  if (value === "root") return TC_H.TC_H_ROOT;
  if (value === "ingress" || value === "clsact") return TC_H.TC_H_INGRESS;
  if (value === "none") return TC_H.TC_H_UNSPEC;
  const m = /^([0-9a-f]{1,4})?:([0-9a-f]{1,4})?$/i.exec(value);
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    throw new TypeError(`Invalid ${key}: expected "major:", "major:minor" (hex, at most ffff each), "root", "ingress" or a number, got ${show(value)}`);
  }
  return ((parseInt(m[1] ?? "0", 16) << 16) >>> 0) + parseInt(m[2] ?? "0", 16);
}

/**
 * `handle` as `tc` prints it: "1:", "1:10", "root", "ingress", "none".
 *
 * @param handle a 32-bit handle
 * @returns its text
 * @example
 * ```ts
 * formatHandle(0x10010); // "1:10"
 * ```
 */
export function formatHandle(handle: number): string {
  if (handle === TC_H.TC_H_ROOT) return "root";
  if (handle === TC_H.TC_H_INGRESS) return "ingress";
  if (handle === TC_H.TC_H_UNSPEC) return "none";
  const major = handle >>> 16;
  const minor = handle & 0xffff;
  return `${major.toString(16)}:${minor ? minor.toString(16) : ""}`;
}

/** TCA_OPTIONS of a qdisc `kind` from the spec's option keys (undefined: none sent). */
function qdiscOptions(verb: string, kind: string, opts: Readonly<Record<string, unknown>>): unknown {
  switch (kind) {
    case "pfifo":
    case "bfifo":
    case "pfifo_head_drop":
      // as tc: the limit is sent only when given (the kernel then uses the device's queue length)
      return opts.limit === undefined ? undefined : { limit: checkUint(`${verb}: limit`, opts.limit) };
    case "htb": {
      // tc sends TCA_HTB_INIT (version 3, r2q 10 unless given, the default class), then the direct queue length
      const def = opts.default === undefined ? 0 : typeof opts.default === "string" ? parseHandle(`0:${opts.default}`, `${verb}: default`) : checkUint(`${verb}: default`, opts.default);
      const init = { version: 3, rate2quantum: opts.r2q === undefined ? 10 : checkUint(`${verb}: r2q`, opts.r2q), defcls: def, debug: 0, direct_pkts: 0 };
      const attrs: [string, unknown][] = [["init", init]];
      if (opts.direct_qlen !== undefined) attrs.push(["direct_qlen", checkUint(`${verb}: direct_qlen`, opts.direct_qlen)]);
      return attrs;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// htb classes: rates, sizes and the rate tables as iproute2's tc computes them

/** Class kinds `tc("add-class")` encodes, with their option keys. */
const CLASS_KINDS: Readonly<Record<string, readonly string[]>> = {
  htb: ["rate", "ceil", "burst", "cburst", "prio", "quantum", "mtu", "mpu"],
};

// The packet scheduler's clock as /proc/net/psched describes it on every kernel since 2.6.31:
// 1000 ns per µs and 64 ns per tick, clock_res 1,000,000; tc's tick_in_usec is their quotient.
const TICK_IN_USEC = 1000 / 64;
// psched's fourth field with high-resolution timers (NSEC_PER_SEC / hrtimer_resolution): what tc's
// default burst divides the rate by
const PSCHED_HZ = 1e9;

/** Time in scheduler ticks to send `size` bytes at `rate` bytes/s (tc_calc_xmittime, C truncation included). */
function xmittime(rate: number, size: number): number {
  const usec = Math.trunc(1e6 * (size / rate)) >>> 0;
  return Math.trunc(usec * TICK_IN_USEC) >>> 0;
}

const RATE_UNITS: Readonly<Record<string, number>> = {
  "": 1, bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12, kibit: 1024, mibit: 1024 ** 2, gibit: 1024 ** 3, tibit: 1024 ** 4,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9, tbps: 8e12, kibps: 8 * 1024, mibps: 8 * 1024 ** 2, gibps: 8 * 1024 ** 3, tibps: 8 * 1024 ** 4,
};

/**
 * A rate as `tc` reads it ("1mbit", "256kbit", "10Mbit", "1gbps"; a number is bit/s), in bytes
 * per second.
 *
 * @param value the rate
 * @param key how errors name it
 * @returns bytes per second
 * @example
 * ```ts
 * parseRate("1mbit", "rate"); // 125000
 * ```
 */
export function parseRate(value: unknown, key: string): number {
  const bits = scaled(value, RATE_UNITS);
  if (bits === null) throw new TypeError(`Invalid ${key}: expected a rate like "1mbit", "256kbit" or "1gbps", got ${show(value)}`);
  if (bits === undefined) throw new TypeError(`Invalid ${key}: expected a rate like "1mbit" or bit/s as a number, got ${show(value)}`);
  const bytes = Math.trunc(bits / 8);
  if (!Number.isFinite(bits) || bytes < 1 || bytes >= 2 ** 32) throw new RangeError(`Invalid ${key}: ${show(value)} is out of range (8 bit/s up to 32 Gbyte/s)`);
  return bytes;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3,
  kbit: 1024 / 8, mbit: 1024 ** 2 / 8, gbit: 1024 ** 3 / 8,
};

/**
 * A size as `tc` reads it ("15k" is 15360 bytes, "1mbit" 131072); a number is bytes.
 *
 * @param value the size
 * @param key how errors name it
 * @returns bytes
 * @example
 * ```ts
 * parseSize("15k", "burst"); // 15360
 * ```
 */
export function parseSize(value: unknown, key: string): number {
  const raw = scaled(value, SIZE_UNITS);
  if (raw === null || raw === undefined) throw new TypeError(`Invalid ${key}: expected a size like "15k" or bytes as a number, got ${show(value)}`);
  const size = typeof value === "string" ? Math.trunc(raw) : raw;
  if (!Number.isInteger(size) || size < 1 || size > 0xffffffff) throw new RangeError(`Invalid ${key}: ${show(value)} is out of range (1 byte up to 4 GiB)`);
  return size;
}

/**
 * A number as it is, or text "<number><unit>" (case-insensitive) times the unit's factor; null
 * for text that is neither, undefined for any other type.
 */
function scaled(value: unknown, units: Readonly<Record<string, number>>): number | null | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? units[m[2].toLowerCase()] : undefined;
  return m && unit !== undefined ? Number(m[1]) * unit : null;
}

/** tc_calc_rtable: the 256 cells of a rate table (the time to send 8, 16... bytes) and the cell size's log. */
function rateTable(rate: number, mtu: number, mpu: number): { table: Uint8Array; cellLog: number } {
  let cellLog = 0;
  while ((mtu >>> cellLog) > 255) cellLog++;
  const table = new Uint8Array(1024);
  const dv = new DataView(table.buffer);
  for (let i = 0; i < 256; i++) dv.setUint32(i * 4, xmittime(rate, Math.max((i + 1) << cellLog, mpu)), true);
  return { table, cellLog };
}

/** TCA_OPTIONS of an htb class: TCA_HTB_PARMS, then the rate and ceil tables, as tc sends them. */
function htbClassOptions(verb: string, opts: Readonly<Record<string, unknown>>): [string, unknown][] {
  if (opts.rate === undefined) throw new TypeError(`${verb}: rate is required for an htb class ("1mbit", or bit/s)`);
  const rate = parseRate(opts.rate, `${verb}: rate`);
  const ceil = opts.ceil === undefined ? rate : parseRate(opts.ceil, `${verb}: ceil`);
  const mtu = opts.mtu === undefined ? 1600 : checkUint(`${verb}: mtu`, opts.mtu);
  const mpu = opts.mpu === undefined ? 0 : checkUint(`${verb}: mpu`, opts.mpu);
  if (mpu > 0xffff) throw new RangeError(`Invalid ${verb}: mpu: ${mpu} is out of range (0..65535)`);
  const prio = opts.prio === undefined ? 0 : checkUint(`${verb}: prio`, opts.prio);
  if (prio > 7) throw new RangeError(`Invalid ${verb}: prio: ${prio} is out of range (0..7)`);
  const quantum = opts.quantum === undefined ? 0 : checkUint(`${verb}: quantum`, opts.quantum);
  // tc's default burst: what the clock can send between two ticks, plus one MTU
  const burst = opts.burst === undefined ? Math.trunc(rate / PSCHED_HZ) + mtu : parseSize(opts.burst, `${verb}: burst`);
  const cburst = opts.cburst === undefined ? Math.trunc(ceil / PSCHED_HZ) + mtu : parseSize(opts.cburst, `${verb}: cburst`);
  const rtab = rateTable(rate, mtu, mpu);
  const ctab = rateTable(ceil, mtu, mpu);
  const spec = (r: number, cellLog: number) => ({ cell_log: cellLog, linklayer: 1, overhead: 0, cell_align: -1, mpu, rate: r });
  const parms = {
    rate: spec(rate, rtab.cellLog),
    ceil: spec(ceil, ctab.cellLog),
    buffer: xmittime(rate, burst),
    cbuffer: xmittime(ceil, cburst),
    quantum,
    level: 0,
    prio,
  };
  return [["parms", parms], ["rtab", rtab.table], ["ctab", ctab.table]];
}

// ---------------------------------------------------------------------------------------------
// u32 filters: tc's "match ip ..." and "match u32|u16|u8 VALUE MASK at OFFSET" keys

const FILTER_COMMANDS = subCommands("filter", RTM.RTM_NEWTFILTER, RTM.RTM_DELTFILTER);

/** Filter kinds `tc("add-filter")` encodes, with their option keys. */
const FILTER_KINDS: Readonly<Record<string, readonly string[]>> = {
  u32: ["classid", "flowid", "match", "keys"],
};

/** Ethernet protocols by the names `tc` takes for `protocol` (linux/if_ether.h). */
const ETH_P: Readonly<Record<string, number>> = { all: 0x0003, ip: 0x0800, arp: 0x0806, ipv6: 0x86dd, "802.1q": 0x8100, "802.1ad": 0x88a8 };

type U32Key = { mask: number; val: number; off: number; offmask: number };

/** tc's pack_key: a 32-bit key at a word offset, merged with a key already at that word. */
function packKey(keys: U32Key[], val: number, mask: number, off: number, what: string): void {
  val = (val & mask) >>> 0;
  for (const k of keys) {
    if (k.off === off && k.offmask === 0) {
      if (((val ^ k.val) & mask & k.mask) !== 0) throw new TypeError(`Invalid match: ${what} contradicts an earlier key at offset ${off}`);
      k.val = (k.val | val) >>> 0;
      k.mask = (k.mask | mask) >>> 0;
      return;
    }
  }
  if (keys.length >= 128) throw new RangeError(`Invalid match: more than 128 keys`);
  keys.push({ mask: mask >>> 0, val, off, offmask: 0 });
}

/** A value of `bits` bits at byte offset `off` (aligned to its size), placed in its 32-bit word as tc's pack_key16 / pack_key8 do. */
function packField(keys: U32Key[], bits: 8 | 16 | 32, val: number, mask: number, off: number, what: string): void {
  const max = bits === 32 ? 0xffffffff : (1 << bits) - 1;
  for (const [n, v] of [["value", val], ["mask", mask]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`Invalid match: ${what} ${n} ${v} does not fit in ${bits} bits`);
  }
  if (!Number.isInteger(off) || off < 0 || off % (bits / 8) !== 0) throw new RangeError(`Invalid match: ${what} offset ${off} is not a multiple of ${bits / 8}`);
  const shift = bits === 32 ? 0 : 8 * (4 - bits / 8 - (off & 3));
  packKey(keys, (val * 2 ** shift) >>> 0, (mask * 2 ** shift) >>> 0, off & ~3, what);
}

/** An IPv4 prefix "192.0.2.0/24" (or an address) as value and mask. */
function ip4Prefix(value: unknown, what: string): [number, number] {
  const m = typeof value === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(value) : null;
  const parts = m ? m.slice(1, 5).map(Number) : [];
  const len = m && m[5] !== undefined ? Number(m[5]) : 32;
  if (!m || parts.some((x) => x > 255) || len > 32) throw new TypeError(`Invalid match: ${what} expects an IPv4 prefix like "192.0.2.0/24", got ${show(value)}`);
  const addr = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return [addr, mask];
}

/** A numeric match: `80` (all bits), or `[value, mask]` as tc writes "80 0xffff". */
function valueMask(value: unknown, full: number, what: string): [number, number] {
  if (typeof value === "number") return [value, full];
  if (Array.isArray(value) && value.length === 2 && value.every((x) => typeof x === "number")) return [value[0], value[1]];
  throw new TypeError(`Invalid match: ${what} expects a number or [value, mask], got ${show(value)}`);
}

/**
 * The keys of tc's "match ip ..." (IPv4 header fields: src, dst, tos / dsfield, protocol, then
 * sport / dport / icmp_type / icmp_code at the transport header, 20 bytes in) and of raw keys
 * `{ u32 | u16 | u8: [value, mask], at }`, packed in order as tc packs them.
 */
function u32Keys(match: unknown, rawKeys: unknown): U32Key[] {
  const keys: U32Key[] = [];
  const fields = match === undefined ? [] : Array.isArray(match) ? match : [match];
  for (const f of fields) {
    if (f === null || typeof f !== "object" || Array.isArray(f)) throw new TypeError(`Invalid match: expected an object such as { dst: "192.0.2.0/24", dport: 80 }, got ${show(f)}`);
    for (const [k, v] of Object.entries(f as Record<string, unknown>)) {
      if (v === undefined) continue;
      switch (k) {
        case "src":
        case "dst": {
          const [val, mask] = ip4Prefix(v, `ip ${k}`);
          packField(keys, 32, val, mask, k === "src" ? 12 : 16, `ip ${k}`);
          break;
        }
        case "tos":
        case "dsfield":
          packField(keys, 8, ...valueMask(v, 0xff, `ip ${k}`), 1, `ip ${k}`);
          break;
        case "protocol":
          packField(keys, 8, ...valueMask(v, 0xff, "ip protocol"), 9, "ip protocol");
          break;
        case "sport":
        case "dport":
          packField(keys, 16, ...valueMask(v, 0xffff, `ip ${k}`), k === "sport" ? 20 : 22, `ip ${k}`);
          break;
        case "icmp_type":
        case "icmp_code":
          packField(keys, 8, ...valueMask(v, 0xff, `ip ${k}`), k === "icmp_type" ? 20 : 21, `ip ${k}`);
          break;
        case "u32":
        case "u16":
        case "u8": {
          const at = (f as Record<string, unknown>).at;
          if (typeof at !== "number") throw new TypeError(`Invalid match: ${k} needs "at" (a byte offset)`);
          const bits = k === "u32" ? 32 : k === "u16" ? 16 : 8;
          packField(keys, bits, ...valueMask(v, bits === 32 ? 0xffffffff : (1 << bits) - 1, k), at, `${k} at ${at}`);
          break;
        }
        case "at":
          break;
        default:
          throw new TypeError(`Invalid match: unknown key ${show(k)} (known: src, dst, tos, dsfield, protocol, sport, dport, icmp_type, icmp_code, u32, u16, u8 with at)`);
      }
    }
  }
  // pyroute2's raw form: "0x0006/0x00ff+8" (value/mask+offset, the offset of the 32-bit word)
  for (const r of rawKeys === undefined ? [] : Array.isArray(rawKeys) ? rawKeys : [rawKeys]) {
    const m = typeof r === "string" ? /^(0x[0-9a-f]+|\d+)\/(0x[0-9a-f]+|\d+)\+(-?\d+)$/i.exec(r) : null;
    if (!m) throw new TypeError(`Invalid keys: expected "value/mask+offset" such as "0x0006/0x00ff+8", got ${show(r)}`);
    packField(keys, 32, Number(m[1]), Number(m[2]), Number(m[3]), `key ${r}`);
  }
  return keys;
}

/** TCA_OPTIONS of a u32 filter: the class (when given), then the selector, as tc sends them. */
function u32Options(verb: string, spec: Readonly<Record<string, unknown>>): [string, unknown][] {
  if (spec.classid !== undefined && spec.flowid !== undefined) throw new TypeError(`${verb}: give classid or flowid, not both`);
  const target = spec.classid ?? spec.flowid;
  const keys = u32Keys(spec.match, spec.keys);
  if (keys.length === 0) throw new TypeError(`${verb}: match (or keys) is required: what the filter selects`);
  const attrs: [string, unknown][] = [];
  if (target !== undefined) attrs.push(["classid", parseHandle(target, "classid")]);
  attrs.push(["sel", { flags: target === undefined ? 0 : 1, offshift: 0, nkeys: keys.length, __pad: 0, offmask: 0, off: 0, offoff: 0, hoff: 0, hmask: 0, keys }]);
  return attrs;
}

/** A filter's tcm_info: its priority (preference) and the protocol it applies to, in network order. */
function filterInfo(verb: string, spec: Readonly<Record<string, unknown>>): number {
  const prio = spec.prio === undefined ? 0 : spec.prio;
  if (typeof prio !== "number" || !Number.isInteger(prio) || prio < 0 || prio > 0xffff) throw new RangeError(`${verb}: prio must be in 0..65535, got ${show(prio)}`);
  let proto = 0;
  if (spec.protocol !== undefined) {
    const p = typeof spec.protocol === "string" ? ETH_P[spec.protocol.toLowerCase()] : spec.protocol;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 0xffff) {
      throw new TypeError(`${verb}: protocol must be ${Object.keys(ETH_P).join(", ")} or a number, got ${show(spec.protocol)}`);
    }
    proto = p;
  }
  return ((prio << 16) >>> 0) + (((proto & 0xff) << 8) | (proto >>> 8));
}

/** What differs between a qdisc and a class change. */
interface TcObject {
  /** "qdisc" or "class", for errors. */
  readonly noun: string;
  /** The commands and their message type and flags. */
  readonly commands: Readonly<Record<string, { type: number; flags: number }>>;
  /** The kinds encoded, with their option keys. */
  readonly kinds: Readonly<Record<string, readonly string[]>>;
  /** The message type of a delete. */
  readonly del: number;
  /** `parent` when not given (undefined: required but for a delete). */
  readonly parent: number | undefined;
  /** Whether `handle` is required (a class's classid). */
  readonly handle: boolean;
  /** TCA_OPTIONS for a kind (undefined: none sent). */
  options(verb: string, kind: string, spec: Readonly<Record<string, unknown>>): unknown;
  /** Keywords besides index, kind, handle, parent (a filter's prio and protocol). */
  readonly extra?: readonly string[];
  /** tcm_info (a filter's priority and protocol); 0 when absent. */
  info?(verb: string, spec: Readonly<Record<string, unknown>>): number;
}

const QDISC: TcObject = { noun: "qdisc", commands: COMMANDS, kinds: KINDS, del: RTM.RTM_DELQDISC, parent: TC_H.TC_H_ROOT, handle: false, options: qdiscOptions };
const CLASS: TcObject = { noun: "class", commands: CLASS_COMMANDS, kinds: CLASS_KINDS, del: RTM.RTM_DELTCLASS, parent: undefined, handle: true, options: (verb, _kind, spec) => htbClassOptions(verb, spec) };
const FILTER: TcObject = {
  noun: "filter",
  commands: FILTER_COMMANDS,
  kinds: FILTER_KINDS,
  del: RTM.RTM_DELTFILTER,
  parent: undefined,
  handle: false,
  options: (verb, _kind, spec) => u32Options(verb, spec),
  extra: ["prio", "protocol"],
  info: filterInfo,
};

/**
 * A qdisc or class change: everything checked (kind, keywords, interface, handles, options)
 * before the interface name is resolved and the request sent.
 */
async function change(ctx: OpContext, o: TcObject, command: string, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const cmd = o.commands[command];
  const verb = `tc(${show(command)})`;
  if (spec === null || typeof spec !== "object") throw new TypeError(`${verb}: expected a spec object, got ${show(spec)}`);
  const isDel = cmd.type === o.del;
  const kind = spec.kind;
  const kinds = Object.keys(o.kinds).join(", ");
  if (kind !== undefined && (typeof kind !== "string" || !(kind in o.kinds))) throw new TypeError(`${verb}: unknown ${o.noun} kind ${show(kind)} (known: ${kinds})`);
  if (kind === undefined && !isDel) throw new TypeError(`${verb}: kind is required (known: ${kinds})`);
  const own = [...OWN_KEYS, ...(o.extra ?? [])];
  const known = kind === undefined || isDel ? own : [...own, ...o.kinds[kind]];
  for (const k of Object.keys(spec)) {
    if (spec[k] !== undefined && !known.includes(k)) throw new TypeError(`${verb}: unknown keyword ${show(k)} (known: ${known.join(", ")})`);
  }
  if (spec.index === undefined) throw new TypeError(`${verb}: index (the interface: an index or a name) is required`);
  IndexResolver.check(spec.index, "index");
  if (o.handle && spec.handle === undefined) throw new TypeError(`${verb}: handle (the classid, e.g. "1:10") is required`);
  if (o.parent === undefined && !isDel && spec.parent === undefined) throw new TypeError(`${verb}: parent (the qdisc "1:" or a parent class) is required`);
  const fields = {
    family: 0,
    index: 0,
    handle: spec.handle === undefined ? 0 : parseHandle(spec.handle, "handle"),
    parent: spec.parent === undefined ? (o.parent ?? 0) : parseHandle(spec.parent, "parent"),
    info: o.info ? o.info(verb, spec) : 0,
  };
  const attrs: [string, unknown][] = [];
  if (kind !== undefined) {
    attrs.push(["kind", kind]);
    const options = isDel ? undefined : o.options(verb, kind, spec);
    if (options !== undefined) attrs.push(["options", options]);
  }
  fields.index = await ctx.resolver().index(spec.index as number | string, "index");
  return await ctx.request(tcmsg, cmd.type, { flags: cmd.flags, fields, attrs });
}

/**
 * Every traffic class, filtered like `getQdiscs`: `index`, `kind`, `handle` (the classid),
 * `parent`, any TCA_* key, a predicate, or `match`.
 */
export async function getClasses(ctx: OpContext, filter: Readonly<Record<string, unknown>> = {}): Promise<NlMsg[]> {
  return await tcDump(ctx, RTM.RTM_GETTCLASS, "getClasses()", filter);
}

/**
 * Every filter of one qdisc per interface (`parent`, default the root qdisc), filtered like
 * `getQdiscs`: `index`, `kind`, `prio`... A u32 filter's `options` hold `sel` with its keys and
 * `classid`.
 */
export async function getFilters(ctx: OpContext, filter: Readonly<Record<string, unknown>> = {}): Promise<NlMsg[]> {
  return await tcDump(ctx, RTM.RTM_GETTFILTER, "getFilters()", filter);
}

/** The kernel dumps one interface's classes per request (tcm_ifindex): every interface's in turn when none is given. */
async function classIndexes(ctx: OpContext, index: number | undefined): Promise<number[]> {
  if (index !== undefined) return [index];
  const links = await ctx.dump(ifinfomsg, RTM.RTM_GETLINK);
  return links.map((l) => l.get("index") as number);
}

/**
 * `tc(command, spec)`: a qdisc change (`add`, `replace`, `change`, `del`) or a dump (`dump` /
 * `show`, filtered like the other dumps).
 */
export async function tc(ctx: OpContext, command: TcCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command === "dump" || command === "show") return await getQdiscs(ctx, spec);
  if (command === "dump-class") return await getClasses(ctx, spec);
  if (command === "dump-filter") return await getFilters(ctx, spec);
  if (typeof command === "string" && command in FILTER_COMMANDS) return await change(ctx, FILTER, command, spec);
  if (typeof command === "string" && command in CLASS_COMMANDS) return await change(ctx, CLASS, command, spec);
  if (typeof command === "string" && command in COMMANDS) return await change(ctx, QDISC, command, spec);
  throw new TypeError(`tc(): unknown command ${show(command)} (known: add, replace, change, del, dump, show, add-class, replace-class, change-class, del-class, dump-class, add-filter, replace-filter, change-filter, del-filter, dump-filter)`);
}

/**
 * Every qdisc, filtered: `index` (an index or a name), `kind`, `handle` / `parent` (as `tc`
 * writes them or numbers), or any TCA_* key, a predicate, or `match`.
 */
export async function getQdiscs(ctx: OpContext, filter: Readonly<Record<string, unknown>> = {}): Promise<NlMsg[]> {
  return await tcDump(ctx, RTM.RTM_GETQDISC, "getQdiscs()", filter);
}

/** A dump of qdiscs or classes, with tc's handles and interface names in the filter. */
async function tcDump(ctx: OpContext, type: number, verb: string, filter: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (filter === null || typeof filter !== "object") throw new TypeError(`${verb}: expected a filter object, got ${show(filter)}`);
  const { match, ...rest } = filter as Record<string, unknown>;
  const f: Record<string, unknown> = { ...rest };
  if (typeof f.handle === "string") f.handle = parseHandle(f.handle, "handle");
  if (typeof f.parent === "string") f.parent = parseHandle(f.parent, "parent");
  if (typeof f.index === "string") f.index = await ctx.resolver().index(f.index, "index");
  const m = mergeMatch(f, match as Match | undefined);
  if (type === RTM.RTM_GETQDISC) return await ctx.dump(tcmsg, type, { fields: { family: 0 } }, m);
  // a filter dump names its qdisc (0: the root one), and the kernel keeps to it
  const parent = type === RTM.RTM_GETTFILTER && typeof f.parent === "number" ? f.parent : 0;
  // classes are dumped per interface: the one asked for, else every one (a predicate on `index`
  // then filters what they return)
  const out: NlMsg[] = [];
  for (const index of await classIndexes(ctx, typeof f.index === "number" ? f.index : undefined)) {
    out.push(...await ctx.dump(tcmsg, type, { fields: { family: 0, index, parent } }, m));
  }
  return out;
}
