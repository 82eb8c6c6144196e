/**
 * Routes: struct rtmsg and the RTA_* attributes (linux/rtnetlink.h), with the RTAX_* metrics
 * (linux/rtnetlink.h) and the lightweight tunnel encapsulations of RTA_ENCAP (linux/lwtunnel.h,
 * linux/mpls_iptunnel.h, linux/ila.h, linux/seg6_iptunnel.h, linux/seg6_local.h,
 * linux/rpl_iptunnel.h, linux/ioam6_iptunnel.h).
 * @module
 */

import {
  asciiz,
  be16,
  be32,
  be64,
  bytes,
  type Codec,
  fixedStruct,
  formatIp4,
  formatIp6,
  fromHex,
  ip,
  ip4,
  ip6,
  parseIp,
  s32,
  show,
  struct,
  toHex,
  u16,
  u32,
  u64,
  u8,
} from "../marshal/codecs.ts";
import { NetlinkDecodeError } from "../marshal/errors.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs, nested, records, switchOn } from "../marshal/schema.ts";

// struct rtmsg { unsigned char rtm_family, rtm_dst_len, rtm_src_len, rtm_tos, rtm_table,
//                rtm_protocol, rtm_scope, rtm_type; unsigned rtm_flags; };
const rtmsgFields = fixedStruct({
  family: u8,
  dst_len: u8,
  src_len: u8,
  tos: u8,
  table: u8,
  proto: u8,
  scope: u8,
  type: u8,
  flags: u32,
}, "rtmsg");

// ---------------------------------------------------------------------------------------------
// structs and small codecs

// struct rta_cacheinfo {
//   __u32 rta_clntref; __u32 rta_lastuse; __s32 rta_expires; __u32 rta_error; __u32 rta_used;
//   __u32 rta_id; __u32 rta_ts; __u32 rta_tsage;
// };
const rtaCacheinfo = struct({
  rta_clntref: u32,
  rta_lastuse: u32,
  rta_expires: s32,
  rta_error: u32,
  rta_used: u32,
  rta_id: u32,
  rta_ts: u32,
  rta_tsage: u32,
}, "rta_cacheinfo");

// struct rta_mfc_stats { __u64 mfcs_packets; __u64 mfcs_bytes; __u64 mfcs_wrong_if; };
const rtaMfcStats = struct({ mfcs_packets: u64, mfcs_bytes: u64, mfcs_wrong_if: u64 }, "rta_mfc_stats");

// struct rtnexthop { unsigned short rtnh_len; unsigned char rtnh_flags; unsigned char rtnh_hops;
//                    int rtnh_ifindex; };
// rtnh_ifindex is named `oif` as in pyroute2.
const rtnexthop = fixedStruct({ len: u16, flags: u8, hops: u8, oif: s32 }, "rtnexthop");

/** Decoded RTA_VIA: the address family and the address (text for IPv4/IPv6, else hex). */
export interface RtVia {
  /** AF_INET, AF_INET6, AF_PACKET... */
  family: number;
  /** "192.0.2.1", "2001:db8::1", or hex bytes for other families. */
  addr: string;
}

// struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; };
const AF_INET = 2;
const AF_INET6 = 10;
/** RTA_VIA: `{ family, addr }`, the address formatted by its length (4: IPv4, 16: IPv6). */
export const rtvia: Codec<RtVia, { family: number; addr: Uint8Array }> = {
  name: "rtvia",
  decode(r, off, len) {
    if (len < 2) throw new NetlinkDecodeError(`Cannot decode rtvia: expected at least 2 bytes, got ${len}`);
    const family = r.dv.getUint16(off, true);
    const n = len - 2;
    const addr = n === 4 ? formatIp4(r.u8, off + 2) : n === 16 ? formatIp6(r.u8, off + 2) : toHex(r.u8.subarray(off + 2, off + len));
    return { family, addr };
  },
  prepare(value, key) {
    if (value === null || typeof value !== "object") throw new TypeError(`Invalid ${key}: expected { family, addr }, got ${show(value)}`);
    const v = value as Record<string, unknown>;
    if (typeof v.addr !== "string") throw new TypeError(`Invalid ${key}.addr: expected an address string, got ${show(v.addr)}`);
    const isIp = /[.:]/.test(v.addr);
    const addr = isIp ? parseIp(v.addr) : fromHex(v.addr, `${key}.addr`);
    if (!addr) throw new TypeError(`Invalid ${key}.addr: ${show(v.addr)} is not an IP address`);
    const family = v.family ?? (isIp ? (addr.length === 4 ? AF_INET : AF_INET6) : undefined);
    if (typeof family !== "number" || !Number.isInteger(family) || family < 0 || family > 0xffff) {
      throw new TypeError(`Invalid ${key}.family: expected an address family number, got ${show(family)}`);
    }
    return { family, addr };
  },
  sizeOf: (p) => 2 + p.addr.length,
  write(w, off, p) {
    w.dv.setUint16(off, p.family, true);
    w.u8.set(p.addr, off + 2);
  },
  toJSON: (v) => ({ ...v }),
};

// ---------------------------------------------------------------------------------------------
// RTA_METRICS

/** RTAX_* (linux/rtnetlink.h): the route metrics nested in RTA_METRICS. */
export const metricsAttrs: AttrTable = attrs("RTAX", {
  lock: [1, "RTAX_LOCK", u32],
  mtu: [2, "RTAX_MTU", u32],
  window: [3, "RTAX_WINDOW", u32],
  rtt: [4, "RTAX_RTT", u32],
  rttvar: [5, "RTAX_RTTVAR", u32],
  ssthresh: [6, "RTAX_SSTHRESH", u32],
  cwnd: [7, "RTAX_CWND", u32],
  advmss: [8, "RTAX_ADVMSS", u32],
  reordering: [9, "RTAX_REORDERING", u32],
  hoplimit: [10, "RTAX_HOPLIMIT", u32],
  initcwnd: [11, "RTAX_INITCWND", u32],
  features: [12, "RTAX_FEATURES", u32],
  rto_min: [13, "RTAX_RTO_MIN", u32],
  initrwnd: [14, "RTAX_INITRWND", u32],
  quickack: [15, "RTAX_QUICKACK", u32],
  cc_algo: [16, "RTAX_CC_ALGO", asciiz],
  fastopen_no_cookie: [17, "RTAX_FASTOPEN_NO_COOKIE", u32],
});

// ---------------------------------------------------------------------------------------------
// RTA_ENCAP payloads, by RTA_ENCAP_TYPE (enum lwtunnel_encap_types)

/** MPLS_IPTUNNEL_* (linux/mpls_iptunnel.h): LWTUNNEL_ENCAP_MPLS. */
export const mplsEncapAttrs: AttrTable = attrs("MPLS_IPTUNNEL", {
  // a label stack: struct mpls_label entries, big-endian
  dst: [1, "MPLS_IPTUNNEL_DST", bytes],
  ttl: [2, "MPLS_IPTUNNEL_TTL", u8],
});

/** LWTUNNEL_IP_OPT_GENEVE_* (linux/lwtunnel.h). */
export const geneveOptAttrs: AttrTable = attrs("LWTUNNEL_IP_OPT_GENEVE", {
  class: [1, "LWTUNNEL_IP_OPT_GENEVE_CLASS", be16],
  type: [2, "LWTUNNEL_IP_OPT_GENEVE_TYPE", u8],
  data: [3, "LWTUNNEL_IP_OPT_GENEVE_DATA", bytes],
});

/** LWTUNNEL_IP_OPT_VXLAN_* (linux/lwtunnel.h). */
export const vxlanOptAttrs: AttrTable = attrs("LWTUNNEL_IP_OPT_VXLAN", {
  gbp: [1, "LWTUNNEL_IP_OPT_VXLAN_GBP", u32],
});

/** LWTUNNEL_IP_OPT_ERSPAN_* (linux/lwtunnel.h). */
export const erspanOptAttrs: AttrTable = attrs("LWTUNNEL_IP_OPT_ERSPAN", {
  ver: [1, "LWTUNNEL_IP_OPT_ERSPAN_VER", u8],
  index: [2, "LWTUNNEL_IP_OPT_ERSPAN_INDEX", be32],
  dir: [3, "LWTUNNEL_IP_OPT_ERSPAN_DIR", u8],
  hwid: [4, "LWTUNNEL_IP_OPT_ERSPAN_HWID", u8],
});

/** LWTUNNEL_IP_OPTS_* (linux/lwtunnel.h): tunnel options of LWTUNNEL_IP(6)_OPTS. */
export const ipEncapOptsAttrs: AttrTable = attrs("LWTUNNEL_IP_OPTS", {
  geneve: [1, "LWTUNNEL_IP_OPTS_GENEVE", nested(geneveOptAttrs)],
  vxlan: [2, "LWTUNNEL_IP_OPTS_VXLAN", nested(vxlanOptAttrs)],
  erspan: [3, "LWTUNNEL_IP_OPTS_ERSPAN", nested(erspanOptAttrs)],
});

/** LWTUNNEL_IP_* (linux/lwtunnel.h, enum lwtunnel_ip_t): LWTUNNEL_ENCAP_IP. */
export const ipEncapAttrs: AttrTable = attrs("LWTUNNEL_IP", {
  id: [1, "LWTUNNEL_IP_ID", be64],
  dst: [2, "LWTUNNEL_IP_DST", ip4],
  src: [3, "LWTUNNEL_IP_SRC", ip4],
  ttl: [4, "LWTUNNEL_IP_TTL", u8],
  tos: [5, "LWTUNNEL_IP_TOS", u8],
  flags: [6, "LWTUNNEL_IP_FLAGS", be16],
  pad: [7, "LWTUNNEL_IP_PAD", bytes],
  opts: [8, "LWTUNNEL_IP_OPTS", nested(ipEncapOptsAttrs)],
});

/** LWTUNNEL_IP6_* (linux/lwtunnel.h, enum lwtunnel_ip6_t): LWTUNNEL_ENCAP_IP6. */
export const ip6EncapAttrs: AttrTable = attrs("LWTUNNEL_IP6", {
  id: [1, "LWTUNNEL_IP6_ID", be64],
  dst: [2, "LWTUNNEL_IP6_DST", ip6],
  src: [3, "LWTUNNEL_IP6_SRC", ip6],
  hoplimit: [4, "LWTUNNEL_IP6_HOPLIMIT", u8],
  tc: [5, "LWTUNNEL_IP6_TC", u8],
  flags: [6, "LWTUNNEL_IP6_FLAGS", be16],
  pad: [7, "LWTUNNEL_IP6_PAD", bytes],
  opts: [8, "LWTUNNEL_IP6_OPTS", nested(ipEncapOptsAttrs)],
});

/** ILA_ATTR_* (linux/ila.h): LWTUNNEL_ENCAP_ILA. */
export const ilaEncapAttrs: AttrTable = attrs("ILA_ATTR", {
  locator: [1, "ILA_ATTR_LOCATOR", u64],
  identifier: [2, "ILA_ATTR_IDENTIFIER", u64],
  locator_match: [3, "ILA_ATTR_LOCATOR_MATCH", u64],
  ifindex: [4, "ILA_ATTR_IFINDEX", s32],
  dir: [5, "ILA_ATTR_DIR", u32],
  pad: [6, "ILA_ATTR_PAD", bytes],
  csum_mode: [7, "ILA_ATTR_CSUM_MODE", u8],
  ident_type: [8, "ILA_ATTR_IDENT_TYPE", u8],
  hook_type: [9, "ILA_ATTR_HOOK_TYPE", u8],
});

/** SEG6_IPTUNNEL_* (linux/seg6_iptunnel.h): LWTUNNEL_ENCAP_SEG6. */
export const seg6EncapAttrs: AttrTable = attrs("SEG6_IPTUNNEL", {
  // struct seg6_iptunnel_encap { int mode; struct ipv6_sr_hdr srh[]; };
  srh: [1, "SEG6_IPTUNNEL_SRH", bytes],
});

/** LWT_BPF_PROG_* (linux/lwtunnel.h). */
export const lwtBpfProgAttrs: AttrTable = attrs("LWT_BPF_PROG", {
  fd: [1, "LWT_BPF_PROG_FD", u32],
  name: [2, "LWT_BPF_PROG_NAME", asciiz],
});

/** LWT_BPF_* (linux/lwtunnel.h): LWTUNNEL_ENCAP_BPF. */
export const bpfEncapAttrs: AttrTable = attrs("LWT_BPF", {
  in: [1, "LWT_BPF_IN", nested(lwtBpfProgAttrs)],
  out: [2, "LWT_BPF_OUT", nested(lwtBpfProgAttrs)],
  xmit: [3, "LWT_BPF_XMIT", nested(lwtBpfProgAttrs)],
  xmit_headroom: [4, "LWT_BPF_XMIT_HEADROOM", u32],
});

/** SEG6_LOCAL_BPF_PROG_* (linux/seg6_local.h). */
export const seg6LocalBpfAttrs: AttrTable = attrs("SEG6_LOCAL_BPF_PROG", {
  prog: [1, "SEG6_LOCAL_BPF_PROG", u32],
  prog_name: [2, "SEG6_LOCAL_BPF_PROG_NAME", asciiz],
});

/** SEG6_LOCAL_CNT_* (linux/seg6_local.h). */
export const seg6LocalCountersAttrs: AttrTable = attrs("SEG6_LOCAL_CNT", {
  pad: [1, "SEG6_LOCAL_CNT_PAD", bytes],
  packets: [2, "SEG6_LOCAL_CNT_PACKETS", u64],
  bytes: [3, "SEG6_LOCAL_CNT_BYTES", u64],
  errors: [4, "SEG6_LOCAL_CNT_ERRORS", u64],
});

/** SEG6_LOCAL_FLV_* (linux/seg6_local.h). */
export const seg6LocalFlavorsAttrs: AttrTable = attrs("SEG6_LOCAL_FLV", {
  operation: [1, "SEG6_LOCAL_FLV_OPERATION", u32],
  lcblock_bits: [2, "SEG6_LOCAL_FLV_LCBLOCK_BITS", u8],
  lcnode_fn_bits: [3, "SEG6_LOCAL_FLV_LCNODE_FN_BITS", u8],
});

/** SEG6_LOCAL_* (linux/seg6_local.h): LWTUNNEL_ENCAP_SEG6_LOCAL. */
export const seg6LocalEncapAttrs: AttrTable = attrs("SEG6_LOCAL", {
  action: [1, "SEG6_LOCAL_ACTION", u32],
  srh: [2, "SEG6_LOCAL_SRH", bytes],
  table: [3, "SEG6_LOCAL_TABLE", u32],
  nh4: [4, "SEG6_LOCAL_NH4", ip4],
  nh6: [5, "SEG6_LOCAL_NH6", ip6],
  iif: [6, "SEG6_LOCAL_IIF", u32],
  oif: [7, "SEG6_LOCAL_OIF", u32],
  bpf: [8, "SEG6_LOCAL_BPF", nested(seg6LocalBpfAttrs)],
  vrftable: [9, "SEG6_LOCAL_VRFTABLE", u32],
  counters: [10, "SEG6_LOCAL_COUNTERS", nested(seg6LocalCountersAttrs)],
  flavors: [11, "SEG6_LOCAL_FLAVORS", nested(seg6LocalFlavorsAttrs)],
});

/** RPL_IPTUNNEL_* (linux/rpl_iptunnel.h): LWTUNNEL_ENCAP_RPL. */
export const rplEncapAttrs: AttrTable = attrs("RPL_IPTUNNEL", {
  // struct ipv6_rpl_sr_hdr and its segments
  srh: [1, "RPL_IPTUNNEL_SRH", bytes],
});

/** IOAM6_IPTUNNEL_* (linux/ioam6_iptunnel.h): LWTUNNEL_ENCAP_IOAM6. */
export const ioam6EncapAttrs: AttrTable = attrs("IOAM6_IPTUNNEL", {
  mode: [1, "IOAM6_IPTUNNEL_MODE", u8],
  dst: [2, "IOAM6_IPTUNNEL_DST", ip6],
  // struct ioam6_trace_hdr
  trace: [3, "IOAM6_IPTUNNEL_TRACE", bytes],
  freq_k: [4, "IOAM6_IPTUNNEL_FREQ_K", u32],
  freq_n: [5, "IOAM6_IPTUNNEL_FREQ_N", u32],
});

/** LWT_XFRM_* (linux/lwtunnel.h): LWTUNNEL_ENCAP_XFRM. */
export const xfrmEncapAttrs: AttrTable = attrs("LWT_XFRM", {
  if_id: [1, "LWT_XFRM_IF_ID", u32],
  link: [2, "LWT_XFRM_LINK", u32],
});

/**
 * RTA_ENCAP / NHA_ENCAP payloads by encap type (enum lwtunnel_encap_types). One line per type.
 *
 * @example
 * ```ts
 * const row = [22, "RTA_ENCAP", switchOn("encap_type", lwtEncapKinds)];
 * ```
 */
export const lwtEncapKinds: Readonly<Record<number, AttrTable>> = {
  1: mplsEncapAttrs, // LWTUNNEL_ENCAP_MPLS
  2: ipEncapAttrs, // LWTUNNEL_ENCAP_IP
  3: ilaEncapAttrs, // LWTUNNEL_ENCAP_ILA
  4: ip6EncapAttrs, // LWTUNNEL_ENCAP_IP6
  5: seg6EncapAttrs, // LWTUNNEL_ENCAP_SEG6
  6: bpfEncapAttrs, // LWTUNNEL_ENCAP_BPF
  7: seg6LocalEncapAttrs, // LWTUNNEL_ENCAP_SEG6_LOCAL
  8: rplEncapAttrs, // LWTUNNEL_ENCAP_RPL
  9: ioam6EncapAttrs, // LWTUNNEL_ENCAP_IOAM6
  10: xfrmEncapAttrs, // LWTUNNEL_ENCAP_XFRM
};

// ---------------------------------------------------------------------------------------------
// RTA_*

// struct rta_session (a union by protocol; no longer used by the kernel) is kept as bytes.
/**
 * RTA_* (linux/rtnetlink.h, enum rtattr_type_t). RTA_MULTIPATH holds `struct rtnexthop`
 * records, each followed by RTA_* attributes of this same table.
 *
 * @example
 * ```ts
 * routeAttrs.row("RTA_MULTIPATH")?.type; // 9
 * ```
 */
export const routeAttrs = attrs("RTA", {
  dst: [1, "RTA_DST", ip],
  src: [2, "RTA_SRC", ip],
  iif: [3, "RTA_IIF", u32],
  oif: [4, "RTA_OIF", u32],
  gateway: [5, "RTA_GATEWAY", ip],
  priority: [6, "RTA_PRIORITY", u32],
  prefsrc: [7, "RTA_PREFSRC", ip],
  metrics: [8, "RTA_METRICS", nested(metricsAttrs)],
  multipath: [9, "RTA_MULTIPATH", records(rtnexthop, (): AttrTable => routeAttrs)],
  protoinfo: [10, "RTA_PROTOINFO", bytes],
  flow: [11, "RTA_FLOW", u32],
  cacheinfo: [12, "RTA_CACHEINFO", rtaCacheinfo],
  session: [13, "RTA_SESSION", bytes],
  mp_algo: [14, "RTA_MP_ALGO", u32],
  table: [15, "RTA_TABLE", u32],
  mark: [16, "RTA_MARK", u32],
  mfc_stats: [17, "RTA_MFC_STATS", rtaMfcStats],
  via: [18, "RTA_VIA", rtvia],
  // an MPLS label stack
  newdst: [19, "RTA_NEWDST", bytes],
  pref: [20, "RTA_PREF", u8],
  encap_type: [21, "RTA_ENCAP_TYPE", u16],
  encap: [22, "RTA_ENCAP", switchOn("encap_type", lwtEncapKinds)],
  expires: [23, "RTA_EXPIRES", u32],
  pad: [24, "RTA_PAD", bytes],
  uid: [25, "RTA_UID", u32],
  ttl_propagate: [26, "RTA_TTL_PROPAGATE", u8],
  ip_proto: [27, "RTA_IP_PROTO", u8],
  sport: [28, "RTA_SPORT", be16],
  dport: [29, "RTA_DPORT", be16],
  nh_id: [30, "RTA_NH_ID", u32],
});

/**
 * struct rtmsg + RTA_* attributes (RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE).
 *
 * @example
 * ```ts
 * encodeMessage(rtmsg, { type: RTM.RTM_GETROUTE, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const rtmsg = { name: "rtmsg", fields: rtmsgFields, attrs: routeAttrs, widened: ["table"] } satisfies MessageSchema;

/**
 * Next-hop flags (linux/rtnetlink.h, RTNH_F_*): rtm_flags of a route and rtnh_flags of each
 * RTA_MULTIPATH entry.
 *
 * @example
 * ```ts
 * RTNH_F.RTNH_F_ONLINK; // 4
 * ```
 */
export const RTNH_F = {
  RTNH_F_DEAD: 1,
  RTNH_F_PERVASIVE: 2,
  RTNH_F_ONLINK: 4,
  RTNH_F_OFFLOAD: 8,
  RTNH_F_LINKDOWN: 16,
  RTNH_F_UNRESOLVED: 32,
  RTNH_F_TRAP: 64,
} as const;

/**
 * Route flags (linux/rtnetlink.h, RTM_F_*) in rtm_flags.
 *
 * @example
 * ```ts
 * RTM_F.RTM_F_CLONED; // 0x200
 * ```
 */
export const RTM_F = {
  RTM_F_NOTIFY: 0x100,
  RTM_F_CLONED: 0x200,
  RTM_F_EQUALIZE: 0x400,
  RTM_F_PREFIX: 0x800,
  RTM_F_LOOKUP_TABLE: 0x1000,
  RTM_F_FIB_MATCH: 0x2000,
  RTM_F_OFFLOAD: 0x4000,
  RTM_F_TRAP: 0x8000,
  RTM_F_OFFLOAD_FAILED: 0x20000000,
} as const;

/**
 * RTA_PREF values (linux/icmpv6.h, ICMPV6_ROUTER_PREF_*): IPv6 router preference.
 *
 * @example
 * ```ts
 * ICMPV6_ROUTER_PREF.ICMPV6_ROUTER_PREF_HIGH; // 1
 * ```
 */
export const ICMPV6_ROUTER_PREF = {
  ICMPV6_ROUTER_PREF_LOW: 0x3,
  ICMPV6_ROUTER_PREF_MEDIUM: 0x0,
  ICMPV6_ROUTER_PREF_HIGH: 0x1,
  ICMPV6_ROUTER_PREF_INVALID: 0x2,
} as const;

/** Every attribute table declared in this file (the RTA_ENCAP ones are only reachable here). */
export const routeTables: readonly AttrTable[] = [
  routeAttrs,
  metricsAttrs,
  ...Object.values(lwtEncapKinds),
  ipEncapOptsAttrs,
  geneveOptAttrs,
  vxlanOptAttrs,
  erspanOptAttrs,
  lwtBpfProgAttrs,
  seg6LocalBpfAttrs,
  seg6LocalCountersAttrs,
  seg6LocalFlavorsAttrs,
];
