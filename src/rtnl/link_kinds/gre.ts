/**
 * GRE tunnels: IFLA_INFO_DATA for kinds "gre", "gretap", "ip6gre", "ip6gretap", "erspan" and
 * "ip6erspan" (IFLA_GRE_*, linux/if_tunnel.h).
 * @module
 */

import { be16, be32, flag, ip, u16, u32, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_GRE_* (linux/if_tunnel.h). Keys and flags are network order (GRE_KEY etc. are __be16
 * bits); local/remote are IPv4 for gre/gretap and IPv6 for ip6gre/ip6gretap, hence `ip`.
 *
 * @example
 * ```ts
 * greData.row("gre_ikey")?.codec.name; // "be32"
 * ```
 */
export const greData = attrs("IFLA_GRE", {
  gre_link: [1, "IFLA_GRE_LINK", u32],
  gre_iflags: [2, "IFLA_GRE_IFLAGS", be16],
  gre_oflags: [3, "IFLA_GRE_OFLAGS", be16],
  gre_ikey: [4, "IFLA_GRE_IKEY", be32],
  gre_okey: [5, "IFLA_GRE_OKEY", be32],
  gre_local: [6, "IFLA_GRE_LOCAL", ip],
  gre_remote: [7, "IFLA_GRE_REMOTE", ip],
  gre_ttl: [8, "IFLA_GRE_TTL", u8],
  gre_tos: [9, "IFLA_GRE_TOS", u8],
  gre_pmtudisc: [10, "IFLA_GRE_PMTUDISC", u8],
  gre_encap_limit: [11, "IFLA_GRE_ENCAP_LIMIT", u8],
  gre_flowinfo: [12, "IFLA_GRE_FLOWINFO", be32],
  gre_flags: [13, "IFLA_GRE_FLAGS", u32],
  gre_encap_type: [14, "IFLA_GRE_ENCAP_TYPE", u16],
  gre_encap_flags: [15, "IFLA_GRE_ENCAP_FLAGS", u16],
  gre_encap_sport: [16, "IFLA_GRE_ENCAP_SPORT", be16],
  gre_encap_dport: [17, "IFLA_GRE_ENCAP_DPORT", be16],
  gre_collect_metadata: [18, "IFLA_GRE_COLLECT_METADATA", flag],
  gre_ignore_df: [19, "IFLA_GRE_IGNORE_DF", u8],
  gre_fwmark: [20, "IFLA_GRE_FWMARK", u32],
  gre_erspan_index: [21, "IFLA_GRE_ERSPAN_INDEX", u32],
  gre_erspan_ver: [22, "IFLA_GRE_ERSPAN_VER", u8],
  gre_erspan_dir: [23, "IFLA_GRE_ERSPAN_DIR", u8],
  gre_erspan_hwid: [24, "IFLA_GRE_ERSPAN_HWID", u16],
});
