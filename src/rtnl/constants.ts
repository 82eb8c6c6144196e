/**
 * RTNL numbers: message types, multicast groups, address families, interface flags, route
 * types/tables/protocols/scopes, neighbour states. From linux/rtnetlink.h, linux/if.h,
 * linux/neighbour.h, bits/socket.h. Every number is checked against the headers by a test.
 * @module
 */

/** rtnetlink message types (linux/rtnetlink.h). */
export const RTM = {
  RTM_NEWLINK: 16,
  RTM_DELLINK: 17,
  RTM_GETLINK: 18,
  RTM_SETLINK: 19,
  RTM_NEWADDR: 20,
  RTM_DELADDR: 21,
  RTM_GETADDR: 22,
  RTM_NEWROUTE: 24,
  RTM_DELROUTE: 25,
  RTM_GETROUTE: 26,
  RTM_NEWNEIGH: 28,
  RTM_DELNEIGH: 29,
  RTM_GETNEIGH: 30,
  RTM_NEWRULE: 32,
  RTM_DELRULE: 33,
  RTM_GETRULE: 34,
  RTM_NEWQDISC: 36,
  RTM_DELQDISC: 37,
  RTM_GETQDISC: 38,
  RTM_NEWTCLASS: 40,
  RTM_DELTCLASS: 41,
  RTM_GETTCLASS: 42,
  RTM_NEWTFILTER: 44,
  RTM_DELTFILTER: 45,
  RTM_GETTFILTER: 46,
  RTM_NEWNETCONF: 80,
  RTM_DELNETCONF: 81,
  RTM_GETNETCONF: 82,
  RTM_NEWNSID: 88,
  RTM_DELNSID: 89,
  RTM_GETNSID: 90,
  RTM_NEWNEXTHOP: 104,
  RTM_DELNEXTHOP: 105,
  RTM_GETNEXTHOP: 106,
  RTM_NEWVLAN: 112,
  RTM_DELVLAN: 113,
  RTM_GETVLAN: 114,
  RTM_NEWLINKPROP: 108,
  RTM_DELLINKPROP: 109,
  RTM_GETLINKPROP: 110,
  RTM_NEWNEXTHOPBUCKET: 116,
  RTM_DELNEXTHOPBUCKET: 117,
  RTM_GETNEXTHOPBUCKET: 118,
} as const;

/** rtnetlink multicast groups (enum rtnetlink_groups); bind/ADD_MEMBERSHIP use these numbers. */
export const RTNLGRP = {
  RTNLGRP_LINK: 1,
  RTNLGRP_NOTIFY: 2,
  RTNLGRP_NEIGH: 3,
  RTNLGRP_TC: 4,
  RTNLGRP_IPV4_IFADDR: 5,
  RTNLGRP_IPV4_MROUTE: 6,
  RTNLGRP_IPV4_ROUTE: 7,
  RTNLGRP_IPV4_RULE: 8,
  RTNLGRP_IPV6_IFADDR: 9,
  RTNLGRP_IPV6_MROUTE: 10,
  RTNLGRP_IPV6_ROUTE: 11,
  RTNLGRP_IPV6_IFINFO: 12,
  RTNLGRP_IPV6_PREFIX: 18,
  RTNLGRP_IPV6_RULE: 19,
  RTNLGRP_ND_USEROPT: 20,
  RTNLGRP_IPV4_NETCONF: 24,
  RTNLGRP_IPV6_NETCONF: 25,
  RTNLGRP_MDB: 26,
  RTNLGRP_MPLS_ROUTE: 27,
  RTNLGRP_NSID: 28,
  RTNLGRP_NEXTHOP: 32,
  RTNLGRP_BRVLAN: 33,
  RTNLGRP_TUNNEL: 35,
  RTNLGRP_STATS: 36,
} as const;

/** Address families (bits/socket.h). */
export const AF = {
  AF_UNSPEC: 0,
  AF_INET: 2,
  AF_BRIDGE: 7,
  AF_INET6: 10,
  AF_NETLINK: 16,
  AF_PACKET: 17,
  AF_MPLS: 28,
} as const;

/** Interface flags (linux/if.h, enum net_device_flags). */
export const IFF = {
  IFF_UP: 1 << 0,
  IFF_BROADCAST: 1 << 1,
  IFF_DEBUG: 1 << 2,
  IFF_LOOPBACK: 1 << 3,
  IFF_POINTOPOINT: 1 << 4,
  IFF_NOTRAILERS: 1 << 5,
  IFF_RUNNING: 1 << 6,
  IFF_NOARP: 1 << 7,
  IFF_PROMISC: 1 << 8,
  IFF_ALLMULTI: 1 << 9,
  IFF_MASTER: 1 << 10,
  IFF_SLAVE: 1 << 11,
  IFF_MULTICAST: 1 << 12,
  IFF_PORTSEL: 1 << 13,
  IFF_AUTOMEDIA: 1 << 14,
  IFF_DYNAMIC: 1 << 15,
  IFF_LOWER_UP: 1 << 16,
  IFF_DORMANT: 1 << 17,
  IFF_ECHO: 1 << 18,
} as const;

/** Route types (linux/rtnetlink.h, RTN_*). */
export const RTN = {
  RTN_UNSPEC: 0,
  RTN_UNICAST: 1,
  RTN_LOCAL: 2,
  RTN_BROADCAST: 3,
  RTN_ANYCAST: 4,
  RTN_MULTICAST: 5,
  RTN_BLACKHOLE: 6,
  RTN_UNREACHABLE: 7,
  RTN_PROHIBIT: 8,
  RTN_THROW: 9,
  RTN_NAT: 10,
  RTN_XRESOLVE: 11,
} as const;

/** Routing tables (enum rt_class_t). */
export const RT_TABLE = {
  RT_TABLE_UNSPEC: 0,
  RT_TABLE_COMPAT: 252,
  RT_TABLE_DEFAULT: 253,
  RT_TABLE_MAIN: 254,
  RT_TABLE_LOCAL: 255,
} as const;

/** Route protocols (RTPROT_*). */
export const RTPROT = {
  RTPROT_UNSPEC: 0,
  RTPROT_REDIRECT: 1,
  RTPROT_KERNEL: 2,
  RTPROT_BOOT: 3,
  RTPROT_STATIC: 4,
  RTPROT_GATED: 8,
  RTPROT_RA: 9,
  RTPROT_MRT: 10,
  RTPROT_ZEBRA: 11,
  RTPROT_BIRD: 12,
  RTPROT_DNROUTED: 13,
  RTPROT_XORP: 14,
  RTPROT_NTK: 15,
  RTPROT_DHCP: 16,
  RTPROT_MROUTED: 17,
  RTPROT_KEEPALIVED: 18,
  RTPROT_BABEL: 42,
  RTPROT_OPENR: 99,
  RTPROT_BGP: 186,
  RTPROT_ISIS: 187,
  RTPROT_OSPF: 188,
  RTPROT_RIP: 189,
  RTPROT_EIGRP: 192,
} as const;

/** Route scopes (enum rt_scope_t). */
export const RT_SCOPE = {
  RT_SCOPE_UNIVERSE: 0,
  RT_SCOPE_SITE: 200,
  RT_SCOPE_LINK: 253,
  RT_SCOPE_HOST: 254,
  RT_SCOPE_NOWHERE: 255,
} as const;

/** Neighbour states (linux/neighbour.h, NUD_*). */
export const NUD = {
  NUD_INCOMPLETE: 0x01,
  NUD_REACHABLE: 0x02,
  NUD_STALE: 0x04,
  NUD_DELAY: 0x08,
  NUD_PROBE: 0x10,
  NUD_FAILED: 0x20,
  NUD_NOARP: 0x40,
  NUD_PERMANENT: 0x80,
  NUD_NONE: 0x00,
} as const;

/** Neighbour flags (linux/neighbour.h, NTF_*). */
export const NTF = {
  NTF_USE: 1 << 0,
  NTF_SELF: 1 << 1,
  NTF_MASTER: 1 << 2,
  NTF_PROXY: 1 << 3,
  NTF_EXT_LEARNED: 1 << 4,
  NTF_OFFLOADED: 1 << 5,
  NTF_STICKY: 1 << 6,
  NTF_ROUTER: 1 << 7,
} as const;

/** Inverse lookup: the name of a value in one of the tables above. */
export function nameOf(table: Readonly<Record<string, number>>, value: number): string | undefined {
  for (const [k, v] of Object.entries(table)) if (v === value) return k;
  return undefined;
}
