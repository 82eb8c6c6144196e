/**
 * Route verbs: `route(command, spec)` (add, del, replace, change, append, get, dump), `getRoutes`,
 * `getDefaultRoutes`, `flushRoutes`, and `routeDumps` / `routeLoads` (the `ip route save` format).
 * Requests carry what `ip route` sends for the same command: the same NLM flags, the same header
 * defaults (table main, proto boot, scope chosen as `ip` chooses it, type unicast) and the same
 * attributes.
 * @module
 */

import { NLM_F, NLMSG_ALIGN, NLMSG_HDRLEN, NetlinkError, type NlMsg, decodeDatagram, parseIp, parseIp4, prepareMessage, show } from "../marshal/mod.ts";
import { AF, RT_SCOPE, RT_TABLE, RTM, RTN, RTPROT } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ICMPV6_ROUTER_PREF, RTM_F, RTNH_F, metricsAttrs, routeAttrs, rtmsg } from "../rtnl/route.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { addressFilter, canonicalAddress, familyOf, familyValue, lowerNames, mergeMatch, namedBits, namedInt, parsePrefix, splitSpec, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.route`. */
export type RouteCommand = "add" | "del" | "delete" | "remove" | "replace" | "change" | "set" | "append" | "get" | "dump" | "show";

// ---------------------------------------------------------------------------------------------
// symbolic values: names as `ip` prints them, the kernel constant, or a number

const SCOPE_NAMES = { ...lowerNames(RT_SCOPE, "RT_SCOPE_"), global: RT_SCOPE.RT_SCOPE_UNIVERSE };
const RTN_NAMES = lowerNames(RTN, "RTN_");
const RTPROT_NAMES = lowerNames(RTPROT, "RTPROT_");
const RT_TABLE_NAMES = lowerNames(RT_TABLE, "RT_TABLE_");
const PREF_NAMES = lowerNames(ICMPV6_ROUTER_PREF, "ICMPV6_ROUTER_PREF_");
const ROUTE_FLAG_NAMES = { ...lowerNames(RTNH_F, "RTNH_F_"), ...lowerNames(RTM_F, "RTM_F_") };

/** A route scope by name ("universe"/"global", "site", "link", "host", "nowhere", RT_SCOPE_*) or number. */
export function scopeValue(value: unknown, key = "scope"): number {
  return namedInt(value, key, SCOPE_NAMES, "RT_SCOPE_", 255);
}

/** A route type by name ("unicast", "blackhole", "unreachable", "prohibit", "local"... or RTN_*) or number. */
export function routeTypeValue(value: unknown, key = "type"): number {
  return namedInt(value, key, RTN_NAMES, "RTN_", 255);
}

/** A route protocol by name ("boot", "static", "kernel"... or RTPROT_*) or number. */
export function protoValue(value: unknown, key = "proto"): number {
  return namedInt(value, key, RTPROT_NAMES, "RTPROT_", 255);
}

/** A routing table by name ("main", "local", "default", RT_TABLE_*) or number (up to 2^32 - 1). */
export function tableValue(value: unknown, key = "table"): number {
  return namedInt(value, key, RT_TABLE_NAMES, "RT_TABLE_", 0xffffffff);
}

/** IPv6 router preference by name ("low", "medium", "high") or number. */
function prefValue(value: unknown): number {
  return namedInt(value, "pref", PREF_NAMES, "ICMPV6_ROUTER_PREF_", 255);
}

/** Flags given as a number, a name ("onlink", "RTNH_F_ONLINK", "RTM_F_NOTIFY") or a list of names. */
function routeFlags(value: unknown, key: string): number {
  return namedBits(value, key, ROUTE_FLAG_NAMES, ["RTNH_F_", "RTM_F_"], 0xffffffff);
}

// ---------------------------------------------------------------------------------------------
// building a change request

/** NLM flags per command, as `ip route` sends them. */
const COMMAND_FLAGS: Readonly<Record<string, { type: number; flags: number }>> = {
  add: { type: RTM.RTM_NEWROUTE, flags: NLM_F.CREATE | NLM_F.EXCL },
  replace: { type: RTM.RTM_NEWROUTE, flags: NLM_F.CREATE | NLM_F.REPLACE },
  change: { type: RTM.RTM_NEWROUTE, flags: NLM_F.REPLACE },
  set: { type: RTM.RTM_NEWROUTE, flags: NLM_F.REPLACE },
  append: { type: RTM.RTM_NEWROUTE, flags: NLM_F.CREATE | NLM_F.APPEND },
  del: { type: RTM.RTM_DELROUTE, flags: 0 },
  delete: { type: RTM.RTM_DELROUTE, flags: 0 },
  remove: { type: RTM.RTM_DELROUTE, flags: 0 },
};

/** Keys the change verbs handle themselves (everything else must be an RTA_* attribute). */
const OWN_KEYS = new Set([
  "family", "dst", "dst_len", "src", "src_len", "tos", "table", "proto", "protocol", "scope", "type", "flags",
  "gateway", "via", "oif", "iif", "priority", "metric", "prefsrc", "pref", "metrics", "multipath",
  "nh", "nhid", "nh_id",
]);

/** An interface reference to resolve before sending: `holder[slot]` becomes the index. */
interface IndexRef {
  readonly holder: Record<string | number, unknown>;
  readonly slot: string | number;
  readonly value: string;
  readonly key: string;
}

/** A validated request whose interface names still have to be resolved. */
interface BuiltRequest {
  readonly type: number;
  readonly flags: number;
  readonly fields: Record<string, unknown>;
  readonly attrs: [string, unknown][];
  readonly refs: IndexRef[];
}

function indexOrRef(value: unknown, key: string, holder: Record<string | number, unknown>, slot: string | number, refs: IndexRef[]): unknown {
  IndexResolver.check(value, key);
  if (typeof value === "number") return value;
  refs.push({ holder, slot, value: value as string, key });
  return 0;
}

/** An `[key, index]` attribute pair; a name is left as a reference into the pair. */
function devPair(key: string, value: unknown, refs: IndexRef[]): [string, unknown] {
  const pair: [string, unknown] = [key, 0];
  pair[1] = indexOrRef(value, key, pair as unknown as Record<number, unknown>, 1, refs);
  return pair;
}

function addrOf(value: unknown, key: string, family: number): string {
  if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected an address string, got ${show(value)}`);
  const f = familyOf(value);
  if (f === undefined || value.includes("/")) throw new TypeError(`Invalid ${key}: ${show(value)} is not an IP address`);
  if (f !== family) throw new TypeError(`Invalid ${key}: ${show(value)} is not an ${family === AF.AF_INET ? "IPv4" : "IPv6"} address like the route`);
  return value;
}

// the last gateway parsed and its bytes: a batch of routes usually shares its gateway. The bytes
// are only ever copied into requests, never handed out.
let lastGateway = "";
let lastGatewayBytes: Uint8Array | null = null;

/** RTA_GATEWAY when the gateway has the route's family, else RTA_VIA (as `ip route ... via`). */
function pushGateway(attrs: [string, unknown][], value: unknown, key: string, family: number): void {
  // parsed once here; the codec takes the bytes as they are
  let bytes: Uint8Array | null = null;
  if (typeof value === "string") {
    if (value === lastGateway && lastGatewayBytes !== null) bytes = lastGatewayBytes;
    else {
      bytes = parseIp(value);
      if (bytes !== null) {
        lastGateway = value;
        lastGatewayBytes = bytes;
      }
    }
  }
  if (bytes === null) throw new TypeError(`Invalid ${key}: ${show(value)} is not an IP address`);
  const f = bytes.length === 4 ? AF.AF_INET : AF.AF_INET6;
  if (f === family) attrs.push(["gateway", bytes]);
  else attrs.push(["via", { family: f, addr: value }]);
}

/** A dst or src as the request needs it: the address (text, or its bytes), family and prefix length. */
interface RoutePrefix {
  readonly address?: string | Uint8Array;
  readonly family?: number;
  readonly prefixlen?: number;
}

/**
 * "a.b.c.d" or "a.b.c.d/len" (len 0..32, at most two digits), the usual dst of a route, read off
 * the character codes: the address as its 4 bytes (the attribute's codec takes them as they
 * are), no regex, no substring. null for anything else, which `parsePrefix` then reads (or
 * explains why it cannot).
 */
function ipv4Prefix(text: string): RoutePrefix | null {
  const n = text.length;
  const slash = text.indexOf("/");
  const address = parseIp4(text, slash < 0 ? n : slash);
  if (address === null) return null;
  if (slash < 0) return { address, family: AF.AF_INET, prefixlen: undefined };
  // after the "/": one or two digits, at most 32
  let len = 0;
  let lenDigits = 0;
  for (let i = slash + 1; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57 || ++lenDigits > 2) return null;
    len = len * 10 + (c - 48);
  }
  if (lenDigits === 0 || len > 32) return null;
  return { address, family: AF.AF_INET, prefixlen: len };
}

/** dst / src of a change: `ipv4Prefix`'s fast reading, else `parsePrefix` (same result, same errors). */
function routePrefix(value: unknown, key: string): RoutePrefix {
  if (value === undefined) return {};
  return (typeof value === "string" ? ipv4Prefix(value) : null) ?? parsePrefix(value, key);
}

/** dst_len / src_len: given (checked against the family), from the prefix, or the host length. */
function prefixLength(given: unknown, parsed: RoutePrefix, key: string, maxLen: number): number {
  if (given !== undefined) {
    if (typeof given !== "number" || !Number.isInteger(given)) throw new TypeError(`Invalid ${key}: expected an integer, got ${show(given)}`);
    if (given < 0 || given > maxLen) throw new RangeError(`Invalid ${key}: ${given} is out of range (0..${maxLen})`);
    return given;
  }
  return parsed.prefixlen ?? (parsed.address === undefined ? 0 : maxLen);
}

const NH_KEYS = new Set(["gateway", "oif", "ifindex", "hops", "weight", "flags", "attrs"]);

/** One RTA_MULTIPATH entry: `{ gateway, oif, hops | weight, flags, attrs, <any RTA_* key> }`. */
function nexthopEntry(value: unknown, i: number, family: number, refs: IndexRef[]): Record<string, unknown> {
  const key = `multipath[${i}]`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected an object, got ${show(value)}`);
  const nh = value as Record<string, unknown>;
  const out: Record<string, unknown> = { flags: 0, hops: 0, oif: 0 };
  if (nh.hops !== undefined && nh.weight !== undefined) throw new TypeError(`Invalid ${key}: give hops or weight, not both (weight = hops + 1)`);
  if (nh.weight !== undefined) {
    const w = nh.weight;
    if (typeof w !== "number" || !Number.isInteger(w) || w < 1 || w > 256) throw new RangeError(`Invalid ${key}.weight: ${show(w)} is out of range (1..256)`);
    out.hops = w - 1;
  } else if (nh.hops !== undefined) {
    const h = nh.hops;
    if (typeof h !== "number" || !Number.isInteger(h) || h < 0 || h > 255) throw new RangeError(`Invalid ${key}.hops: ${show(h)} is out of range (0..255)`);
    out.hops = h;
  }
  if (nh.flags !== undefined) out.flags = routeFlags(nh.flags, `${key}.flags`);
  const dev = nh.oif ?? nh.ifindex;
  if (dev !== undefined) out.oif = indexOrRef(dev, `${key}.oif`, out, "oif", refs);
  const attrs: [string, unknown][] = [];
  if (nh.gateway !== undefined) pushGateway(attrs, nh.gateway, `${key}.gateway`, family);
  for (const [k, v] of Object.entries(nh)) {
    if (v === undefined || NH_KEYS.has(k)) continue;
    if (!routeAttrs.row(k)) throw new TypeError(`Invalid ${key}: unknown keyword ${show(k)} (known: ${[...NH_KEYS].join(", ")} and RTA_* attributes)`);
    attrs.push([k, v]);
  }
  if (nh.attrs !== undefined) {
    if (!Array.isArray(nh.attrs)) throw new TypeError(`Invalid ${key}.attrs: expected [name, value] pairs, got ${show(nh.attrs)}`);
    for (const pair of nh.attrs) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string") throw new TypeError(`Invalid ${key}.attrs: expected [name, value] pairs, got ${show(pair)}`);
      attrs.push([pair[0], pair[1]]);
    }
  }
  if (attrs.length) out.attrs = attrs;
  return out;
}

function metricsValue(value: unknown): [string, unknown][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`Invalid metrics: expected an object such as { mtu: 1400 }, got ${show(value)}`);
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (!metricsAttrs.row(k)) throw new TypeError(`Invalid metrics: unknown metric ${show(k)} (known: ${metricsAttrs.rows.map((r) => r.key).join(", ")})`);
    out.push([k, v]);
  }
  return out;
}

/** `route("add")`: how errors name the verb. */
function routeVerb(command: string): string {
  return `route(${JSON.stringify(command)})`;
}

/**
 * Validate a change spec and build the request (interface names left as references). Throws
 * TypeError / RangeError naming the key; nothing is sent.
 */
export function buildRouteRequest(command: string, spec: Readonly<Record<string, unknown>>): BuiltRequest {
  const cmd = COMMAND_FLAGS[command];
  if (!cmd) throw new TypeError(`route(): unknown command ${show(command)} (known: add, del, replace, change, append, get, dump, show)`);
  const isDel = cmd.type === RTM.RTM_DELROUTE;
  const refs: IndexRef[] = [];
  const fields: Record<string, unknown> = {};
  const attrs: [string, unknown][] = [];
  // any other RTA_* attribute is passed through as given, after the ones handled here
  let extra: [string, unknown][] | undefined;
  for (const k in spec) {
    const v = spec[k];
    if (v === undefined || OWN_KEYS.has(k)) continue;
    if (!routeAttrs.row(k)) {
      throw new TypeError(`${routeVerb(command)}: unknown keyword ${show(k)} (known: ${[...OWN_KEYS, ...routeAttrs.rows.map((r) => r.key).filter((x) => !OWN_KEYS.has(x))].join(", ")})`);
    }
    (extra ??= []).push([k, v]);
  }

  // family: given, or from dst, src, gateway, prefsrc; IPv4 by default as in `ip`
  const dst = routePrefix(spec.dst, "dst");
  const src = routePrefix(spec.src, "src");
  let family = familyValue(spec.family) ?? dst.family ?? src.family ?? familyOf(spec.gateway) ?? familyOf(spec.prefsrc);
  if (family === undefined && Array.isArray(spec.multipath)) family = familyOf((spec.multipath[0] as Record<string, unknown> | undefined)?.gateway);
  family ??= AF.AF_INET;
  if (dst.family !== undefined && dst.family !== family) throw new TypeError(`${routeVerb(command)}: dst ${show(spec.dst)} does not match family ${family}`);
  if (src.family !== undefined && src.family !== family) throw new TypeError(`${routeVerb(command)}: src ${show(spec.src)} does not match family ${family}`);
  const maxLen = family === AF.AF_INET6 ? 128 : family === AF.AF_INET ? 32 : 255;
  fields.family = family;
  fields.dst_len = prefixLength(spec.dst_len, dst, "dst_len", maxLen);
  fields.src_len = prefixLength(spec.src_len, src, "src_len", maxLen);
  if (spec.tos !== undefined) fields.tos = spec.tos;

  const type = spec.type === undefined ? (isDel ? RTN.RTN_UNSPEC : RTN.RTN_UNICAST) : routeTypeValue(spec.type);
  fields.type = type;
  const protoIn = spec.proto ?? spec.protocol;
  fields.proto = protoIn === undefined ? (isDel ? RTPROT.RTPROT_UNSPEC : RTPROT.RTPROT_BOOT) : protoValue(protoIn);
  if (spec.flags !== undefined) fields.flags = routeFlags(spec.flags, "flags");

  let table = spec.table === undefined ? undefined : tableValue(spec.table);
  if (table === undefined) table = type === RTN.RTN_LOCAL || type === RTN.RTN_NAT ? RT_TABLE.RT_TABLE_LOCAL : RT_TABLE.RT_TABLE_MAIN;
  // as `ip`: a table that does not fit rtm_table goes in RTA_TABLE with rtm_table RT_TABLE_UNSPEC
  fields.table = table < 256 ? table : RT_TABLE.RT_TABLE_UNSPEC;

  const hasGateway = spec.gateway !== undefined || spec.via !== undefined;
  const nhId = spec.nh_id ?? spec.nhid ?? spec.nh;
  if (nhId !== undefined && +(spec.nh_id !== undefined) + +(spec.nhid !== undefined) + +(spec.nh !== undefined) > 1) throw new TypeError(`${routeVerb(command)}: give one of nh, nhid, nh_id`);
  if (spec.multipath !== undefined && (!Array.isArray(spec.multipath) || spec.multipath.length === 0)) {
    throw new TypeError(`Invalid multipath: expected a non-empty list of next hops, got ${show(spec.multipath)}`);
  }
  if (spec.scope !== undefined) fields.scope = scopeValue(spec.scope);
  else if (family === AF.AF_INET6 || family === AF.AF_MPLS) fields.scope = RT_SCOPE.RT_SCOPE_UNIVERSE;
  else if (type === RTN.RTN_LOCAL || type === RTN.RTN_NAT) fields.scope = RT_SCOPE.RT_SCOPE_HOST;
  else if (type === RTN.RTN_BROADCAST || type === RTN.RTN_MULTICAST || type === RTN.RTN_ANYCAST) fields.scope = RT_SCOPE.RT_SCOPE_LINK;
  else if (type === RTN.RTN_UNICAST || type === RTN.RTN_UNSPEC) {
    if (isDel) fields.scope = RT_SCOPE.RT_SCOPE_NOWHERE;
    else if (!hasGateway && spec.multipath === undefined && nhId === undefined) fields.scope = RT_SCOPE.RT_SCOPE_LINK;
    else fields.scope = RT_SCOPE.RT_SCOPE_UNIVERSE;
  } else fields.scope = RT_SCOPE.RT_SCOPE_UNIVERSE;

  // attributes in the order `ip route` sends them for its usual argument order
  if (dst.address !== undefined) attrs.push(["dst", dst.address]);
  if (src.address !== undefined) attrs.push(["src", src.address]);
  if (spec.gateway !== undefined) pushGateway(attrs, spec.gateway, "gateway", family);
  if (spec.via !== undefined) attrs.push(["via", spec.via]);
  if (spec.priority !== undefined && spec.metric !== undefined) throw new TypeError(`${routeVerb(command)}: give priority or metric, not both`);
  const priority = spec.priority ?? spec.metric;
  if (priority !== undefined) attrs.push(["priority", priority]);
  if (table >= 256) attrs.push(["table", table]);
  if (spec.prefsrc !== undefined) attrs.push(["prefsrc", addrOf(spec.prefsrc, "prefsrc", family)]);
  if (spec.pref !== undefined) attrs.push(["pref", prefValue(spec.pref)]);
  if (spec.iif !== undefined) attrs.push(devPair("iif", spec.iif, refs));
  if (extra) attrs.push(...extra);
  if (nhId !== undefined) attrs.push(["nh_id", nhId]);
  if (spec.multipath !== undefined) attrs.push(["multipath", (spec.multipath as unknown[]).map((nh, i) => nexthopEntry(nh, i, family, refs))]);
  if (spec.oif !== undefined) attrs.push(devPair("oif", spec.oif, refs));
  if (spec.metrics !== undefined) attrs.push(["metrics", metricsValue(spec.metrics)]);
  return { type: cmd.type, flags: cmd.flags, fields, attrs, refs };
}

/** Resolve the interface names of a built request (after checking the whole message encodes). */
async function resolveRefs(ctx: OpContext, built: BuiltRequest): Promise<void> {
  // validate every value before the name lookups go out, so bad input sends nothing
  prepareMessage(rtmsg, { type: built.type, fields: built.fields, attrs: built.attrs });
  const resolver = ctx.resolver();
  for (const r of built.refs) {
    r.holder[r.slot] = await resolver.index(r.value, r.key);
  }
}

// ---------------------------------------------------------------------------------------------
// verbs

/** `route(command, spec)`. */
export async function route(ctx: OpContext, command: RouteCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  switch (command) {
    case "get":
      return await routeGet(ctx, spec);
    case "dump":
    case "show":
      return await routeDump(ctx, spec);
    default: {
      const built = buildRouteRequest(command, spec);
      if (built.refs.length) await resolveRefs(ctx, built);
      return await ctx.request(rtmsg, built.type, built);
    }
  }
}

async function routeGet(ctx: OpContext, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const { dst, oif, iif, ...rest } = spec as Record<string, unknown>;
  if (dst === undefined) throw new TypeError(`route("get"): dst is required`);
  const p = parsePrefix(dst, "dst");
  if (p.address === undefined) throw new TypeError(`route("get"): dst must be an address, got ${show(dst)}`);
  const family = familyValue(rest.family) ?? p.family!;
  const s = splitSpec(rtmsg, { dst_len: p.prefixlen ?? (family === AF.AF_INET ? 32 : 128), ...rest, family, dst: p.address }, `route("get")`);
  if (oif !== undefined) IndexResolver.check(oif, "oif");
  if (iif !== undefined) IndexResolver.check(iif, "iif");
  const resolver = ctx.resolver();
  if (iif !== undefined) s.attrs.push(["iif", await resolver.index(iif, "iif")]);
  if (oif !== undefined) s.attrs.push(["oif", await resolver.index(oif, "oif")]);
  return await ctx.request(rtmsg, RTM.RTM_GETROUTE, s);
}

async function routeDump(ctx: OpContext, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const { match, ...f } = spec as Record<string, unknown>;
  const filter: Record<string, unknown> = { ...f };
  addressFilter(filter, "dst", "dst_len");
  addressFilter(filter, "src", "src_len");
  if (typeof filter.gateway === "string") filter.gateway = canonicalAddress(filter.gateway);
  if (typeof filter.prefsrc === "string") filter.prefsrc = canonicalAddress(filter.prefsrc);
  if (typeof filter.table === "string") filter.table = tableValue(filter.table);
  if (typeof filter.type === "string") filter.type = routeTypeValue(filter.type);
  if (typeof filter.proto === "string") filter.proto = protoValue(filter.proto);
  if (typeof filter.scope === "string") filter.scope = scopeValue(filter.scope);
  for (const key of ["oif", "iif"]) {
    if (typeof filter[key] === "string") filter[key] = await ctx.resolver().index(filter[key], key);
  }
  const family = takeFamily(filter);
  const fields: Record<string, unknown> = { family };
  const attrs: [string, unknown][] = [];
  if (ctx.strict) {
    if (typeof filter.table === "number") {
      fields.table = filter.table < 256 ? filter.table : 252;
      attrs.push(["table", filter.table]);
    }
    if (typeof filter.oif === "number") attrs.push(["oif", filter.oif]);
  }
  return await ctx.dump(rtmsg, RTM.RTM_GETROUTE, { fields, attrs }, mergeMatch(filter, match as Match | undefined));
}

const ESRCH = 3;
const ENOENT = 2;

/** Re-send a dumped route as RTM_DELROUTE (what `ip route flush` does). */
async function deleteDumped(ctx: OpContext, msg: NlMsg): Promise<boolean> {
  try {
    await ctx.request(rtmsg, RTM.RTM_DELROUTE, { fields: msg.fields, attrs: msg.attrs });
    return true;
  } catch (e) {
    // gone already (removed with its device, or by an earlier delete of the same prefix)
    if (e instanceof NetlinkError && (e.errno === ESRCH || e.errno === ENOENT)) return false;
    throw e;
  }
}

/**
 * Delete every route that matches `filter` (same filter as `getRoutes`); returns the routes
 * deleted. Without a filter: every route of every table and family, as pyroute2.
 */
export async function flushRoutes(ctx: OpContext, filter: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const routes = await routeDump(ctx, filter);
  const out: NlMsg[] = [];
  for (const r of routes) if (await deleteDumped(ctx, r)) out.push(r);
  return out;
}

// ---------------------------------------------------------------------------------------------
// ip route save / restore

/** The first four bytes of an `ip route save` stream (host byte order, iproute2's route_dump_magic). */
export const ROUTE_DUMP_MAGIC = 0x45311224;

/** Options of `routeDumps`. */
export interface RouteDumpsOptions {
  /** `"iproute2"` (default): the magic number, then the messages, as `ip route save`. `"raw"`: the messages alone. */
  readonly fmt?: "iproute2" | "raw";
}

/**
 * The routes matching `filter` as the kernel sent them, in `ip route save`'s format. The filter is
 * `getRoutes`'s; without a `table` only the main table is saved, as `ip route save` does
 * (`table: "all"` for every table). Cloned (cache) routes are never saved.
 */
export async function routeDumps(ctx: OpContext, filter: Readonly<Record<string, unknown>>, options: RouteDumpsOptions = {}): Promise<Uint8Array> {
  const fmt = options.fmt ?? "iproute2";
  if (fmt !== "iproute2" && fmt !== "raw") throw new TypeError(`Invalid fmt: ${show(fmt)} is not "iproute2" or "raw"`);
  const f: Record<string, unknown> = { ...filter };
  if (f.table === "all") delete f.table;
  else f.table ??= RT_TABLE.RT_TABLE_MAIN;
  const routes = (await routeDump(ctx, f)).filter((r) => !((r.get("flags") as number) & RTM_F.RTM_F_CLONED));
  const head = fmt === "iproute2" ? 4 : 0;
  let size = head;
  for (const r of routes) size += NLMSG_ALIGN(r.header.length);
  const out = new Uint8Array(size);
  if (head) new DataView(out.buffer).setUint32(0, ROUTE_DUMP_MAGIC, true);
  let off = head;
  for (const r of routes) {
    out.set(r.bytes(), off);
    off += NLMSG_ALIGN(r.header.length);
  }
  return out;
}

// next-hop state the kernel reports but refuses in a request ("can not contain DEAD or LINKDOWN")
const NH_STATE = RTNH_F.RTNH_F_DEAD | RTNH_F.RTNH_F_LINKDOWN;

/** A saved route as a request: its header and attributes without the kernel's next-hop state flags. */
function restorable(m: NlMsg): { fields: Record<string, unknown>; attrs: [string, unknown][] } {
  const fields = { ...m.fields, flags: (m.fields.flags as number) & ~NH_STATE };
  const attrs = m.attrs.map(([k, v]): [string, unknown] =>
    k === "RTA_MULTIPATH" ? [k, (v as Record<string, unknown>[]).map((nh) => ({ ...nh, flags: (nh.flags as number) & ~NH_STATE }))] : [k, v]
  );
  return { fields, attrs };
}

/**
 * Add the routes of an `ip route save` stream (with or without its magic number), as
 * `ip route restore` does: routes without a gateway first (those with a preferred source
 * after the others), then routes via gateways, each with NLM_F_CREATE; a route that exists
 * already is skipped. Next-hop state flags the kernel reported (dead, linkdown) are cleared,
 * since the kernel refuses them in a request. Returns the routes added. The whole stream is decoded before anything is
 * sent: malformed bytes raise NetlinkDecodeError.
 */
export async function routeLoads(ctx: OpContext, data: Uint8Array): Promise<NlMsg[]> {
  if (!(data instanceof Uint8Array)) throw new TypeError(`routeLoads: expected a Uint8Array, got ${show(data)}`);
  let body = data;
  if (data.length >= 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) === ROUTE_DUMP_MAGIC) body = data.subarray(4);
  const copy = body.slice();
  const msgs = copy.length >= NLMSG_HDRLEN ? decodeDatagram(copy, rtnl) : [];
  if (copy.length > 0 && msgs.length === 0) throw new TypeError(`routeLoads: ${copy.length} bytes hold no netlink message`);
  for (const m of msgs) {
    if (m.event !== "RTM_NEWROUTE") throw new TypeError(`routeLoads: expected RTM_NEWROUTE messages, got ${m.event}`);
    // decode every attribute now so a malformed stream fails before the first request
    m.entries();
  }
  const pass = (m: NlMsg): number => (m.has("gateway") || m.has("multipath") || m.has("via") || m.has("nh_id") ? 2 : m.has("prefsrc") ? 1 : 0);
  const out: NlMsg[] = [];
  for (let p = 0; p < 3; p++) {
    for (const m of msgs) {
      if (pass(m) !== p) continue;
      try {
        await ctx.request(rtmsg, RTM.RTM_NEWROUTE, { flags: NLM_F.CREATE, ...restorable(m) });
        out.push(m);
      } catch (e) {
        if (!(e instanceof NetlinkError && e.code === "EEXIST")) throw e;
      }
    }
  }
  return out;
}
