/**
 * Output of the `nlroute` CLI in `ip`'s shapes: each kernel message becomes the object `ip -json`
 * prints for it (same keys, same order), and the text form is rendered from that object, so the
 * two outputs cannot disagree.
 * @module
 */

import type { NlMsg } from "../mod.ts";
import { IFF, NUD, RT_SCOPE, RT_TABLE, RTN, RTPROT } from "../mod.ts";

/** A JSON object as `ip -json` prints it. */
export type IpObject = Record<string, unknown>;

/** What formatting needs to know about the other links: names and flags by index. */
export interface LinkNames {
  /** ifname of an index, when the link is known. */
  name(index: number): string | undefined;
  /** ifi_flags of an index, when the link is known. */
  flags(index: number): number | undefined;
}

/** A `LinkNames` over a dump of links (and updated by `monitor` as links come and go). */
export class LinkTable implements LinkNames {
  readonly #links = new Map<number, { name: string; flags: number }>();

  constructor(links: readonly NlMsg[] = []) {
    for (const l of links) this.update(l);
  }

  /** Record (RTM_NEWLINK) or forget (RTM_DELLINK) a link. */
  update(msg: NlMsg): void {
    const index = msg.get("index") as number;
    if (msg.event === "RTM_DELLINK") this.#links.delete(index);
    else this.#links.set(index, { name: msg.get("ifname") as string, flags: msg.get("flags") as number });
  }

  name(index: number): string | undefined {
    return this.#links.get(index)?.name;
  }

  flags(index: number): number | undefined {
    return this.#links.get(index)?.flags;
  }

  /** The index of a name, when known. */
  index(name: string): number | undefined {
    for (const [i, l] of this.#links) if (l.name === name) return i;
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// names of kernel numbers, as ip prints them

const OPERSTATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];
const LINKMODES = ["DEFAULT", "DORMANT", "TESTING"];

// ARPHRD_* (linux/if_arp.h) as ip names them
const LINK_TYPES: Record<number, string> = {
  0: "netrom", 1: "ether", 2: "eether", 3: "ax25", 4: "pronet", 5: "chaos", 6: "ieee802", 7: "arcnet",
  8: "atalk", 15: "dlci", 19: "atm", 23: "metricom", 24: "ieee1394", 27: "eui64", 32: "infiniband",
  256: "slip", 257: "cslip", 258: "slip6", 259: "cslip6", 260: "rsrvd", 264: "adapt", 270: "rose",
  271: "x25", 272: "hwx25", 280: "can", 512: "ppp", 513: "hdlc", 516: "lapb", 517: "ddcmp",
  518: "rawhdlc", 519: "rawip", 768: "ipip", 769: "tunnel6", 770: "frad", 771: "skip",
  772: "loopback", 773: "localtlk", 774: "fddi", 775: "bif", 776: "sit", 777: "ip/ddp", 778: "gre",
  779: "pimreg", 780: "hippi", 781: "ash", 782: "econet", 783: "irda", 784: "fcpp", 785: "fcal",
  786: "fcpl", 787: "fcfb", 800: "tr", 801: "tr+", 802: "ieee802.11", 803: "ieee802.11/prism",
  804: "ieee802.11/radiotap", 805: "ieee802.15.4", 806: "ieee802.15.4/monitor", 820: "phonet",
  821: "phonet_pipe", 822: "caif", 823: "gre6", 824: "netlink", 825: "6lowpan", 826: "vsockmon",
  65534: "none", 65535: "void",
};

// print order of interface flags in ip; NO-CARRIER and M-DOWN are added around them
const FLAG_ORDER: [string, number][] = [
  ["LOOPBACK", IFF.IFF_LOOPBACK], ["BROADCAST", IFF.IFF_BROADCAST], ["POINTOPOINT", IFF.IFF_POINTOPOINT],
  ["MULTICAST", IFF.IFF_MULTICAST], ["NOARP", IFF.IFF_NOARP], ["ALLMULTI", IFF.IFF_ALLMULTI],
  ["PROMISC", IFF.IFF_PROMISC], ["MASTER", IFF.IFF_MASTER], ["SLAVE", IFF.IFF_SLAVE], ["DEBUG", IFF.IFF_DEBUG],
  ["DYNAMIC", IFF.IFF_DYNAMIC], ["AUTOMEDIA", IFF.IFF_AUTOMEDIA], ["PORTSEL", IFF.IFF_PORTSEL],
  ["NOTRAILERS", IFF.IFF_NOTRAILERS], ["UP", IFF.IFF_UP], ["LOWER_UP", IFF.IFF_LOWER_UP],
  ["DORMANT", IFF.IFF_DORMANT], ["ECHO", IFF.IFF_ECHO],
];

/** Interface flags as ip lists them: `["NO-CARRIER", "BROADCAST", "MULTICAST", "UP"]`. */
export function linkFlags(flags: number, lowerDown: boolean): string[] {
  const out: string[] = [];
  if (flags & IFF.IFF_UP && !(flags & IFF.IFF_RUNNING)) out.push("NO-CARRIER");
  let rest = flags & ~IFF.IFF_RUNNING;
  for (const [name, bit] of FLAG_ORDER) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push(rest.toString(16));
  if (lowerDown) out.push("M-DOWN");
  return out;
}

function inverse(table: Record<string, number>, prefix: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const [k, v] of Object.entries(table)) m.set(v, k.slice(prefix.length).toLowerCase());
  return m;
}

const SCOPES = new Map<number, string>([[RT_SCOPE.RT_SCOPE_UNIVERSE, "global"], [RT_SCOPE.RT_SCOPE_SITE, "site"], [RT_SCOPE.RT_SCOPE_LINK, "link"], [RT_SCOPE.RT_SCOPE_HOST, "host"], [RT_SCOPE.RT_SCOPE_NOWHERE, "nowhere"]]);
const TABLES = new Map<number, string>([[RT_TABLE.RT_TABLE_DEFAULT, "default"], [RT_TABLE.RT_TABLE_MAIN, "main"], [RT_TABLE.RT_TABLE_LOCAL, "local"]]);
const PROTOS = inverse(RTPROT, "RTPROT_");
const ROUTE_TYPES = inverse(RTN, "RTN_");

/** ip's name of an address/route scope (`global`, `link`, `host`), else the number. */
export function scopeName(scope: number): string {
  return SCOPES.get(scope) ?? String(scope);
}

/** ip's name of a routing table (`main`, `local`, `default`), else the number. */
export function tableName(table: number): string {
  return TABLES.get(table) ?? String(table);
}

/** Parse a table as ip accepts it: `main`, `local`, `default`, or a number. */
export function parseTable(text: string): number {
  for (const [n, name] of TABLES) if (name === text) return n;
  return parseU32(text, "table");
}

/** Parse a route type name (`unicast`, `blackhole`, `unreachable`, `prohibit`, `local`...). */
export function routeType(text: string): number | undefined {
  for (const [n, name] of ROUTE_TYPES) if (name === text && n !== 0) return n;
  return undefined;
}

/** Parse a protocol name (`static`, `boot`, `kernel`...) or number. */
export function parseProto(text: string): number {
  for (const [n, name] of PROTOS) if (name === text) return n;
  return parseInteger(text, "protocol", 255);
}

/** Parse a scope name (`global`, `link`, `host`...) or number. */
export function parseScope(text: string): number {
  for (const [n, name] of SCOPES) if (name === text) return n;
  if (text === "universe") return 0;
  return parseInteger(text, "scope", 255);
}

/** A decimal (or 0x hex) integer in [0, max]; RangeError naming `what` otherwise. */
export function parseInteger(text: string, what: string, max: number): number {
  const n = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`Invalid "${what}" value: "${text}"`);
  return n;
}

/** An unsigned 32-bit integer. */
export function parseU32(text: string, what: string): number {
  return parseInteger(text, what, 0xffffffff);
}

// ---------------------------------------------------------------------------------------------
// links

/** Options of a link rendering. */
export interface LinkOptions {
  /** `-d`: add the details (promiscuity, min/max mtu, linkinfo, queues). */
  readonly details?: boolean;
  /** `ip addr`/`ip monitor` leave out the `linkmode` key. */
  readonly linkmode?: boolean;
}

/** The object `ip -json link show` prints for one RTM_NEWLINK. */
export function linkObject(msg: NlMsg, names: LinkNames, options: LinkOptions = {}): IpObject {
  const o: IpObject = { ifindex: msg.get("index") };
  const flags = msg.get("flags") as number;
  let lowerDown = false;
  const iflink = msg.get("link") as number | undefined;
  const netnsid = msg.get("link_netnsid") as number | undefined;
  // (the kernel leaves IFLA_LINK out when it is the link itself; a peer in another namespace
  // can have the same index)
  if (iflink !== undefined) {
    if (iflink === 0) o.link = null;
    else if (netnsid !== undefined) o.link_index = iflink;
    else {
      o.link = names.name(iflink) ?? `if${iflink}`;
      const peerFlags = names.flags(iflink);
      lowerDown = peerFlags !== undefined && !(peerFlags & IFF.IFF_UP);
    }
  }
  o.ifname = msg.get("ifname");
  o.flags = linkFlags(flags, lowerDown);
  put(o, "mtu", msg.get("mtu"));
  put(o, "qdisc", msg.get("qdisc"));
  const master = msg.get("master") as number | undefined;
  if (master) o.master = names.name(master) ?? `if${master}`;
  const operstate = msg.get("operstate") as number | undefined;
  if (operstate !== undefined) o.operstate = OPERSTATES[operstate] ?? String(operstate);
  const linkmode = msg.get("linkmode") as number | undefined;
  if (options.linkmode !== false && linkmode !== undefined) o.linkmode = LINKMODES[linkmode] ?? String(linkmode);
  const group = msg.get("group") as number | undefined;
  if (group !== undefined) o.group = group === 0 ? "default" : String(group);
  put(o, "txqlen", msg.get("txqlen"));
  const type = msg.get("ifi_type") as number;
  o.link_type = LINK_TYPES[type] ?? `[${type}]`;
  put(o, "address", msg.get("address"));
  put(o, "broadcast", msg.get("broadcast"));
  put(o, "permaddr", msg.get("perm_address"));
  if (netnsid !== undefined) o.link_netnsid = netnsid;
  if (options.details) {
    put(o, "promiscuity", msg.get("promiscuity"));
    put(o, "allmulti", msg.get("allmulti"));
    put(o, "min_mtu", msg.get("min_mtu"));
    put(o, "max_mtu", msg.get("max_mtu"));
    const kind = msg.get(["linkinfo", "kind"]) as string | undefined;
    if (kind !== undefined) {
      const info: IpObject = { info_kind: kind };
      const data = msg.get(["linkinfo", "data"]) as { toJSON?: () => unknown } | undefined;
      const dataJson = data?.toJSON?.() as { attrs?: [string, unknown][] } | undefined;
      if (dataJson?.attrs) info.info_data = infoData(dataJson.attrs);
      const slaveKind = msg.get(["linkinfo", "slave_kind"]) as string | undefined;
      if (slaveKind !== undefined) info.info_slave_kind = slaveKind;
      o.linkinfo = info;
    }
    put(o, "num_tx_queues", msg.get("num_tx_queues"));
    put(o, "num_rx_queues", msg.get("num_rx_queues"));
    put(o, "gso_max_size", msg.get("gso_max_size"));
    put(o, "gso_max_segs", msg.get("gso_max_segs"));
    put(o, "tso_max_size", msg.get("tso_max_size"));
    put(o, "tso_max_segs", msg.get("tso_max_segs"));
    put(o, "gro_max_size", msg.get("gro_max_size"));
  }
  put(o, "ifalias", msg.get("ifalias"));
  const altnames = altNames(msg);
  if (altnames.length) o.altnames = altnames;
  return o;
}

// IFLA_INFO_DATA attributes by their kernel name minus the kind prefix, lower case
// (IFLA_VXLAN_ID → id, IFLA_BR_STP_STATE → stp_state), as ip's keys mostly are.
function infoData(attrs: [string, unknown][]): IpObject {
  const out: IpObject = {};
  for (const [name, value] of attrs) {
    const key = name.replace(/^IFLA_[A-Z0-9]+?_/, "").toLowerCase();
    out[key] = value;
  }
  return out;
}

function altNames(msg: NlMsg): string[] {
  const list = msg.get("prop_list") as { getAll?: (k: string) => unknown[] } | undefined;
  const names = list?.getAll?.("alt_ifname");
  return Array.isArray(names) ? (names as string[]) : [];
}

function put(o: IpObject, key: string, value: unknown): void {
  if (value !== undefined) o[key] = value;
}

/**
 * The first line of a link as `ip link show` prints it (without the newline). `ip monitor`
 * leaves out the queue length and ends the line with a space after the group.
 */
export function linkHeadText(o: IpObject, monitor = false): string {
  let s = `${o.ifindex}: ${o.ifname}`;
  if ("link" in o) s += `@${o.link ?? "NONE"}`;
  else if ("link_index" in o) s += `@if${o.link_index}`;
  s += `: <${(o.flags as string[]).join(",")}>`;
  if (o.mtu !== undefined) s += ` mtu ${o.mtu}`;
  if (o.qdisc !== undefined) s += ` qdisc ${o.qdisc}`;
  if (o.master !== undefined) s += ` master ${o.master}`;
  if (o.operstate !== undefined) s += ` state ${o.operstate}`;
  if (o.linkmode !== undefined) s += ` mode ${o.linkmode}`;
  if (o.group !== undefined) s += ` group ${o.group}`;
  if (monitor) return s + " ";
  if (o.txqlen !== undefined) s += ` qlen ${o.txqlen}`;
  return s;
}

/**
 * A link as `ip link show` prints it: the first line, `link/<type>`, details, altnames.
 * `netnsNames` names the peer namespaces by nsid (`link-netns blue`), as ip does from /run/netns;
 * `monitor` gives `ip monitor`'s first line.
 */
export function linkText(o: IpObject, netnsNames?: ReadonlyMap<number, string>, monitor = false): string {
  let s = linkHeadText(o, monitor);
  // ip -4 / -6 addr show have no link-layer line
  if (o.link_type !== undefined) s += linkLayerText(o, netnsNames);
  if (o.ifalias !== undefined) s += `\n    alias ${o.ifalias}`;
  for (const a of (o.altnames ?? []) as string[]) s += `\n    altname ${a}`;
  return s;
}

/** The `link/<type> ...` line and the `-d` details of a link. */
function linkLayerText(o: IpObject, netnsNames?: ReadonlyMap<number, string>): string {
  let s = `\n    link/${o.link_type}`;
  // ip writes "link/none " when there is no address
  s += o.address !== undefined ? ` ${o.address}` : " ";
  if (o.broadcast !== undefined) s += ` ${(o.flags as string[]).includes("POINTOPOINT") ? "peer" : "brd"} ${o.broadcast}`;
  if (o.permaddr !== undefined) s += ` permaddr ${o.permaddr}`;
  if (o.link_netnsid !== undefined) {
    const name = netnsNames?.get(o.link_netnsid as number);
    s += name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${o.link_netnsid}`;
  }
  if (o.promiscuity !== undefined) {
    s += ` promiscuity ${o.promiscuity}`;
    if (o.allmulti !== undefined) s += ` allmulti ${o.allmulti}`;
    if (o.min_mtu !== undefined) s += ` minmtu ${o.min_mtu}`;
    if (o.max_mtu !== undefined) s += ` maxmtu ${o.max_mtu}`;
    const info = o.linkinfo as IpObject | undefined;
    if (info) {
      s += `\n    ${info.info_kind}`;
      for (const [k, v] of Object.entries((info.info_data ?? {}) as IpObject)) s += ` ${k} ${typeof v === "object" && v !== null ? JSON.stringify(v) : v}`;
    }
    for (const k of ["num_tx_queues", "num_rx_queues", "gso_max_size", "gso_max_segs", "tso_max_size", "tso_max_segs", "gro_max_size"]) {
      if (o[k] !== undefined) s += ` ${k.startsWith("num_") ? k.replace(/_/g, "") : k} ${o[k]}`;
    }
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// addresses

// IFA_F_* (linux/if_addr.h) as ip prints them; "permanent" is printed inverted, as "dynamic"
const IFA_FLAGS: [string, number][] = [
  ["secondary", 0x01], ["nodad", 0x02], ["optimistic", 0x04], ["dadfailed", 0x08], ["home", 0x10],
  ["deprecated", 0x20], ["tentative", 0x40], ["mngtmpaddr", 0x100], ["noprefixroute", 0x200],
  ["autojoin", 0x400], ["stable-privacy", 0x800],
];
const IFA_F_PERMANENT = 0x80;
const IFA_F_SECONDARY = 0x01;

/** The `addr_info` entry `ip -json addr show` prints for one RTM_NEWADDR. */
export function addrObject(msg: NlMsg): IpObject {
  const family = msg.get("family") as number;
  const o: IpObject = { family: family === 2 ? "inet" : family === 10 ? "inet6" : String(family) };
  const local = msg.get("local") as string | undefined;
  const address = msg.get("address") as string | undefined;
  o.local = local ?? address;
  if (local !== undefined && address !== undefined && address !== local) o.address = address;
  o.prefixlen = msg.get("prefixlen");
  put(o, "broadcast", msg.get("broadcast"));
  o.scope = scopeName(msg.get("scope") as number);
  const flags = (msg.get("IFA_FLAGS") as number | undefined) ?? (msg.get("flags") as number);
  if (!(flags & IFA_F_PERMANENT)) o.dynamic = true;
  for (const [name, bit] of IFA_FLAGS) {
    if (flags & bit) o[bit === IFA_F_SECONDARY && family === 10 ? "temporary" : name] = true;
  }
  put(o, "label", msg.get("label"));
  const ci = msg.get("cacheinfo") as { ifa_valid: number; ifa_prefered: number } | undefined;
  if (ci) {
    o.valid_life_time = ci.ifa_valid;
    o.preferred_life_time = ci.ifa_prefered;
  }
  return o;
}

function lifetime(v: unknown): string {
  return v === 0xffffffff ? "forever" : `${v}sec`;
}

/** An address's lines as `ip addr show` prints them under its link. */
export function addrText(a: IpObject): string {
  let s = `    ${a.family} ${a.local}`;
  if (a.address !== undefined) s += ` peer ${a.address}`;
  s += `/${a.prefixlen}`;
  if (a.broadcast !== undefined) s += ` brd ${a.broadcast}`;
  s += ` scope ${a.scope}`;
  for (const [k, v] of Object.entries(a)) {
    if (v === true) s += ` ${k}`;
  }
  if (a.label !== undefined) s += ` ${a.label}`;
  else s += " ";
  if (a.valid_life_time !== undefined) s += `\n       valid_lft ${lifetime(a.valid_life_time)} preferred_lft ${lifetime(a.preferred_life_time)}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// routes

// RTNH_F_* (linux/rtnetlink.h) as ip prints them
const RTNH_FLAGS: [string, number][] = [["dead", 1], ["pervasive", 2], ["onlink", 4], ["offload", 8], ["linkdown", 16], ["unresolved", 32], ["trap", 64]];
const PREFS: Record<number, string> = { 0: "medium", 1: "high", 3: "low" };

function nhFlags(flags: number): string[] {
  return RTNH_FLAGS.filter(([, bit]) => flags & bit).map(([n]) => n);
}

/** What `ip route show` leaves out because the filter already says it. */
export interface RouteOptions {
  /** A single table was asked for: no `table` key. */
  readonly omitTable?: boolean;
  /** A single device was asked for: no `dev` key. */
  readonly omitDev?: boolean;
}

/** The object `ip -json route show` prints for one RTM_NEWROUTE. */
export function routeObject(msg: NlMsg, names: LinkNames, options: RouteOptions = {}): IpObject {
  const o: IpObject = {};
  const type = msg.get("type") as number;
  if (type !== RTN.RTN_UNICAST) o.type = ROUTE_TYPES.get(type) ?? String(type);
  const dstLen = msg.get("dst_len") as number;
  const dst = msg.get("dst") as string | undefined;
  const family = msg.get("family") as number;
  const full = family === 10 ? 128 : 32;
  o.dst = dst === undefined ? "default" : dstLen === full ? dst : `${dst}/${dstLen}`;
  const src = msg.get("src") as string | undefined;
  if (src !== undefined) o.from = `${src}/${msg.get("src_len")}`;
  put(o, "gateway", msg.get("gateway"));
  const oif = msg.get("oif") as number | undefined;
  if (oif !== undefined && !options.omitDev) o.dev = names.name(oif) ?? `if${oif}`;
  const table = msg.get("table") as number;
  if (table !== RT_TABLE.RT_TABLE_MAIN && !options.omitTable) o.table = tableName(table);
  const proto = msg.get("proto") as number;
  if (proto !== RTPROT.RTPROT_BOOT) o.protocol = PROTOS.get(proto) ?? String(proto);
  const scope = msg.get("scope") as number;
  if (scope !== RT_SCOPE.RT_SCOPE_UNIVERSE) o.scope = scopeName(scope);
  put(o, "prefsrc", msg.get("prefsrc"));
  put(o, "metric", msg.get("priority"));
  o.flags = nhFlags(msg.get("flags") as number);
  const pref = msg.get("pref") as number | undefined;
  if (pref !== undefined) o.pref = PREFS[pref] ?? String(pref);
  const mp = msg.get("multipath") as unknown;
  if (Array.isArray(mp)) {
    // each nexthop: the rtnexthop fields, and its own attributes (RTA_GATEWAY...) in `attrs`
    o.nexthops = mp.map((nh: { attrs?: { get(k: string): unknown } } & Record<string, unknown>) => {
      const read = (k: string) => (k in nh ? nh[k] : nh.attrs?.get(k));
      const n: IpObject = {};
      put(n, "gateway", read("gateway"));
      const dev = read("oif") as number | undefined;
      if (dev) n.dev = names.name(dev) ?? `if${dev}`;
      n.weight = ((read("hops") as number | undefined) ?? 0) + 1;
      n.flags = nhFlags((read("flags") as number | undefined) ?? 0);
      return n;
    });
  }
  return o;
}

/** A route as `ip route show` prints it: every item followed by a space, except a final `pref`. */
export function routeText(o: IpObject): string {
  let s = o.type !== undefined ? `${o.type} ${o.dst} ` : `${o.dst} `;
  if (o.from !== undefined) s += `from ${o.from} `;
  if (o.gateway !== undefined) s += `via ${o.gateway} `;
  if (o.dev !== undefined) s += `dev ${o.dev} `;
  if (o.table !== undefined) s += `table ${o.table} `;
  if (o.protocol !== undefined) s += `proto ${o.protocol} `;
  if (o.scope !== undefined) s += `scope ${o.scope} `;
  if (o.prefsrc !== undefined) s += `src ${o.prefsrc} `;
  if (o.metric !== undefined) s += `metric ${o.metric} `;
  for (const f of o.flags as string[]) s += `${f} `;
  if (o.pref !== undefined) s += `pref ${o.pref}`;
  for (const nh of (o.nexthops ?? []) as IpObject[]) {
    s += `\n\tnexthop `;
    if (nh.gateway !== undefined) s += `via ${nh.gateway} `;
    if (nh.dev !== undefined) s += `dev ${nh.dev} `;
    s += `weight ${nh.weight} `;
    for (const f of nh.flags as string[]) s += `${f} `;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// rules

const RULE_ACTIONS: Record<number, string> = { 3: "nop", 6: "blackhole", 7: "unreachable", 8: "prohibit" };
// FIB_RULE_* (linux/fib_rules.h): fib_rule_hdr.flags
const FIB_RULE_INVERT = 0x2;
const FIB_RULE_UNRESOLVED = 0x4;

/** The object `ip -json rule show` prints for one RTM_NEWRULE. */
export function ruleObject(msg: NlMsg): IpObject {
  const o: IpObject = { priority: (msg.get("priority") as number | undefined) ?? 0 };
  const flags = msg.get("flags") as number;
  if (flags & FIB_RULE_INVERT) o.not = null;
  const full = msg.get("family") === 10 ? 128 : 32;
  const src = msg.get("src") as string | undefined;
  o.src = src ?? "all";
  if (src !== undefined && msg.get("src_len") !== full) o.srclen = msg.get("src_len");
  const dst = msg.get("dst") as string | undefined;
  if (dst !== undefined) {
    o.dst = dst;
    if (msg.get("dst_len") !== full) o.dstlen = msg.get("dst_len");
  }
  const mark = msg.get("fwmark") as number | undefined;
  const mask = msg.get("fwmask") as number | undefined;
  if (mark !== undefined || mask !== undefined) {
    o.fwmark = `0x${(mark ?? 0).toString(16)}`;
    if (mask !== undefined && mask !== 0xffffffff) o.fwmask = `0x${mask.toString(16)}`;
  }
  put(o, "iif", msg.get("iifname"));
  put(o, "oif", msg.get("oifname"));
  const action = msg.get("action") as number;
  if (action === 1) o.table = tableName(msg.get("table") as number);
  else if (action === 2) {
    put(o, "goto", msg.get("goto"));
    if (flags & FIB_RULE_UNRESOLVED) o.unresolved = null;
  } else o.action = RULE_ACTIONS[action] ?? String(action);
  return o;
}

/** A rule as `ip rule show` prints it. */
export function ruleText(o: IpObject): string {
  let s = `${o.priority}:\t${"not" in o ? "not " : ""}from ${o.src}${o.srclen !== undefined ? `/${o.srclen}` : ""}`;
  if (o.dst !== undefined) s += ` to ${o.dst}${o.dstlen !== undefined ? `/${o.dstlen}` : ""}`;
  if (o.fwmark !== undefined) s += ` fwmark ${o.fwmark}${o.fwmask !== undefined ? `/${o.fwmask}` : ""}`;
  if (o.iif !== undefined) s += ` iif ${o.iif}`;
  if (o.oif !== undefined) s += ` oif ${o.oif}`;
  if (o.table !== undefined) s += ` lookup ${o.table}`;
  else if (o.goto !== undefined) s += ` goto ${o.goto}${"unresolved" in o ? " [unresolved]" : ""}`;
  else s += ` ${o.action}`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// neighbours

const NUD_NAMES: [string, number][] = Object.entries(NUD).filter(([, v]) => v !== 0).map(([k, v]) => [k.slice(4), v]);
const NTF_ROUTER = 0x80;

/** The object `ip -json neigh show` prints for one RTM_NEWNEIGH. */
export function neighObject(msg: NlMsg, names: LinkNames): IpObject {
  const o: IpObject = { dst: msg.get("dst") };
  const ifindex = msg.get("ifindex") as number;
  o.dev = names.name(ifindex) ?? `if${ifindex}`;
  put(o, "lladdr", msg.get("lladdr"));
  if ((msg.get("flags") as number) & NTF_ROUTER) o.router = null;
  const state = msg.get("state") as number;
  o.state = NUD_NAMES.filter(([, bit]) => state & bit).map(([n]) => n);
  return o;
}

/** Whether `ip neigh show` lists a neighbour by default (it hides NOARP and NONE entries). */
export function neighShownByDefault(msg: NlMsg): boolean {
  return ((msg.get("state") as number) & 0xff & ~NUD.NUD_NOARP) !== 0;
}

/** A neighbour as `ip neigh show` prints it. */
export function neighText(o: IpObject): string {
  let s = `${o.dst} dev ${o.dev}`;
  if (o.lladdr !== undefined) s += ` lladdr ${o.lladdr}`;
  if ("router" in o) s += " router";
  for (const st of o.state as string[]) s += ` ${st}`;
  return s + " ";
}
