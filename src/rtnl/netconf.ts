/**
 * Per-device IP configuration notifications: struct netconfmsg and the NETCONFA_* attributes
 * (linux/netconf.h).
 * @module
 */

import { fixedStruct, s32, u16, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs } from "../marshal/schema.ts";

// struct netconfmsg { __u8 ncm_family; };
// padded to 4 bytes (NLMSG_ALIGN) before the attributes.
const netconfmsgFields = fixedStruct({ family: u8, __pad1: u8, __pad2: u16 }, "netconfmsg");

/**
 * NETCONFA_* (linux/netconf.h). NETCONFA_IFINDEX is -1 for "all" and -2 for "default".
 *
 * @example
 * ```ts
 * netconfAttrs.row("forwarding")?.name; // "NETCONFA_FORWARDING"
 * ```
 */
export const netconfAttrs: AttrTable = attrs("NETCONFA", {
  ifindex: [1, "NETCONFA_IFINDEX", s32],
  forwarding: [2, "NETCONFA_FORWARDING", s32],
  rp_filter: [3, "NETCONFA_RP_FILTER", s32],
  mc_forwarding: [4, "NETCONFA_MC_FORWARDING", s32],
  proxy_neigh: [5, "NETCONFA_PROXY_NEIGH", s32],
  ignore_routes_with_linkdown: [6, "NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", s32],
  input: [7, "NETCONFA_INPUT", s32],
  bc_forwarding: [8, "NETCONFA_BC_FORWARDING", s32],
});

/**
 * struct netconfmsg + NETCONFA_* attributes (RTM_NEWNETCONF, RTM_DELNETCONF, RTM_GETNETCONF).
 *
 * @example
 * ```ts
 * encodeMessage(netconfmsg, { type: RTM.RTM_GETNETCONF, flags: NLM_F.REQUEST | NLM_F.DUMP, fields: { family: 2 } });
 * ```
 */
export const netconfmsg: MessageSchema = { name: "netconfmsg", fields: netconfmsgFields, attrs: netconfAttrs };

/** Every attribute table declared in this file. */
export const netconfTables: readonly AttrTable[] = [netconfAttrs];
