/**
 * Links: struct ifinfomsg and the IFLA_* attributes (linux/if_link.h, linux/rtnetlink.h), with
 * the address-family payloads of IFLA_AF_SPEC / IFLA_PROTINFO (linux/if_link.h,
 * linux/if_bridge.h). Kind-specific IFLA_INFO_DATA tables live in link_kinds/.
 *
 * Rows marked "newer than the installed 6.1 uapi headers" are sent by the running 6.18 kernel
 * (seen in captures) and carry their upstream names and numbers.
 * @module
 */

import { type Codec, type DecodeContext, array, asciiz, asciizMax, be16, bytes, fixedStruct, ip6, mac, paddedMac, s32, string, struct, u16, u32, u64, u8, uint } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, type Row, attrs, nested, switchOn } from "../marshal/schema.ts";
import { IFF } from "./constants.ts";
import { bridgeSlaveData } from "./link_kinds/bridge_slave.ts";
import { linkKinds, slaveKinds } from "./link_kinds/mod.ts";

// struct ifinfomsg {
//   unsigned char ifi_family; unsigned char __ifi_pad; unsigned short ifi_type;
//   int ifi_index; unsigned ifi_flags; unsigned ifi_change;
// };
const ifinfomsgFields = fixedStruct({
  family: u8,
  __align: u8,
  ifi_type: u16,
  index: s32,
  flags: u32,
  change: u32,
}, "ifinfomsg");

const statsFields = [
  "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
  "multicast", "collisions", "rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors",
  "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
  "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler",
] as const;

/**
 * struct rtnl_link_stats (IFLA_STATS): the 24 counters below as __u32, in this order.
 *
 * ```c
 * struct rtnl_link_stats {
 *   __u32 rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped;
 *   __u32 multicast, collisions;
 *   __u32 rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors, rx_fifo_errors, rx_missed_errors;
 *   __u32 tx_aborted_errors, tx_carrier_errors, tx_fifo_errors, tx_heartbeat_errors, tx_window_errors;
 *   __u32 rx_compressed, tx_compressed, rx_nohandler;
 * };
 * ```
 */
export const rtnlLinkStats = struct(Object.fromEntries(statsFields.map((f) => [f, u32])), "rtnl_link_stats");

/**
 * struct rtnl_link_stats64 (IFLA_STATS64): the same counters as __u64 plus rx_otherhost_dropped.
 * Older kernels send fewer fields and newer ones more; `struct()` keeps either byte-exact.
 *
 * ```c
 * struct rtnl_link_stats64 {
 *   __u64 rx_packets ... rx_nohandler;   // as rtnl_link_stats, 64-bit
 *   __u64 rx_otherhost_dropped;
 * };
 * ```
 */
export const rtnlLinkStats64 = struct(Object.fromEntries([...statsFields, "rx_otherhost_dropped"].map((f) => [f, u64])), "rtnl_link_stats64");

/**
 * struct rtnl_link_ifmap (IFLA_MAP). The kernel copies the whole struct, so the 4 bytes of
 * tail padding x86_64 adds are on the wire too (32 bytes in the capture).
 *
 * ```c
 * struct rtnl_link_ifmap { __u64 mem_start; __u64 mem_end; __u64 base_addr; __u16 irq; __u8 dma; __u8 port; };
 * ```
 */
export const rtnlLinkIfmap = struct({ mem_start: u64, mem_end: u64, base_addr: u64, irq: u16, dma: u8, port: u8, __pad: u32 }, "rtnl_link_ifmap");

// struct ifla_cacheinfo { __u32 max_reasm_len; __u32 tstamp; __u32 reachable_time; __u32 retrans_time; };
const iflaCacheinfo = struct({ max_reasm_len: u32, tstamp: u32, reachable_time: u32, retrans_time: u32 }, "ifla_cacheinfo");

/**
 * IFLA_INET_* (linux/if_link.h): AF_INET in IFLA_AF_SPEC.
 *
 * On dumps the kernel puts IFLA_INET_CONF as a packed `__u32[IPV4_DEVCONF_MAX]` array
 * (inet_fill_link_af), not as nested attributes (that form is only parsed on set), so it is
 * `array(u32)`: entry i is devconf i + 1.
 */
export const inetAttrs: AttrTable = attrs("IFLA_INET", {
  inet_conf: [1, "IFLA_INET_CONF", array(u32)],
});

/** IFLA_INET6_* (linux/if_link.h): AF_INET6 in IFLA_AF_SPEC and IFLA_PROTINFO. */
export const inet6Attrs: AttrTable = attrs("IFLA_INET6", {
  inet6_flags: [1, "IFLA_INET6_FLAGS", u32],
  inet6_conf: [2, "IFLA_INET6_CONF", array(s32)],
  inet6_stats: [3, "IFLA_INET6_STATS", array(u64)],
  // never filled by the kernel
  inet6_mcast: [4, "IFLA_INET6_MCAST", bytes],
  inet6_cacheinfo: [5, "IFLA_INET6_CACHEINFO", iflaCacheinfo],
  inet6_icmp6stats: [6, "IFLA_INET6_ICMP6STATS", array(u64)],
  inet6_token: [7, "IFLA_INET6_TOKEN", ip6],
  inet6_addr_gen_mode: [8, "IFLA_INET6_ADDR_GEN_MODE", u8],
  inet6_ra_mtu: [9, "IFLA_INET6_RA_MTU", u32],
});

/** IFLA_AF_SPEC for families 0, AF_INET, AF_INET6: one nest per address family number. */
export const afSpec: AttrTable = attrs("IFLA_AF_SPEC", {
  inet: [2, "AF_INET", nested(inetAttrs)],
  inet6: [10, "AF_INET6", nested(inet6Attrs)],
});

/** IFLA_BRIDGE_VLAN_TUNNEL_* (linux/if_bridge.h). */
export const bridgeVlanTunnelAttrs: AttrTable = attrs("IFLA_BRIDGE_VLAN_TUNNEL", {
  bridge_vlan_tunnel_id: [1, "IFLA_BRIDGE_VLAN_TUNNEL_ID", u32],
  bridge_vlan_tunnel_vid: [2, "IFLA_BRIDGE_VLAN_TUNNEL_VID", u16],
  bridge_vlan_tunnel_flags: [3, "IFLA_BRIDGE_VLAN_TUNNEL_FLAGS", u16],
});

/**
 * IFLA_BRIDGE_* (linux/if_bridge.h): IFLA_AF_SPEC of AF_BRIDGE messages (`bridge vlan`). This
 * enum has no UNSPEC: IFLA_BRIDGE_FLAGS is 0.
 * MRP, CFM and MST are deep per-feature trees kept as raw bytes.
 */
export const bridgeAfSpec: AttrTable = attrs("IFLA_BRIDGE", {
  bridge_flags: [0, "IFLA_BRIDGE_FLAGS", u16],
  bridge_mode: [1, "IFLA_BRIDGE_MODE", u16],
  // struct bridge_vlan_info { __u16 flags; __u16 vid; };
  bridge_vlan_info: [2, "IFLA_BRIDGE_VLAN_INFO", struct({ flags: u16, vid: u16 }, "bridge_vlan_info")],
  bridge_vlan_tunnel_info: [3, "IFLA_BRIDGE_VLAN_TUNNEL_INFO", nested(bridgeVlanTunnelAttrs)],
  bridge_mrp: [4, "IFLA_BRIDGE_MRP", bytes],
  bridge_cfm: [5, "IFLA_BRIDGE_CFM", bytes],
  bridge_mst: [6, "IFLA_BRIDGE_MST", bytes],
});

/** IFLA_XDP_* (linux/if_link.h). */
export const xdpAttrs: AttrTable = attrs("IFLA_XDP", {
  xdp_fd: [1, "IFLA_XDP_FD", s32],
  xdp_attached: [2, "IFLA_XDP_ATTACHED", u8],
  xdp_flags: [3, "IFLA_XDP_FLAGS", u32],
  xdp_prog_id: [4, "IFLA_XDP_PROG_ID", u32],
  xdp_drv_prog_id: [5, "IFLA_XDP_DRV_PROG_ID", u32],
  xdp_skb_prog_id: [6, "IFLA_XDP_SKB_PROG_ID", u32],
  xdp_hw_prog_id: [7, "IFLA_XDP_HW_PROG_ID", u32],
  xdp_expected_fd: [8, "IFLA_XDP_EXPECTED_FD", s32],
});

/** IFLA_PROTO_DOWN_REASON_* (linux/if_link.h). */
export const protoDownReasonAttrs: AttrTable = attrs("IFLA_PROTO_DOWN_REASON", {
  proto_down_reason_mask: [1, "IFLA_PROTO_DOWN_REASON_MASK", u32],
  proto_down_reason_value: [2, "IFLA_PROTO_DOWN_REASON_VALUE", u32],
});

/** IFLA_PROP_LIST contents: repeated IFLA_ALT_IFNAME (`ip link property add ... altname`). */
export const propListAttrs: AttrTable = attrs("IFLA_PROP_LIST", {
  alt_ifname: [53, "IFLA_ALT_IFNAME", asciizMax(127)],
});

// Nests owned by other generic-netlink families (linux/devlink.h, linux/dpll.h): no rows here, but
// `nested(…, { flag: true })` keeps NLA_F_NESTED when encoding from JSON, as the kernel sends it.
const devlinkPortAttrs: AttrTable = attrs("IFLA_DEVLINK_PORT", {});
const dpllPinAttrs: AttrTable = attrs("IFLA_DPLL_PIN", {});

// SR-IOV: one IFLA_VF_INFO per virtual function, each setting a struct that starts with the VF's
// number (linux/if_link.h struct ifla_vf_*; explicit padding where C pads)
const vfSetting = (name: string) => fixedStruct({ vf: u32, setting: u32 }, name);
const vfGuid = fixedStruct({ vf: u32, __pad: u32, guid: u64 }, "ifla_vf_guid");

/**
 * IFLA_VF_STATS_* (linux/if_link.h): a VF's counters; numbering starts at 0.
 *
 * @example
 * ```ts
 * vfStatsAttrs.row("rx_packets")?.type; // 0
 * ```
 */
export const vfStatsAttrs: AttrTable = attrs("IFLA_VF_STATS", {
  rx_packets: [0, "IFLA_VF_STATS_RX_PACKETS", u64],
  tx_packets: [1, "IFLA_VF_STATS_TX_PACKETS", u64],
  rx_bytes: [2, "IFLA_VF_STATS_RX_BYTES", u64],
  tx_bytes: [3, "IFLA_VF_STATS_TX_BYTES", u64],
  broadcast: [4, "IFLA_VF_STATS_BROADCAST", u64],
  multicast: [5, "IFLA_VF_STATS_MULTICAST", u64],
  pad: [6, "IFLA_VF_STATS_PAD", bytes],
  rx_dropped: [7, "IFLA_VF_STATS_RX_DROPPED", u64],
  tx_dropped: [8, "IFLA_VF_STATS_TX_DROPPED", u64],
});

/**
 * IFLA_VF_VLAN_LIST's entries (linux/if_link.h): struct ifla_vf_vlan_info, with the VLAN protocol
 * (0x8100 802.1Q, 0x88a8 802.1ad) in network byte order.
 *
 * @example
 * ```ts
 * vfVlanListAttrs.row("vlan_info")?.name; // "IFLA_VF_VLAN_INFO"
 * ```
 */
export const vfVlanListAttrs: AttrTable = attrs("IFLA_VF_VLAN_INFO", {
  vlan_info: [1, "IFLA_VF_VLAN_INFO", fixedStruct({ vf: u32, vlan: u32, qos: u32, vlan_proto: be16, __pad: u16 }, "ifla_vf_vlan_info")],
});

/**
 * IFLA_VF_* (linux/if_link.h): the settings of one SR-IOV virtual function. `link_state` is
 * IFLA_VF_LINK_STATE_AUTO (0), _ENABLE (1) or _DISABLE (2).
 *
 * @example
 * ```ts
 * vfInfoAttrs.row("spoofchk")?.name; // "IFLA_VF_SPOOFCHK"
 * ```
 */
export const vfInfoAttrs: AttrTable = attrs("IFLA_VF", {
  mac: [1, "IFLA_VF_MAC", fixedStruct({ vf: u32, mac: paddedMac(32) }, "ifla_vf_mac")],
  vlan: [2, "IFLA_VF_VLAN", fixedStruct({ vf: u32, vlan: u32, qos: u32 }, "ifla_vf_vlan")],
  tx_rate: [3, "IFLA_VF_TX_RATE", fixedStruct({ vf: u32, rate: u32 }, "ifla_vf_tx_rate")],
  spoofchk: [4, "IFLA_VF_SPOOFCHK", vfSetting("ifla_vf_spoofchk")],
  link_state: [5, "IFLA_VF_LINK_STATE", fixedStruct({ vf: u32, link_state: u32 }, "ifla_vf_link_state")],
  rate: [6, "IFLA_VF_RATE", fixedStruct({ vf: u32, min_tx_rate: u32, max_tx_rate: u32 }, "ifla_vf_rate")],
  rss_query_en: [7, "IFLA_VF_RSS_QUERY_EN", vfSetting("ifla_vf_rss_query_en")],
  stats: [8, "IFLA_VF_STATS", nested(vfStatsAttrs)],
  trust: [9, "IFLA_VF_TRUST", vfSetting("ifla_vf_trust")],
  ib_node_guid: [10, "IFLA_VF_IB_NODE_GUID", vfGuid],
  ib_port_guid: [11, "IFLA_VF_IB_PORT_GUID", vfGuid],
  vlan_list: [12, "IFLA_VF_VLAN_LIST", nested(vfVlanListAttrs)],
  broadcast: [13, "IFLA_VF_BROADCAST", paddedMac(32)],
});

/**
 * IFLA_VFINFO_LIST's entries (linux/if_link.h): one IFLA_VF_INFO per virtual function.
 *
 * @example
 * ```ts
 * vfInfoListAttrs.row("info")?.name; // "IFLA_VF_INFO"
 * ```
 */
export const vfInfoListAttrs: AttrTable = attrs("IFLA_VF_INFO", {
  info: [1, "IFLA_VF_INFO", nested(vfInfoAttrs)],
});

const slaveDataByKind = switchOn("slave_kind", slaveKinds);

// `ip link set dev X type bond_slave ...` sends IFLA_INFO_KIND "bond_slave" and no
// IFLA_INFO_SLAVE_KIND: the port options then belong to the kind minus "_slave".
function slaveContext(ctx: DecodeContext): DecodeContext {
  return {
    lookup(key: string): unknown {
      const v = ctx.lookup(key);
      if (key !== "slave_kind" || v !== undefined) return v;
      const kind = ctx.lookup("kind");
      return typeof kind === "string" && kind.endsWith("_slave") ? kind.slice(0, -"_slave".length) : undefined;
    },
  };
}

/** IFLA_INFO_SLAVE_DATA: chosen by IFLA_INFO_SLAVE_KIND, or by an IFLA_INFO_KIND of "<kind>_slave". */
const slaveData: Codec<unknown, unknown> = {
  ...slaveDataByKind,
  decode: (r, off, len, ctx) => slaveDataByKind.decode(r, off, len, slaveContext(ctx)),
  prepare: (value, key, ctx) => slaveDataByKind.prepare(value, key, slaveContext(ctx)),
} as Codec<unknown, unknown>;

/** IFLA_INFO_* (linux/if_link.h). */
export const linkinfo = attrs("IFLA_INFO", {
  kind: [1, "IFLA_INFO_KIND", asciiz],
  data: [2, "IFLA_INFO_DATA", switchOn("kind", linkKinds)],
  // per-driver statistics structs (bond 802.3ad, can) with no common layout
  xstats: [3, "IFLA_INFO_XSTATS", bytes],
  slave_kind: [4, "IFLA_INFO_SLAVE_KIND", asciiz],
  slave_data: [5, "IFLA_INFO_SLAVE_DATA", slaveData],
});

/** IFLA_* (linux/if_link.h). */
export const linkAttrs = attrs("IFLA", {
  address: [1, "IFLA_ADDRESS", mac],
  broadcast: [2, "IFLA_BROADCAST", mac],
  ifname: [3, "IFLA_IFNAME", asciizMax(15)],
  mtu: [4, "IFLA_MTU", u32],
  link: [5, "IFLA_LINK", s32],
  qdisc: [6, "IFLA_QDISC", asciiz],
  stats: [7, "IFLA_STATS", rtnlLinkStats],
  // 8, 9, 11, 15: reserved names the kernel never fills, so no layout to trust
  cost: [8, "IFLA_COST", bytes],
  priority: [9, "IFLA_PRIORITY", bytes],
  master: [10, "IFLA_MASTER", u32],
  wireless: [11, "IFLA_WIRELESS", bytes],
  // AF_BRIDGE: the port's IFLA_BRPORT_* (sent with NLA_F_NESTED); AF_INET6: IFLA_INET6_*
  protinfo: [12, "IFLA_PROTINFO", switchOn("family", { 7: nested(bridgeSlaveData, { flag: true }), 10: nested(inet6Attrs) })],
  txqlen: [13, "IFLA_TXQLEN", u32],
  map: [14, "IFLA_MAP", rtnlLinkIfmap],
  weight: [15, "IFLA_WEIGHT", bytes],
  operstate: [16, "IFLA_OPERSTATE", u8],
  linkmode: [17, "IFLA_LINKMODE", u8],
  linkinfo: [18, "IFLA_LINKINFO", nested(linkinfo)],
  net_ns_pid: [19, "IFLA_NET_NS_PID", u32],
  ifalias: [20, "IFLA_IFALIAS", asciiz],
  num_vf: [21, "IFLA_NUM_VF", u32],
  // SR-IOV: IFLA_VF_* decoded; IFLA_PORT_* (802.1Qbg/bh port profiles) kept raw
  vfinfo_list: [22, "IFLA_VFINFO_LIST", nested(vfInfoListAttrs)],
  stats64: [23, "IFLA_STATS64", rtnlLinkStats64],
  vf_ports: [24, "IFLA_VF_PORTS", bytes],
  port_self: [25, "IFLA_PORT_SELF", bytes],
  af_spec: [26, "IFLA_AF_SPEC", switchOn("family", { 0: afSpec, 2: afSpec, 10: afSpec, 7: bridgeAfSpec })],
  group: [27, "IFLA_GROUP", u32],
  net_ns_fd: [28, "IFLA_NET_NS_FD", u32],
  ext_mask: [29, "IFLA_EXT_MASK", u32],
  promiscuity: [30, "IFLA_PROMISCUITY", u32],
  num_tx_queues: [31, "IFLA_NUM_TX_QUEUES", u32],
  num_rx_queues: [32, "IFLA_NUM_RX_QUEUES", u32],
  carrier: [33, "IFLA_CARRIER", u8],
  phys_port_id: [34, "IFLA_PHYS_PORT_ID", bytes],
  carrier_changes: [35, "IFLA_CARRIER_CHANGES", u32],
  phys_switch_id: [36, "IFLA_PHYS_SWITCH_ID", bytes],
  link_netnsid: [37, "IFLA_LINK_NETNSID", s32],
  phys_port_name: [38, "IFLA_PHYS_PORT_NAME", asciiz],
  proto_down: [39, "IFLA_PROTO_DOWN", u8],
  gso_max_segs: [40, "IFLA_GSO_MAX_SEGS", u32],
  gso_max_size: [41, "IFLA_GSO_MAX_SIZE", u32],
  pad: [42, "IFLA_PAD", bytes],
  xdp: [43, "IFLA_XDP", nested(xdpAttrs)],
  event: [44, "IFLA_EVENT", u32],
  new_netnsid: [45, "IFLA_NEW_NETNSID", s32],
  // IFLA_TARGET_NETNSID = IFLA_IF_NETNSID in the enum: one number, the current name
  target_netnsid: [46, "IFLA_TARGET_NETNSID", s32],
  carrier_up_count: [47, "IFLA_CARRIER_UP_COUNT", u32],
  carrier_down_count: [48, "IFLA_CARRIER_DOWN_COUNT", u32],
  new_ifindex: [49, "IFLA_NEW_IFINDEX", s32],
  min_mtu: [50, "IFLA_MIN_MTU", u32],
  max_mtu: [51, "IFLA_MAX_MTU", u32],
  prop_list: [52, "IFLA_PROP_LIST", nested(propListAttrs, { flag: true })],
  alt_ifname: [53, "IFLA_ALT_IFNAME", asciizMax(127)],
  perm_address: [54, "IFLA_PERM_ADDRESS", mac],
  proto_down_reason: [55, "IFLA_PROTO_DOWN_REASON", nested(protoDownReasonAttrs)],
  parent_dev_name: [56, "IFLA_PARENT_DEV_NAME", asciiz],
  parent_dev_bus_name: [57, "IFLA_PARENT_DEV_BUS_NAME", asciiz],
  gro_max_size: [58, "IFLA_GRO_MAX_SIZE", u32],
  tso_max_size: [59, "IFLA_TSO_MAX_SIZE", u32],
  tso_max_segs: [60, "IFLA_TSO_MAX_SEGS", u32],
  allmulti: [61, "IFLA_ALLMULTI", u32],
  // 62-69 are newer than the installed 6.1 uapi headers (Linux 6.4-6.15); the running kernel
  // sends them. 62 and 65 are NLA_F_NESTED nests of devlink / dpll generic-netlink attributes
  // (DEVLINK_ATTR_*, DPLL_A_*), empty on virtual devices; their contents decode as `#<n>`.
  devlink_port: [62, "IFLA_DEVLINK_PORT", nested(devlinkPortAttrs, { flag: true })],
  gso_ipv4_max_size: [63, "IFLA_GSO_IPV4_MAX_SIZE", u32],
  gro_ipv4_max_size: [64, "IFLA_GRO_IPV4_MAX_SIZE", u32],
  dpll_pin: [65, "IFLA_DPLL_PIN", nested(dpllPinAttrs, { flag: true })],
  max_pacing_offload_horizon: [66, "IFLA_MAX_PACING_OFFLOAD_HORIZON", uint],
  netns_immutable: [67, "IFLA_NETNS_IMMUTABLE", u8],
  headroom: [68, "IFLA_HEADROOM", u16],
  tailroom: [69, "IFLA_TAILROOM", u16],
});

/** struct ifinfomsg + IFLA_* attributes; `state` is "up" when IFF_UP is set. */
export const ifinfomsg = {
  name: "ifinfomsg",
  fields: ifinfomsgFields,
  attrs: linkAttrs,
  derived: {
    state: (m): "up" | "down" => ((m.get("flags") as number) & IFF.IFF_UP ? "up" : "down"),
  },
} satisfies MessageSchema;

// IFLA_INFO_KIND and IFLA_IFALIAS are NLA_STRINGs: the kernel's replies carry a NUL, but `ip`
// (and vishvananda/netlink) send strlen() bytes. Decoding stops at a NUL either way.
const nlaString: Codec<string, Uint8Array> = { ...string, name: "string", decode: asciiz.decode };

function withRows(table: AttrTable, replace: Readonly<Record<string, Codec<any, any> | AttrTable>>): AttrTable {
  const spec: Record<string, Row> = {};
  for (const r of table.rows) spec[r.key] = [r.type, r.name, replace[r.key] ?? r.codec];
  return attrs(table.name, spec);
}

/**
 * IFLA_* for requests: `linkAttrs`, except that IFLA_INFO_KIND and IFLA_IFALIAS go without their
 * NUL, byte for byte as `ip link` sends them.
 */
export const linkRequestAttrs: AttrTable = withRows(linkAttrs, { ifalias: nlaString, linkinfo: nested(withRows(linkinfo, { kind: nlaString })) });

/**
 * struct ifinfomsg for RTM_NEWLINK / RTM_DELLINK / RTM_*LINKPROP requests (see `linkRequestAttrs`).
 *
 * @example
 * ```ts
 * encodeMessage(ifinfomsgRequest, { type: RTM.RTM_NEWLINK, attrs: { ifname: "d0", linkinfo: { kind: "dummy" } } }).length; // 52
 * ```
 */
export const ifinfomsgRequest: MessageSchema = { ...ifinfomsg, attrs: linkRequestAttrs };
