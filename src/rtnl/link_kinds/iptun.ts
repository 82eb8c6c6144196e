/**
 * IP-in-IP tunnels: IFLA_INFO_DATA for kinds "ipip", "sit" and "ip6tnl" (IFLA_IPTUN_*,
 * linux/if_tunnel.h).
 * @module
 */

import type { Codec } from "../../marshal/codecs.ts";
import { be16, be32, flag, ip, ip4, ip6, u16, u32, u8 } from "../../marshal/codecs.ts";
import { type AttrTable, attrs } from "../../marshal/schema.ts";

// The drivers disagree on one size: ipip/sit put IFLA_IPTUN_FLAGS as 16 bits (SIT_ISATAP),
// ip6tnl as 32 bits (IP6_TNL_F_*), so the table is built once per width.
function iptun(flags: Codec<number, number>): AttrTable {
  return attrs("IFLA_IPTUN", {
    iptun_link: [1, "IFLA_IPTUN_LINK", u32],
    iptun_local: [2, "IFLA_IPTUN_LOCAL", ip],
    iptun_remote: [3, "IFLA_IPTUN_REMOTE", ip],
    iptun_ttl: [4, "IFLA_IPTUN_TTL", u8],
    iptun_tos: [5, "IFLA_IPTUN_TOS", u8],
    iptun_encap_limit: [6, "IFLA_IPTUN_ENCAP_LIMIT", u8],
    iptun_flowinfo: [7, "IFLA_IPTUN_FLOWINFO", be32],
    iptun_flags: [8, "IFLA_IPTUN_FLAGS", flags],
    iptun_proto: [9, "IFLA_IPTUN_PROTO", u8],
    iptun_pmtudisc: [10, "IFLA_IPTUN_PMTUDISC", u8],
    iptun_6rd_prefix: [11, "IFLA_IPTUN_6RD_PREFIX", ip6],
    iptun_6rd_relay_prefix: [12, "IFLA_IPTUN_6RD_RELAY_PREFIX", ip4],
    iptun_6rd_prefixlen: [13, "IFLA_IPTUN_6RD_PREFIXLEN", u16],
    iptun_6rd_relay_prefixlen: [14, "IFLA_IPTUN_6RD_RELAY_PREFIXLEN", u16],
    iptun_encap_type: [15, "IFLA_IPTUN_ENCAP_TYPE", u16],
    iptun_encap_flags: [16, "IFLA_IPTUN_ENCAP_FLAGS", u16],
    iptun_encap_sport: [17, "IFLA_IPTUN_ENCAP_SPORT", be16],
    iptun_encap_dport: [18, "IFLA_IPTUN_ENCAP_DPORT", be16],
    iptun_collect_metadata: [19, "IFLA_IPTUN_COLLECT_METADATA", flag],
    iptun_fwmark: [20, "IFLA_IPTUN_FWMARK", u32],
  });
}

/**
 * IFLA_IPTUN_* for ipip and sit (IPv4 outer addresses, 16-bit flags).
 *
 * @example
 * ```ts
 * iptunData.row("iptun_flags")?.codec.name; // "u16"
 * ```
 */
export const iptunData: AttrTable = iptun(u16);

/**
 * IFLA_IPTUN_* for ip6tnl (IPv6 outer addresses, 32-bit flags).
 *
 * @example
 * ```ts
 * ip6tnlData.row("iptun_flags")?.codec.name; // "u32"
 * ```
 */
export const ip6tnlData: AttrTable = iptun(u32);
