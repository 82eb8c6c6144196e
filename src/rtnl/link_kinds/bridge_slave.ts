/**
 * Bridge ports: IFLA_INFO_SLAVE_DATA for slave kind "bridge", also the AF_BRIDGE IFLA_PROTINFO
 * payload (IFLA_BRPORT_*, linux/if_link.h). Keys strip `IFLA_BRPORT_`, as pyroute2 does.
 * @module
 */

import { bytes, flag, u16, u32, u64, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";
import { bridgeId } from "./bridge.ts";

/**
 * IFLA_BRPORT_* (linux/if_link.h); sizes checked against a 6.18 dump of a veth bridge port.
 *
 * @example
 * ```ts
 * bridgeSlaveData.row("cost")?.name; // "IFLA_BRPORT_COST"
 * ```
 */
export const bridgeSlaveData = attrs("IFLA_BRPORT", {
  state: [1, "IFLA_BRPORT_STATE", u8],
  priority: [2, "IFLA_BRPORT_PRIORITY", u16],
  cost: [3, "IFLA_BRPORT_COST", u32],
  mode: [4, "IFLA_BRPORT_MODE", u8],
  guard: [5, "IFLA_BRPORT_GUARD", u8],
  protect: [6, "IFLA_BRPORT_PROTECT", u8],
  fast_leave: [7, "IFLA_BRPORT_FAST_LEAVE", u8],
  learning: [8, "IFLA_BRPORT_LEARNING", u8],
  unicast_flood: [9, "IFLA_BRPORT_UNICAST_FLOOD", u8],
  proxyarp: [10, "IFLA_BRPORT_PROXYARP", u8],
  learning_sync: [11, "IFLA_BRPORT_LEARNING_SYNC", u8],
  proxyarp_wifi: [12, "IFLA_BRPORT_PROXYARP_WIFI", u8],
  root_id: [13, "IFLA_BRPORT_ROOT_ID", bridgeId],
  bridge_id: [14, "IFLA_BRPORT_BRIDGE_ID", bridgeId],
  designated_port: [15, "IFLA_BRPORT_DESIGNATED_PORT", u16],
  designated_cost: [16, "IFLA_BRPORT_DESIGNATED_COST", u16],
  id: [17, "IFLA_BRPORT_ID", u16],
  no: [18, "IFLA_BRPORT_NO", u16],
  topology_change_ack: [19, "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", u8],
  config_pending: [20, "IFLA_BRPORT_CONFIG_PENDING", u8],
  message_age_timer: [21, "IFLA_BRPORT_MESSAGE_AGE_TIMER", u64],
  forward_delay_timer: [22, "IFLA_BRPORT_FORWARD_DELAY_TIMER", u64],
  hold_timer: [23, "IFLA_BRPORT_HOLD_TIMER", u64],
  flush: [24, "IFLA_BRPORT_FLUSH", flag],
  multicast_router: [25, "IFLA_BRPORT_MULTICAST_ROUTER", u8],
  pad: [26, "IFLA_BRPORT_PAD", bytes],
  mcast_flood: [27, "IFLA_BRPORT_MCAST_FLOOD", u8],
  mcast_to_ucast: [28, "IFLA_BRPORT_MCAST_TO_UCAST", u8],
  vlan_tunnel: [29, "IFLA_BRPORT_VLAN_TUNNEL", u8],
  bcast_flood: [30, "IFLA_BRPORT_BCAST_FLOOD", u8],
  group_fwd_mask: [31, "IFLA_BRPORT_GROUP_FWD_MASK", u16],
  neigh_suppress: [32, "IFLA_BRPORT_NEIGH_SUPPRESS", u8],
  isolated: [33, "IFLA_BRPORT_ISOLATED", u8],
  backup_port: [34, "IFLA_BRPORT_BACKUP_PORT", u32],
  mrp_ring_open: [35, "IFLA_BRPORT_MRP_RING_OPEN", u8],
  mrp_in_open: [36, "IFLA_BRPORT_MRP_IN_OPEN", u8],
  mcast_eht_hosts_limit: [37, "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", u32],
  mcast_eht_hosts_cnt: [38, "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", u32],
  locked: [39, "IFLA_BRPORT_LOCKED", u8],
  // 40-44 are newer than the installed 6.1 uapi headers (Linux 6.2-6.7); the running kernel sends them
  mab: [40, "IFLA_BRPORT_MAB", u8],
  mcast_n_groups: [41, "IFLA_BRPORT_MCAST_N_GROUPS", u32],
  mcast_max_groups: [42, "IFLA_BRPORT_MCAST_MAX_GROUPS", u32],
  neigh_vlan_suppress: [43, "IFLA_BRPORT_NEIGH_VLAN_SUPPRESS", u8],
  backup_nhid: [44, "IFLA_BRPORT_BACKUP_NHID", u32],
});
