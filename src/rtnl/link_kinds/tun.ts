/**
 * TUN/TAP devices: IFLA_INFO_DATA for kind "tun" (IFLA_TUN_*, linux/if_link.h).
 * @module
 */

import { u32, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_TUN_* (linux/if_link.h). `tun_type` is IFF_TUN (1) or IFF_TAP (2).
 *
 * @example
 * ```ts
 * tunData.row("tun_type")?.type; // 3
 * ```
 */
export const tunData = attrs("IFLA_TUN", {
  tun_owner: [1, "IFLA_TUN_OWNER", u32],
  tun_group: [2, "IFLA_TUN_GROUP", u32],
  tun_type: [3, "IFLA_TUN_TYPE", u8],
  tun_pi: [4, "IFLA_TUN_PI", u8],
  tun_vnet_hdr: [5, "IFLA_TUN_VNET_HDR", u8],
  tun_persist: [6, "IFLA_TUN_PERSIST", u8],
  tun_multi_queue: [7, "IFLA_TUN_MULTI_QUEUE", u8],
  tun_num_queues: [8, "IFLA_TUN_NUM_QUEUES", u32],
  tun_num_disabled_queues: [9, "IFLA_TUN_NUM_DISABLED_QUEUES", u32],
});
