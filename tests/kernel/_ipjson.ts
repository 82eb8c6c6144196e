/**
 * The differential oracle: how `ip -json -details` (iproute2 6.1, the version installed here)
 * prints links, addresses, routes, rules and neighbours, as tables of
 * `ip` JSON key → (nlroute key or path, conversion). Every key `ip` prints must have a row: either
 * a comparison or a `skip` with the reason it cannot be compared. A key with no row fails the
 * comparison, so a newer iproute2 that prints more keys makes the test fail until the table is
 * extended.
 *
 * Conversions replicate ip's printing (lib/json_print.c, ip/ipaddress.c, ip/iproute.c,
 * ip/iprule.c, ip/ipneigh.c, ip/iplink_*.c of iproute2 v6.1.0), not pyroute2's.
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { type AttrPath, Attrs } from "../../mod.ts";

/** Anything a value can be read from: an NlMsg, a nested Attrs, a multipath record. */
export interface Source {
  get(key: AttrPath): unknown;
}

/** What conversions need beyond the object itself (ip resolves indexes through its link cache). */
export interface Ctx {
  /** ifindex → ifname, from nlroute's own link dump (whose ifnames are compared too). */
  readonly names: ReadonlyMap<number, string>;
  /** ifindex → ifi_flags (ip's M-DOWN flag looks at the IFLA_LINK device). */
  readonly flags: ReadonlyMap<number, number>;
}

/** Compare ip's value with the nlroute value at `from`, converted. */
export interface Cmp {
  /** nlroute key or path in the source; null when `conv` computes from the whole source. */
  readonly from: AttrPath | null;
  /** nlroute value → the value ip prints. */
  readonly conv?: (v: any, src: Source, ctx: Ctx) => unknown;
  /** Running timers and lifetimes: numbers equal within this much. */
  readonly tolerance?: number;
  /**
   * A countdown that restarts when it expires (the bridge gc timer reloads every ageing
   * period): also equal when one side is within `tolerance` of 0, as it expired between dumps.
   */
  readonly restarts?: boolean;
}

/** A key that cannot be compared, with the reason. */
export interface Skip {
  readonly skip: string;
}

/** A nested JSON object read from a nested attribute set (or from the same source). */
export interface Nest {
  readonly nest: AttrPath | null;
  /** The table for that object; a function when it depends on the source (the link kind). */
  readonly table: Table | ((src: Source) => Table | undefined);
  /** Suffix for report paths, e.g. the kind: "info_data(vxlan)". */
  readonly label?: (src: Source) => string;
}

/** A JSON array of objects, from a list of sources (multipath nexthops, addr_info). */
export interface List {
  readonly list: (src: Source, ctx: Ctx) => Source[];
  readonly table: Table;
  /** Match elements by key instead of by position. */
  readonly key?: { ip: (o: Record<string, unknown>) => string; nl: (s: Source) => string };
}

/** One row per ip JSON key. */
export type Row = Cmp | Skip | Nest | List;
/** ip JSON key → row. */
export type Table = Readonly<Record<string, Row>>;

/** One difference: where, what ip printed, what nlroute decoded (converted). */
export interface Mismatch {
  readonly key: string;
  readonly ip: unknown;
  readonly nlroute: unknown;
  readonly note?: string;
}

// ---------------------------------------------------------------------------------------------
// name tables, as iproute2 resolves them (built-in defaults, then /etc/iproute2 files)

function readNames(file: string, defaults: Record<number, string>): Map<number, string> {
  const out = new Map<number, string>(Object.entries(defaults).map(([k, v]) => [Number(k), v]));
  const files = [`/etc/iproute2/${file}`];
  try {
    for (const f of readdirSync(`/etc/iproute2/${file}.d`)) if (f.endsWith(".conf")) files.push(`/etc/iproute2/${file}.d/${f}`);
  } catch { /* no .d directory */ }
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n")) {
      const m = /^\s*(0x[0-9a-f]+|\d+)\s+(\S+)/i.exec(line);
      if (m) out.set(Number(m[1]), m[2]);
    }
  }
  return out;
}

const TABLES = readNames("rt_tables", { 0: "unspec", 253: "default", 254: "main", 255: "local" });
const PROTOS = readNames("rt_protos", {
  0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird",
  13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
  188: "ospf", 189: "rip", 192: "eigrp",
});
const SCOPES = readNames("rt_scopes", { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" });
const GROUPS = readNames("group", { 0: "default" });
const DSFIELDS = readNames("rt_dsfield", {});
const REALMS = readNames("rt_realms", { 0: "unknown" });

const named = (names: Map<number, string>) => (v: number) => names.get(v) ?? String(v);
const tableName = named(TABLES);
const protoName = named(PROTOS);
const scopeName = named(SCOPES);
const groupName = named(GROUPS);
const realmName = named(REALMS);
const dsfieldName = (v: number) => DSFIELDS.get(v) ?? `0x${v.toString(16).padStart(2, "0")}`;

function passwdName(file: string, id: number): string | number {
  try {
    for (const line of readFileSync(file, "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length > 2 && Number(f[2]) === id) return f[0];
    }
  } catch { /* no such file: ip prints the number too */ }
  return id;
}

/** RTN_* as rtnl_rtntype_n2a prints them. */
const RTN_NAMES = ["none", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"];
const rtnName = (v: number) => RTN_NAMES[v] ?? String(v);

/** family_name() of lib/utils.c. */
const FAMILY_NAMES: Record<number, string> = { 2: "inet", 10: "inet6", 17: "link", 28: "mpls", 7: "bridge" };

/** ARPHRD_* as ll_type_n2a prints them (lib/ll_types.c), the ones a namespace can hold. */
const ARPHRD_NAMES: Record<number, string> = {
  0: "netrom", 1: "ether", 2: "eether", 3: "ax25", 6: "ieee802", 7: "arcnet", 32: "infiniband", 256: "slip", 512: "ppp",
  768: "ipip", 769: "tunnel6", 772: "loopback", 776: "sit", 778: "gre", 823: "gre6", 824: "netlink", 825: "6lowpan",
  801: "ieee802.11", 803: "ieee802.11/radiotap", 65534: "none", 65535: "void",
};

/** print_0xhex in JSON: "%#llx", so 0 is "0" and 16 is "0x10". */
const hex0x = (v: number | bigint | undefined) => {
  const n = BigInt(v ?? 0);
  return n === 0n ? "0" : `0x${n.toString(16)}`;
};

const num = (v: unknown) => (typeof v === "bigint" ? Number(v) : v);
const bool = (v: unknown) => !!num(v);
const trueIfSet = (v: unknown) => (v === undefined ? undefined : true);
/** ll_index_to_name: the name, or "if%d" for an index ip does not know. */
const ifName = (v: number | undefined, _src: Source, ctx: Ctx) => (v === undefined ? undefined : ctx.names.get(v) ?? `if${v}`);
/** bridge ids: br_dump_bridge_id() prints "%.2x%.2x.%x:%x:%x:%x:%x:%x". */
const bridgeId = (v: { prio: number; addr: string } | undefined) =>
  v && `${v.prio.toString(16).padStart(4, "0")}.${v.addr.split(":").map((b) => parseInt(b, 16).toString(16)).join(":")}`;
/** clock_t timers: __jiffies_to_tv() then "%i.%.2i", i.e. value / 100; they run between the two dumps. */
const timer = (from: string): Cmp => ({ from, conv: (v: unknown) => (v === undefined ? undefined : Number(num(v)) / 100), tolerance: 1, restarts: true });

// ---------------------------------------------------------------------------------------------
// links: print_linkinfo() in ip/ipaddress.c

const IFF_ORDER: [string, number][] = [
  ["LOOPBACK", 0x8], ["BROADCAST", 0x2], ["POINTOPOINT", 0x10], ["MULTICAST", 0x1000], ["NOARP", 0x80], ["ALLMULTI", 0x200],
  ["PROMISC", 0x100], ["MASTER", 0x400], ["SLAVE", 0x800], ["DEBUG", 0x4], ["DYNAMIC", 0x8000], ["AUTOMEDIA", 0x4000],
  ["PORTSEL", 0x2000], ["NOTRAILERS", 0x20], ["UP", 0x1], ["LOWER_UP", 0x10000], ["DORMANT", 0x20000], ["ECHO", 0x40000],
];

/** print_link_flags(): NO-CARRIER first when up without RUNNING, names in ip's order, leftover bits in hex, M-DOWN last. */
export function linkFlags(flags: number, mdown: boolean): string[] {
  const out: string[] = [];
  if (flags & 0x1 && !(flags & 0x40)) out.push("NO-CARRIER");
  flags &= ~0x40;
  for (const [name, bit] of IFF_ORDER) {
    if (flags & bit) {
      flags &= ~bit;
      out.push(name);
    }
  }
  if (flags) out.push(flags.toString(16));
  if (mdown) out.push("M-DOWN");
  return out;
}

function mdown(src: Source, ctx: Ctx): boolean {
  // print_name_and_link(): the IFLA_LINK device is down (ll_index_to_flags is 0 when unknown)
  const link = src.get("link") as number | undefined;
  if (!link || src.get("link_netnsid") !== undefined) return false;
  return !((ctx.flags.get(link) ?? 0) & 0x1);
}

const OPER_STATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];
const ADDR_GEN_MODES: Record<number, string> = { 0: "eui64", 1: "none", 2: "stable_secret", 3: "random" };
const VXLAN_DF = ["unset", "set", "inherit"];
const BR_PORT_STATES = ["disabled", "listening", "learning", "forwarding", "blocking"];

/** IFLA_INFO_DATA of kind "vxlan": vxlan_print_opt() in ip/iplink_vxlan.c. */
export const VXLAN: Table = {
  external: { from: "vxlan_collect_metadata", conv: bool },
  vnifilter: { from: "vxlan_vnifilter", conv: bool },
  id: { from: "vxlan_id" },
  // ip prints IFLA_VXLAN_GROUP as "group" when multicast, as "remote" otherwise
  group: { from: "vxlan_group" },
  remote: { from: "vxlan_group" },
  group6: { from: "vxlan_group6" },
  remote6: { from: "vxlan_group6" },
  local: { from: "vxlan_local" },
  local6: { from: "vxlan_local6" },
  link: { from: "vxlan_link", conv: ifName },
  port_range: { from: "vxlan_port_range", conv: (v) => v && { low: v.low, high: v.high } },
  port: { from: "vxlan_port" },
  learning: { from: "vxlan_learning", conv: bool },
  proxy: { from: "vxlan_proxy", conv: bool },
  rsc: { from: "vxlan_rsc", conv: bool },
  l2miss: { from: "vxlan_l2miss", conv: bool },
  l3miss: { from: "vxlan_l3miss", conv: bool },
  tos: { from: "vxlan_tos", conv: hex0x },
  ttl: { from: "vxlan_ttl" },
  df: { from: "vxlan_df", conv: (v: number) => VXLAN_DF[v] },
  label: { from: "vxlan_label", conv: hex0x },
  ageing: { from: "vxlan_ageing" },
  limit: { from: "vxlan_limit" },
  udp_csum: { from: "vxlan_udp_csum", conv: bool },
  udp_zero_csum6_tx: { from: "vxlan_udp_zero_csum6_tx", conv: bool },
  udp_zero_csum6_rx: { from: "vxlan_udp_zero_csum6_rx", conv: bool },
  remcsum_tx: { from: "vxlan_remcsum_tx", conv: bool },
  remcsum_rx: { from: "vxlan_remcsum_rx", conv: bool },
  gbp: { from: "vxlan_gbp", conv: trueIfSet },
  gpe: { from: "vxlan_gpe", conv: trueIfSet },
};

/** IFLA_INFO_DATA of kind "bridge": bridge_print_opt() in ip/iplink_bridge.c. */
export const BRIDGE: Table = {
  // ip prints the IFLA_BR_* values as received: timers in clock_t (1/100 s)
  forward_delay: { from: "br_forward_delay" },
  hello_time: { from: "br_hello_time" },
  max_age: { from: "br_max_age" },
  ageing_time: { from: "br_ageing_time" },
  stp_state: { from: "br_stp_state" },
  priority: { from: "br_priority" },
  vlan_filtering: { from: "br_vlan_filtering" },
  vlan_protocol: { from: "br_vlan_protocol", conv: (v: number) => ({ 0x8100: "802.1Q", 0x88a8: "802.1ad" } as Record<number, string>)[v] ?? hex0x(v) },
  bridge_id: { from: "br_bridge_id", conv: bridgeId },
  // iproute2 6.1 formats IFLA_BR_BRIDGE_ID here (a bug); equal to the root id while the bridge
  // is its own root, as in this test's single-bridge namespace
  root_id: { from: "br_root_id", conv: bridgeId },
  root_port: { from: "br_root_port" },
  root_path_cost: { from: "br_root_path_cost" },
  topology_change: { from: "br_topology_change" },
  topology_change_detected: { from: "br_topology_change_detected" },
  hello_timer: timer("br_hello_timer"),
  tcn_timer: timer("br_tcn_timer"),
  topology_change_timer: timer("br_topology_change_timer"),
  gc_timer: timer("br_gc_timer"),
  vlan_default_pvid: { from: "br_vlan_default_pvid" },
  vlan_stats_enabled: { from: "br_vlan_stats_enabled" },
  vlan_stats_per_port: { from: "br_vlan_stats_per_port" },
  group_fwd_mask: { from: "br_group_fwd_mask", conv: hex0x },
  group_addr: { from: "br_group_addr" },
  mcast_snooping: { from: "br_mcast_snooping" },
  // bits of IFLA_BR_MULTI_BOOLOPT: BR_BOOLOPT_NO_LL_LEARN (0), BR_BOOLOPT_MCAST_VLAN_SNOOPING (1)
  no_linklocal_learn: { from: "br_multi_boolopt", conv: (v) => (v.optval >>> 0) & 1 },
  mcast_vlan_snooping: { from: "br_multi_boolopt", conv: (v) => (v.optval >>> 1) & 1 },
  mcast_router: { from: "br_mcast_router" },
  mcast_query_use_ifaddr: { from: "br_mcast_query_use_ifaddr" },
  mcast_querier: { from: "br_mcast_querier" },
  mcast_hash_elasticity: { from: "br_mcast_hash_elasticity" },
  mcast_hash_max: { from: "br_mcast_hash_max" },
  mcast_last_member_cnt: { from: "br_mcast_last_member_cnt" },
  mcast_startup_query_cnt: { from: "br_mcast_startup_query_cnt" },
  mcast_last_member_intvl: { from: "br_mcast_last_member_intvl", conv: num },
  mcast_membership_intvl: { from: "br_mcast_membership_intvl", conv: num },
  mcast_querier_intvl: { from: "br_mcast_querier_intvl", conv: num },
  mcast_query_intvl: { from: "br_mcast_query_intvl", conv: num },
  mcast_query_response_intvl: { from: "br_mcast_query_response_intvl", conv: num },
  mcast_startup_query_intvl: { from: "br_mcast_startup_query_intvl", conv: num },
  mcast_stats_enabled: { from: "br_mcast_stats_enabled" },
  mcast_igmp_version: { from: "br_mcast_igmp_version" },
  mcast_mld_version: { from: "br_mcast_mld_version" },
  nf_call_iptables: { from: "br_nf_call_iptables" },
  nf_call_ip6tables: { from: "br_nf_call_ip6tables" },
  nf_call_arptables: { from: "br_nf_call_arptables" },
};

/** _bitmask2str() of ip/iplink_bridge_slave.c for group_fwd_mask_str. */
function fwdMaskStr(mask: number): string {
  const names: Record<number, string> = { 0: "stp", 2: "lacp", 14: "lldp" };
  const out: string[] = [];
  for (let i = 0; mask; i++, mask >>= 1) if (mask & 1) out.push(names[i] ?? `0x${(1 << i).toString(16)}`);
  return out.length ? out.join(",") : "0x0";
}

/** IFLA_INFO_SLAVE_DATA of slave kind "bridge": bridge_slave_print_opt() in ip/iplink_bridge_slave.c. */
export const BRIDGE_PORT: Table = {
  state: { from: "state", conv: (v: number) => BR_PORT_STATES[v] },
  state_index: { from: "state" },
  priority: { from: "priority" },
  cost: { from: "cost" },
  hairpin: { from: "mode", conv: bool },
  guard: { from: "guard", conv: bool },
  root_block: { from: "protect", conv: bool },
  fastleave: { from: "fast_leave", conv: bool },
  learning: { from: "learning", conv: bool },
  flood: { from: "unicast_flood", conv: bool },
  id: { from: "id", conv: hex0x },
  no: { from: "no", conv: hex0x },
  designated_port: { from: "designated_port" },
  designated_cost: { from: "designated_cost" },
  bridge_id: { from: "bridge_id", conv: bridgeId },
  root_id: { from: "root_id", conv: bridgeId },
  hold_timer: timer("hold_timer"),
  message_age_timer: timer("message_age_timer"),
  forward_delay_timer: timer("forward_delay_timer"),
  topology_change_ack: { from: "topology_change_ack" },
  config_pending: { from: "config_pending" },
  proxy_arp: { from: "proxyarp", conv: bool },
  proxy_arp_wifi: { from: "proxyarp_wifi", conv: bool },
  multicast_router: { from: "multicast_router" },
  mcast_flood: { from: "mcast_flood", conv: bool },
  bcast_flood: { from: "bcast_flood", conv: bool },
  mcast_to_unicast: { from: "mcast_to_ucast", conv: bool },
  neigh_suppress: { from: "neigh_suppress", conv: bool },
  group_fwd_mask: { from: "group_fwd_mask", conv: hex0x },
  group_fwd_mask_str: { from: "group_fwd_mask", conv: fwdMaskStr },
  vlan_tunnel: { from: "vlan_tunnel", conv: bool },
  isolated: { from: "isolated", conv: bool },
  locked: { from: "locked", conv: bool },
  backup_port: { from: "backup_port", conv: ifName },
};

/** IFLA_INFO_DATA of kind "tun": tun_print_opt() in ip/iptuntap.c. */
export const TUN: Table = {
  type: { from: "tun_type", conv: (v: number) => (v === 1 ? "tun" : v === 2 ? "tap" : `UNKNOWN:${v}`) },
  pi: { from: "tun_pi", conv: bool },
  vnet_hdr: { from: "tun_vnet_hdr", conv: bool },
  multi_queue: { from: "tun_multi_queue", conv: bool },
  numqueues: { from: "tun_num_queues" },
  numdisabled: { from: "tun_num_disabled_queues" },
  persist: { from: "tun_persist", conv: bool },
  // getpwuid()/getgrgid(): the name when /etc/passwd or /etc/group has one, else the number
  user: { from: "tun_owner", conv: (v: number) => passwdName("/etc/passwd", v) },
  group: { from: "tun_group", conv: (v: number) => passwdName("/etc/group", v) },
};

/** Kinds whose IFLA_INFO_DATA ip prints (ip has no print_opt for veth and ifb). */
export const INFO_DATA: Readonly<Record<string, Table>> = { vxlan: VXLAN, bridge: BRIDGE, tun: TUN };
/** Slave kinds whose IFLA_INFO_SLAVE_DATA ip prints. */
export const INFO_SLAVE_DATA: Readonly<Record<string, Table>> = { bridge: BRIDGE_PORT };

/** IFLA_LINKINFO: print_linktype(). */
export const LINKINFO: Table = {
  info_kind: { from: "kind" },
  info_data: { nest: "data", table: (li) => INFO_DATA[li.get("kind") as string], label: (li) => `(${li.get("kind")})` },
  info_xstats: { skip: "printed only with -s (statistics are not compared: they change between the two dumps)" },
  info_slave_kind: { from: "slave_kind" },
  info_slave_data: { nest: "slave_data", table: (li) => INFO_SLAVE_DATA[li.get("slave_kind") as string], label: (li) => `(${li.get("slave_kind")})` },
};

/** `ip -json -details link show`: print_linkinfo(). */
export const LINK: Table = {
  ifindex: { from: "index" },
  ifname: { from: "ifname" },
  // IFLA_LINK: the device's name; null for index 0; link_index when in another namespace
  link: { from: "link", conv: (v: number | undefined, s, c) => (v === 0 ? null : s.get("link_netnsid") !== undefined ? undefined : ifName(v, s, c)) },
  link_index: { from: "link" },
  link_netnsid: { from: "link_netnsid" },
  flags: { from: null, conv: (_v, s, c) => linkFlags(s.get("flags") as number, mdown(s, c)) },
  mtu: { from: "mtu" },
  xdp: { skip: "xdp_dump() output; needs an attached BPF program, which this test does not load" },
  qdisc: { from: "qdisc" },
  master: { from: "master", conv: ifName },
  operstate: { from: "operstate", conv: (v: number) => OPER_STATES[v] },
  operstate_index: { from: "operstate" },
  linkmode: { from: "linkmode", conv: (v: number) => ["DEFAULT", "DORMANT"][v] },
  linkmode_index: { from: "linkmode" },
  group: { from: "group", conv: groupName },
  txqlen: { from: "txqlen" },
  event: { from: "event" },
  link_type: { from: null, conv: (_v, s) => ARPHRD_NAMES[s.get("ifi_type") as number] ?? `[${s.get("ifi_type")}]` },
  address: { from: "address" },
  link_pointtopoint: { from: null, conv: (_v, s) => ((s.get("flags") as number) & 0x10 ? true : undefined) },
  broadcast: { from: "broadcast" },
  permaddr: { from: "perm_address" },
  proto_down: { from: "proto_down", conv: bool },
  proto_down_reason: { skip: "names from /etc/iproute2/protodown_reasons.d; this namespace never sets a reason" },
  promiscuity: { from: "promiscuity" },
  allmulti: { from: "allmulti" },
  min_mtu: { from: "min_mtu" },
  max_mtu: { from: "max_mtu" },
  linkinfo: { nest: "linkinfo", table: LINKINFO },
  inet6_addr_gen_mode: {
    from: ["af_spec", "inet6", "inet6_addr_gen_mode"],
    conv: (v: number) => ADDR_GEN_MODES[v] ?? `0x${v.toString(16).padStart(2, "0")}`,
  },
  num_tx_queues: { from: "num_tx_queues" },
  num_rx_queues: { from: "num_rx_queues" },
  gso_max_size: { from: "gso_max_size" },
  gso_max_segs: { from: "gso_max_segs" },
  tso_max_size: { from: "tso_max_size" },
  tso_max_segs: { from: "tso_max_segs" },
  gro_max_size: { from: "gro_max_size" },
  phys_port_name: { from: "phys_port_name" },
  phys_port_id: { from: "phys_port_id", conv: (v: Uint8Array) => [...v].map((b) => b.toString(16).padStart(2, "0")).join("") },
  phys_switch_id: { from: "phys_switch_id", conv: (v: Uint8Array) => [...v].map((b) => b.toString(16).padStart(2, "0")).join("") },
  parentbus: { from: "parent_dev_bus_name" },
  parentdev: { from: "parent_dev_name" },
  ifalias: { from: "ifalias" },
  vfinfo_list: { skip: "SR-IOV virtual functions: no such hardware in a network namespace" },
  altnames: { from: "prop_list", conv: (v: Attrs | undefined) => v?.getAll("alt_ifname") ?? [] },
  stats: { skip: "printed only with -s; counters change between the two dumps" },
  stats64: { skip: "printed only with -s; counters change between the two dumps" },
};

// ---------------------------------------------------------------------------------------------
// addresses: print_addrinfo() in ip/ipaddress.c

const IFA_FLAG_ORDER: [string, number][] = [
  ["secondary", 0x01], ["nodad", 0x02], ["optimistic", 0x04], ["dadfailed", 0x08], ["home", 0x10], ["deprecated", 0x20],
  ["tentative", 0x40], ["permanent", 0x80], ["mngtmpaddr", 0x100], ["noprefixroute", 0x200], ["autojoin", 0x400],
  ["stable-privacy", 0x800],
];

/** print_ifa_flags(): the JSON keys it prints, with their values. */
export function addrFlags(flags: number, family: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, bit] of IFA_FLAG_ORDER) {
    if (bit === 0x80) {
      if (!(flags & bit)) out.dynamic = true;
    } else if (flags & bit) {
      out[bit === 0x01 && family === 10 ? "temporary" : name] = true;
    }
    flags &= ~bit;
  }
  if (flags) out.ifa_flags = flags.toString(16).padStart(2, "0");
  return out;
}

const addrFlag = (key: string): Cmp => ({ from: null, conv: (_v, s) => addrFlags(s.get("flags") as number, s.get("family") as number)[key] });
const lifetime = (key: "ifa_valid" | "ifa_prefered"): Cmp => ({
  from: ["cacheinfo", key],
  // INFINITY_LIFE_TIME is printed as the number; a finite one counts down while we look
  conv: (v: number, s) => (key === "ifa_prefered" && v !== 0xffffffff && (s.get("flags") as number) & 0x20 ? v | 0 : v),
  tolerance: 2,
});

/** One element of `addr_info`. */
export const ADDR: Table = {
  index: { from: "index" },
  dev: { from: null, conv: (_v, s, c) => ifName(s.get("index") as number, s, c) },
  family: { from: "family", conv: (v: number) => FAMILY_NAMES[v] },
  family_index: { from: "family" },
  // ip uses IFA_LOCAL, or IFA_ADDRESS when there is none; "address" only when they differ (peer)
  local: { from: null, conv: (_v, s) => s.get("local") ?? s.get("address") },
  address: { from: "address" },
  prefixlen: { from: "prefixlen" },
  metric: { from: "rt_priority" },
  broadcast: { from: "broadcast" },
  anycast: { from: "anycast" },
  scope: { from: "scope", conv: scopeName },
  ...Object.fromEntries([...IFA_FLAG_ORDER.map(([n]) => n), "temporary", "dynamic", "ifa_flags"].map((k) => [k, addrFlag(k)])),
  label: { from: "label" },
  valid_life_time: lifetime("ifa_valid"),
  preferred_life_time: lifetime("ifa_prefered"),
};

/** `ip -json -details addr show`: the link keys print_linkinfo() prints (without linkmode, inet6_addr_gen_mode), then addr_info. */
export function addrShowTable(addrsOf: (index: number) => Source[]): Table {
  return {
    ...LINK,
    addr_info: {
      list: (link) => addrsOf(link.get("index") as number),
      table: ADDR,
      key: {
        ip: (o) => `${o.family}|${o.local}|${o.prefixlen}`,
        nl: (s) => `${FAMILY_NAMES[s.get("family") as number]}|${s.get("local") ?? s.get("address")}|${s.get("prefixlen")}`,
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// routes: print_route() in ip/iproute.c

/** print_rt_flags(): RTNH_F_* and RTM_F_* names. */
export function rtFlags(flags: number): string[] {
  const names: [number, string][] = [
    [0x1, "dead"], [0x4, "onlink"], [0x2, "pervasive"], [0x8, "offload"], [0x40, "trap"], [0x100, "notify"],
    [0x10, "linkdown"], [0x20, "unresolved"], [0x2000, "rt_offload"], [0x4000, "rt_trap"], [0x20000, "rt_offload_failed"],
  ];
  return names.filter(([bit]) => flags & bit).map(([, n]) => n);
}

const hostLen = (family: number) => (family === 2 ? 32 : family === 10 ? 128 : -1);

/** dst / from: "a/len", "a" for a host route, "0/len " without the attribute, or "default". */
function prefix(addr: string | undefined, len: number, family: number, none: string | undefined): string | undefined {
  if (addr !== undefined) return len !== hostLen(family) ? `${addr}/${len}` : addr;
  return len ? `0/${len}` : none;
}

const RT_PREF: Record<number, string> = { 3: "low", 0: "medium", 1: "high" };
const USER_HZ = 100;

/** One element of RTA_METRICS' JSON object (print_rta_metrics()). */
const METRICS: Table = {
  mtu: { from: "mtu" },
  window: { from: "window" },
  rtt: { from: "rtt", conv: (v: number) => Math.floor(v / 8) },
  rttvar: { from: "rttvar", conv: (v: number) => Math.floor(v / 4) },
  ssthresh: { from: "ssthresh" },
  cwnd: { from: "cwnd" },
  advmss: { from: "advmss" },
  reordering: { from: "reordering" },
  hoplimit: { from: "hoplimit" },
  initcwnd: { from: "initcwnd" },
  features: { skip: "print_rtax_features() prints feature names; no route here sets RTAX_FEATURES" },
  rto_min: { from: "rto_min" },
  initrwnd: { from: "initrwnd" },
  quickack: { from: "quickack" },
  congestion: { from: "cc_algo" },
  fastopen_no_cookie: { from: "fastopen_no_cookie" },
};

/** A multipath record `{ flags, hops, oif, attrs }` as a Source. */
export function recordSource(rec: Record<string, unknown> & { attrs?: Attrs }): Source {
  return { get: (k) => (typeof k === "string" && k in rec && k !== "attrs" ? rec[k] : rec.attrs?.get(k)) };
}

/** One element of `nexthops`. */
export const NEXTHOP: Table = {
  encap: { skip: "lwt_print_encap(): no lightweight tunnels in this namespace" },
  newdst: { skip: "MPLS label stacks: no MPLS in this kernel" },
  gateway: { from: "gateway" },
  via: { from: "via", conv: (v) => v && { family: FAMILY_NAMES[v.family], host: v.addr } },
  flow_from: { skip: "realms: no route here sets RTA_FLOW" },
  flow_to: { skip: "realms: no route here sets RTA_FLOW" },
  dev: { from: "oif", conv: ifName },
  weight: { from: "hops", conv: (v: number) => v + 1 },
  ttl: { from: "hops" },
  flags: { from: "flags", conv: rtFlags },
};

/** `ip -json -details route show table all`. */
export const ROUTE: Table = {
  type: { from: "type", conv: rtnName },
  dst: { from: null, conv: (_v, s) => prefix(s.get("dst") as string, s.get("dst_len") as number, s.get("family") as number, "default") },
  from: { from: "src", conv: (v, s) => prefix(v, s.get("src_len") as number, s.get("family") as number, undefined) },
  src: { from: null, conv: (_v, s) => (s.get("src") === undefined && s.get("src_len") ? `0/${s.get("src_len")}` : undefined) },
  nhid: { from: "nh_id" },
  nh_info: { skip: "print_cache_nexthop_id(): ip fetches the nexthop object separately; no route here uses nexthop objects" },
  newdst: { skip: "MPLS label stacks: no MPLS in this kernel" },
  encap: { skip: "lwt_print_encap(): no lightweight tunnels in this namespace" },
  tos: { from: "tos", conv: dsfieldName },
  gateway: { from: "gateway" },
  via: { from: "via", conv: (v) => v && { family: FAMILY_NAMES[v.family], host: v.addr } },
  dev: { from: "oif", conv: ifName },
  // rtm_get_table(): RTA_TABLE, else rtm_table (NlMsg.get prefers the attribute)
  table: { from: "table", conv: tableName },
  protocol: { from: "proto", conv: protoName },
  scope: { from: "scope", conv: scopeName },
  prefsrc: { from: "prefsrc" },
  metric: { from: "priority" },
  flags: { from: "flags", conv: rtFlags },
  mark: { from: "mark" },
  flow_from: { from: "flow", conv: (v: number) => realmName(v >>> 16) },
  flow_to: { from: "flow", conv: (v: number) => realmName(v & 0xffff) },
  uid: { from: "uid" },
  expires: { from: ["cacheinfo", "rta_expires"], conv: (v: number) => Math.trunc(v / USER_HZ), tolerance: 2 },
  error: { from: ["cacheinfo", "rta_error"] },
  users: { skip: "printed only with -s" },
  used: { skip: "printed only with -s" },
  age: { skip: "printed only with -s" },
  ipid: { from: ["cacheinfo", "rta_id"], conv: hex0x },
  ts: { from: ["cacheinfo", "rta_ts"], conv: hex0x },
  tsage: { from: ["cacheinfo", "rta_tsage"] },
  cache: { skip: "print_cache_flags(): only for RTM_F_CLONED routes, which a plain dump does not return" },
  metrics: { list: (s) => (s.get("metrics") ? [s.get("metrics") as Attrs] : []), table: METRICS },
  iif: { from: "iif", conv: ifName },
  pref: { from: "pref", conv: (v: number) => RT_PREF[v] ?? v },
  "ttl-propogate": { from: "ttl_propagate", conv: bool },
  nexthops: { list: (s) => ((s.get("multipath") ?? []) as Record<string, unknown>[]).map(recordSource), table: NEXTHOP },
};

// ---------------------------------------------------------------------------------------------
// rules: print_rule() in ip/iprule.c

const FIB_RULE_INVERT = 0x2;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;
const FIB_RULE_UNRESOLVED = 0x4;
const IP_PROTOS: Record<number, string> = { 1: "icmp", 6: "tcp", 17: "udp", 58: "ipv6-icmp", 132: "sctp" };

const flagNull = (bit: number): Cmp => ({ from: "flags", conv: (v: number) => (v & bit ? null : undefined) });
const ruleAddr = (key: "src" | "dst", none: string | undefined): Cmp => ({
  from: null,
  conv: (_v, s) => {
    const a = s.get(key) as string | undefined;
    return a ?? (s.get(`${key}_len`) ? "0" : none);
  },
});
const ruleLen = (key: "src" | "dst"): Cmp => ({
  from: `${key}_len`,
  conv: (v: number, s) => (s.get(key) === undefined ? v || undefined : v !== hostLen(s.get("family") as number) ? v : undefined),
});
const portRange = (key: string, part: "one" | "start" | "end"): Cmp => ({
  from: key,
  conv: (v) => (v === undefined ? undefined : part === "one" ? v.start : v[part]),
});

/** `ip -json -details rule show`. */
export const RULE: Table = {
  priority: { from: "priority", conv: (v: number | undefined) => v ?? 0 },
  not: flagNull(FIB_RULE_INVERT),
  src: ruleAddr("src", "all"),
  srclen: ruleLen("src"),
  dst: ruleAddr("dst", undefined),
  dstlen: ruleLen("dst"),
  tos: { from: "tos", conv: dsfieldName },
  fwmark: { from: "fwmark", conv: hex0x },
  fwmask: { from: "fwmask", conv: hex0x },
  iif: { from: "iifname" },
  iif_detached: flagNull(FIB_RULE_IIF_DETACHED),
  oif: { from: "oifname" },
  oif_detached: flagNull(FIB_RULE_OIF_DETACHED),
  l3mdev: { from: "l3mdev", conv: (v: number) => (v ? null : undefined) },
  uid_start: { from: ["uid_range", "start"] },
  uid_end: { from: ["uid_range", "end"] },
  ipproto: { from: "ip_proto", conv: (v: number) => IP_PROTOS[v] ?? String(v) },
  sport: portRange("sport_range", "one"),
  sport_start: portRange("sport_range", "start"),
  sport_end: portRange("sport_range", "end"),
  dport: portRange("dport_range", "one"),
  dport_start: portRange("dport_range", "start"),
  dport_end: portRange("dport_range", "end"),
  tun_id: { from: "tun_id", conv: num },
  // frh_get_table(): FRA_TABLE, else the header's table; 0 (no lookup) is not printed
  table: { from: "table", conv: (v: number) => (v ? tableName(v) : undefined) },
  suppress_prefixlen: { from: "suppress_prefixlen", conv: (v: number) => v | 0 },
  suppress_ifgroup: { from: "suppress_ifgroup", conv: groupName },
  flow_from: { from: "flow", conv: (v: number) => realmName(v >>> 16) },
  flow_to: { from: "flow", conv: (v: number) => realmName(v & 0xffff) },
  nat_gateway: { skip: "RTN_NAT rules were removed from the kernel (2.6); ip reads RTA_GATEWAY for them" },
  masquerade: { skip: "RTN_NAT rules were removed from the kernel (2.6)" },
  goto: { from: "goto", conv: (v: number | undefined) => v ?? "none" },
  unresolved: flagNull(FIB_RULE_UNRESOLVED),
  nop: { from: "action", conv: (v: number) => (v === 3 ? null : undefined) },
  action: { from: "action", conv: rtnName },
  protocol: { from: "protocol", conv: protoName },
};

// ---------------------------------------------------------------------------------------------
// neighbours: print_neigh() in ip/ipneigh.c

const NUD_ORDER: [string, number][] = [
  ["INCOMPLETE", 0x01], ["REACHABLE", 0x02], ["STALE", 0x04], ["DELAY", 0x08], ["PROBE", 0x10], ["FAILED", 0x20],
  ["NOARP", 0x40], ["PERMANENT", 0x80],
];
// ndm_flags and ndm_state are header fields (no NDA_* attribute shares their names)
const ntfNull = (bit: number): Cmp => ({ from: "flags", conv: (v: number) => (v & bit ? null : undefined) });

/** `ip -json -details neigh show nud all`. */
export const NEIGH: Table = {
  dst: { from: "dst" },
  dev: { from: "ifindex", conv: ifName },
  lladdr: { from: "lladdr" },
  router: ntfNull(0x80),
  proxy: ntfNull(0x08),
  managed: { from: "flags_ext", conv: (v: number) => (v & 0x1 ? null : undefined) },
  extern_learn: ntfNull(0x10),
  offload: ntfNull(0x20),
  probes: { skip: "printed only with -s" },
  used: { skip: "printed only with -s (nda_cacheinfo ages)" },
  confirmed: { skip: "printed only with -s (nda_cacheinfo ages)" },
  updated: { skip: "printed only with -s (nda_cacheinfo ages)" },
  refcnt: { skip: "printed only with -s" },
  state: { from: "state", conv: (v: number) => NUD_ORDER.filter(([, bit]) => v & bit).map(([n]) => n) },
  protocol: { from: "protocol", conv: protoName },
};

// ---------------------------------------------------------------------------------------------
// comparison

/** Keys compared (dotted paths, kind in parentheses) and mismatches found. */
export interface Report {
  readonly compared: Set<string>;
  readonly skipped: Set<string>;
  readonly mismatches: Mismatch[];
}

/** A new, empty report. */
export function newReport(): Report {
  return { compared: new Set(), skipped: new Set(), mismatches: [] };
}

function normalize(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Attrs) return v.toJSON();
  if (Array.isArray(v)) return v.map(normalize);
  if (v !== null && typeof v === "object" && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

function equal(a: unknown, b: unknown, tolerance: number | undefined, restarts = false): boolean {
  if (tolerance !== undefined && typeof a === "number" && typeof b === "number") {
    return Math.abs(a - b) <= tolerance || (restarts && Math.min(a, b) <= tolerance);
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compare one object of ip's JSON with its nlroute source, key by key, through `table`.
 * `at` is the path prefix used in reports ("link 5 (vx0)").
 */
export function compareObject(ip: Record<string, unknown>, src: Source, table: Table, ctx: Ctx, report: Report, at: string, pathKey = ""): void {
  for (const [key, ipValue] of Object.entries(ip)) {
    const row = table[key];
    const where = `${at}: ${pathKey}${key}`;
    const id = `${pathKey}${key}`;
    if (!row) {
      report.mismatches.push({ key: where, ip: ipValue, nlroute: undefined, note: "ip prints a key the table does not know: compare it or list it as not comparable" });
      continue;
    }
    if ("skip" in row) {
      report.skipped.add(id);
      continue;
    }
    if ("nest" in row) {
      const sub = row.nest === null ? src : (src.get(row.nest) as Source | undefined);
      const nestedTable = typeof row.table === "function" ? row.table(src) : row.table;
      if (!sub || !nestedTable || ipValue === null || typeof ipValue !== "object") {
        report.mismatches.push({ key: where, ip: ipValue, nlroute: sub ? "(no table for this kind)" : undefined, note: "nested object" });
        continue;
      }
      compareObject(ipValue as Record<string, unknown>, sub, nestedTable, ctx, report, at, `${pathKey}${key}${row.label?.(src) ?? ""}.`);
      continue;
    }
    if ("list" in row) {
      const items = row.list(src, ctx);
      const ipItems = ipValue as Record<string, unknown>[];
      if (!Array.isArray(ipItems) || ipItems.length !== items.length) {
        report.mismatches.push({ key: where, ip: Array.isArray(ipItems) ? `${ipItems.length} elements` : ipValue, nlroute: `${items.length} elements` });
        continue;
      }
      const byKey = row.key ? new Map(items.map((s) => [row.key!.nl(s), s])) : null;
      ipItems.forEach((o, i) => {
        const s = byKey ? byKey.get(row.key!.ip(o)) : items[i];
        if (!s) {
          report.mismatches.push({ key: `${where}[${row.key!.ip(o)}]`, ip: o, nlroute: undefined, note: "no nlroute element with this key" });
          return;
        }
        compareObject(o, s, row.table, ctx, report, at, `${pathKey}${key}[${byKey ? row.key!.ip(o) : i}].`);
      });
      report.compared.add(id);
      continue;
    }
    const raw = row.from === null ? undefined : src.get(row.from);
    let nl: unknown;
    try {
      nl = normalize(row.conv ? row.conv(raw, src, ctx) : raw);
    } catch (e) {
      report.mismatches.push({ key: where, ip: ipValue, nlroute: raw, note: `conversion failed: ${(e as Error).message}` });
      continue;
    }
    report.compared.add(id.replace(/\[[^\]]*\]/g, "[]"));
    if (!equal(ipValue, nl, row.tolerance, row.restarts)) report.mismatches.push({ key: where, ip: ipValue, nlroute: nl });
  }
}

/** The value ip would print for `key` of `table`, computed from the nlroute source (for keying objects). */
export function rowValue(table: Table, key: string, src: Source, ctx: Ctx): unknown {
  const row = table[key];
  if (!row || !("from" in row)) throw new TypeError(`rowValue: ${key} is not a compared key`);
  const raw = row.from === null ? undefined : src.get(row.from);
  return normalize(row.conv ? row.conv(raw, src, ctx) : raw);
}

/** A short, readable list of mismatches for an assertion message. */
export function formatMismatches(ms: readonly Mismatch[], max = 40): string {
  const lines = ms.slice(0, max).map((m) => `  ${m.key}: ip ${JSON.stringify(m.ip)} ≠ nlroute ${JSON.stringify(m.nlroute)}${m.note ? ` (${m.note})` : ""}`);
  if (ms.length > max) lines.push(`  ... and ${ms.length - max} more`);
  return lines.join("\n");
}
