/**
 * 802.1Q VLAN devices: IFLA_INFO_DATA for kind "vlan" (IFLA_VLAN_*, linux/if_link.h).
 * @module
 */

import { type Codec, be16, struct, u16, u32 } from "../../marshal/codecs.ts";
import { type AttrTable, attrs, nested } from "../../marshal/schema.ts";

/** IFLA_VLAN_QOS_* (linux/if_link.h): repeated priority mappings. */
export const vlanQos: AttrTable = attrs("IFLA_VLAN_QOS", {
  // struct ifla_vlan_qos_mapping { __u32 from; __u32 to; };
  vlan_qos_mapping: [1, "IFLA_VLAN_QOS_MAPPING", struct({ from: u32, to: u32 }, "ifla_vlan_qos_mapping")],
});

/**
 * A VLAN id: a u16 on the wire, 0..4095 (VLAN_VID_MASK) in value; the kernel refuses more
 * with ERANGE, so it is refused before sending.
 */
export const vlanId: Codec<number, number> = {
  ...u16,
  name: "vlan_id",
  prepare(value, key, ctx) {
    const n = u16.prepare(value, key, ctx);
    if (n > 4095) throw new RangeError(`Invalid ${key}: ${n} is out of range for a VLAN id (0..4095)`);
    return n;
  },
};

/**
 * IFLA_VLAN_* (linux/if_link.h).
 *
 * @example
 * ```ts
 * vlanData.row("vlan_id")?.codec.name; // "vlan_id"
 * ```
 */
export const vlanData = attrs("IFLA_VLAN", {
  vlan_id: [1, "IFLA_VLAN_ID", vlanId],
  // struct ifla_vlan_flags { __u32 flags; __u32 mask; };
  vlan_flags: [2, "IFLA_VLAN_FLAGS", struct({ flags: u32, mask: u32 }, "ifla_vlan_flags")],
  vlan_egress_qos: [3, "IFLA_VLAN_EGRESS_QOS", nested(vlanQos)],
  vlan_ingress_qos: [4, "IFLA_VLAN_INGRESS_QOS", nested(vlanQos)],
  vlan_protocol: [5, "IFLA_VLAN_PROTOCOL", be16],
});
