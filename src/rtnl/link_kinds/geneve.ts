/**
 * GENEVE devices: IFLA_INFO_DATA for kind "geneve" (IFLA_GENEVE_*, linux/if_link.h).
 * @module
 */

import { be16, be32, flag, ip4, ip6, u32, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_GENEVE_* (linux/if_link.h). The VNI is a host-order u32, the port network order.
 *
 * @example
 * ```ts
 * geneveData.row("geneve_id")?.type; // 1
 * ```
 */
export const geneveData = attrs("IFLA_GENEVE", {
  geneve_id: [1, "IFLA_GENEVE_ID", u32],
  geneve_remote: [2, "IFLA_GENEVE_REMOTE", ip4],
  geneve_ttl: [3, "IFLA_GENEVE_TTL", u8],
  geneve_tos: [4, "IFLA_GENEVE_TOS", u8],
  geneve_port: [5, "IFLA_GENEVE_PORT", be16],
  geneve_collect_metadata: [6, "IFLA_GENEVE_COLLECT_METADATA", flag],
  geneve_remote6: [7, "IFLA_GENEVE_REMOTE6", ip6],
  geneve_udp_csum: [8, "IFLA_GENEVE_UDP_CSUM", u8],
  geneve_udp_zero_csum6_tx: [9, "IFLA_GENEVE_UDP_ZERO_CSUM6_TX", u8],
  geneve_udp_zero_csum6_rx: [10, "IFLA_GENEVE_UDP_ZERO_CSUM6_RX", u8],
  geneve_label: [11, "IFLA_GENEVE_LABEL", be32],
  geneve_ttl_inherit: [12, "IFLA_GENEVE_TTL_INHERIT", u8],
  geneve_df: [13, "IFLA_GENEVE_DF", u8],
  geneve_inner_proto_inherit: [14, "IFLA_GENEVE_INNER_PROTO_INHERIT", flag],
});
