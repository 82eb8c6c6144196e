/**
 * IPVLAN devices: IFLA_INFO_DATA for kinds "ipvlan" and "ipvtap" (IFLA_IPVLAN_*,
 * linux/if_link.h).
 * @module
 */

import { u16 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_IPVLAN_* (linux/if_link.h): mode is IPVLAN_MODE_L2/L3/L3S, flags IPVLAN_F_*.
 *
 * @example
 * ```ts
 * ipvlanData.row("ipvlan_mode")?.codec.name; // "u16"
 * ```
 */
export const ipvlanData = attrs("IFLA_IPVLAN", {
  ipvlan_mode: [1, "IFLA_IPVLAN_MODE", u16],
  ipvlan_flags: [2, "IFLA_IPVLAN_FLAGS", u16],
});
