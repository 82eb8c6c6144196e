/**
 * Bridge verbs: `fdb` (AF_BRIDGE neighbours, `bridge fdb`), `brport` (port options, `bridge
 * link`), `vlanFilter` (`bridge vlan add/del`: RTM_SETLINK / RTM_DELLINK with IFLA_AF_SPEC),
 * `vlandb` (`bridge vlan set` / `global`: RTM_NEWVLAN, RTM_DELVLAN, RTM_GETVLAN) and `getVlans`
 * (`bridge vlan show`: an AF_BRIDGE link dump with RTEXT_FILTER_BRVLAN).
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { brvlanDumpMsg, brvlanmsg } from "../rtnl/bridge_vlan.ts";
import { AF, RTM } from "../rtnl/constants.ts";
import { bridgeSlaveData } from "../rtnl/link_kinds/bridge_slave.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { lowerNames, mergeMatch, namedBits, numberRange, unknownKey } from "./_spec.ts";
import type { Match } from "./filter.ts";
import { type NeighCommand, neigh } from "./neighbours.ts";


/** RTEXT_FILTER_BRVLAN (linux/rtnetlink.h): ask for each port's VLANs in IFLA_AF_SPEC. */
const RTEXT_FILTER_BRVLAN = 1 << 1;

/** BRIDGE_VLAN_INFO_* (linux/if_bridge.h): flags of struct bridge_vlan_info. */
export const BRIDGE_VLAN_INFO = {
  BRIDGE_VLAN_INFO_MASTER: 1 << 0,
  BRIDGE_VLAN_INFO_PVID: 1 << 1,
  BRIDGE_VLAN_INFO_UNTAGGED: 1 << 2,
  BRIDGE_VLAN_INFO_RANGE_BEGIN: 1 << 3,
  BRIDGE_VLAN_INFO_RANGE_END: 1 << 4,
  BRIDGE_VLAN_INFO_BRENTRY: 1 << 5,
  BRIDGE_VLAN_INFO_ONLY_OPTS: 1 << 6,
} as const;

/** BRIDGE_FLAGS_* (linux/if_bridge.h): IFLA_BRIDGE_FLAGS, where a VLAN command applies. */
export const BRIDGE_FLAGS = {
  BRIDGE_FLAGS_MASTER: 1,
  BRIDGE_FLAGS_SELF: 2,
} as const;

/** BR_STATE_* (linux/if_bridge.h): STP port states, also per VLAN. */
export const BR_STATE = {
  BR_STATE_DISABLED: 0,
  BR_STATE_LISTENING: 1,
  BR_STATE_LEARNING: 2,
  BR_STATE_FORWARDING: 3,
  BR_STATE_BLOCKING: 4,
} as const;

/** Bridge VLAN ids: 1..4094 (0 and 4095 are reserved). */
const VLAN_ID = { min: 1, max: 4094, what: "VLAN id" };
/** Tunnel ids (VNI): 24 bits. */
const TUNNEL_ID = { min: 0, max: 0xffffff, what: "tunnel id" };

const VLAN_INFO_NAMES = lowerNames(BRIDGE_VLAN_INFO, "BRIDGE_VLAN_INFO_");
const BRIDGE_FLAG_NAMES = lowerNames(BRIDGE_FLAGS, "BRIDGE_FLAGS_");
const BR_STATE_NAMES = lowerNames(BR_STATE, "BR_STATE_");

function checkCommand<T extends string>(verb: string, command: unknown, known: readonly T[]): T {
  if (!known.includes(command as T)) throw new TypeError(`${verb}(): unknown command ${show(command)} (known: ${known.join(", ")})`);
  return command as T;
}

// ---------------------------------------------------------------------------------------------
// fdb

/** Commands of `IPRoute.fdb`. */
export type FdbCommand = Exclude<NeighCommand, "get">;

/** `fdb(command, spec)`: AF_BRIDGE neighbours with `bridge fdb`'s defaults. */
export async function fdb(ctx: OpContext, command: FdbCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  checkCommand("fdb", command, ["add", "append", "del", "delete", "replace", "set", "change", "dump", "show", "flush"]);
  return await neigh(ctx, command, spec, true);
}

// ---------------------------------------------------------------------------------------------
// brport

/** Commands of `IPRoute.brport`. */
export type BrportCommand = "set" | "dump" | "show";

/** `brport(command, spec)`. */
export async function brport(ctx: OpContext, command: BrportCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  checkCommand("brport", command, ["set", "dump", "show"]);
  if (command === "set") {
    const { index, ...opts } = spec as Record<string, unknown>;
    if (index === undefined) throw new TypeError(`brport("set"): index is required (an interface index or name)`);
    IndexResolver.check(index, "index");
    const protinfo: [string, unknown][] = [];
    const resolveKeys: number[] = [];
    for (const [k, v] of Object.entries(opts)) {
      if (v === undefined) continue;
      const row = bridgeSlaveData.row(k);
      if (!row) throw unknownKey(`brport("set")`, k, bridgeSlaveData, ["index"]);
      if (row.key === "backup_port") {
        IndexResolver.check(v, k);
        resolveKeys.push(protinfo.length);
      }
      if (row.key === "state") protinfo.push([row.key, namedBits(v, k, BR_STATE_NAMES, "BR_STATE_", 4)]);
      else protinfo.push([row.key, v]);
    }
    if (protinfo.length === 0) throw new TypeError(`brport("set"): give at least one port option (${bridgeSlaveData.rows.map((r) => r.key).join(", ")})`);
    const r = ctx.resolver();
    for (const i of resolveKeys) protinfo[i][1] = await r.index(protinfo[i][1], protinfo[i][0]);
    const ifindex = await r.index(index, "index");
    return await ctx.request(ifinfomsg, RTM.RTM_SETLINK, { fields: { family: AF.AF_BRIDGE, index: ifindex }, attrs: [["protinfo", protinfo]] });
  }
  return await bridgeLinkDump(ctx, spec, 0);
}

/** AF_BRIDGE link dump (bridge ports and bridges), filtered; `index`/`ifname`/`master` may be names. */
async function bridgeLinkDump(ctx: OpContext, spec: Readonly<Record<string, unknown>>, extMask: number): Promise<NlMsg[]> {
  const { match, ...filter } = spec as Record<string, unknown>;
  for (const k of ["index", "master"]) {
    const v = filter[k];
    if (v !== undefined && typeof v !== "function") IndexResolver.check(v, k);
  }
  const r = ctx.resolver();
  for (const k of ["index", "master"]) {
    if (typeof filter[k] === "string") filter[k] = await r.index(filter[k], k);
  }
  const attrs: [string, unknown][] = extMask ? [["ext_mask", extMask]] : [];
  return await ctx.dump(ifinfomsg, RTM.RTM_GETLINK, { fields: { family: AF.AF_BRIDGE }, attrs }, mergeMatch(filter, match as Match | undefined));
}

// ---------------------------------------------------------------------------------------------
// vlan filter

/** Commands of `IPRoute.vlanFilter`. */
export type VlanFilterCommand = "add" | "del" | "delete";

/** One `vlan_info`: `{ vid: 100 | "100-110", flags: 6 | ["pvid", "untagged"] }`. */
function vlanInfos(value: unknown, key: string): { flags: number; vid: number }[] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected { vid, flags? }, got ${show(value)}`);
  const { vid, flags, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length) throw new TypeError(`Invalid ${key}: unknown keyword ${show(unknown[0])} (known: vid, flags)`);
  if (vid === undefined) throw new TypeError(`Invalid ${key}: vid is required`);
  const { start: first, end: last } = numberRange(vid, `${key}.vid`, VLAN_ID);
  const f = flags === undefined ? 0 : namedBits(flags, `${key}.flags`, VLAN_INFO_NAMES, "BRIDGE_VLAN_INFO_", 0xffff);
  if (first === last) return [{ flags: f, vid: first }];
  return [
    { flags: f | BRIDGE_VLAN_INFO.BRIDGE_VLAN_INFO_RANGE_BEGIN, vid: first },
    { flags: f | BRIDGE_VLAN_INFO.BRIDGE_VLAN_INFO_RANGE_END, vid: last },
  ];
}

/** `vlan_tunnel_info`: `{ vid: 600 | "300-301", id: 600 | "16777214-16777215" }`. */
function tunnelInfos(value: unknown, key: string): [string, unknown][][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected { vid, id }, got ${show(value)}`);
  const { vid, id, ...extra } = value as Record<string, unknown>;
  const unknown = Object.keys(extra);
  if (unknown.length) throw new TypeError(`Invalid ${key}: unknown keyword ${show(unknown[0])} (known: vid, id)`);
  if (vid === undefined || id === undefined) throw new TypeError(`Invalid ${key}: vid and id are required`);
  const { start: v0, end: v1 } = numberRange(vid, `${key}.vid`, VLAN_ID);
  const { start: i0, end: i1 } = numberRange(id, `${key}.id`, TUNNEL_ID);
  if (v1 - v0 !== i1 - i0) throw new RangeError(`Invalid ${key}: the VLAN range ${v0}-${v1} and the id range ${i0}-${i1} differ in size`);
  const one = (tid: number, tvid: number, flags: number): [string, unknown][] => [
    ["bridge_vlan_tunnel_id", tid],
    ["bridge_vlan_tunnel_vid", tvid],
    ["bridge_vlan_tunnel_flags", flags],
  ];
  if (v0 === v1) return [one(i0, v0, 0)];
  return [one(i0, v0, BRIDGE_VLAN_INFO.BRIDGE_VLAN_INFO_RANGE_BEGIN), one(i1, v1, BRIDGE_VLAN_INFO.BRIDGE_VLAN_INFO_RANGE_END)];
}

/**
 * `vlanFilter(command, spec)`: `index` (port or bridge, index or name), `vlan_info` (one object
 * or a list), `vlan_flags` (IFLA_BRIDGE_FLAGS: 1 / "master", 2 / "self"), `vlan_tunnel_info`.
 */
export async function vlanFilter(ctx: OpContext, command: VlanFilterCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  checkCommand("vlanFilter", command, ["add", "del", "delete"]);
  const verb = `vlanFilter(${show(command)})`;
  const afSpec: [string, unknown][] = [];
  let index: unknown;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    switch (k) {
      case "index":
        IndexResolver.check(v, k);
        index = v;
        break;
      case "vlan_flags":
        afSpec.unshift(["bridge_flags", namedBits(v, k, BRIDGE_FLAG_NAMES, "BRIDGE_FLAGS_", 0xffff)]);
        break;
      case "vlan_info":
        for (const info of Array.isArray(v) ? v : [v]) for (const i of vlanInfos(info, k)) afSpec.push(["bridge_vlan_info", i]);
        break;
      case "vlan_tunnel_info":
        for (const t of Array.isArray(v) ? v : [v]) for (const i of tunnelInfos(t, k)) afSpec.push(["bridge_vlan_tunnel_info", i]);
        break;
      default:
        throw new TypeError(`${verb}: unknown keyword ${show(k)} (known: index, vlan_info, vlan_flags, vlan_tunnel_info)`);
    }
  }
  if (index === undefined) throw new TypeError(`${verb}: index is required (an interface index or name)`);
  if (!afSpec.some(([k]) => k !== "bridge_flags")) throw new TypeError(`${verb}: vlan_info or vlan_tunnel_info is required`);
  const ifindex = await ctx.resolver().index(index, "index");
  return await ctx.request(ifinfomsg, command === "add" ? RTM.RTM_SETLINK : RTM.RTM_DELLINK, {
    fields: { family: AF.AF_BRIDGE, index: ifindex },
    attrs: [["af_spec", afSpec]],
  });
}

/**
 * `getVlans(filter)`: bridges and ports with their VLANs (IFLA_AF_SPEC / IFLA_BRIDGE_VLAN_INFO),
 * optionally filtered (`ifname`, `index` as index or name, predicates).
 */
export function getVlans(ctx: OpContext, filter: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  return bridgeLinkDump(ctx, filter, RTEXT_FILTER_BRVLAN);
}

// ---------------------------------------------------------------------------------------------
// vlan database

/** Commands of `IPRoute.vlandb`. */
export type VlandbCommand = "add" | "set" | "del" | "delete" | "dump" | "show";

const ENTRY_KEYS = ["ifindex", "vid", "flags", "state", "mcast_router", "tunnel_id", "entry"] as const;

/**
 * `vlandb(command, spec)`: `set` changes options of existing VLANs (`bridge vlan set`: `vid`
 * (or "first-last"), `state` (0..4 or "forwarding"...), `mcast_router`), `add` creates them,
 * `del` removes them, `dump` lists them (`dump_flags`: 1 stats, 2 global options).
 */
export async function vlandb(ctx: OpContext, command: VlandbCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  checkCommand("vlandb", command, ["add", "set", "del", "delete", "dump", "show"]);
  const verb = `vlandb(${show(command)})`;
  if (command === "dump" || command === "show") {
    const { ifindex, dump_flags, match, ...filter } = spec as Record<string, unknown>;
    if (ifindex !== undefined) IndexResolver.check(ifindex, "ifindex");
    const attrs: [string, unknown][] = dump_flags === undefined ? [] : [["dump_flags", dump_flags]];
    const index = ifindex === undefined ? 0 : await ctx.resolver().index(ifindex, "ifindex");
    return await ctx.dump(brvlanDumpMsg, RTM.RTM_GETVLAN, { fields: { family: AF.AF_BRIDGE, ifindex: index }, attrs }, mergeMatch(filter, match as Match | undefined));
  }
  for (const k of Object.keys(spec)) {
    if (spec[k] !== undefined && !(ENTRY_KEYS as readonly string[]).includes(k)) {
      throw new TypeError(`${verb}: unknown keyword ${show(k)} (known: ${ENTRY_KEYS.join(", ")})`);
    }
  }
  const { ifindex, vid, flags, state, mcast_router, tunnel_id, entry } = spec as Record<string, unknown>;
  if (ifindex === undefined) throw new TypeError(`${verb}: ifindex is required (an interface index or name)`);
  IndexResolver.check(ifindex, "ifindex");
  const attrs: [string, unknown][] = [];
  if (entry !== undefined) attrs.push(["entry", entry]);
  else {
    if (vid === undefined) throw new TypeError(`${verb}: vid is required`);
    const { start: first, end: last } = numberRange(vid, "vid", VLAN_ID);
    let f = flags === undefined ? 0 : namedBits(flags, "flags", VLAN_INFO_NAMES, "BRIDGE_VLAN_INFO_", 0xffff);
    // `bridge vlan set` changes options only: it must not create or re-flag the VLAN
    if (command === "set") f |= BRIDGE_VLAN_INFO.BRIDGE_VLAN_INFO_ONLY_OPTS;
    const e: [string, unknown][] = [["info", { flags: f, vid: first }]];
    if (last !== first) e.push(["range", last]);
    if (state !== undefined) e.push(["state", namedBits(state, "state", BR_STATE_NAMES, "BR_STATE_", 4)]);
    if (tunnel_id !== undefined) e.push(["tunnel_info", [["id", tunnel_id]]]);
    if (mcast_router !== undefined) e.push(["mcast_router", mcast_router]);
    attrs.push(["entry", e]);
  }
  const index = await ctx.resolver().index(ifindex, "ifindex");
  return await ctx.request(brvlanmsg, command === "add" || command === "set" ? RTM.RTM_NEWVLAN : RTM.RTM_DELVLAN, {
    fields: { family: AF.AF_BRIDGE, ifindex: index },
    attrs,
  });
}
