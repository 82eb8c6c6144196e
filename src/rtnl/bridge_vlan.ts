/**
 * The bridge VLAN database (`bridge vlan set` / `bridge vlan global`): struct br_vlan_msg and
 * the BRIDGE_VLANDB_* attributes of RTM_NEWVLAN, RTM_DELVLAN and RTM_GETVLAN (linux/if_bridge.h).
 * Requests to dump (RTM_GETVLAN) carry BRIDGE_VLANDB_DUMP_* attributes, which reuse the numbers
 * of BRIDGE_VLANDB_*: the two directions have separate schemas.
 * @module
 */

import { bytes, fixedStruct, struct, u16, u32, u64, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs, nested } from "../marshal/schema.ts";

// struct br_vlan_msg { __u8 family; __u8 reserved1; __u16 reserved2; __u32 ifindex; };
const brVlanMsgFields = fixedStruct({
  family: u8,
  __reserved1: u8,
  __reserved2: u16,
  ifindex: u32,
}, "br_vlan_msg");

/** BRIDGE_VLANDB_TINFO_* (linux/if_bridge.h): a VLAN's tunnel mapping. */
export const vlandbTunnelAttrs: AttrTable = attrs("BRIDGE_VLANDB_TINFO", {
  id: [1, "BRIDGE_VLANDB_TINFO_ID", u32],
  cmd: [2, "BRIDGE_VLANDB_TINFO_CMD", u32],
});

/** BRIDGE_VLANDB_STATS_* (linux/if_bridge.h): per-VLAN counters. */
export const vlandbStatsAttrs: AttrTable = attrs("BRIDGE_VLANDB_STATS", {
  rx_bytes: [1, "BRIDGE_VLANDB_STATS_RX_BYTES", u64],
  rx_packets: [2, "BRIDGE_VLANDB_STATS_RX_PACKETS", u64],
  tx_bytes: [3, "BRIDGE_VLANDB_STATS_TX_BYTES", u64],
  tx_packets: [4, "BRIDGE_VLANDB_STATS_TX_PACKETS", u64],
  pad: [5, "BRIDGE_VLANDB_STATS_PAD", bytes],
});

/**
 * BRIDGE_VLANDB_ENTRY_* (linux/if_bridge.h): one VLAN (or range) of a port. Numbers after
 * MCAST_ROUTER (MCAST_N_GROUPS, ... Linux 6.3+) are newer than the installed headers and decode
 * as raw attributes.
 *
 * @example
 * ```ts
 * vlandbEntryAttrs.row("state")?.name; // "BRIDGE_VLANDB_ENTRY_STATE"
 * ```
 */
export const vlandbEntryAttrs: AttrTable = attrs("BRIDGE_VLANDB_ENTRY", {
  // struct bridge_vlan_info { __u16 flags; __u16 vid; };
  info: [1, "BRIDGE_VLANDB_ENTRY_INFO", struct({ flags: u16, vid: u16 }, "bridge_vlan_info")],
  range: [2, "BRIDGE_VLANDB_ENTRY_RANGE", u16],
  state: [3, "BRIDGE_VLANDB_ENTRY_STATE", u8],
  tunnel_info: [4, "BRIDGE_VLANDB_ENTRY_TUNNEL_INFO", nested(vlandbTunnelAttrs, { flag: true })],
  stats: [5, "BRIDGE_VLANDB_ENTRY_STATS", nested(vlandbStatsAttrs, { flag: true })],
  mcast_router: [6, "BRIDGE_VLANDB_ENTRY_MCAST_ROUTER", u8],
});

/** BRIDGE_VLANDB_GOPTS_* (linux/if_bridge.h): a bridge's per-VLAN global options. */
export const vlandbGlobalAttrs: AttrTable = attrs("BRIDGE_VLANDB_GOPTS", {
  id: [1, "BRIDGE_VLANDB_GOPTS_ID", u16],
  range: [2, "BRIDGE_VLANDB_GOPTS_RANGE", u16],
  mcast_snooping: [3, "BRIDGE_VLANDB_GOPTS_MCAST_SNOOPING", u8],
  mcast_igmp_version: [4, "BRIDGE_VLANDB_GOPTS_MCAST_IGMP_VERSION", u8],
  mcast_mld_version: [5, "BRIDGE_VLANDB_GOPTS_MCAST_MLD_VERSION", u8],
  mcast_last_member_cnt: [6, "BRIDGE_VLANDB_GOPTS_MCAST_LAST_MEMBER_CNT", u32],
  mcast_startup_query_cnt: [7, "BRIDGE_VLANDB_GOPTS_MCAST_STARTUP_QUERY_CNT", u32],
  mcast_last_member_intvl: [8, "BRIDGE_VLANDB_GOPTS_MCAST_LAST_MEMBER_INTVL", u64],
  pad: [9, "BRIDGE_VLANDB_GOPTS_PAD", bytes],
  mcast_membership_intvl: [10, "BRIDGE_VLANDB_GOPTS_MCAST_MEMBERSHIP_INTVL", u64],
  mcast_querier_intvl: [11, "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER_INTVL", u64],
  mcast_query_intvl: [12, "BRIDGE_VLANDB_GOPTS_MCAST_QUERY_INTVL", u64],
  mcast_query_response_intvl: [13, "BRIDGE_VLANDB_GOPTS_MCAST_QUERY_RESPONSE_INTVL", u64],
  mcast_startup_query_intvl: [14, "BRIDGE_VLANDB_GOPTS_MCAST_STARTUP_QUERY_INTVL", u64],
  mcast_querier: [15, "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER", u8],
  // nests of per-port router entries and querier state: kept raw
  mcast_router_ports: [16, "BRIDGE_VLANDB_GOPTS_MCAST_ROUTER_PORTS", bytes],
  mcast_querier_state: [17, "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER_STATE", bytes],
  msti: [18, "BRIDGE_VLANDB_GOPTS_MSTI", u16],
});

/**
 * BRIDGE_VLANDB_* (linux/if_bridge.h): the attributes of RTM_NEWVLAN / RTM_DELVLAN.
 *
 * @example
 * ```ts
 * vlandbAttrs.row("entry")?.name; // "BRIDGE_VLANDB_ENTRY"
 * ```
 */
export const vlandbAttrs: AttrTable = attrs("BRIDGE_VLANDB", {
  entry: [1, "BRIDGE_VLANDB_ENTRY", nested(vlandbEntryAttrs, { flag: true })],
  global_options: [2, "BRIDGE_VLANDB_GLOBAL_OPTIONS", nested(vlandbGlobalAttrs, { flag: true })],
});

/** BRIDGE_VLANDB_DUMP_* (linux/if_bridge.h): the attributes of an RTM_GETVLAN dump request. */
export const vlandbDumpAttrs: AttrTable = attrs("BRIDGE_VLANDB_DUMP", {
  // BRIDGE_VLANDB_DUMPF_STATS (1) | BRIDGE_VLANDB_DUMPF_GLOBAL (2)
  dump_flags: [1, "BRIDGE_VLANDB_DUMP_FLAGS", u32],
});

/**
 * struct br_vlan_msg + BRIDGE_VLANDB_* (RTM_NEWVLAN, RTM_DELVLAN).
 *
 * @example
 * ```ts
 * encodeMessage(brvlanmsg, { type: 112, fields: { family: 7, ifindex: 4 }, attrs: { entry: { info: { flags: 0x40, vid: 101 }, state: 3 } } });
 * ```
 */
export const brvlanmsg: MessageSchema = { name: "br_vlan_msg", fields: brVlanMsgFields, attrs: vlandbAttrs };

/**
 * struct br_vlan_msg + BRIDGE_VLANDB_DUMP_* (RTM_GETVLAN requests).
 *
 * @example
 * ```ts
 * encodeMessage(brvlanDumpMsg, { type: 114, flags: 0x301, fields: { family: 7 }, attrs: { dump_flags: 2 } });
 * ```
 */
export const brvlanDumpMsg: MessageSchema = { name: "br_vlan_msg", fields: brVlanMsgFields, attrs: vlandbDumpAttrs };

/** Every attribute table declared in this file. */
export const bridgeVlanTables: readonly AttrTable[] = [vlandbAttrs, vlandbEntryAttrs, vlandbTunnelAttrs, vlandbStatsAttrs, vlandbGlobalAttrs, vlandbDumpAttrs];
