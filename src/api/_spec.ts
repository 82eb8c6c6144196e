/**
 * Turning a pyroute2-style keyword spec into a message: keys that name a header field go to the
 * fields, keys that name an attribute go to the attributes, anything else is a TypeError naming
 * the key. Address shorthands ("192.0.2.0/24", "default") are split here.
 * @module
 */

import { type AttrTable, type MessageSchema, type NlMsg, formatIp4, formatIp6, parseIp4, parseIp6, show } from "../marshal/mod.ts";
import { AF } from "../rtnl/constants.ts";
import { type Match, matches } from "./filter.ts";

/** A message to send: fields of the family header and attributes in order. */
export interface SplitSpec {
  fields: Record<string, unknown>;
  attrs: [string, unknown][];
}

/**
 * Split a spec by the schema. `skip` keys are consumed by the verb itself (e.g. `match`).
 * Attributes that are also header fields (rtmsg `table`) go to the attributes only when the
 * verb moves them there first.
 */
export function splitSpec(schema: MessageSchema, spec: Readonly<Record<string, unknown>>, verb: string, skip: readonly string[] = []): SplitSpec {
  const fields: Record<string, unknown> = {};
  const attrs: [string, unknown][] = [];
  const layout = schema.fields.layout;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || skip.includes(k)) continue;
    if (layout.some((f) => f.name === k)) fields[k] = v;
    else if (schema.attrs.row(k)) attrs.push([k, v]);
    else throw unknownKey(verb, k, schema.attrs, layout.map((f) => f.name));
  }
  return { fields, attrs };
}

/** TypeError for an unknown keyword, listing what is accepted. */
export function unknownKey(verb: string, key: string, table: AttrTable, fields: readonly string[]): TypeError {
  const known = [...fields.filter((f) => !f.startsWith("__")), ...table.rows.map((r) => r.key)];
  return new TypeError(`${verb}: unknown keyword ${show(key)} (known: ${known.join(", ")})`);
}

/** An address with its family and optional prefix length, parsed from user text. */
export interface ParsedPrefix {
  /** Address text as given (without the prefix), or undefined for "default". */
  address?: string;
  /** AF_INET or AF_INET6. */
  family?: number;
  /** Prefix length from "/24" or "/255.255.255.0"; undefined when not given. */
  prefixlen?: number;
}

function maskToLen(mask: Uint8Array, key: string, value: string): number {
  let len = 0;
  let ended = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      if (byte & (1 << bit)) {
        if (ended) throw new TypeError(`Invalid ${key}: ${show(value)} has a non-contiguous netmask`);
        len++;
      } else ended = true;
    }
  }
  return len;
}

/**
 * Parse "192.0.2.0/24", "192.0.2.0/255.255.255.0", "2001:db8::/32", "default", "192.0.2.1".
 * Throws TypeError for text that is not an address and RangeError for a prefix length out of range.
 */
export function parsePrefix(value: unknown, key: string): ParsedPrefix {
  if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected an address string, got ${show(value)}`);
  if (value === "default" || value === "any" || value === "all") return {};
  const slash = value.indexOf("/");
  const addr = slash < 0 ? value : value.slice(0, slash);
  const v4 = parseIp4(addr);
  const v6 = v4 ? null : parseIp6(addr);
  if (!v4 && !v6) throw new TypeError(`Invalid ${key}: ${show(value)} is not an IP address`);
  const family = v4 ? AF.AF_INET : AF.AF_INET6;
  const max = v4 ? 32 : 128;
  if (slash < 0) return { address: addr, family };
  const lenText = value.slice(slash + 1);
  let prefixlen: number;
  if (/^\d+$/.test(lenText)) prefixlen = Number(lenText);
  else {
    const mask = v4 ? parseIp4(lenText) : parseIp6(lenText);
    if (!mask) throw new TypeError(`Invalid ${key}: ${show(value)} has a bad prefix length`);
    prefixlen = maskToLen(mask, key, value);
  }
  if (prefixlen > max) throw new RangeError(`Invalid ${key}: prefix length ${prefixlen} is out of range for ${v4 ? "IPv4" : "IPv6"} (0..${max})`);
  return { address: addr, family, prefixlen };
}

/** Family of an address string (AF_INET / AF_INET6), or undefined when it is not one. */
export function familyOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const addr = value.split("/")[0];
  if (parseIp4(addr)) return AF.AF_INET;
  if (parseIp6(addr)) return AF.AF_INET6;
  return undefined;
}

/** Check a prefix length against the family. */
export function checkPrefixlen(prefixlen: unknown, family: number | undefined, key: string): void {
  if (prefixlen === undefined) return;
  if (typeof prefixlen !== "number" || !Number.isInteger(prefixlen)) throw new TypeError(`Invalid ${key}: expected an integer, got ${show(prefixlen)}`);
  const max = family === AF.AF_INET6 ? 128 : family === AF.AF_INET ? 32 : 128;
  if (prefixlen < 0 || prefixlen > max) {
    throw new RangeError(`Invalid ${key}: ${prefixlen} is out of range for ${family === AF.AF_INET ? "IPv4" : family === AF.AF_INET6 ? "IPv6" : "an address"} (0..${max})`);
  }
}

const AF_NAMES: Readonly<Record<string, number>> = { inet: AF.AF_INET, inet6: AF.AF_INET6, ipv4: AF.AF_INET, ipv6: AF.AF_INET6, bridge: AF.AF_BRIDGE };

/** A family given as a number or a name ("inet", "inet6", "ipv4", "ipv6", "bridge"). */
export function familyValue(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && v in AF_NAMES) return AF_NAMES[v];
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255) return v;
  throw new TypeError(`Invalid family: expected 2 (AF_INET), 10 (AF_INET6), 7 (AF_BRIDGE), 0 or a name, got ${show(v)}`);
}

/**
 * The family a dump asks the kernel for (0: all), removed from the user-space filter: the kernel
 * dumps only the family the request names, so no second check is needed.
 */
export function takeFamily(filter: Record<string, unknown>): number {
  const family = familyValue(filter.family) ?? 0;
  delete filter.family;
  return family;
}

/** Canonical text of an address so that filters compare equal to decoded values. */
export function canonicalAddress(text: string): string {
  const v4 = parseIp4(text);
  if (v4) return formatIp4(v4, 0);
  const v6 = parseIp6(text);
  return v6 ? formatIp6(v6, 0) : text;
}

/** Split a dump filter into the user-space match and the header fields sent to the kernel. */
export function addressFilter(filter: Record<string, unknown>, key: string, lenKey: string): void {
  const v = filter[key];
  if (typeof v !== "string") return;
  const p = parsePrefix(v, key);
  if (p.address === undefined) {
    filter[key] = (x: unknown) => x === undefined;
    filter[lenKey] ??= 0;
  } else {
    filter[key] = canonicalAddress(p.address);
    if (p.prefixlen !== undefined) filter[lenKey] ??= p.prefixlen;
  }
  filter.family ??= p.family;
}

/** A filter object and an explicit `match` combined (undefined: no filtering). */
export function mergeMatch(filter: Record<string, unknown>, match: Match | undefined): Match | undefined {
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  if (!hasFilter) return match;
  if (match === undefined) return filter;
  return (m: NlMsg) => matches(m, filter) && matches(m, match);
}

// ---------------------------------------------------------------------------------------------
// symbolic values: `ip`'s names, kernel constant names, or numbers

/** `{ RT_SCOPE_LINK: 253 }` → `{ link: 253 }`: a constant table keyed the way `ip` prints names. */
export function lowerNames(table: Readonly<Record<string, number>>, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k.startsWith(prefix) ? k.slice(prefix.length).toLowerCase() : k.toLowerCase(), v]));
}

/**
 * A non-negative integer up to `max` (a u32 by default); RangeError naming `key` otherwise.
 *
 * @example
 * ```ts
 * checkUint("vf[0].vlan", 100, 4095); // 100
 * ```
 */
export function checkUint(key: string, value: unknown, max = 0xffffffff): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Invalid ${key}: expected an integer in 0..${max}, got ${show(value)}`);
  }
  return value;
}

/**
 * A value given as a number in 0..max, a decimal string, or a name from `names` — case-insensitive,
 * with or without one of the kernel prefixes (`"link"`, `"RT_SCOPE_LINK"`).
 */
export function namedInt(value: unknown, key: string, names: Readonly<Record<string, number>>, prefix: string | readonly string[], max: number): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`Invalid ${key}: ${value} is out of range (0..${max})`);
    return value;
  }
  if (typeof value === "string") {
    let k = value.toLowerCase();
    for (const p of typeof prefix === "string" ? [prefix] : prefix) {
      if (p && k.startsWith(p.toLowerCase())) {
        k = k.slice(p.length);
        break;
      }
    }
    if (Object.hasOwn(names, k)) return names[k];
    if (/^\d+$/.test(value)) return namedInt(Number(value), key, names, prefix, max);
  }
  const known = Object.keys(names);
  throw new TypeError(`Invalid ${key}: ${show(value)} is not ${known.length ? `one of ${known.join(", ")} or ` : ""}a number`);
}

/** Bits given as a number, a name (as `namedInt`) or a list of names and numbers OR-ed together. */
export function namedBits(value: unknown, key: string, names: Readonly<Record<string, number>>, prefix: string | readonly string[], max: number): number {
  if (Array.isArray(value)) return value.reduce((acc: number, v) => (acc | namedInt(v, key, names, prefix, max)) >>> 0, 0);
  return namedInt(value, key, names, prefix, max);
}

/**
 * An inclusive range given as a number, `"first-last"` (or `"first:last"`), `[first, last]` or
 * `{ start, end }`, each bound an integer in min..max; `what` names the unit in errors ("VLAN id").
 */
export function numberRange(value: unknown, key: string, limits: { min?: number; max: number; what?: string }): { start: number; end: number } {
  const { min = 0, max, what } = limits;
  let start: unknown;
  let end: unknown;
  if (typeof value === "number") start = end = value;
  else if (typeof value === "string") {
    const m = /^\s*(\d+)\s*(?:[-:]\s*(\d+))?\s*$/.exec(value);
    if (!m) throw new TypeError(`Invalid ${key}: expected ${what ? `a ${what} or ` : ""}"first-last", got ${show(value)}`);
    start = Number(m[1]);
    end = m[2] === undefined ? start : Number(m[2]);
  } else if (Array.isArray(value) && value.length === 2) [start, end] = value;
  else if (value !== null && typeof value === "object") ({ start, end } = value as { start?: unknown; end?: unknown });
  else throw new TypeError(`Invalid ${key}: expected ${what ? `a ${what}, ` : "a number, "}"first-last", [first, last] or { start, end }, got ${show(value)}`);
  for (const v of [start, end]) {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`Invalid ${key}: expected integer bounds, got ${show(value)}`);
    if (v < min || v > max) throw new RangeError(`Invalid ${key}: ${what ? `${what} ` : ""}${v} is out of range (${min}..${max})`);
  }
  if ((start as number) > (end as number)) throw new RangeError(`Invalid ${key}: range ${start}-${end} ends below its start`);
  return { start: start as number, end: end as number };
}
