/**
 * Neighbour verbs: `neigh(command, spec)`, `getNeighbours`, and the fdb entries built on them
 * (AF_BRIDGE neighbours, `bridge fdb`). Requests are built as `ip neigh` / `bridge fdb` build
 * them: state NUD_PERMANENT by default (fdb: NUD_NOARP | NUD_PERMANENT and NTF_SELF unless
 * `master` is set), NDA_DST / NDA_LLADDR first.
 * @module
 */

import { NLM_F, type NlMsg, show } from "../marshal/mod.ts";
import { AF, NTF, NUD, RTM } from "../rtnl/constants.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { canonicalAddress, familyOf, familyValue, lowerNames, mergeMatch, namedBits, parsePrefix, takeFamily, unknownKey } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.neigh`. */
export type NeighCommand = "add" | "del" | "delete" | "replace" | "set" | "change" | "append" | "get" | "dump" | "show" | "flush";

const NUD_NAMES: Readonly<Record<string, number>> = lowerNames(NUD, "NUD_");

const NTF_NAMES: Readonly<Record<string, number>> = {
  ...lowerNames(NTF, "NTF_"),
  extern_learn: NTF.NTF_EXT_LEARNED,
};

/** NUD_* state from a number, "permanent", "NUD_REACHABLE" or a list of names. */
export function nudState(value: unknown, key = "state"): number {
  return namedBits(value, key, NUD_NAMES, "NUD_", 0xffff);
}

/** NTF_* flags from a number, "proxy", "NTF_SELF" or a list of names. */
export function ntfFlags(value: unknown, key = "flags"): number {
  return namedBits(value, key, NTF_NAMES, "NTF_", 0xff);
}

/** Canonical lower-case "aa:bb:..." text of a MAC address given in any case. */
function canonicalMac(v: unknown): unknown {
  return typeof v === "string" ? v.toLowerCase() : v;
}

const MODIFY: Readonly<Record<string, readonly [number, number]>> = {
  add: [RTM.RTM_NEWNEIGH, NLM_F.CREATE | NLM_F.EXCL],
  replace: [RTM.RTM_NEWNEIGH, NLM_F.CREATE | NLM_F.REPLACE],
  set: [RTM.RTM_NEWNEIGH, NLM_F.CREATE | NLM_F.REPLACE],
  change: [RTM.RTM_NEWNEIGH, NLM_F.REPLACE],
  append: [RTM.RTM_NEWNEIGH, NLM_F.CREATE | NLM_F.APPEND],
  del: [RTM.RTM_DELNEIGH, 0],
  delete: [RTM.RTM_DELNEIGH, 0],
};

// attributes that `ip neigh` / `bridge fdb` put first, in their order; the rest follow the spec
const LEADING_NEIGH = ["dst", "lladdr"] as const;
const LEADING_FDB = ["lladdr", "dst", "vlan", "nh_id", "port", "vni", "src_vni", "NDA_IFINDEX"] as const;

/** A request checked and ready, waiting only for interface names to be resolved. */
interface NeighRequest {
  fields: Record<string, unknown>;
  attrs: [string, unknown][];
  /** Keys whose value is an interface name or index (resolved before sending). */
  indexKeys: string[];
}

/**
 * Check a neighbour / fdb spec and build its request synchronously (so bad input throws before
 * any I/O). `fdb` applies `bridge fdb`'s defaults.
 */
function neighRequest(verb: string, spec: Readonly<Record<string, unknown>>, fdb: boolean, get: boolean): NeighRequest {
  const fields: Record<string, unknown> = {};
  const lead = new Map<string, unknown>();
  const rest: [string, unknown][] = [];
  const indexKeys: string[] = [];
  let family = fdb ? AF.AF_BRIDGE : familyValue(spec.family);
  let flags = 0;
  let flagsGiven = false;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    switch (k) {
      case "family":
        if (fdb && familyValue(v) !== AF.AF_BRIDGE) throw new TypeError(`Invalid family for ${verb}: fdb entries are AF_BRIDGE (7), got ${show(v)}`);
        break;
      case "ifindex":
        IndexResolver.check(v, k);
        fields.ifindex = v;
        indexKeys.push("ifindex");
        break;
      case "dst": {
        const p = parsePrefix(v, k);
        if (p.address === undefined || p.prefixlen !== undefined) throw new TypeError(`Invalid dst: expected an address, got ${show(v)}`);
        if (!fdb) {
          if (family !== undefined && family !== p.family) throw new TypeError(`Invalid dst: ${show(v)} is not of family ${family}`);
          family = p.family;
        }
        lead.set("dst", p.address);
        break;
      }
      case "state":
        fields.state = nudState(v);
        break;
      case "flags":
        flags |= ntfFlags(v);
        flagsGiven = true;
        break;
      case "proxy":
      case "router":
      case "self":
      case "use":
      case "sticky":
        if (typeof v !== "boolean") throw new TypeError(`Invalid ${k}: expected a boolean, got ${show(v)}`);
        if (v) flags |= ntfFlags(k);
        flagsGiven ||= v;
        break;
      case "master":
        // `master: true` is bridge fdb's "master" (NTF_MASTER); a name or index is NDA_MASTER
        if (typeof v === "boolean") {
          if (v) flags |= NTF.NTF_MASTER;
          flagsGiven ||= v;
        } else {
          IndexResolver.check(v, k);
          rest.push(["master", v]);
          indexKeys.push("master");
        }
        break;
      case "lladdr":
        lead.set(k, v);
        break;
      case "ndm_type":
        fields.ndm_type = v;
        break;
      default: {
        const row = ndmsg.attrs.row(k);
        if (!row) throw unknownKey(verb, k, ndmsg.attrs, ["family", "ifindex", "state", "flags", "ndm_type", "proxy", "router", "self", "master", "use", "sticky"]);
        // NDA_IFINDEX shares its short name with the header's ifindex: keep the kernel name
        const key = row.key === "ifindex" ? "NDA_IFINDEX" : row.key;
        if (key === "NDA_IFINDEX") {
          IndexResolver.check(v, k);
          indexKeys.push(key);
        }
        if ((fdb ? LEADING_FDB : LEADING_NEIGH).includes(key as never)) lead.set(key, v);
        else rest.push([key, v]);
      }
    }
  }
  if (!get) {
    if (fdb && !(flags & (NTF.NTF_SELF | NTF.NTF_MASTER))) flags |= NTF.NTF_SELF;
    if (fields.state === undefined) fields.state = fdb ? NUD.NUD_NOARP | NUD.NUD_PERMANENT : NUD.NUD_PERMANENT;
  }
  if (flags || flagsGiven) fields.flags = flags;
  fields.family = family ?? AF.AF_INET;
  if (fields.ifindex === undefined) throw new TypeError(`${verb}: ifindex is required (an interface index or name)`);
  if (fdb && !lead.has("lladdr")) throw new TypeError(`${verb}: lladdr is required`);
  if (!fdb && !lead.has("dst")) throw new TypeError(`${verb}: dst is required`);
  const attrs: [string, unknown][] = [];
  for (const k of fdb ? LEADING_FDB : LEADING_NEIGH) if (lead.has(k)) attrs.push([k, lead.get(k)]);
  attrs.push(...rest);
  return { fields, attrs, indexKeys };
}

/** Resolve interface names of a request in place (one lookup per name per call). */
async function resolveIndexes(r: IndexResolver, req: NeighRequest): Promise<void> {
  for (const key of req.indexKeys) {
    if (key === "ifindex") req.fields.ifindex = await r.index(req.fields.ifindex, key);
    else {
      const entry = req.attrs.find((a) => a[0] === key);
      if (entry) entry[1] = await r.index(entry[1], key);
    }
  }
}

/** Turn a dump filter's names (ifindex, master), addresses and MACs into comparable values. */
async function dumpFilter(ctx: OpContext, spec: Readonly<Record<string, unknown>>, fdb: boolean): Promise<{ filter: Record<string, unknown>; fields: Record<string, unknown> }> {
  const filter: Record<string, unknown> = { ...spec };
  if (fdb) filter.family = AF.AF_BRIDGE;
  if (typeof filter.dst === "string") {
    filter.family ??= familyOf(filter.dst);
    filter.dst = canonicalAddress(filter.dst);
  }
  if (filter.lladdr !== undefined) filter.lladdr = canonicalMac(filter.lladdr);
  if (filter.state !== undefined && typeof filter.state !== "function") filter.state = nudState(filter.state);
  if (filter.flags !== undefined && typeof filter.flags !== "function") filter.flags = ntfFlags(filter.flags);
  const proxy = filter.proxy;
  delete filter.proxy;
  if (proxy !== undefined && typeof proxy !== "boolean") throw new TypeError(`Invalid proxy: expected a boolean, got ${show(proxy)}`);
  const fields: Record<string, unknown> = {};
  // the kernel dumps the proxy table only when asked with ndm_flags == NTF_PROXY
  if (proxy === true || filter.flags === NTF.NTF_PROXY) fields.flags = NTF.NTF_PROXY;
  if (proxy !== undefined && filter.flags === undefined) filter.flags = (f: number) => ((f & NTF.NTF_PROXY) !== 0) === proxy;
  fields.family = takeFamily(filter);
  for (const k of ["ifindex", "master"]) {
    const v = filter[k];
    if (v !== undefined && typeof v !== "function") IndexResolver.check(v, k);
  }
  const r = ctx.resolver();
  for (const k of ["ifindex", "master"]) {
    if (typeof filter[k] === "string") filter[k] = await r.index(filter[k], k);
  }
  if (ctx.strict && typeof filter.ifindex === "number") fields.ifindex = filter.ifindex;
  return { filter, fields };
}

/** `neigh(command, spec)`; `fdb` selects `bridge fdb`'s family and defaults. */
export async function neigh(ctx: OpContext, command: NeighCommand, spec: Readonly<Record<string, unknown>>, fdb = false): Promise<NlMsg[]> {
  const name = fdb ? "fdb" : "neigh";
  const verb = `${name}(${show(command)})`;
  const modify = MODIFY[command];
  if (modify) {
    const req = neighRequest(verb, spec, fdb, false);
    await resolveIndexes(ctx.resolver(), req);
    return await ctx.request(ndmsg, modify[0], { flags: modify[1], fields: req.fields, attrs: req.attrs });
  }
  switch (command) {
    case "get": {
      const req = neighRequest(verb, spec, fdb, true);
      await resolveIndexes(ctx.resolver(), req);
      return await ctx.request(ndmsg, RTM.RTM_GETNEIGH, { fields: req.fields, attrs: req.attrs });
    }
    case "dump":
    case "show": {
      const { match, ...f } = spec as Record<string, unknown>;
      const { filter, fields } = await dumpFilter(ctx, f, fdb);
      return await ctx.dump(ndmsg, RTM.RTM_GETNEIGH, { fields }, mergeMatch(filter, match as Match | undefined));
    }
    case "flush":
      return await flushNeighbours(ctx, spec, fdb);
    default:
      throw new TypeError(`${name}(): unknown command ${show(command)} (known: add, del, delete, replace, set, change, append, get, dump, show, flush)`);
  }
}

// what identifies an entry to the kernel when deleting it
const DELETE_KEYS = ["dst", "lladdr", "vlan", "port", "vni", "src_vni", "NDA_IFINDEX", "nh_id"] as const;

/**
 * Delete every neighbour (fdb entry when `fdb`) that matches `filter`, permanent ones included;
 * returns the deleted entries.
 */
export async function flushNeighbours(ctx: OpContext, filter: Readonly<Record<string, unknown>>, fdb = false): Promise<NlMsg[]> {
  const found = await neigh(ctx, "dump", filter, fdb);
  for (const m of found) {
    const attrs: [string, unknown][] = [];
    for (const k of DELETE_KEYS) {
      const v = m.get(k);
      if (v !== undefined) attrs.push([k, v]);
    }
    const f = m.fields;
    await ctx.request(ndmsg, RTM.RTM_DELNEIGH, {
      fields: { family: f.family, ifindex: f.ifindex, state: f.state, flags: f.flags, ndm_type: f.ndm_type },
      attrs,
    });
  }
  return found;
}
