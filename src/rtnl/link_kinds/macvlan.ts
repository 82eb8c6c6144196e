/**
 * MACVLAN and MACVTAP devices: IFLA_INFO_DATA for kinds "macvlan" and "macvtap"
 * (IFLA_MACVLAN_*, linux/if_link.h).
 * @module
 */

import { mac, u16, u32 } from "../../marshal/codecs.ts";
import { type AttrTable, attrs, nested } from "../../marshal/schema.ts";

/**
 * IFLA_MACVLAN_* (linux/if_link.h). `macvlan_mode` is MACVLAN_MODE_* (private 1, vepa 2,
 * bridge 4, passthru 8, source 16); flags are a u16 in macvlan_fill_info.
 *
 * @example
 * ```ts
 * macvlanData.row("macvlan_mode")?.type; // 1
 * ```
 */
export const macvlanData = attrs("IFLA_MACVLAN", {
  macvlan_mode: [1, "IFLA_MACVLAN_MODE", u32],
  macvlan_flags: [2, "IFLA_MACVLAN_FLAGS", u16],
  macvlan_macaddr_mode: [3, "IFLA_MACVLAN_MACADDR_MODE", u32],
  macvlan_macaddr: [4, "IFLA_MACVLAN_MACADDR", mac],
  // a list of IFLA_MACVLAN_MACADDR attributes (source mode)
  macvlan_macaddr_data: [5, "IFLA_MACVLAN_MACADDR_DATA", nested((): AttrTable => macvlanData)],
  macvlan_macaddr_count: [6, "IFLA_MACVLAN_MACADDR_COUNT", u32],
  macvlan_bc_queue_len: [7, "IFLA_MACVLAN_BC_QUEUE_LEN", u32],
  macvlan_bc_queue_len_used: [8, "IFLA_MACVLAN_BC_QUEUE_LEN_USED", u32],
});
