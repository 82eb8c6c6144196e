/**
 * Value codecs: how one attribute payload (or one struct field) is read from kernel bytes,
 * checked and normalised from user input, sized and written. Encoding is two passes: `prepare`
 * validates and normalises (throwing before anything is sent), `sizeOf` + `write` fill one buffer.
 * Pure: no runtime imports.
 * @module
 */

import { NetlinkDecodeError } from "./errors.ts";

/** Read-side view of one datagram: the bytes and one DataView over them. */
export interface Reader {
  /** The datagram's bytes. */
  readonly u8: Uint8Array;
  /** A DataView over the same bytes. */
  readonly dv: DataView;
}

/** Write-side view of the one buffer a message is encoded into. */
export interface Writer {
  /** The output buffer. */
  readonly u8: Uint8Array;
  /** A DataView over the same buffer. */
  readonly dv: DataView;
}

/** What a codec may ask of its surroundings while decoding (used by `switchOn`). */
export interface DecodeContext {
  /** Value of a sibling attribute, or of a field of the enclosing message, by short name. */
  lookup(key: string): unknown;
}

/** What a codec may ask of its surroundings while encoding (used by `switchOn`). */
export interface EncodeContext {
  /** Normalised value of a sibling attribute or of a message field, by short name. */
  lookup(key: string): unknown;
}

/**
 * One payload type. `T` is the decoded value, `P` the prepared (validated) form for writing.
 *
 * @example
 * ```ts
 * const p = u16.prepare(1400, "mtu", noContext);
 * const buf = new Uint8Array(u16.sizeOf(p));
 * u16.write({ u8: buf, dv: new DataView(buf.buffer) }, 0, p);
 * ```
 */
export interface Codec<T = unknown, P = unknown> {
  /** Type name used in messages: "u32", "ip4", "nested(vxlan)". */
  readonly name: string;
  /** Payload size when it is fixed. */
  readonly fixed?: number;
  /** Read `len` bytes at `off`. Throws NetlinkDecodeError (path filled in by the caller). */
  decode(r: Reader, off: number, len: number, ctx: DecodeContext): T;
  /** Check and normalise user input. Throws TypeError / RangeError naming `key` and the value. */
  prepare(value: unknown, key: string, ctx: EncodeContext): P;
  /** Payload bytes the prepared value needs (without attribute header or padding). */
  sizeOf(p: P): number;
  /** Write the prepared value at `off`; the buffer is zero-filled and large enough. */
  write(w: Writer, off: number, p: P): void;
  /** Plain JSON form of a decoded value (bigint → number when safe, bytes → hex). */
  toJSON(value: T): unknown;
}

/** A context with nothing around it (top-level values, tests). */
export const noContext: DecodeContext & EncodeContext = { lookup: () => undefined };

/** Short display of a user value for error messages. */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

function expectLength(name: string, want: number, len: number): void {
  if (len !== want) {
    throw new NetlinkDecodeError(`Cannot decode ${name}: expected ${want} bytes, got ${len}`);
  }
}

const identity = (v: unknown): unknown => v;

// ---------------------------------------------------------------------------------------------
// integers

function toInteger(value: unknown, key: string, type: string): number {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "bigint") n = Number(value);
  else if (typeof value === "boolean") n = value ? 1 : 0;
  else if (typeof value === "string" && /^(0x[0-9a-f]+|-?\d+)$/i.test(value.trim())) n = Number(value.trim());
  else throw new TypeError(`Invalid ${key}: expected an integer (${type}), got ${show(value)}`);
  if (!Number.isInteger(n)) throw new TypeError(`Invalid ${key}: expected an integer (${type}), got ${show(value)}`);
  return n;
}

function intCodec(
  name: string,
  size: 1 | 2 | 4,
  min: number,
  max: number,
  read: (dv: DataView, off: number) => number,
  write: (w: Writer, off: number, v: number) => void,
): Codec<number, number> {
  return {
    name,
    fixed: size,
    decode(r, off, len) {
      expectLength(name, size, len);
      return read(r.dv, off);
    },
    prepare(value, key) {
      // an integer in range, the usual input, is taken as it is (0 for -0)
      if (typeof value === "number" && value >= min && value <= max && Number.isInteger(value)) return value === 0 ? 0 : value;
      const n = toInteger(value, key, name);
      if (n < min || n > max) throw new RangeError(`Invalid ${key}: ${n} is out of range for ${name} (${min}..${max})`);
      // never write -0: Object.is(-0, 0) is false and some consumers care
      return n === 0 ? 0 : n;
    },
    sizeOf: () => size,
    // the writer itself, not a wrapper around it: one call per value
    write,
    toJSON: identity as (v: number) => unknown,
  };
}

/** Unsigned 8-bit integer. */
export const u8: Codec<number, number> = intCodec("u8", 1, 0, 0xff, (d, o) => d.getUint8(o), (w, o, v) => w.dv.setUint8(o, v));
/** Signed 8-bit integer. */
export const s8: Codec<number, number> = intCodec("s8", 1, -0x80, 0x7f, (d, o) => d.getInt8(o), (w, o, v) => w.dv.setInt8(o, v));
/** Unsigned 16-bit integer, host (little-endian) order. */
export const u16: Codec<number, number> = intCodec("u16", 2, 0, 0xffff, (d, o) => d.getUint16(o, true), (w, o, v) => w.dv.setUint16(o, v, true));
/** Signed 16-bit integer, host order. */
export const s16: Codec<number, number> = intCodec("s16", 2, -0x8000, 0x7fff, (d, o) => d.getInt16(o, true), (w, o, v) => w.dv.setInt16(o, v, true));
/** Unsigned 32-bit integer, host order. */
export const u32: Codec<number, number> = intCodec("u32", 4, 0, 0xffffffff, (d, o) => d.getUint32(o, true), (w, o, v) => w.dv.setUint32(o, v, true));
/** Signed 32-bit integer, host order. */
export const s32: Codec<number, number> = intCodec("s32", 4, -0x80000000, 0x7fffffff, (d, o) => d.getInt32(o, true), (w, o, v) => w.dv.setInt32(o, v, true));
/** Unsigned 16-bit integer in network (big-endian) order, e.g. a UDP port. */
export const be16: Codec<number, number> = intCodec("be16", 2, 0, 0xffff, (d, o) => d.getUint16(o, false), (w, o, v) => w.dv.setUint16(o, v, false));
/** Unsigned 32-bit integer in network order. */
export const be32: Codec<number, number> = intCodec("be32", 4, 0, 0xffffffff, (d, o) => d.getUint32(o, false), (w, o, v) => w.dv.setUint32(o, v, false));

// the bounds a 64-bit value's JSON form is a number within (made once: toJSON runs per value)
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE_BIG = BigInt(Number.MIN_SAFE_INTEGER);

function bigCodec(name: string, signed: boolean, big: boolean): Codec<bigint, bigint> {
  const min = signed ? -(1n << 63n) : 0n;
  const max = signed ? (1n << 63n) - 1n : (1n << 64n) - 1n;
  return {
    name,
    fixed: 8,
    decode(r, off, len) {
      expectLength(name, 8, len);
      return signed ? r.dv.getBigInt64(off, !big) : r.dv.getBigUint64(off, !big);
    },
    prepare(value, key) {
      let n: bigint;
      if (typeof value === "bigint") n = value;
      else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) n = BigInt(value.trim());
      else throw new TypeError(`Invalid ${key}: expected an integer (${name}), got ${show(value)}`);
      if (n < min || n > max) throw new RangeError(`Invalid ${key}: ${n} is out of range for ${name}`);
      return n;
    },
    sizeOf: () => 8,
    write(w, off, v) {
      if (signed) w.dv.setBigInt64(off, v, !big);
      else w.dv.setBigUint64(off, v, !big);
    },
    toJSON: (v) => (v <= MAX_SAFE_BIG && v >= MIN_SAFE_BIG ? Number(v) : v.toString()),
  };
}

/** Unsigned 64-bit integer as bigint (JSON: a number when safe, else a decimal string). */
export const u64: Codec<bigint, bigint> = bigCodec("u64", false, false);
/** Signed 64-bit integer as bigint. */
export const s64: Codec<bigint, bigint> = bigCodec("s64", true, false);
/** Unsigned 64-bit integer in network order as bigint. */
export const be64: Codec<bigint, bigint> = bigCodec("be64", false, true);

/**
 * NLA_UINT (nla_put_uint): an unsigned integer sent as 4 bytes when it fits in 32 bits, else 8.
 * Decodes to a number (4 bytes) or a bigint (8 bytes); encodes with the kernel's width choice,
 * so kernel payloads re-encode byte-exact.
 */
export const uint: Codec<number | bigint, bigint> = {
  name: "uint",
  decode(r, off, len) {
    if (len === 4) return r.dv.getUint32(off, true);
    if (len === 8) return r.dv.getBigUint64(off, true);
    throw new NetlinkDecodeError(`Cannot decode uint: expected 4 or 8 bytes, got ${len}`);
  },
  prepare(value, key) {
    let n: bigint;
    if (typeof value === "bigint") n = value;
    else if (typeof value === "number" && Number.isInteger(value)) n = BigInt(value);
    else throw new TypeError(`Invalid ${key}: expected an integer (uint), got ${show(value)}`);
    if (n < 0n || n > 0xffffffffffffffffn) throw new RangeError(`Invalid ${key}: ${n} is out of range for uint`);
    return n;
  },
  sizeOf: (p) => (p > 0xffffffffn ? 8 : 4),
  write(w, off, p) {
    if (p > 0xffffffffn) w.dv.setBigUint64(off, p, true);
    else w.dv.setUint32(off, Number(p), true);
  },
  toJSON: (v) => (typeof v === "bigint" && v > MAX_SAFE_BIG ? v.toString() : Number(v)),
};

// ---------------------------------------------------------------------------------------------
// flag, strings, bytes

/** Zero-length attribute whose presence means true. `false` / absent → not sent. */
export const flag: Codec<true, true> = {
  name: "flag",
  fixed: 0,
  decode(_r, _off, len) {
    expectLength("flag", 0, len);
    return true;
  },
  prepare(value, key) {
    if (value !== true && value !== 1) throw new TypeError(`Invalid ${key}: expected true (a flag), got ${show(value)}`);
    return true;
  },
  sizeOf: () => 0,
  write() {},
  toJSON: () => true,
};

const utf8 = new TextDecoder();
const utf8enc = new TextEncoder();

function latin1OrUtf8(u8: Uint8Array, start: number, end: number): string {
  // Fast path for the common ASCII case (interface names, kinds): no TextDecoder call.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (u8[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return utf8.decode(u8.subarray(start, end));
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(u8[i]);
  return s;
}

function stringCodec(name: string, nul: boolean, maxBytes?: number): Codec<string, Uint8Array> {
  return {
    name,
    decode(r, off, len) {
      let end = off + len;
      if (nul) {
        const z = r.u8.indexOf(0, off);
        if (z !== -1 && z < end) end = z;
      }
      return latin1OrUtf8(r.u8, off, end);
    },
    prepare(value, key) {
      if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected a string, got ${show(value)}`);
      const bytes = utf8enc.encode(value);
      if (bytes.includes(0)) throw new TypeError(`Invalid ${key}: ${show(value)} contains a NUL character`);
      if (maxBytes !== undefined && bytes.length > maxBytes) {
        throw new RangeError(`Invalid ${key}: ${show(value)} is ${bytes.length} bytes, at most ${maxBytes} allowed`);
      }
      return bytes;
    },
    sizeOf: (p) => p.length + (nul ? 1 : 0),
    write(w, off, p) {
      w.u8.set(p, off);
    },
    toJSON: identity as (v: string) => unknown,
  };
}

/** NUL-terminated string (NLA_NUL_STRING / nla_put_string). */
export const asciiz: Codec<string, Uint8Array> = stringCodec("asciiz", true);
/** String without a terminating NUL. */
export const string: Codec<string, Uint8Array> = stringCodec("string", false);
/** NUL-terminated string of at most `max` bytes before the NUL (IFNAMSIZ - 1 = 15 for ifname). */
export function asciizMax(max: number): Codec<string, Uint8Array> {
  return stringCodec(`asciiz(${max})`, true, max);
}

/** Lower-case hex of bytes, no separators. */
export function toHex(u8: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u8.length; i++) s += (u8[i] < 16 ? "0" : "") + u8[i].toString(16);
  return s;
}

/** Parse hex (optionally with `:` separators) into bytes; throws TypeError naming the key. */
export function fromHex(text: string, key: string): Uint8Array {
  const clean = text.replace(/[:\s]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) {
    throw new TypeError(`Invalid ${key}: expected hex bytes, got ${show(text)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toBytes(value: unknown, key: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === "string") return fromHex(value, key);
  if (Array.isArray(value) && value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) return Uint8Array.from(value);
  throw new TypeError(`Invalid ${key}: expected bytes (Uint8Array or hex string), got ${show(value)}`);
}

/** Opaque bytes (JSON: hex string). A copy is returned on decode. */
export const bytes: Codec<Uint8Array, Uint8Array> = {
  name: "bytes",
  decode: (r, off, len) => r.u8.slice(off, off + len),
  prepare: (value, key) => toBytes(value, key),
  sizeOf: (p) => p.length,
  write(w, off, p) {
    w.u8.set(p, off);
  },
  toJSON: (v) => toHex(v),
};

// ---------------------------------------------------------------------------------------------
// addresses

// Dotted quads are built as a cached "a.b.c." prefix plus the last octet's cached text: one
// string allocated per address (a template literal allocates a chain of partial strings), and
// addresses of a big dump mostly share their /24. The cache is direct-mapped and small.
// (the octet texts are made on first use: 256 String() calls cost ~1 ms at start-up)
let OCTET: readonly string[] | null = null;
const PREFIX_SLOTS = 1024;
const prefixKey = new Int32Array(PREFIX_SLOTS).fill(-1);
const prefixText: string[] = new Array<string>(PREFIX_SLOTS).fill("");

/** Format 4 bytes as dotted quad. */
export function formatIp4(u8: Uint8Array, off: number): string {
  const a = u8[off], b = u8[off + 1], c = u8[off + 2];
  const key = (a << 16) | (b << 8) | c;
  const slot = (key ^ (key >>> 10)) & (PREFIX_SLOTS - 1);
  let prefix: string;
  if (prefixKey[slot] === key) prefix = prefixText[slot];
  else {
    prefix = `${a}.${b}.${c}.`;
    prefixKey[slot] = key;
    prefixText[slot] = prefix;
  }
  return prefix + (OCTET ??= Array.from({ length: 256 }, (_, i) => String(i)))[u8[off + 3]];
}

/** Format 16 bytes as RFC 5952 text (longest zero run compressed, lower case, v4-mapped kept). */
export function formatIp6(u8: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((u8[off + 2 * i] << 8) | u8[off + 2 * i + 1]);
  // ::ffff:a.b.c.d, as inet_ntop prints it
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0 && words[5] === 0xffff) {
    return `::ffff:${formatIp4(u8, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return words.map((w) => w.toString(16)).join(":");
  const head = words.slice(0, bestStart).map((w) => w.toString(16)).join(":");
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16)).join(":");
  return `${head}::${tail}`;
}

/**
 * Parse a dotted-quad IPv4 address — the whole text, or its first `end` characters (so
 * "192.0.2.0/24" can be read up to the slash without a substring); null when it is not one.
 */
export function parseIp4(text: string, end: number = text.length): Uint8Array | null {
  // four groups of 1-3 ASCII digits, each at most 255, read off the character codes (route adds
  // parse thousands of these: no regex match, no substrings)
  const n = end;
  if (n < 7 || n > 15) return null;
  let word = 0;
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return null;
      value = value * 10 + (c - 48);
    } else if (c === 46 && digits !== 0 && part < 3 && value <= 255) {
      word = word * 256 + value;
      part++;
      value = 0;
      digits = 0;
    } else return null;
  }
  if (part !== 3 || digits === 0 || value > 255) return null;
  const out = new Uint8Array(4);
  out[0] = word >>> 16;
  out[1] = (word >>> 8) & 0xff;
  out[2] = word & 0xff;
  out[3] = value;
  return out;
}

/** Parse an IPv6 address (with `::` and an optional trailing dotted quad); null when invalid. */
export function parseIp6(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length < 2) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (g.includes(".")) {
        if (i !== groups.length - 1) return null;
        const v4 = parseIp4(g);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return null;
  let words: number[];
  if (halves.length === 2) {
    const fill = 8 - head.length - tail.length;
    if (fill < 1) return null;
    words = [...head, ...new Array(fill).fill(0), ...tail];
  } else {
    words = head;
  }
  if (words.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i] >> 8;
    out[2 * i + 1] = words[i] & 0xff;
  }
  return out;
}

/** Parse an IPv4 or IPv6 address; null when it is neither. */
export function parseIp(text: string): Uint8Array | null {
  return text.includes(":") ? parseIp6(text) : parseIp4(text);
}

function addrCodec(name: string, lengths: readonly number[]): Codec<string, Uint8Array> {
  const want = lengths.length === 1 ? `${lengths[0]}` : lengths.join(" or ");
  return {
    name,
    fixed: lengths.length === 1 ? lengths[0] : undefined,
    decode(r, off, len) {
      if (len === 4 && lengths.includes(4)) return formatIp4(r.u8, off);
      if (len === 16 && lengths.includes(16)) return formatIp6(r.u8, off);
      throw new NetlinkDecodeError(`Cannot decode ${name}: expected ${want} bytes, got ${len}`);
    },
    prepare(value, key) {
      if (value instanceof Uint8Array && lengths.includes(value.length)) return value;
      if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected an IP address string, got ${show(value)}`);
      const parsed = lengths.length === 1 ? (lengths[0] === 4 ? parseIp4(value) : parseIp6(value)) : parseIp(value);
      if (!parsed) {
        const what = lengths.length === 1 ? (lengths[0] === 4 ? "an IPv4" : "an IPv6") : "an IP";
        throw new TypeError(`Invalid ${key}: ${show(value)} is not ${what} address`);
      }
      return parsed;
    },
    sizeOf: (p) => p.length,
    write(w, off, p) {
      w.u8.set(p, off);
    },
    toJSON: identity as (v: string) => unknown,
  };
}

/** IPv4 address, 4 bytes, as "192.0.2.1". */
export const ip4: Codec<string, Uint8Array> = addrCodec("ip4", [4]);
/** IPv6 address, 16 bytes, as "2001:db8::1". */
export const ip6: Codec<string, Uint8Array> = addrCodec("ip6", [16]);
/** IPv4 or IPv6 address, chosen by length on decode and by syntax on encode. */
export const ip: Codec<string, Uint8Array> = addrCodec("ip", [4, 16]);

/**
 * A link-layer address at the front of a zero-padded `size`-byte field (struct ifla_vf_mac's
 * `mac[32]`, MAX_ADDR_LEN): decodes its first 6 bytes (ETH_ALEN, as `ip` prints them); encodes
 * the address and the zero padding.
 *
 * @param size the field's size in bytes
 * @returns a fixed-size codec
 * @example
 * ```ts
 * const vfMac = fixedStruct({ vf: u32, mac: paddedMac(32) }, "ifla_vf_mac");
 * ```
 */
export function paddedMac(size: number): Codec<string, Uint8Array> {
  return {
    name: `paddedMac(${size})`,
    fixed: size,
    decode(r, off, len, ctx) {
      expectLength(`paddedMac(${size})`, size, len);
      return mac.decode(r, off, Math.min(6, size), ctx);
    },
    prepare(value, key, ctx) {
      const addr = mac.prepare(value, key, ctx);
      if (addr.length > size) throw new RangeError(`Invalid ${key}: ${addr.length} bytes do not fit in ${size}`);
      const out = new Uint8Array(size);
      out.set(addr);
      return out;
    },
    sizeOf: () => size,
    write(w, off, p) {
      w.u8.set(p, off);
    },
    toJSON: identity as (v: string) => unknown,
  };
}

/** Link-layer address of any length as "aa:bb:cc:dd:ee:ff" (JSON the same). */
export const mac: Codec<string, Uint8Array> = {
  name: "mac",
  decode(r, off, len) {
    let s = "";
    for (let i = 0; i < len; i++) {
      const b = r.u8[off + i];
      s += (i ? ":" : "") + (b < 16 ? "0" : "") + b.toString(16);
    }
    return s;
  },
  prepare(value, key) {
    if (value instanceof Uint8Array) return value;
    if (typeof value !== "string" || (value !== "" && !/^[0-9a-f]{1,2}([:-][0-9a-f]{1,2})*$/i.test(value))) {
      throw new TypeError(`Invalid ${key}: expected a link-layer address like "00:11:22:33:44:55", got ${show(value)}`);
    }
    return value === "" ? new Uint8Array(0) : Uint8Array.from(value.split(/[:-]/), (h) => parseInt(h, 16));
  },
  sizeOf: (p) => p.length,
  write(w, off, p) {
    w.u8.set(p, off);
  },
  toJSON: identity as (v: string) => unknown,
};

// ---------------------------------------------------------------------------------------------
// arrays and structs

/**
 * A packed array of fixed-size elements (IFLA_INET6_CONF is `array(s32)`). JSON: a list.
 */
export function array<T, P>(elem: Codec<T, P>): Codec<T[], P[]> {
  const size = elem.fixed;
  if (!size) throw new TypeError(`array() needs a fixed-size element codec, got ${elem.name}`);
  return {
    name: `array(${elem.name})`,
    decode(r, off, len, ctx) {
      if (len % size !== 0) {
        throw new NetlinkDecodeError(`Cannot decode array(${elem.name}): ${len} bytes is not a multiple of ${size}`);
      }
      // sized once (an inet6 conf array has ~90 entries: no regrowing on the way)
      const n = len / size;
      const out: T[] = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = elem.decode(r, off + i * size, size, ctx);
      return out;
    },
    prepare(value, key, ctx) {
      if (!Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected a list, got ${show(value)}`);
      return value.map((v, i) => elem.prepare(v, `${key}[${i}]`, ctx));
    },
    sizeOf: (p) => p.length * size,
    write(w, off, p) {
      for (let i = 0; i < p.length; i++) elem.write(w, off + i * size, p[i]);
    },
    toJSON: (v) => v.map((x) => elem.toJSON(x)),
  };
}

/** One field of a C struct: its name and codec. Padding fields are named `__pad...`. */
export type StructFields = Readonly<Record<string, Codec<any, any>>>;

/** Decoded struct: field name → value; `__extra` holds bytes past the known fields, as hex. */
export type StructValue = Record<string, unknown>;

/**
 * A fixed C struct codec with field offsets precomputed. `F` is the field table it was declared
 * with, kept at the type level so messages can type their header fields.
 */
export interface StructCodec<F extends StructFields = StructFields> extends Codec<StructValue, StructValue> {
  /** The fields in order with their offsets. */
  readonly layout: readonly { name: string; offset: number; codec: Codec<any, any> }[];
  /** Size of the full struct in bytes. */
  readonly size: number;
  /** Type-level only, never set: the field codecs, for `StructOf<F>`. */
  readonly __fields?: F;
}

/** The decoded value type of a codec: `CodecValue<typeof u32>` is `number`. */
export type CodecValue<C> = C extends Codec<infer T, any> ? T : unknown;

/** The decoded object of a struct's fields (padding fields named `__...` left out). */
export type StructOf<F extends StructFields> = { -readonly [K in keyof F as K extends `__${string}` ? never : K]: CodecValue<F[K]> };

/**
 * A C struct laid out field after field (padding is explicit, as in the uapi header). The kernel
 * may send a shorter or longer version than the header we know: trailing fields that are not
 * there decode as absent, and extra bytes are kept (`__extra`) so re-encoding is byte-exact.
 *
 * @example
 * ```ts
 * // struct ifaddrmsg { __u8 family, prefixlen, flags, scope; __u32 index; };
 * const ifaddrmsg = struct({ family: u8, prefixlen: u8, flags: u8, scope: u8, index: u32 });
 * ```
 */
export function struct<const F extends StructFields>(fields: F, name = "struct"): StructCodec<F> {
  const layout: { name: string; offset: number; codec: Codec<any, any> }[] = [];
  let offset = 0;
  for (const [field, codec] of Object.entries(fields)) {
    if (codec.fixed === undefined) throw new TypeError(`struct field ${field} needs a fixed-size codec, got ${codec.name}`);
    layout.push({ name: field, offset, codec });
    offset += codec.fixed;
  }
  const size = offset;
  return {
    name,
    fixed: undefined,
    layout,
    size,
    decode(r, off, len, ctx) {
      const out: StructValue = {};
      let end = 0;
      for (const f of layout) {
        const fsize = f.codec.fixed as number;
        if (f.offset + fsize > len) break;
        out[f.name] = f.codec.decode(r, off + f.offset, fsize, ctx);
        end = f.offset + fsize;
      }
      if (end < len) {
        if (end < size) {
          // a cut inside a field: not a shorter struct version but corrupt data
          throw new NetlinkDecodeError(`Cannot decode ${name}: ${len} bytes ends inside a field`);
        }
        out.__extra = r.u8.slice(off + end, off + len);
      }
      return out;
    },
    prepare(value, key, ctx) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new TypeError(`Invalid ${key}: expected an object with fields ${layout.map((f) => f.name).join(", ")}, got ${show(value)}`);
      }
      const v = value as Record<string, unknown>;
      for (const k of Object.keys(v)) {
        if (k !== "__extra" && !layout.some((f) => f.name === k)) {
          throw new TypeError(`Invalid ${key}: unknown field ${show(k)} (known: ${layout.map((f) => f.name).join(", ")})`);
        }
      }
      const out: StructValue = {};
      let last = -1;
      layout.forEach((f, i) => {
        if (v[f.name] !== undefined) last = i;
      });
      // fields up to the last one given are written; missing ones in between are zero
      for (let i = 0; i <= last; i++) {
        const f = layout[i];
        out[f.name] = f.codec.prepare(v[f.name] ?? 0, `${key}.${f.name}`, ctx);
      }
      if (v.__extra !== undefined) {
        if (last !== layout.length - 1) throw new TypeError(`Invalid ${key}: __extra needs every field before it`);
        out.__extra = toBytes(v.__extra, `${key}.__extra`);
      }
      return out;
    },
    sizeOf(p) {
      let n = 0;
      for (const f of layout) {
        if (!(f.name in p)) break;
        n = f.offset + (f.codec.fixed as number);
      }
      return n + (p.__extra ? (p.__extra as Uint8Array).length : 0);
    },
    write(w, off, p) {
      let end = 0;
      for (const f of layout) {
        if (!(f.name in p)) break;
        f.codec.write(w, off + f.offset, p[f.name]);
        end = f.offset + (f.codec.fixed as number);
      }
      if (p.__extra) w.u8.set(p.__extra as Uint8Array, off + end);
    },
    toJSON(v) {
      const out: Record<string, unknown> = {};
      for (const f of layout) if (f.name in v) out[f.name] = f.codec.toJSON(v[f.name]);
      if (v.__extra) out.__extra = toHex(v.__extra as Uint8Array);
      return out;
    },
  };
}

/**
 * A fixed-size struct that must be complete (a message header such as ifinfomsg): shorter data is
 * a decode error instead of an older version.
 */
export function fixedStruct<const F extends StructFields>(fields: F, name: string): StructCodec<F> {
  const s = struct(fields, name);
  return { ...s, fixed: s.size };
}

/** Encode a value with a codec into a fresh buffer (tests, small helpers). */
export function encodeValue<T, P>(codec: Codec<T, P>, value: unknown, key = "value"): Uint8Array {
  const p = codec.prepare(value, key, noContext);
  const out = new Uint8Array(codec.sizeOf(p));
  codec.write({ u8: out, dv: new DataView(out.buffer) }, 0, p);
  return out;
}

/** Decode a whole buffer with a codec (tests, small helpers). */
export function decodeValue<T>(codec: Codec<T, unknown>, data: Uint8Array): T {
  return codec.decode({ u8: data, dv: new DataView(data.buffer, data.byteOffset, data.byteLength) }, 0, data.length, noContext);
}
