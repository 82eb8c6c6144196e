/**
 * Bridge devices: IFLA_INFO_DATA for kind "bridge" (IFLA_BR_*, linux/if_link.h) and the
 * multicast querier state nest (BRIDGE_QUERIER_*, linux/if_bridge.h).
 * @module
 */

import { bytes, be16, flag, ip4, ip6, mac, struct, u16, u32, u64, u8 } from "../../marshal/codecs.ts";
import type { StructCodec } from "../../marshal/codecs.ts";
import { type AttrTable, attrs, nested } from "../../marshal/schema.ts";

/**
 * struct ifla_bridge_id (root id, bridge id, designated root/bridge of a port).
 *
 * ```c
 * struct ifla_bridge_id { __u8 prio[2]; __u8 addr[6]; };
 * ```
 * `prio` is kept as the two raw bytes (network order on the wire), `addr` as a MAC.
 */
export const bridgeId: StructCodec = struct({ prio: be16, addr: { ...mac, fixed: 6 } }, "ifla_bridge_id");

// struct br_boolopt_multi { __u32 optval; __u32 optmask; };
const boolopt: StructCodec = struct({ optval: u32, optmask: u32 }, "br_boolopt_multi");

/** BRIDGE_QUERIER_* (linux/if_bridge.h): nested in IFLA_BR_MCAST_QUERIER_STATE. */
export const bridgeQuerier: AttrTable = attrs("BRIDGE_QUERIER", {
  ip_address: [1, "BRIDGE_QUERIER_IP_ADDRESS", ip4],
  ip_port: [2, "BRIDGE_QUERIER_IP_PORT", u32],
  ip_other_timer: [3, "BRIDGE_QUERIER_IP_OTHER_TIMER", u64],
  pad: [4, "BRIDGE_QUERIER_PAD", bytes],
  ipv6_address: [5, "BRIDGE_QUERIER_IPV6_ADDRESS", ip6],
  ipv6_port: [6, "BRIDGE_QUERIER_IPV6_PORT", u32],
  ipv6_other_timer: [7, "BRIDGE_QUERIER_IPV6_OTHER_TIMER", u64],
});

/**
 * IFLA_BR_* (linux/if_link.h). Timers and multicast intervals are u64 (clock_t) since 4.x;
 * sizes checked against a 6.18 dump of `ip link add br0 type bridge`.
 *
 * @example
 * ```ts
 * bridgeData.row("br_stp_state")?.type; // 5
 * ```
 */
export const bridgeData = attrs("IFLA_BR", {
  br_forward_delay: [1, "IFLA_BR_FORWARD_DELAY", u32],
  br_hello_time: [2, "IFLA_BR_HELLO_TIME", u32],
  br_max_age: [3, "IFLA_BR_MAX_AGE", u32],
  br_ageing_time: [4, "IFLA_BR_AGEING_TIME", u32],
  br_stp_state: [5, "IFLA_BR_STP_STATE", u32],
  br_priority: [6, "IFLA_BR_PRIORITY", u16],
  br_vlan_filtering: [7, "IFLA_BR_VLAN_FILTERING", u8],
  br_vlan_protocol: [8, "IFLA_BR_VLAN_PROTOCOL", be16],
  br_group_fwd_mask: [9, "IFLA_BR_GROUP_FWD_MASK", u16],
  br_root_id: [10, "IFLA_BR_ROOT_ID", bridgeId],
  br_bridge_id: [11, "IFLA_BR_BRIDGE_ID", bridgeId],
  br_root_port: [12, "IFLA_BR_ROOT_PORT", u16],
  br_root_path_cost: [13, "IFLA_BR_ROOT_PATH_COST", u32],
  br_topology_change: [14, "IFLA_BR_TOPOLOGY_CHANGE", u8],
  br_topology_change_detected: [15, "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", u8],
  br_hello_timer: [16, "IFLA_BR_HELLO_TIMER", u64],
  br_tcn_timer: [17, "IFLA_BR_TCN_TIMER", u64],
  br_topology_change_timer: [18, "IFLA_BR_TOPOLOGY_CHANGE_TIMER", u64],
  br_gc_timer: [19, "IFLA_BR_GC_TIMER", u64],
  br_group_addr: [20, "IFLA_BR_GROUP_ADDR", mac],
  br_fdb_flush: [21, "IFLA_BR_FDB_FLUSH", flag],
  br_mcast_router: [22, "IFLA_BR_MCAST_ROUTER", u8],
  br_mcast_snooping: [23, "IFLA_BR_MCAST_SNOOPING", u8],
  br_mcast_query_use_ifaddr: [24, "IFLA_BR_MCAST_QUERY_USE_IFADDR", u8],
  br_mcast_querier: [25, "IFLA_BR_MCAST_QUERIER", u8],
  br_mcast_hash_elasticity: [26, "IFLA_BR_MCAST_HASH_ELASTICITY", u32],
  br_mcast_hash_max: [27, "IFLA_BR_MCAST_HASH_MAX", u32],
  br_mcast_last_member_cnt: [28, "IFLA_BR_MCAST_LAST_MEMBER_CNT", u32],
  br_mcast_startup_query_cnt: [29, "IFLA_BR_MCAST_STARTUP_QUERY_CNT", u32],
  br_mcast_last_member_intvl: [30, "IFLA_BR_MCAST_LAST_MEMBER_INTVL", u64],
  br_mcast_membership_intvl: [31, "IFLA_BR_MCAST_MEMBERSHIP_INTVL", u64],
  br_mcast_querier_intvl: [32, "IFLA_BR_MCAST_QUERIER_INTVL", u64],
  br_mcast_query_intvl: [33, "IFLA_BR_MCAST_QUERY_INTVL", u64],
  br_mcast_query_response_intvl: [34, "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", u64],
  br_mcast_startup_query_intvl: [35, "IFLA_BR_MCAST_STARTUP_QUERY_INTVL", u64],
  br_nf_call_iptables: [36, "IFLA_BR_NF_CALL_IPTABLES", u8],
  br_nf_call_ip6tables: [37, "IFLA_BR_NF_CALL_IP6TABLES", u8],
  br_nf_call_arptables: [38, "IFLA_BR_NF_CALL_ARPTABLES", u8],
  br_vlan_default_pvid: [39, "IFLA_BR_VLAN_DEFAULT_PVID", u16],
  br_pad: [40, "IFLA_BR_PAD", bytes],
  br_vlan_stats_enabled: [41, "IFLA_BR_VLAN_STATS_ENABLED", u8],
  br_mcast_stats_enabled: [42, "IFLA_BR_MCAST_STATS_ENABLED", u8],
  br_mcast_igmp_version: [43, "IFLA_BR_MCAST_IGMP_VERSION", u8],
  br_mcast_mld_version: [44, "IFLA_BR_MCAST_MLD_VERSION", u8],
  br_vlan_stats_per_port: [45, "IFLA_BR_VLAN_STATS_PER_PORT", u8],
  br_multi_boolopt: [46, "IFLA_BR_MULTI_BOOLOPT", boolopt],
  br_mcast_querier_state: [47, "IFLA_BR_MCAST_QUERIER_STATE", nested(bridgeQuerier, { flag: true })],
  // 48-49 are newer than the installed 6.1 uapi headers (Linux 6.5); the running kernel sends them
  br_fdb_n_learned: [48, "IFLA_BR_FDB_N_LEARNED", u32],
  br_fdb_max_learned: [49, "IFLA_BR_FDB_MAX_LEARNED", u32],
});
