/**
 * Typed specs and results, derived from the schema tables (no hand-kept key lists): the
 * messages the read verbs return (`LinkMsg`, `AddrMsg`, `RouteMsg`, `RuleMsg`, `NeighMsg`) and
 * the keyword sets of `link("add")` / `link("set")`, a discriminated union on `kind` whose
 * per-kind options come from the link_kinds tables. A typo in a key or a kind is a compile error.
 * @module
 */

import type { AttrTable, Codec, NlMsg, SpecOf } from "../marshal/mod.ts";
import type { ifaddrmsg } from "../rtnl/addr.ts";
import type { ifinfomsg } from "../rtnl/link.ts";
import type { linkKindTables, slaveKindTables } from "../rtnl/link_kinds/mod.ts";
import type { ndmsg } from "../rtnl/neigh.ts";
import type { rtmsg } from "../rtnl/route.ts";
import type { fibmsg } from "../rtnl/rule.ts";

/**
 * A link message (RTM_NEWLINK): `get("mtu")` is `number | undefined`, `get("ifname")`
 * `string | undefined`, `get("state")` `"up" | "down" | undefined`.
 *
 * @example
 * ```ts
 * const [lo]: LinkMsg[] = await ipr.getLinks(1);
 * const mtu: number | undefined = lo.get("mtu");
 * ```
 */
export type LinkMsg = NlMsg<typeof ifinfomsg>;

/**
 * An address message (RTM_NEWADDR): `get("address")` is `string | undefined`.
 *
 * @example
 * ```ts
 * const addrs: AddrMsg[] = await ipr.getAddr({ index: 1 });
 * addrs[0].get("prefixlen"); // number | undefined
 * ```
 */
export type AddrMsg = NlMsg<typeof ifaddrmsg>;

/**
 * A route message (RTM_NEWROUTE): `get("dst")` is `string | undefined`, `get("table")` a number.
 *
 * @example
 * ```ts
 * const routes: RouteMsg[] = await ipr.getRoutes({ family: 2 });
 * routes[0].get("gateway"); // string | undefined
 * ```
 */
export type RouteMsg = NlMsg<typeof rtmsg>;

/**
 * A policy routing rule message (RTM_NEWRULE).
 *
 * @example
 * ```ts
 * const rules: RuleMsg[] = await ipr.getRules();
 * rules[0].get("priority"); // number | undefined
 * ```
 */
export type RuleMsg = NlMsg<typeof fibmsg>;

/**
 * A neighbour message (RTM_NEWNEIGH).
 *
 * @example
 * ```ts
 * const neigh: NeighMsg[] = await ipr.getNeighbours();
 * neigh[0].get("lladdr"); // string | undefined
 * ```
 */
export type NeighMsg = NlMsg<typeof ndmsg>;

/**
 * What a spec accepts for an attribute whose codec decodes to `V`: numbers for integers (bigint
 * too for 64-bit ones), strings for strings and addresses, booleans for flags; nested sets and
 * structs take objects or `[name, value]` pairs, checked at run time.
 *
 * @example
 * ```ts
 * const mtu: InputOf<number> = 1400;
 * ```
 */
export type InputOf<V> = V extends number ? number
  : V extends bigint ? bigint | number
  : V extends string ? string
  : V extends true ? boolean
  : V extends Uint8Array ? Uint8Array | string
  : unknown;

/**
 * The optional keywords of a table: short keys and kernel names, each with its input type.
 * An untyped table (`AttrTable` without declared rows) accepts any key.
 *
 * @example
 * ```ts
 * type Vxlan = TableInput<SpecOf<typeof ifinfomsg>>; // { mtu?: number; IFLA_MTU?: number; ... }
 * ```
 */
export type TableInput<S, Extra = never> = string extends keyof S ? Readonly<Record<string, unknown>>
  : {
    readonly [K in keyof S]?: RowInput<S[K]> | Extra;
  } & {
    readonly [K in keyof S as S[K] extends readonly [number, infer N extends string, any] ? N : never]?: RowInput<S[K]> | Extra;
  };

/**
 * The input type of one table row `[number, "NAME", codec]`.
 *
 * @example
 * ```ts
 * type Mtu = RowInput<readonly [4, "IFLA_MTU", typeof u32]>; // number
 * ```
 */
export type RowInput<R> = R extends readonly [number, string, infer C] ? (C extends Codec<infer V, any> ? InputOf<V> : unknown) : unknown;

/**
 * The link's own keywords, which take more than the attribute codec does: names where an index
 * is expected, `state`, symbolic `flags`, a namespace name for `net_ns_fd`.
 *
 * @example
 * ```ts
 * const k: LinkKeywords = { state: "up", master: "br0", net_ns_fd: "blue" };
 * ```
 */
export interface LinkKeywords {
  /** Interface index (or a name, resolved). */
  readonly index?: number | string;
  /** ifi_family. */
  readonly family?: number;
  /** ifi_change mask (computed from `state`/`flags`/`arp` when absent). */
  readonly change?: number;
  /** ifi_type (ARPHRD_*). */
  readonly ifi_type?: number;
  /** Interface name (IFLA_IFNAME), at most 15 bytes. */
  readonly ifname?: string;
  /** "up" or "down" (IFF_UP). */
  readonly state?: "up" | "down";
  /** ifi_flags as a number, or symbolic: `["IFF_UP", "!IFF_NOARP"]`. */
  readonly flags?: number | readonly string[];
  /** ARP on (clears IFF_NOARP) or off. */
  readonly arp?: boolean;
  /** ARP off (sets IFF_NOARP) or on. */
  readonly noarp?: boolean;
  /** Master device: index or name; 0, null or "nomaster" detaches. */
  readonly master?: number | string | null;
  /** The lower device (IFLA_LINK): index or name. */
  readonly link?: number | string;
  /** IFLA_NET_NS_FD: an fd, or a namespace name / path (opened and closed for the call). */
  readonly net_ns_fd?: number | string;
  /** IFLA_IFALIAS. */
  readonly alias?: string;
  /** SR-IOV settings of virtual functions (IFLA_VFINFO_LIST): one, or a list. */
  readonly vf?: VfSpec | readonly VfSpec[];
}

/**
 * The settings of one SR-IOV virtual function, as `ip link set dev X vf N ...` takes them; the
 * keys given are sent in their order.
 *
 * @example
 * ```ts
 * const v: VfSpec = { vf: 0, mac: "02:00:00:00:00:01", vlan: 100, qos: 3, spoofchk: true, link_state: "auto" };
 * ```
 */
export interface VfSpec {
  /** The virtual function's number. */
  readonly vf: number;
  /** IFLA_VF_MAC. */
  readonly mac?: string;
  /** IFLA_VF_VLAN (a number, with `qos`), or IFLA_VF_VLAN_LIST with a protocol or as a list. */
  readonly vlan?: number | VfVlan | readonly VfVlan[];
  /** Priority (0..7) of a numeric `vlan`. */
  readonly qos?: number;
  /** Protocol of a numeric `vlan`: "802.1Q" or "802.1ad" (sent as IFLA_VF_VLAN_LIST). */
  readonly proto?: "802.1Q" | "802.1ad" | number;
  /** IFLA_VF_TX_RATE in Mbit/s (`ip`'s `rate`). */
  readonly tx_rate?: number;
  /** IFLA_VF_RATE in Mbit/s: both bounds. */
  readonly rate?: { readonly min_tx_rate: number; readonly max_tx_rate: number };
  /** IFLA_VF_RATE's lower bound, flat (with `max_tx_rate`). */
  readonly min_tx_rate?: number;
  /** IFLA_VF_RATE's upper bound, flat (with `min_tx_rate`). */
  readonly max_tx_rate?: number;
  /** IFLA_VF_SPOOFCHK. */
  readonly spoofchk?: boolean;
  /** IFLA_VF_TRUST. */
  readonly trust?: boolean;
  /** IFLA_VF_RSS_QUERY_EN (`ip`'s `query_rss`). */
  readonly rss_query_en?: boolean;
  /** Same as `rss_query_en`. */
  readonly query_rss?: boolean;
  /** IFLA_VF_LINK_STATE (`ip`'s `state`). */
  readonly link_state?: "auto" | "enable" | "disable" | 0 | 1 | 2;
  /** Same as `link_state`. */
  readonly state?: "auto" | "enable" | "disable" | 0 | 1 | 2;
  /** IFLA_VF_IB_NODE_GUID: "00:11:22:33:44:55:66:77" or a bigint. */
  readonly node_guid?: string | bigint;
  /** Same as `node_guid`. */
  readonly ib_node_guid?: string | bigint;
  /** IFLA_VF_IB_PORT_GUID: "00:11:22:33:44:55:66:77" or a bigint. */
  readonly port_guid?: string | bigint;
  /** Same as `port_guid`. */
  readonly ib_port_guid?: string | bigint;
}

/**
 * One VLAN of a virtual function.
 *
 * @example
 * ```ts
 * const v: VfVlan = { vlan: 100, qos: 0, proto: "802.1ad" };
 * ```
 */
export interface VfVlan {
  /** VLAN id, 0..4095 (0 disables the filter). */
  readonly vlan: number;
  /** Priority, 0..7. */
  readonly qos?: number;
  /** "802.1Q" (default) or "802.1ad". */
  readonly proto?: "802.1Q" | "802.1ad" | number;
}

/**
 * Keywords for the link itself (no kind): IFLA_* attributes by short or kernel name plus
 * `LinkKeywords`.
 *
 * @example
 * ```ts
 * const s: LinkBaseSpec = { ifname: "v0", mtu: 1400, state: "up" };
 * ```
 */
export type LinkBaseSpec = Omit<TableInput<SpecOf<typeof ifinfomsg>>, keyof LinkKeywords | "linkinfo" | "IFLA_LINKINFO"> & LinkKeywords;

/**
 * The options of one kind, from its IFLA_INFO_DATA table. Strings are allowed besides numbers:
 * interface names where an ifindex is expected (`vxlan_link: "v0"`) and value names
 * (`macvlan_mode: "bridge"`).
 *
 * @example
 * ```ts
 * const o: KindOptions<typeof linkKindTables.vxlan> = { vxlan_id: 42, vxlan_link: "v0" };
 * ```
 */
export type KindOptions<T> = T extends AttrTable<infer S> ? TableInput<S, string> : Readonly<Record<string, unknown>>;

/**
 * The link kinds `link("add")` creates: every IFLA_INFO_KIND table, plus `tuntap`.
 *
 * @example
 * ```ts
 * const k: LinkKind = "veth";
 * ```
 */
export type LinkKind = (keyof typeof linkKindTables & string) | "tuntap";

/**
 * Options of `kind: "tuntap"`: tun/tap devices are made with ioctl, not from a table, so their
 * options (`mode`, `uid`, `gid`, ...) are checked at run time.
 *
 * @example
 * ```ts
 * const o: TuntapOptions = { mode: "tap", uid: 1000 };
 * ```
 */
export type TuntapOptions = Readonly<Record<string, unknown>>;

/**
 * The keywords of `link("add", spec)` for one kind: the link's keywords, the kind's options
 * flat (`vxlan_id`) or nested (`linkinfo: { kind, data }`), and for veth the `peer` (a name or
 * the peer's own keywords).
 *
 * @example
 * ```ts
 * const v: LinkAddSpecOf<"vxlan"> = { ifname: "vx0", kind: "vxlan", vxlan_id: 42 };
 * ```
 */
export type LinkAddSpecOf<K extends LinkKind> =
  & LinkBaseSpec
  & { readonly kind: K; readonly linkinfo?: unknown; readonly IFLA_LINKINFO?: unknown }
  & (K extends keyof typeof linkKindTables ? KindOptions<(typeof linkKindTables)[K]> : TuntapOptions)
  & (K extends "veth" ? { readonly peer?: string | LinkBaseSpec } : unknown);

/**
 * The keywords of `link("add", spec)`: a union discriminated by `kind`, so `kind: "vethh"` or an
 * option another kind has is a compile error.
 *
 * @example
 * ```ts
 * const spec: LinkAddSpec = { ifname: "v0", kind: "veth", peer: "v1" };
 * await ipr.link("add", spec);
 * ```
 */
export type LinkAddSpec = { [K in LinkKind]: LinkAddSpecOf<K> | LinkNestedSpecOf<K> }[LinkKind];

/**
 * `link("add")` with the kind and its options nested as the kernel nests them:
 * `{ ifname: "vx0", linkinfo: { kind: "vxlan", data: { vxlan_id: 42 } } }`.
 *
 * @example
 * ```ts
 * const s: LinkNestedSpecOf<"vxlan"> = { ifname: "vx0", linkinfo: { kind: "vxlan", data: { vxlan_id: 42 } } };
 * ```
 */
export type LinkNestedSpecOf<K extends LinkKind> = LinkBaseSpec & {
  readonly kind?: undefined;
  readonly linkinfo: { readonly kind: K; readonly data?: K extends keyof typeof linkKindTables ? KindOptions<(typeof linkKindTables)[K]> : never };
};

/**
 * The argument list of `link(command, ...)`: a typed spec for a literal `"add"`, `"set"` or `"update"`, any
 * filter or spec otherwise (also when `command` is a union, e.g. a variable of `LinkCommand`).
 *
 * @example
 * ```ts
 * const args: LinkArgs<"add"> = [{ ifname: "v0", kind: "veth", peer: "v1" }];
 * ```
 */
export type LinkArgs<C extends string> = [C] extends [never] ? [spec?: Readonly<Record<string, unknown>>]
  : [C] extends ["add"] ? [spec: LinkAddSpec]
  : [C] extends ["set"] ? [spec: LinkSetSpec]
  : [C] extends ["update"] ? [spec: LinkSetSpec]
  : [spec?: Readonly<Record<string, unknown>>];

/**
 * The port kinds of `link("set", { kind: "<master kind>_slave", ... })`: the options of a link as
 * a port of its master (IFLA_INFO_SLAVE_DATA), from the slave-kind tables.
 *
 * @example
 * ```ts
 * const k: LinkPortKind = "bridge_slave";
 * ```
 */
export type LinkPortKind = `${keyof typeof slaveKindTables & string}_slave`;

/**
 * `link("set")` keywords with a port kind: the link's keywords and the port's options
 * (`cost`, `learning`... for a bridge port); a port option wins over an IFLA_* attribute of the
 * same short name (IFLA_COST, IFLA_PRIORITY), as at run time.
 *
 * @example
 * ```ts
 * const s: LinkPortSpecOf<"bridge"> = { ifname: "v0", kind: "bridge_slave", cost: 200, learning: 0 };
 * ```
 */
export type LinkPortSpecOf<K extends keyof typeof slaveKindTables> =
  & Omit<TableInput<SpecOf<typeof ifinfomsg>>, keyof LinkKeywords | "linkinfo" | "IFLA_LINKINFO" | keyof KindOptions<(typeof slaveKindTables)[K]>>
  & Omit<KindOptions<(typeof slaveKindTables)[K]>, keyof LinkKeywords>
  & LinkKeywords
  & { readonly kind: `${K}_slave` };

/**
 * The keywords of `link("set", spec)`: the link's own keywords, or with a `kind` that kind's
 * options too, or a port kind (`bridge_slave`...) with the port's options (`index` or `ifname`
 * selects the link).
 *
 * @example
 * ```ts
 * const spec: LinkSetSpec = { index: 2, mtu: 1400, state: "up" };
 * ```
 */
export type LinkSetSpec = LinkBaseSpec | LinkAddSpec | { [K in keyof typeof slaveKindTables]: LinkPortSpecOf<K> }[keyof typeof slaveKindTables];

/**
 * The keywords `route("add" | "del" | "replace" | "change" | "append")` handles itself, beyond
 * the attribute codecs: prefixes as text, names for tables, protocols, scopes, types and
 * interfaces, next hops and metrics as objects.
 *
 * @example
 * ```ts
 * const k: RouteKeywords = { dst: "198.51.100.0/24", gateway: "192.0.2.2", oif: "v0", table: "main" };
 * ```
 */
export interface RouteKeywords {
  /** 2 (AF_INET), 10 (AF_INET6), 28 (AF_MPLS), or a name ("inet", "inet6"); else from the addresses. */
  readonly family?: number | string;
  /** Destination: "198.51.100.0/24", "198.51.100.0/255.255.255.0", "default", an IPv6 prefix. */
  readonly dst?: string;
  /** Destination prefix length, when `dst` has none. */
  readonly dst_len?: number;
  /** Source prefix (RTA_SRC). */
  readonly src?: string;
  /** Source prefix length. */
  readonly src_len?: number;
  /** rtm_tos. */
  readonly tos?: number;
  /** Table: a number (over 255 too) or a name ("main", "local"). */
  readonly table?: number | string;
  /** Protocol: a number or a name ("boot", "static", "kernel"). */
  readonly proto?: number | string;
  /** Same as `proto`. */
  readonly protocol?: number | string;
  /** Scope: a number or a name ("universe", "link", "host"). */
  readonly scope?: number | string;
  /** Route type: a number or a name ("unicast", "blackhole", "unreachable", "local"). */
  readonly type?: number | string;
  /** rtm_flags: a number or names (`["onlink"]`). */
  readonly flags?: number | string | readonly string[];
  /** Next-hop address (RTA_GATEWAY, or RTA_VIA for another family). */
  readonly gateway?: string;
  /** RTA_VIA: `{ family, addr }`. */
  readonly via?: unknown;
  /** Output interface: an index or a name. */
  readonly oif?: number | string;
  /** Input interface (route get, rules of the kernel): an index or a name. */
  readonly iif?: number | string;
  /** RTA_PRIORITY. */
  readonly priority?: number;
  /** Same as `priority`. */
  readonly metric?: number;
  /** Preferred source address. */
  readonly prefsrc?: string;
  /** IPv6 router preference: a number or "low" / "medium" / "high". */
  readonly pref?: number | string;
  /** RTA_METRICS: `{ mtu, advmss, hoplimit, ... }`. */
  readonly metrics?: Readonly<Record<string, unknown>>;
  /** RTA_MULTIPATH: `[{ gateway, oif, weight | hops, flags, attrs }]`. */
  readonly multipath?: readonly Readonly<Record<string, unknown>>[];
  /** A nexthop object's id (RTA_NH_ID). */
  readonly nh?: number;
  /** Same as `nh`. */
  readonly nhid?: number;
  /** Same as `nh`. */
  readonly nh_id?: number;
}

/**
 * The spec of a route change: `RouteKeywords` and any other RTA_* attribute by short or kernel
 * name, typed by its codec.
 *
 * @example
 * ```ts
 * const spec: RouteSpec = { dst: "198.51.100.0/24", gateway: "192.0.2.2", oif: "v0", mark: 7 };
 * ```
 */
export type RouteSpec = Omit<TableInput<SpecOf<typeof rtmsg>>, keyof RouteKeywords> & RouteKeywords;

/**
 * The argument list of `route(command, ...)`: a typed spec for a change command, any filter or
 * spec otherwise (`get`, `dump`, `show`, or a `command` that is not a literal).
 *
 * @example
 * ```ts
 * const args: RouteArgs<"add"> = [{ dst: "198.51.100.0/24", gateway: "192.0.2.2" }];
 * ```
 */
export type RouteArgs<C extends string> = [C] extends [never] ? [spec?: Readonly<Record<string, unknown>>]
  : [C] extends ["add" | "del" | "delete" | "remove" | "replace" | "change" | "set" | "append"] ? [spec: RouteSpec]
  : [spec?: Readonly<Record<string, unknown>>];

/**
 * The keywords `addr("add" | "del" | "replace")` handles itself, beyond the attribute codecs.
 *
 * @example
 * ```ts
 * const k: AddrKeywords = { index: "v0", address: "192.0.2.1/24", broadcast: true };
 * ```
 */
export interface AddrKeywords {
  /** The interface: an index or a name. */
  readonly index?: number | string;
  /** Same as `index`, by name. */
  readonly ifname?: string;
  /** 2 (AF_INET), 10 (AF_INET6) or a name; else from the address. */
  readonly family?: number | string;
  /** "192.0.2.1/24", or without a length (then `prefixlen`, `mask` or the host length). */
  readonly address?: string;
  /** Prefix length. */
  readonly prefixlen?: number;
  /** Netmask, "255.255.255.0". */
  readonly mask?: string;
  /** IFA_LOCAL (defaults to `address`). */
  readonly local?: string;
  /** An address, or `true` to compute it from the prefix (`ip`'s `broadcast +`). */
  readonly broadcast?: string | boolean;
  /** IFA_LABEL. */
  readonly label?: string;
  /** Scope: a number or a name ("global", "link", "host"). */
  readonly scope?: number | string;
  /** IFA_F_* flags: a number or names (`["nodad", "noprefixroute"]`). */
  readonly flags?: number | string | readonly string[];
  /** Preferred lifetime in seconds, or "forever". */
  readonly preferred?: number | "forever";
  /** Valid lifetime in seconds, or "forever". */
  readonly valid?: number | "forever";
  /** Same as `preferred`. */
  readonly preferred_lft?: number | "forever";
  /** Same as `valid`. */
  readonly valid_lft?: number | "forever";
  /** IFA_RT_PRIORITY. */
  readonly metric?: number;
  /** Same as `metric`. */
  readonly rt_priority?: number;
}

/**
 * The spec of an address change: `AddrKeywords` and any other IFA_* attribute by short or kernel
 * name, typed by its codec.
 *
 * @example
 * ```ts
 * const spec: AddrSpec = { index: 2, address: "2001:db8::1/64", flags: ["nodad"] };
 * ```
 */
export type AddrSpec = Omit<TableInput<SpecOf<typeof ifaddrmsg>>, keyof AddrKeywords> & AddrKeywords;

/**
 * The argument list of `addr(command, ...)`: a typed spec for `add`, `del` and `replace`, any
 * filter otherwise.
 *
 * @example
 * ```ts
 * const args: AddrArgs<"add"> = [{ index: "v0", address: "192.0.2.1/24" }];
 * ```
 */
export type AddrArgs<C extends string> = [C] extends [never] ? [spec?: Readonly<Record<string, unknown>>]
  : [C] extends ["add" | "del" | "delete" | "remove" | "replace"] ? [spec: AddrSpec]
  : [spec?: Readonly<Record<string, unknown>>];

/** An inclusive range: a number, "first-last", `[first, last]` or `{ start, end }`. */
export type RangeInput = number | string | readonly [number, number] | { readonly start: number; readonly end: number };

/**
 * The keywords `neigh("add" | "del" | "replace" | "set" | "change" | "append")` handles itself.
 *
 * @example
 * ```ts
 * const k: NeighKeywords = { dst: "192.0.2.2", ifindex: "v0", lladdr: "00:11:22:33:44:55", state: "permanent" };
 * ```
 */
export interface NeighKeywords {
  /** 2 (AF_INET), 10 (AF_INET6), 7 (AF_BRIDGE, fdb) or a name; else from `dst`. */
  readonly family?: number | string;
  /** The neighbour's address. */
  readonly dst?: string;
  /** The interface: an index or a name. */
  readonly ifindex?: number | string;
  /** Link-layer address. */
  readonly lladdr?: string;
  /** NUD_* state: a number, a name ("permanent", "reachable", "NUD_STALE") or names. */
  readonly state?: number | string | readonly string[];
  /** NTF_* flags: a number, a name or names ("proxy", "router"). */
  readonly flags?: number | string | readonly string[];
  /** NTF_PROXY: a proxy entry. */
  readonly proxy?: boolean;
  /** NTF_ROUTER. */
  readonly router?: boolean;
  /** NTF_SELF (bridge fdb). */
  readonly self?: boolean;
  /** NTF_USE. */
  readonly use?: boolean;
  /** NTF_STICKY (bridge fdb). */
  readonly sticky?: boolean;
  /** `true`: NTF_MASTER (bridge fdb); an index or a name: NDA_MASTER. */
  readonly master?: boolean | number | string;
  /** ndm_type (RTN_*). */
  readonly ndm_type?: number;
}

/**
 * The spec of a neighbour change: `NeighKeywords` and any other NDA_* attribute by short or
 * kernel name, typed by its codec.
 *
 * @example
 * ```ts
 * const spec: NeighSpec = { dst: "2001:db8::2", ifindex: 2, lladdr: "00:11:22:33:44:55", vlan: 10 };
 * ```
 */
export type NeighSpec = Omit<TableInput<SpecOf<typeof ndmsg>>, keyof NeighKeywords> & NeighKeywords;

/**
 * The argument list of `neigh(command, ...)`: a typed spec for a change, any filter otherwise.
 *
 * @example
 * ```ts
 * const args: NeighArgs<"add"> = [{ dst: "192.0.2.2", ifindex: "v0", lladdr: "00:11:22:33:44:55" }];
 * ```
 */
export type NeighArgs<C extends string> = [C] extends [never] ? [spec?: Readonly<Record<string, unknown>>]
  : [C] extends ["add" | "del" | "delete" | "replace" | "set" | "change" | "append"] ? [spec: NeighSpec]
  : [spec?: Readonly<Record<string, unknown>>];

/**
 * The keywords `rule("add" | "del")` handles itself.
 *
 * @example
 * ```ts
 * const k: RuleKeywords = { priority: 100, src: "192.0.2.0/24", table: 100 };
 * ```
 */
export interface RuleKeywords {
  /** 2 (AF_INET), 10 (AF_INET6) or a name; else from the addresses, else AF_INET. */
  readonly family?: number | string;
  /** Source prefix: "192.0.2.0/24" (or with `src_len`). */
  readonly src?: string;
  /** Destination prefix. */
  readonly dst?: string;
  /** Source prefix length. */
  readonly src_len?: number;
  /** Destination prefix length. */
  readonly dst_len?: number;
  /** TOS to match. */
  readonly tos?: number;
  /** FR_ACT_*: a number or a name ("lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"). */
  readonly action?: number | string;
  /** Table: a number (over 255 goes in FRA_TABLE) or a name ("main", "local"). */
  readonly table?: number | string;
  /** FIB_RULE_* flags: a number, a name or names (["invert"]). */
  readonly flags?: number | string | readonly string[];
  /** FRA_GOTO: the priority to jump to (action goto by default). */
  readonly goto?: number;
  /** FRA_UID_RANGE. */
  readonly uid_range?: RangeInput;
  /** FRA_SPORT_RANGE. */
  readonly sport_range?: RangeInput;
  /** FRA_DPORT_RANGE. */
  readonly dport_range?: RangeInput;
  /** FRA_IP_PROTO: a number or a name ("tcp", "udp"). */
  readonly ip_proto?: number | string;
}

/**
 * The spec of a rule change: `RuleKeywords` and any other FRA_* attribute by short or kernel
 * name (`priority`, `fwmark`, `iifname`, ...), typed by its codec.
 *
 * @example
 * ```ts
 * const spec: RuleSpec = { priority: 100, fwmark: 7, table: "main" };
 * ```
 */
export type RuleSpec = Omit<TableInput<SpecOf<typeof fibmsg>>, keyof RuleKeywords> & RuleKeywords;

/**
 * The argument list of `rule(command, ...)`: a typed spec for `add` and `del`, any filter
 * otherwise.
 *
 * @example
 * ```ts
 * const args: RuleArgs<"add"> = [{ priority: 100, table: 100 }];
 * ```
 */
export type RuleArgs<C extends string> = [C] extends [never] ? [spec?: Readonly<Record<string, unknown>>]
  : [C] extends ["add" | "del" | "delete"] ? [spec: RuleSpec]
  : [spec?: Readonly<Record<string, unknown>>];
