/**
 * Policy routing rule verbs: `rule(command, spec)`, `getRules`, `flushRules`. Requests are built
 * as `ip rule` builds them: table ≤ 255 in the header, larger ones in FRA_TABLE; `add` defaults
 * to action FR_ACT_TO_TBL and, without a table or action, the main table; attributes follow the
 * order of the spec's keys.
 * @module
 */

import { NLM_F, type NlMsg, show } from "../marshal/mod.ts";
import { AF, RTM, RT_TABLE } from "../rtnl/constants.ts";
import { FIB_RULE, FR_ACT, fibmsg } from "../rtnl/rule.ts";
import type { OpContext } from "./_context.ts";
import { addressFilter, checkPrefixlen, familyOf, familyValue, mergeMatch, namedBits, namedInt, numberRange, parsePrefix, takeFamily, unknownKey } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.rule`. */
export type RuleCommand = "add" | "del" | "delete" | "dump" | "show" | "flush";

const HEADER_KEYS = ["family", "dst_len", "src_len", "tos", "action", "flags"] as const;

const ACTION_NAMES: Readonly<Record<string, number>> = {
  unspec: FR_ACT.FR_ACT_UNSPEC,
  to_tbl: FR_ACT.FR_ACT_TO_TBL,
  lookup: FR_ACT.FR_ACT_TO_TBL,
  table: FR_ACT.FR_ACT_TO_TBL,
  goto: FR_ACT.FR_ACT_GOTO,
  nop: FR_ACT.FR_ACT_NOP,
  blackhole: FR_ACT.FR_ACT_BLACKHOLE,
  unreachable: FR_ACT.FR_ACT_UNREACHABLE,
  prohibit: FR_ACT.FR_ACT_PROHIBIT,
};

const TABLE_NAMES: Readonly<Record<string, number>> = {
  unspec: RT_TABLE.RT_TABLE_UNSPEC,
  default: RT_TABLE.RT_TABLE_DEFAULT,
  main: RT_TABLE.RT_TABLE_MAIN,
  local: RT_TABLE.RT_TABLE_LOCAL,
};

const FLAG_NAMES: Readonly<Record<string, number>> = {
  permanent: FIB_RULE.FIB_RULE_PERMANENT,
  invert: FIB_RULE.FIB_RULE_INVERT,
  not: FIB_RULE.FIB_RULE_INVERT,
  unresolved: FIB_RULE.FIB_RULE_UNRESOLVED,
  iif_detached: FIB_RULE.FIB_RULE_IIF_DETACHED,
  oif_detached: FIB_RULE.FIB_RULE_OIF_DETACHED,
  find_saddr: FIB_RULE.FIB_RULE_FIND_SADDR,
};

// IP protocol numbers (IANA) for FRA_IP_PROTO given by name, as `ip rule ... ipproto tcp`
const IP_PROTO_NAMES: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, ipip: 4, tcp: 6, udp: 17, ipv6: 41, gre: 47, esp: 50, ah: 51,
  icmpv6: 58, "ipv6-icmp": 58, ospf: 89, pim: 103, sctp: 132, udplite: 136, mpls: 137,
};

/** Fields and attributes of an RTM_NEWRULE / RTM_DELRULE request. */
export interface RuleRequest {
  /** fib_rule_hdr fields. */
  fields: Record<string, number>;
  /** FRA_* attributes in the order of the spec. */
  attrs: [string, unknown][];
}

/**
 * Build the request for `rule("add" | "del", spec)` without sending anything: every value is
 * checked here (TypeError / RangeError naming the key).
 */
export function ruleRequest(command: "add" | "del", spec: Readonly<Record<string, unknown>>): RuleRequest {
  const verb = `rule(${show(command)})`;
  const fields: Record<string, number> = {};
  const attrs: [string, unknown][] = [];
  let family = familyValue(spec.family);
  let tableGiven = false;
  let actionGiven = false;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    switch (k) {
      case "family":
        break;
      case "src":
      case "dst": {
        const p = parsePrefix(v, k);
        if (p.address === undefined) break;
        if (family !== undefined && p.family !== family) throw new TypeError(`Invalid ${k}: ${show(v)} is not of family ${family}`);
        family = p.family;
        const lenKey = `${k}_len`;
        if (spec[lenKey] === undefined) fields[lenKey] = p.prefixlen ?? (p.family === AF.AF_INET ? 32 : 128);
        attrs.push([k, p.address]);
        break;
      }
      case "src_len":
      case "dst_len":
        checkPrefixlen(v, family ?? familyOf(spec[k.slice(0, 3)]), k);
        fields[k] = v as number;
        break;
      case "tos":
        fields.tos = namedInt(v, k, {}, "", 0xff);
        break;
      case "action":
        fields.action = namedInt(v, k, ACTION_NAMES, "FR_ACT_", 0xff);
        actionGiven = true;
        break;
      case "flags":
        fields.flags = namedBits(v, k, FLAG_NAMES, "FIB_RULE_", 0xffffffff);
        break;
      case "table": {
        const t = namedInt(v, k, TABLE_NAMES, "RT_TABLE_", 0xffffffff);
        tableGiven = true;
        if (t < 256) fields.table = t;
        else {
          fields.table = RT_TABLE.RT_TABLE_UNSPEC;
          attrs.push(["table", t]);
        }
        break;
      }
      case "goto":
        attrs.push(["goto", v]);
        if (spec.action === undefined) {
          fields.action = FR_ACT.FR_ACT_GOTO;
          actionGiven = true;
        }
        break;
      case "uid_range":
        attrs.push([k, numberRange(v, k, { max: 0xffffffff })]);
        break;
      case "sport_range":
      case "dport_range":
        attrs.push([k, numberRange(v, k, { max: 0xffff })]);
        break;
      case "ip_proto":
        attrs.push([k, namedInt(v, k, IP_PROTO_NAMES, "IPPROTO_", 0xff)]);
        break;
      default: {
        const row = fibmsg.attrs.row(k);
        if (!row) throw unknownKey(verb, k, fibmsg.attrs, [...HEADER_KEYS, "table"]);
        if (row.key === "table") {
          tableGiven = true;
          fields.table = RT_TABLE.RT_TABLE_UNSPEC;
        }
        attrs.push([row.key, v]);
      }
    }
  }
  fields.family = family ?? AF.AF_INET;
  if (command === "add") {
    if (!actionGiven) fields.action = FR_ACT.FR_ACT_TO_TBL;
    if (!tableGiven && !actionGiven && spec.l3mdev === undefined) fields.table = RT_TABLE.RT_TABLE_MAIN;
  }
  return { fields, attrs };
}

/** The dump filter of `rule("dump", spec)`: names become numbers, addresses canonical text. */
function dumpFilter(spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const filter: Record<string, unknown> = { ...spec };
  addressFilter(filter, "src", "src_len");
  addressFilter(filter, "dst", "dst_len");
  if (typeof filter.action === "string") filter.action = namedInt(filter.action, "action", ACTION_NAMES, "FR_ACT_", 0xff);
  if (typeof filter.table === "string") filter.table = namedInt(filter.table, "table", TABLE_NAMES, "RT_TABLE_", 0xffffffff);
  if (filter.flags !== undefined && typeof filter.flags !== "function") filter.flags = namedBits(filter.flags, "flags", FLAG_NAMES, "FIB_RULE_", 0xffffffff);
  if (typeof filter.ip_proto === "string") filter.ip_proto = namedInt(filter.ip_proto, "ip_proto", IP_PROTO_NAMES, "IPPROTO_", 0xff);
  for (const k of ["uid_range", "sport_range", "dport_range"]) {
    const v = filter[k];
    if (v !== undefined && typeof v !== "function") filter[k] = numberRange(v, k, { max: k === "uid_range" ? 0xffffffff : 0xffff });
  }
  return filter;
}

/** `rule(command, spec)`. */
export async function rule(ctx: OpContext, command: RuleCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  switch (command) {
    case "add":
    case "del":
    case "delete": {
      const cmd = command === "add" ? "add" : "del";
      const req = ruleRequest(cmd, spec);
      return await ctx.request(fibmsg, cmd === "add" ? RTM.RTM_NEWRULE : RTM.RTM_DELRULE, {
        flags: cmd === "add" ? NLM_F.CREATE | NLM_F.EXCL : 0,
        fields: req.fields,
        attrs: req.attrs,
      });
    }
    case "dump":
    case "show": {
      const { match, ...f } = spec as Record<string, unknown>;
      const filter = dumpFilter(f);
      const family = takeFamily(filter);
      return await ctx.dump(fibmsg, RTM.RTM_GETRULE, { fields: { family } }, mergeMatch(filter, match as Match | undefined));
    }
    case "flush":
      return await flushRules(ctx, spec);
    default:
      throw new TypeError(`rule(): unknown command ${show(command)} (known: add, del, delete, dump, show, flush)`);
  }
}

/**
 * Delete every rule that matches `filter` (all families unless `family` is given); returns the
 * deleted rules. Each is deleted with the header and attributes the kernel dumped.
 */
export async function flushRules(ctx: OpContext, filter: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const found = await rule(ctx, "dump", filter);
  for (const m of found) await deleteRule(ctx, m);
  return found;
}

/** Delete one dumped rule: its header and attributes as the kernel reported them identify it. */
export async function deleteRule(ctx: OpContext, m: NlMsg): Promise<void> {
  await ctx.conn.request({ schema: fibmsg, init: { type: RTM.RTM_DELRULE, fields: m.fields, attrs: m } });
}
