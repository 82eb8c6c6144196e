/**
 * VXLAN devices: IFLA_INFO_DATA for kind "vxlan" (IFLA_VXLAN_*, linux/if_link.h).
 * @module
 */

import { be16, be32, flag, ip4, ip6, struct, u32, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_VXLAN_* (linux/if_link.h). Ports are network order; sizes checked against a 6.18 dump of
 * `ip link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1`.
 *
 * @example
 * ```ts
 * vxlanData.row("vxlan_port")?.codec.name; // "be16"
 * ```
 */
export const vxlanData = attrs("IFLA_VXLAN", {
  vxlan_id: [1, "IFLA_VXLAN_ID", u32],
  vxlan_group: [2, "IFLA_VXLAN_GROUP", ip4],
  vxlan_link: [3, "IFLA_VXLAN_LINK", u32],
  vxlan_local: [4, "IFLA_VXLAN_LOCAL", ip4],
  vxlan_ttl: [5, "IFLA_VXLAN_TTL", u8],
  vxlan_tos: [6, "IFLA_VXLAN_TOS", u8],
  vxlan_learning: [7, "IFLA_VXLAN_LEARNING", u8],
  vxlan_ageing: [8, "IFLA_VXLAN_AGEING", u32],
  vxlan_limit: [9, "IFLA_VXLAN_LIMIT", u32],
  // struct ifla_vxlan_port_range { __be16 low; __be16 high; };
  vxlan_port_range: [10, "IFLA_VXLAN_PORT_RANGE", struct({ low: be16, high: be16 }, "ifla_vxlan_port_range")],
  vxlan_proxy: [11, "IFLA_VXLAN_PROXY", u8],
  vxlan_rsc: [12, "IFLA_VXLAN_RSC", u8],
  vxlan_l2miss: [13, "IFLA_VXLAN_L2MISS", u8],
  vxlan_l3miss: [14, "IFLA_VXLAN_L3MISS", u8],
  vxlan_port: [15, "IFLA_VXLAN_PORT", be16],
  vxlan_group6: [16, "IFLA_VXLAN_GROUP6", ip6],
  vxlan_local6: [17, "IFLA_VXLAN_LOCAL6", ip6],
  vxlan_udp_csum: [18, "IFLA_VXLAN_UDP_CSUM", u8],
  vxlan_udp_zero_csum6_tx: [19, "IFLA_VXLAN_UDP_ZERO_CSUM6_TX", u8],
  vxlan_udp_zero_csum6_rx: [20, "IFLA_VXLAN_UDP_ZERO_CSUM6_RX", u8],
  vxlan_remcsum_tx: [21, "IFLA_VXLAN_REMCSUM_TX", u8],
  vxlan_remcsum_rx: [22, "IFLA_VXLAN_REMCSUM_RX", u8],
  vxlan_gbp: [23, "IFLA_VXLAN_GBP", flag],
  vxlan_remcsum_nopartial: [24, "IFLA_VXLAN_REMCSUM_NOPARTIAL", flag],
  vxlan_collect_metadata: [25, "IFLA_VXLAN_COLLECT_METADATA", u8],
  vxlan_label: [26, "IFLA_VXLAN_LABEL", be32],
  vxlan_gpe: [27, "IFLA_VXLAN_GPE", flag],
  // the policy says flag, but the dump sends it as a u8 (seen in the capture)
  vxlan_ttl_inherit: [28, "IFLA_VXLAN_TTL_INHERIT", u8],
  vxlan_df: [29, "IFLA_VXLAN_DF", u8],
  vxlan_vnifilter: [30, "IFLA_VXLAN_VNIFILTER", u8],
  // 31-33 are newer than the installed 6.1 uapi headers (Linux 6.7-6.13); the running kernel sends them
  vxlan_localbypass: [31, "IFLA_VXLAN_LOCALBYPASS", u8],
  vxlan_label_policy: [32, "IFLA_VXLAN_LABEL_POLICY", u32],
  // struct vxlanhdr as a mask: { __be32 vx_flags; __be32 vx_vni; }
  vxlan_reserved_bits: [33, "IFLA_VXLAN_RESERVED_BITS", struct({ vx_flags: be32, vx_vni: be32 }, "vxlanhdr")],
});
