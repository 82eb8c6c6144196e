/**
 * Policy routing rules: struct fib_rule_hdr and the FRA_* attributes (linux/fib_rules.h).
 * @module
 */

import { asciiz, be32, be64, bytes, fixedStruct, ip, struct, u16, u32, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs } from "../marshal/schema.ts";

// struct fib_rule_hdr { __u8 family, dst_len, src_len, tos, table, res1, res2, action; __u32 flags; };
const fibRuleHdrFields = fixedStruct({
  family: u8,
  dst_len: u8,
  src_len: u8,
  tos: u8,
  table: u8,
  res1: u8,
  res2: u8,
  action: u8,
  flags: u32,
}, "fib_rule_hdr");

/** Rule actions (linux/fib_rules.h, enum FR_ACT_*): fib_rule_hdr.action. */
export const FR_ACT = {
  FR_ACT_UNSPEC: 0,
  FR_ACT_TO_TBL: 1,
  FR_ACT_GOTO: 2,
  FR_ACT_NOP: 3,
  FR_ACT_RES3: 4,
  FR_ACT_RES4: 5,
  FR_ACT_BLACKHOLE: 6,
  FR_ACT_UNREACHABLE: 7,
  FR_ACT_PROHIBIT: 8,
} as const;

/** Rule flags (linux/fib_rules.h, FIB_RULE_*): fib_rule_hdr.flags. */
export const FIB_RULE = {
  FIB_RULE_PERMANENT: 0x1,
  FIB_RULE_INVERT: 0x2,
  FIB_RULE_UNRESOLVED: 0x4,
  FIB_RULE_IIF_DETACHED: 0x8,
  FIB_RULE_OIF_DETACHED: 0x10,
  FIB_RULE_FIND_SADDR: 0x10000,
} as const;

// struct fib_rule_uid_range { __u32 start; __u32 end; };
const fibRuleUidRange = struct({ start: u32, end: u32 }, "fib_rule_uid_range");

// struct fib_rule_port_range { __u16 start; __u16 end; };
const fibRulePortRange = struct({ start: u16, end: u16 }, "fib_rule_port_range");

/**
 * FRA_* (linux/fib_rules.h). FRA_DSCP and later (24..29) are newer than the installed 6.1
 * headers; the uapi test pins their numbers in its allow-list.
 *
 * @example
 * ```ts
 * ruleAttrs.row("fwmark")?.name; // "FRA_FWMARK"
 * ```
 */
export const ruleAttrs = attrs("FRA", {
  dst: [1, "FRA_DST", ip],
  src: [2, "FRA_SRC", ip],
  iifname: [3, "FRA_IIFNAME", asciiz],
  goto: [4, "FRA_GOTO", u32],
  unused2: [5, "FRA_UNUSED2", bytes],
  priority: [6, "FRA_PRIORITY", u32],
  unused3: [7, "FRA_UNUSED3", bytes],
  unused4: [8, "FRA_UNUSED4", bytes],
  unused5: [9, "FRA_UNUSED5", bytes],
  fwmark: [10, "FRA_FWMARK", u32],
  flow: [11, "FRA_FLOW", u32],
  tun_id: [12, "FRA_TUN_ID", be64],
  suppress_ifgroup: [13, "FRA_SUPPRESS_IFGROUP", u32],
  suppress_prefixlen: [14, "FRA_SUPPRESS_PREFIXLEN", u32],
  table: [15, "FRA_TABLE", u32],
  fwmask: [16, "FRA_FWMASK", u32],
  oifname: [17, "FRA_OIFNAME", asciiz],
  pad: [18, "FRA_PAD", bytes],
  l3mdev: [19, "FRA_L3MDEV", u8],
  uid_range: [20, "FRA_UID_RANGE", fibRuleUidRange],
  protocol: [21, "FRA_PROTOCOL", u8],
  ip_proto: [22, "FRA_IP_PROTO", u8],
  sport_range: [23, "FRA_SPORT_RANGE", fibRulePortRange],
  dport_range: [24, "FRA_DPORT_RANGE", fibRulePortRange],
  dscp: [25, "FRA_DSCP", u8],
  flowlabel: [26, "FRA_FLOWLABEL", be32],
  flowlabel_mask: [27, "FRA_FLOWLABEL_MASK", be32],
  sport_mask: [28, "FRA_SPORT_MASK", u16],
  dport_mask: [29, "FRA_DPORT_MASK", u16],
  dscp_mask: [30, "FRA_DSCP_MASK", u8],
});

/**
 * struct fib_rule_hdr + FRA_* attributes (RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE).
 *
 * @example
 * ```ts
 * encodeMessage(fibmsg, { type: RTM.RTM_GETRULE, flags: NLM_F.REQUEST | NLM_F.DUMP, fields: { family: 2 } });
 * ```
 */
export const fibmsg = { name: "fib_rule_hdr", fields: fibRuleHdrFields, attrs: ruleAttrs, widened: ["table"] } satisfies MessageSchema;

/** Every attribute table declared in this file. */
export const ruleTables: readonly AttrTable[] = [ruleAttrs];
