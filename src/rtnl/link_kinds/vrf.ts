/**
 * VRF devices: IFLA_INFO_DATA for kind "vrf" (IFLA_VRF_*) and IFLA_INFO_SLAVE_DATA for slave
 * kind "vrf" (IFLA_VRF_PORT_*), linux/if_link.h.
 * @module
 */

import { u32 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_VRF_* (linux/if_link.h).
 *
 * @example
 * ```ts
 * vrfData.row("vrf_table")?.type; // 1
 * ```
 */
export const vrfData = attrs("IFLA_VRF", {
  vrf_table: [1, "IFLA_VRF_TABLE", u32],
});

/**
 * IFLA_VRF_PORT_* (linux/if_link.h).
 *
 * @example
 * ```ts
 * vrfSlaveData.row("vrf_port_table")?.type; // 1
 * ```
 */
export const vrfSlaveData = attrs("IFLA_VRF_PORT", {
  vrf_port_table: [1, "IFLA_VRF_PORT_TABLE", u32],
});
