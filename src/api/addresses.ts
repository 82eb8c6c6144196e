/**
 * Address verbs: `addr(command, spec)` (add, del, replace, dump), `getAddr`, `flushAddr`.
 * Requests carry what `ip addr` sends for the same command: IFA_LOCAL and IFA_ADDRESS, the
 * default scope, IFA_FLAGS only when the flags do not fit ifa_flags, IFA_CACHEINFO for lifetimes.
 * @module
 */

import { NLM_F, NetlinkError, type NlMsg, parseIp4, prepareMessage, show } from "../marshal/mod.ts";
import { IFA_F, addrAttrs, ifaddrmsg } from "../rtnl/addr.ts";
import { AF, RT_SCOPE, RTM } from "../rtnl/constants.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { canonicalAddress, checkPrefixlen, familyOf, familyValue, lowerNames, mergeMatch, namedBits, parsePrefix, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";
import { scopeValue } from "./routes.ts";

/** Commands of `IPRoute.addr`. */
export type AddrCommand = "add" | "del" | "delete" | "remove" | "replace" | "dump" | "show" | "flush";

const COMMANDS: Readonly<Record<string, { type: number; flags: number }>> = {
  add: { type: RTM.RTM_NEWADDR, flags: NLM_F.CREATE | NLM_F.EXCL },
  replace: { type: RTM.RTM_NEWADDR, flags: NLM_F.CREATE | NLM_F.REPLACE },
  del: { type: RTM.RTM_DELADDR, flags: 0 },
  delete: { type: RTM.RTM_DELADDR, flags: 0 },
  remove: { type: RTM.RTM_DELADDR, flags: 0 },
};

/** Keys the change verbs handle themselves (everything else must be an IFA_* attribute). */
const OWN_KEYS = new Set([
  "index", "ifname", "family", "address", "prefixlen", "mask", "local", "broadcast", "label", "scope", "flags",
  "preferred", "valid", "preferred_lft", "valid_lft", "metric", "rt_priority",
]);

const FOREVER = 0xffffffff;

const IFA_F_NAMES = lowerNames(IFA_F, "IFA_F_");

/** Address flags: a number, a name ("nodad", "IFA_F_NODAD") or a list of names. */
export function addrFlags(value: unknown, key = "flags"): number {
  return namedBits(value, key, IFA_F_NAMES, "IFA_F_", 0xffffffff);
}

function lifetime(value: unknown, key: string): number {
  if (value === "forever" || value === Infinity) return FOREVER;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`Invalid ${key}: expected seconds or "forever", got ${show(value)}`);
  if (value < 0 || value > FOREVER) throw new RangeError(`Invalid ${key}: ${value} is out of range (0..${FOREVER}, ${FOREVER} = forever)`);
  return value;
}

/** A validated address request; `dev` is the interface index or a name still to resolve. */
interface BuiltAddr {
  readonly type: number;
  readonly flags: number;
  readonly fields: Record<string, unknown>;
  readonly attrs: [string, unknown][];
  readonly dev: number | string;
}

/**
 * Validate an address spec and build the request. Throws TypeError / RangeError naming the key
 * (prefix length 33 on IPv4, preferred lifetime above the valid one...); nothing is sent.
 */
export function buildAddrRequest(command: string, spec: Readonly<Record<string, unknown>>): BuiltAddr {
  const cmd = COMMANDS[command];
  if (!cmd) throw new TypeError(`addr(): unknown command ${show(command)} (known: add, del, replace, dump, show, flush)`);
  const verb = `addr(${JSON.stringify(command)})`;
  const isDel = cmd.type === RTM.RTM_DELADDR;
  for (const k of Object.keys(spec)) {
    if (spec[k] !== undefined && !OWN_KEYS.has(k) && !addrAttrs.row(k)) {
      throw new TypeError(`${verb}: unknown keyword ${show(k)} (known: ${[...OWN_KEYS, ...addrAttrs.rows.map((r) => r.key).filter((x) => !OWN_KEYS.has(x))].join(", ")})`);
    }
  }
  const dev = spec.index ?? spec.ifname;
  if (spec.index !== undefined && spec.ifname !== undefined) throw new TypeError(`${verb}: give index or ifname, not both`);
  if (dev === undefined) throw new TypeError(`${verb}: index (or ifname) is required`);
  IndexResolver.check(dev, spec.index !== undefined ? "index" : "ifname");
  if (spec.address === undefined && spec.local === undefined) throw new TypeError(`${verb}: address is required`);

  const addr = spec.address === undefined ? undefined : parsePrefix(spec.address, "address");
  if (addr && addr.address === undefined) throw new TypeError(`Invalid address: ${show(spec.address)} is not an address`);
  const local = spec.local === undefined ? undefined : parsePrefix(spec.local, "local");
  if (local && (local.address === undefined || local.prefixlen !== undefined)) throw new TypeError(`Invalid local: ${show(spec.local)} is not an address`);
  const family = familyValue(spec.family) ?? addr?.family ?? local!.family!;
  for (const [k, p] of [["address", addr], ["local", local]] as const) {
    if (p && p.family !== family) throw new TypeError(`Invalid ${k}: ${show(spec[k])} is not an ${family === AF.AF_INET ? "IPv4" : "IPv6"} address`);
  }
  if (spec.prefixlen !== undefined && spec.mask !== undefined) throw new TypeError(`${verb}: give prefixlen or mask, not both`);
  const lenKey = spec.mask !== undefined ? "mask" : "prefixlen";
  const lenIn = spec.prefixlen ?? spec.mask;
  if (lenIn !== undefined && addr?.prefixlen !== undefined && lenIn !== addr.prefixlen) {
    throw new TypeError(`${verb}: ${lenKey} ${show(lenIn)} contradicts address ${show(spec.address)}`);
  }
  checkPrefixlen(lenIn, family, lenKey);
  const max = family === AF.AF_INET ? 32 : 128;
  const prefixlen = (lenIn as number | undefined) ?? addr?.prefixlen ?? max;

  const fields: Record<string, unknown> = { family, prefixlen, flags: 0, scope: 0, index: 0 };
  if (spec.scope !== undefined) fields.scope = scopeValue(spec.scope);
  else if (!isDel && family === AF.AF_INET && parseIp4((local ?? addr)!.address!)![0] === 127) fields.scope = RT_SCOPE.RT_SCOPE_HOST;

  // the order `ip addr add` sends: IFA_LOCAL, options as given, IFA_FLAGS, IFA_ADDRESS,
  // a computed IFA_BROADCAST, IFA_CACHEINFO
  const attrs: [string, unknown][] = [];
  const localAddr = local?.address ?? addr!.address!;
  const peerAddr = addr?.address ?? localAddr;
  attrs.push(["local", localAddr]);
  if (spec.label !== undefined) {
    if (typeof spec.label !== "string") throw new TypeError(`Invalid label: expected a string, got ${show(spec.label)}`);
    if (new TextEncoder().encode(spec.label).length > 15) throw new RangeError(`Invalid label: ${show(spec.label)} is longer than 15 bytes`);
    attrs.push(["label", spec.label]);
  }
  let computedBroadcast: string | undefined;
  if (spec.broadcast !== undefined && spec.broadcast !== false) {
    if (family !== AF.AF_INET) throw new TypeError(`Invalid broadcast: IPv6 has no broadcast addresses`);
    if (spec.broadcast === true) {
      // as `ip addr add ... broadcast +`: host bits set, and none for /31 and /32
      if (prefixlen <= 30) {
        const b = parseIp4(localAddr)!;
        const host = prefixlen === 0 ? 0xffffffff : (1 << (32 - prefixlen)) - 1;
        const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3] | host) >>> 0;
        computedBroadcast = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
      }
    } else {
      if (familyOf(spec.broadcast) !== AF.AF_INET) throw new TypeError(`Invalid broadcast: expected true or an IPv4 address, got ${show(spec.broadcast)}`);
      attrs.push(["broadcast", spec.broadcast]);
    }
  }
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || OWN_KEYS.has(k)) continue;
    attrs.push([k, v]);
  }
  if (spec.metric !== undefined && spec.rt_priority !== undefined) throw new TypeError(`${verb}: give metric or rt_priority, not both`);
  const metric = spec.metric ?? spec.rt_priority;
  if (metric !== undefined) attrs.push(["rt_priority", metric]);
  if (spec.flags !== undefined) {
    const flags = addrFlags(spec.flags);
    if (flags <= 0xff) fields.flags = flags;
    else attrs.push(["flags", flags]);
  }
  attrs.push(["address", peerAddr]);
  if (computedBroadcast !== undefined) attrs.push(["broadcast", computedBroadcast]);
  const pIn = spec.preferred ?? spec.preferred_lft;
  const vIn = spec.valid ?? spec.valid_lft;
  if (spec.preferred !== undefined && spec.preferred_lft !== undefined) throw new TypeError(`${verb}: give preferred or preferred_lft, not both`);
  if (spec.valid !== undefined && spec.valid_lft !== undefined) throw new TypeError(`${verb}: give valid or valid_lft, not both`);
  if (pIn !== undefined || vIn !== undefined) {
    const preferred = pIn === undefined ? FOREVER : lifetime(pIn, spec.preferred !== undefined ? "preferred" : "preferred_lft");
    const valid = vIn === undefined ? FOREVER : lifetime(vIn, spec.valid !== undefined ? "valid" : "valid_lft");
    if (valid === 0) throw new RangeError(`Invalid valid: the valid lifetime is 0`);
    if (preferred > valid) throw new RangeError(`Invalid preferred: the preferred lifetime (${preferred}) is greater than the valid lifetime (${valid})`);
    attrs.push(["cacheinfo", { ifa_prefered: preferred, ifa_valid: valid, cstamp: 0, tstamp: 0 }]);
  }
  return { type: cmd.type, flags: cmd.flags, fields, attrs, dev: dev as number | string };
}

/** `addr(command, spec)`; `flush` is `flushAddr(spec)`. */
export async function addr(ctx: OpContext, command: AddrCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command === "dump" || command === "show") return await addrDump(ctx, spec);
  if (command === "flush") return await flushAddr(ctx, spec);
  const built = buildAddrRequest(command, spec);
  if (typeof built.dev === "string") {
    // every value is checked before the name lookup goes out
    prepareMessage(ifaddrmsg, { type: built.type, fields: built.fields, attrs: built.attrs });
    built.fields.index = await ctx.resolver().index(built.dev, spec.index !== undefined ? "index" : "ifname");
  } else built.fields.index = built.dev;
  return await ctx.request(ifaddrmsg, built.type, built);
}

async function addrDump(ctx: OpContext, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const { match, ...f } = spec as Record<string, unknown>;
  const filter: Record<string, unknown> = { ...f };
  for (const key of ["address", "local", "broadcast"]) {
    if (typeof filter[key] !== "string") continue;
    const p = parsePrefix(filter[key], key);
    filter[key] = p.address === undefined ? undefined : canonicalAddress(p.address);
    if (p.prefixlen !== undefined) filter.prefixlen ??= p.prefixlen;
    filter.family ??= p.family;
  }
  if (typeof filter.scope === "string") filter.scope = scopeValue(filter.scope);
  if (typeof filter.index === "string") filter.index = await ctx.resolver().index(filter.index, "index");
  const family = takeFamily(filter);
  const fields: Record<string, unknown> = { family };
  if (ctx.strict && typeof filter.index === "number") fields.index = filter.index;
  return await ctx.dump(ifaddrmsg, RTM.RTM_GETADDR, { fields }, mergeMatch(filter, match as Match | undefined));
}

const EADDRNOTAVAIL = 99;

/**
 * Delete every address that matches `filter` (same filter as `getAddr`), secondaries before
 * their primaries; returns the addresses deleted. An address the kernel removed on its own
 * meanwhile (a secondary going with its primary) is skipped.
 */
export async function flushAddr(ctx: OpContext, filter: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const found = await addrDump(ctx, filter);
  const out: NlMsg[] = [];
  for (const a of found.reverse()) {
    const attrs: [string, unknown][] = [];
    const local = a.get("local");
    if (local !== undefined) attrs.push(["local", local]);
    const address = a.get("address");
    if (address !== undefined) attrs.push(["address", address]);
    try {
      await ctx.request(ifaddrmsg, RTM.RTM_DELADDR, { fields: { family: a.get("family"), prefixlen: a.get("prefixlen"), index: a.get("index") }, attrs });
      out.push(a);
    } catch (e) {
      if (!(e instanceof NetlinkError && e.errno === EADDRNOTAVAIL)) throw e;
    }
  }
  return out.reverse();
}
