/**
 * Bonding devices: IFLA_INFO_DATA for kind "bond" (IFLA_BOND_*) and IFLA_INFO_SLAVE_DATA for
 * slave kind "bond" (IFLA_BOND_SLAVE_*), linux/if_link.h.
 * @module
 */

import { bytes, mac, s32, u16, u32, u8 } from "../../marshal/codecs.ts";
import { type AttrTable, attrs, nested } from "../../marshal/schema.ts";

/** IFLA_BOND_AD_INFO_* (linux/if_link.h): 802.3ad aggregator state. */
export const bondAdInfo: AttrTable = attrs("IFLA_BOND_AD_INFO", {
  bond_ad_info_aggregator: [1, "IFLA_BOND_AD_INFO_AGGREGATOR", u16],
  bond_ad_info_num_ports: [2, "IFLA_BOND_AD_INFO_NUM_PORTS", u16],
  bond_ad_info_actor_key: [3, "IFLA_BOND_AD_INFO_ACTOR_KEY", u16],
  bond_ad_info_partner_key: [4, "IFLA_BOND_AD_INFO_PARTNER_KEY", u16],
  bond_ad_info_partner_mac: [5, "IFLA_BOND_AD_INFO_PARTNER_MAC", mac],
});

/**
 * IFLA_BOND_* (linux/if_link.h).
 *
 * IFLA_BOND_ARP_IP_TARGET and IFLA_BOND_NS_IP6_TARGET stay raw bytes: the kernel numbers their
 * inner attributes from 0 (the target's slot), which neither a table nor `indexed()` describes.
 *
 * @example
 * ```ts
 * bondData.row("bond_mode")?.codec.name; // "u8"
 * ```
 */
export const bondData = attrs("IFLA_BOND", {
  bond_mode: [1, "IFLA_BOND_MODE", u8],
  bond_active_slave: [2, "IFLA_BOND_ACTIVE_SLAVE", u32],
  bond_miimon: [3, "IFLA_BOND_MIIMON", u32],
  bond_updelay: [4, "IFLA_BOND_UPDELAY", u32],
  bond_downdelay: [5, "IFLA_BOND_DOWNDELAY", u32],
  bond_use_carrier: [6, "IFLA_BOND_USE_CARRIER", u8],
  bond_arp_interval: [7, "IFLA_BOND_ARP_INTERVAL", u32],
  bond_arp_ip_target: [8, "IFLA_BOND_ARP_IP_TARGET", bytes],
  bond_arp_validate: [9, "IFLA_BOND_ARP_VALIDATE", u32],
  bond_arp_all_targets: [10, "IFLA_BOND_ARP_ALL_TARGETS", u32],
  bond_primary: [11, "IFLA_BOND_PRIMARY", u32],
  bond_primary_reselect: [12, "IFLA_BOND_PRIMARY_RESELECT", u8],
  bond_fail_over_mac: [13, "IFLA_BOND_FAIL_OVER_MAC", u8],
  bond_xmit_hash_policy: [14, "IFLA_BOND_XMIT_HASH_POLICY", u8],
  bond_resend_igmp: [15, "IFLA_BOND_RESEND_IGMP", u32],
  bond_num_peer_notif: [16, "IFLA_BOND_NUM_PEER_NOTIF", u8],
  bond_all_slaves_active: [17, "IFLA_BOND_ALL_SLAVES_ACTIVE", u8],
  bond_min_links: [18, "IFLA_BOND_MIN_LINKS", u32],
  bond_lp_interval: [19, "IFLA_BOND_LP_INTERVAL", u32],
  bond_packets_per_slave: [20, "IFLA_BOND_PACKETS_PER_SLAVE", u32],
  bond_ad_lacp_rate: [21, "IFLA_BOND_AD_LACP_RATE", u8],
  bond_ad_select: [22, "IFLA_BOND_AD_SELECT", u8],
  bond_ad_info: [23, "IFLA_BOND_AD_INFO", nested(bondAdInfo)],
  bond_ad_actor_sys_prio: [24, "IFLA_BOND_AD_ACTOR_SYS_PRIO", u16],
  bond_ad_user_port_key: [25, "IFLA_BOND_AD_USER_PORT_KEY", u16],
  bond_ad_actor_system: [26, "IFLA_BOND_AD_ACTOR_SYSTEM", mac],
  bond_tlb_dynamic_lb: [27, "IFLA_BOND_TLB_DYNAMIC_LB", u8],
  bond_peer_notif_delay: [28, "IFLA_BOND_PEER_NOTIF_DELAY", u32],
  bond_ad_lacp_active: [29, "IFLA_BOND_AD_LACP_ACTIVE", u8],
  bond_missed_max: [30, "IFLA_BOND_MISSED_MAX", u8],
  bond_ns_ip6_target: [31, "IFLA_BOND_NS_IP6_TARGET", bytes],
  bond_coupled_control: [32, "IFLA_BOND_COUPLED_CONTROL", u8],
});

/**
 * IFLA_BOND_SLAVE_* (linux/if_link.h).
 *
 * @example
 * ```ts
 * bondSlaveData.row("bond_slave_state")?.type; // 1
 * ```
 */
export const bondSlaveData = attrs("IFLA_BOND_SLAVE", {
  bond_slave_state: [1, "IFLA_BOND_SLAVE_STATE", u8],
  bond_slave_mii_status: [2, "IFLA_BOND_SLAVE_MII_STATUS", u8],
  bond_slave_link_failure_count: [3, "IFLA_BOND_SLAVE_LINK_FAILURE_COUNT", u32],
  bond_slave_perm_hwaddr: [4, "IFLA_BOND_SLAVE_PERM_HWADDR", mac],
  bond_slave_queue_id: [5, "IFLA_BOND_SLAVE_QUEUE_ID", u16],
  bond_slave_ad_aggregator_id: [6, "IFLA_BOND_SLAVE_AD_AGGREGATOR_ID", u16],
  bond_slave_ad_actor_oper_port_state: [7, "IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE", u8],
  bond_slave_ad_partner_oper_port_state: [8, "IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE", u16],
  bond_slave_prio: [9, "IFLA_BOND_SLAVE_PRIO", s32],
  bond_slave_actor_port_prio: [10, "IFLA_BOND_SLAVE_ACTOR_PORT_PRIO", u16],
  bond_slave_ad_churn_actor_state: [11, "IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE", u8],
  bond_slave_ad_churn_partner_state: [12, "IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE", u8],
});
