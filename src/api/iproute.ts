/**
 * `IPRoute`: pyroute2's RTNL verbs over one NETLINK_ROUTE socket, with promises and typed errors.
 * The verbs live in one module per object type (links.ts, addresses.ts, routes.ts, rules.ts,
 * neighbours.ts); this class is their documented surface.
 * @module
 */

import type { NlMsg } from "../marshal/mod.ts";
import type { AddrArgs, AddrMsg, LinkArgs, LinkMsg, NeighArgs, NeighMsg, RouteArgs, RouteMsg, RuleArgs, RuleMsg } from "./specs.ts";
import { Addresses, InterfaceChain, Interfaces, Neighbours, Routes, Rules } from "./fluent.ts";
import { rtnl } from "../rtnl/messages.ts";
import { Connection } from "../socket/connection.ts";
import type { Transport } from "../socket/transport.ts";
import { OpContext } from "./_context.ts";
import { IPBatch } from "./batch.ts";
import * as addresses from "./addresses.ts";
import * as bridge from "./bridge.ts";
import * as ensureOps from "./ensure.ts";
import * as events from "./events.ts";
import * as links from "./links.ts";
import * as neighbours from "./neighbours.ts";
import * as nsid from "./nsid.ts";
import * as routes from "./routes.ts";
import * as rules from "./rules.ts";
import * as qdiscs from "./tc.ts";

/** Options for `new IPRoute()`. */
export interface IPRouteOptions {
  /** Open the socket inside this network namespace: a name (/run/netns/NAME), a path, or an fd. */
  readonly netns?: string | number;
  /** NETLINK_GET_STRICT_CHK: the kernel validates dump requests and filters dumps itself. */
  readonly strictCheck?: boolean;
  /** How long to wait for a reply datagram, in ms (default 10,000). */
  readonly timeoutMs?: number;
  /** Use this transport instead of a libc socket (tests: `ScriptedTransport`). */
  readonly transport?: Transport;
}

/** Opens the default transport; installed by the runtime entry point (mod.ts). */
export type TransportFactory = (options: IPRouteOptions) => Transport;

let defaultFactory: TransportFactory | null = null;

/** Install the function that opens sockets for `new IPRoute()` (done by mod.ts). */
export function setTransportFactory(factory: TransportFactory): void {
  defaultFactory = factory;
}

/** A dump filter: field/attribute values, nested objects, predicates, or a function. */
export type Filter = Readonly<Record<string, unknown>>;

/**
 * A NETLINK_ROUTE socket with pyroute2's verbs. Reads return `NlMsg[]`; kernel refusals reject
 * with `NetlinkError`; bad input throws before anything is sent. Dispose it (`using`) or call
 * `close()`.
 *
 * @example
 * ```ts
 * using ipr = new IPRoute();
 * for (const link of await ipr.getLinks()) console.log(link.get("index"), link.get("ifname"));
 * ```
 */
export class IPRoute implements Disposable {
  readonly #conn: Connection;
  readonly #ctx: OpContext;
  #bound: events.EventStream | null = null;

  /**
   * Open a socket (in `options.netns` when given).
   *
   * @example
   * ```ts
   * const ipr = new IPRoute({ netns: "blue", strictCheck: true });
   * ```
   */
  constructor(options: IPRouteOptions = {}) {
    let transport = options.transport;
    if (!transport) {
      if (!defaultFactory) throw new Error("nlroute: no netlink transport: import nlroute from mod.ts under Deno or Bun, or pass { transport }");
      transport = defaultFactory(options);
    }
    this.#conn = new Connection(transport, rtnl, { timeoutMs: options.timeoutMs });
    this.#ctx = new OpContext(this.#conn, !!options.strictCheck, options.netns);
  }

  /** The underlying connection (stats, port id). */
  get connection(): Connection {
    return this.#conn;
  }

  /** Close the socket, and every event stream opened with `events()` or `bind()`. Idempotent. */
  close(): void {
    events.closeEvents(this.#ctx);
    this.#bound = null;
    this.#conn.close();
  }

  /** `using ipr = new IPRoute()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  // ------------------------------------------------------------------------------------------
  // links

  /**
   * Dump links, optionally filtered (pyroute2 `get_links`). Numbers select by index.
   *
   * Equivalent to: `ip -d link show`
   *
   * @example
   * ```ts
   * const all = await ipr.getLinks();
   * const veths = await ipr.getLinks({ linkinfo: { kind: "veth" } });
   * const [lo] = await ipr.getLinks(1);
   * ```
   */
  getLinks(...args: (number | Filter)[]): Promise<LinkMsg[]> {
    return links.getLinks(this.#ctx, args);
  }

  /**
   * Link operations, with pyroute2's keywords.
   *
   * Commands: `add` (NLM_F_CREATE | NLM_F_EXCL: an existing name rejects with NetlinkError
   * "EEXIST"), `set` (RTM_NEWLINK), `update` (pyroute2's: the keywords of `set` sent as
   * RTM_SETLINK, without `kind`), `del` (by `index`, `ifname` or `altname`; a missing link rejects with
   * "ENODEV"), `get` (by index, ifname or altname), `dump` / `show` (filtered like `getLinks`),
   * `property_add` / `property_del` (`altname`: a name or a list).
   *
   * Keywords for `add` / `set`: `index`, `ifname` (with `index` on `set`: a rename), `state`
   * ("up" / "down"), `flags` (a number, or `["IFF_UP", "!IFF_NOARP"]`: sets the flags and the
   * change mask), `change`, `arp` / `noarp` (booleans), `mtu`, `address`, `txqlen`, `alias`,
   * `master` (index or name; 0, null or "nomaster" releases), `link`, `net_ns_fd` (an fd, or a
   * namespace name / path, opened and closed around the request), `net_ns_pid`, `vf` (SR-IOV:
   * `{ vf: 0, mac, vlan, qos, proto, tx_rate, min_tx_rate, max_tx_rate, spoofchk, trust,
   * query_rss, link_state, node_guid, port_guid }` or a list, as `ip link set ... vf 0 ...`), any other IFLA_*
   * attribute by short or kernel name (`IFLA_IFNAME`), and `kind` with its options flat
   * (`vxlan_id`, `br_stp_state`, pyroute2's prefixes such as `ipip_local` or `macvtap_mode`) or
   * nested (`linkinfo: { kind, data }`). Kinds: bond, bridge, dummy, geneve, gre, gretap,
   * ip6gre, ip6gretap, ip6tnl, ipip, ipvlan, macvlan, macvtap, sit, veth (`peer`: a name or
   * `{ ifname, address, net_ns_fd, ... }`), vlan, vrf, vxlan, wireguard, xfrm, ... and `tuntap`
   * (created with ioctl: `mode`, `uid`, `gid`); port options with `kind: "bond_slave"` etc.
   * Names are accepted wherever an ifindex is expected (`master`, `link`, `vxlan_link`),
   * resolved once per call. Bad input (unknown kind or keyword, ifname over 15 bytes, vlan id
   * 4096) throws TypeError / RangeError before anything is sent.
   *
   * Equivalent to: `ip link add v0 type veth peer name v1`, `ip link set dev v0 up`,
   * `ip link set dev enp1s0f0 vf 0 mac 02:00:00:00:00:01 vlan 100 spoofchk on`,
   * `ip link del dev v0`, `ip link property add dev v0 altname uplink`, `ip link show dev v0`
   *
   * @example
   * ```ts
   * await ipr.link("add", { ifname: "v0", kind: "veth", peer: { ifname: "v1", net_ns_fd: "blue" } });
   * await ipr.link("add", { ifname: "br0", kind: "bridge", br_stp_state: 1 });
   * await ipr.link("set", { ifname: "v0", master: "br0", state: "up", mtu: 1400 });
   * await ipr.link("update", { index: 7, mtu: 1450 });
   * await ipr.link("set", { ifname: "enp1s0f0", vf: { vf: 0, mac: "02:00:00:00:00:01", vlan: 100, spoofchk: true } });
   * await ipr.link("add", { ifname: "vx101", kind: "vxlan", vxlan_id: 101, vxlan_group: "239.1.1.1", vxlan_link: "v0", vxlan_ttl: 16 });
   * await ipr.link("property_add", { ifname: "v0", altname: ["uplink", "port-a"] });
   * const [v0] = await ipr.link("get", { altname: "uplink" });
   * await ipr.link("del", { ifname: "v0" });
   * ```
   */
  link<C extends links.LinkCommand>(command: C, ...spec: LinkArgs<C>): Promise<LinkMsg[]>;
  link(command: links.LinkCommand, spec: object = {}): Promise<LinkMsg[]> {
    return links.link(this.#ctx, command, spec as Filter);
  }

  /**
   * Indexes of links that match (pyroute2 `link_lookup`); `[]` when none.
   *
   * Equivalent to: `ip -j link show dev v0 | jq '.[].ifindex'`
   *
   * @example
   * ```ts
   * const [index] = await ipr.linkLookup({ ifname: "v0" });
   * const byAlt = await ipr.linkLookup({ altname: "uplink-main" });
   * ```
   */
  linkLookup(filter: Filter): Promise<number[]> {
    return links.linkLookup(this.#ctx, filter);
  }

  // ------------------------------------------------------------------------------------------
  // addresses

  /**
   * Dump addresses, optionally filtered (pyroute2 `get_addr`): `family`, `index`, `label`,
   * `address` (also "192.0.2.1/24"), any attribute, or a predicate.
   *
   * Equivalent to: `ip addr show`
   *
   * @example
   * ```ts
   * const v4 = await ipr.getAddr({ family: 2, index: 2 });
   * ```
   */
  getAddr(filter: Filter = {}): Promise<AddrMsg[]> {
    return this.addr("dump", filter);
  }

  /**
   * Address operations: `add`, `del`, `replace`, `dump` / `show`, `flush` (`flushAddr`). Keys: `index` (or `ifname`;
   * names are resolved), `address` ("192.0.2.1/24", or with `prefixlen` / `mask`; without a
   * length the host length, as `ip`), `local` (defaults to `address`), `broadcast` (`true`:
   * computed, or an address), `label`, `scope` (name or number), `flags` (`["nodad",
   * "noprefixroute"]` or a number), `preferred` / `valid` lifetimes in seconds (also
   * `preferred_lft` / `valid_lft`, `"forever"`), `metric`, or any IFA_* attribute.
   * `add` fails with EEXIST when present; `replace` adds or updates.
   *
   * Equivalent to: `ip addr add 192.0.2.1/24 dev v0 broadcast +`
   *
   * @example
   * ```ts
   * await ipr.addr("add", { index: "v0", address: "192.0.2.1/24", broadcast: true });
   * await ipr.addr("add", { index: 2, address: "2001:db8::1", prefixlen: 64, flags: ["nodad"], preferred: 300, valid: 600 });
   * const addrs = await ipr.addr("dump", { index: 2, family: 2 });
   * await ipr.addr("del", { index: 2, address: "192.0.2.1/24" });
   * ```
   */
  addr<C extends addresses.AddrCommand>(command: C, ...spec: AddrArgs<C>): Promise<AddrMsg[]>;
  addr(command: addresses.AddrCommand, spec: object = {}): Promise<AddrMsg[]> {
    return addresses.addr(this.#ctx, command, spec as Filter);
  }

  /**
   * Delete every address that matches the filter (pyroute2 `flush_addr`; same filter as
   * `getAddr`); returns the addresses deleted.
   *
   * Equivalent to: `ip addr flush dev v0`
   *
   * @example
   * ```ts
   * await ipr.flushAddr({ index: 2 });
   * await ipr.flushAddr({ label: "v0:1" });
   * ```
   */
  flushAddr(filter: Filter = {}): Promise<NlMsg[]> {
    return addresses.flushAddr(this.#ctx, filter);
  }

  // ------------------------------------------------------------------------------------------
  // routes

  /**
   * Dump routes, optionally filtered (pyroute2 `get_routes`): `family`, `table` (RTA_TABLE
   * when present, so tables > 255 work), `dst` ("198.51.100.0/24", "default"), `oif`,
   * `gateway`, any attribute, or a predicate. No argument: every family and table.
   *
   * Equivalent to: `ip route show table all`
   *
   * @example
   * ```ts
   * const main4 = await ipr.getRoutes({ family: 2, table: 254 });
   * ```
   */
  getRoutes(filter: Filter = {}): Promise<RouteMsg[]> {
    return this.route("dump", filter);
  }

  /**
   * Default routes (dst_len 0), by default of the main table (pyroute2 `get_default_routes`).
   *
   * Equivalent to: `ip route show default`
   *
   * @example
   * ```ts
   * const defaults = await ipr.getDefaultRoutes({ family: 2 });
   * ```
   */
  getDefaultRoutes(filter: Filter = {}): Promise<RouteMsg[]> {
    return this.route("dump", { table: 254, ...filter, dst: "default" });
  }

  /**
   * Route operations: `add` (NLM_F_CREATE|EXCL), `replace` (CREATE|REPLACE), `change`
   * (REPLACE: the route must exist), `append` (CREATE|APPEND), `del`, `get` (the kernel's
   * lookup for `dst`), `dump` / `show` (filtered). Keys: `dst` ("198.51.100.0/24",
   * "198.51.100.0/255.255.255.0", "default", IPv6), `gateway`, `oif` / `iif` (index or name),
   * `table` (name or number, > 255 too), `priority` (or `metric`), `proto`, `scope`, `type`
   * (names or numbers), `prefsrc`, `src` (source prefix), `pref`, `flags` (`["onlink"]`),
   * `metrics` (`{ mtu, advmss, hoplimit... }`), `multipath` (`[{ gateway, oif, weight | hops,
   * attrs }]`), `nh` (a nexthop object id), or any RTA_* attribute. Defaults as `ip route`:
   * table main, proto boot, type unicast, scope link for a route with neither gateway nor
   * next hops, else universe.
   *
   * Equivalent to: `ip route add 198.51.100.0/24 via 192.0.2.2 dev v0`
   *
   * @example
   * ```ts
   * await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2", oif: "v0" });
   * await ipr.route("replace", { dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2" }, { gateway: "192.0.2.3", weight: 2 }] });
   * await ipr.route("add", { dst: "203.0.113.0/24", type: "blackhole", table: 1000 });
   * const [r] = await ipr.route("get", { dst: "198.51.100.7" });
   * await ipr.route("del", { dst: "198.51.100.0/24" });
   * ```
   */
  route<C extends routes.RouteCommand>(command: C, ...spec: RouteArgs<C>): Promise<RouteMsg[]>;
  route(command: routes.RouteCommand, spec: object = {}): Promise<RouteMsg[]> {
    return routes.route(this.#ctx, command, spec as Filter);
  }

  /**
   * A batch of change requests sent pipelined, many per datagram (pyroute2's IPBatch): queue
   * requests with its verbs (`route`, `addr`, `link`, `neigh`, `rule`: same arguments as here),
   * then `commit()` sends them and returns one result per request, in order, each
   * `{ ok: true, msgs }` or `{ ok: false, error }` (a NetlinkError). One refused request does not
   * stop the others.
   *
   * Equivalent to: `ip -batch FILE` (each line acknowledged, errors reported per line, with `-force`)
   *
   * @example
   * ```ts
   * const b = ipr.batch();
   * for (let i = 0; i < 256; i++) b.route("add", { dst: `198.51.100.${i}/32`, gateway: "192.0.2.1" });
   * const results = await b.commit();
   * const failed = results.filter((r) => !r.ok).length;
   * ```
   */
  batch(): IPBatch {
    return new IPBatch(this.#ctx);
  }

  /**
   * Delete every route that matches the filter (pyroute2 `flush_routes`; same filter as
   * `getRoutes`, so no filter means every route of every table); returns the routes deleted.
   *
   * Equivalent to: `ip route flush table 10101`
   *
   * @example
   * ```ts
   * await ipr.flushRoutes({ table: 10101, family: 2 });
   * await ipr.flushRoutes({ oif: "v0", proto: "static" });
   * ```
   */
  flushRoutes(filter: Filter = {}): Promise<NlMsg[]> {
    return routes.flushRoutes(this.#ctx, filter);
  }

  /**
   * The routes matching the filter as bytes in `ip route save`'s format (`fmt: "iproute2"`,
   * the default, with its magic 0x45311224) or as bare messages (`fmt: "raw"`). Without a
   * `table`, the main table only, as `ip route save`; `table: "all"` saves every table.
   *
   * Equivalent to: `ip route save table main > routes.bin`
   *
   * @example
   * ```ts
   * const saved = await ipr.routeDumps({ family: 2 });
   * ```
   */
  routeDumps(filter: Filter = {}, options: routes.RouteDumpsOptions = {}): Promise<Uint8Array> {
    return routes.routeDumps(this.#ctx, filter, options);
  }

  /**
   * Add the routes saved by `routeDumps` or `ip route save` (with or without the magic
   * number), as `ip route restore`: routes that exist already are skipped. Returns the routes
   * added.
   *
   * Equivalent to: `ip route restore < routes.bin`
   *
   * @example
   * ```ts
   * await ipr.routeLoads(saved);
   * ```
   */
  routeLoads(data: Uint8Array): Promise<NlMsg[]> {
    return routes.routeLoads(this.#ctx, data);
  }

  // ------------------------------------------------------------------------------------------
  // rules, neighbours

  /**
   * Dump policy routing rules, optionally filtered (pyroute2 `get_rules`).
   *
   * Equivalent to: `ip rule show`
   *
   * @example
   * ```ts
   * const rules = await ipr.getRules({ family: 2, priority: (p: number) => p > 100 });
   * ```
   */
  getRules(filter: Filter = {}): Promise<RuleMsg[]> {
    return this.rule("dump", filter);
  }

  /**
   * Rule operations (pyroute2 `rule`): `add`, `del`, `dump` / `show` (filtered), `flush`.
   * Keywords: `priority`, `table` (> 255 goes in FRA_TABLE), `action` (number, "prohibit",
   * "FR_ACT_BLACKHOLE", "unreachable", "goto", "nop"), `src` / `dst` ("192.0.2.0/24" or with
   * `src_len` / `dst_len`), `tos`, `fwmark`, `fwmask`, `iifname`, `oifname`, `goto`, `uid_range`
   * ("1000-1234"), `ip_proto` (number or "tcp"), `sport_range` / `dport_range` ("80-120"),
   * `flags` (["invert"]), `family` (default: from the addresses, else AF_INET), any FRA_*
   * attribute. `add` defaults to action FR_ACT_TO_TBL and the main table, as `ip rule add` does.
   *
   * Equivalent to: `ip rule add priority 100 from 192.0.2.0/24 table 100`
   *
   * @example
   * ```ts
   * await ipr.rule("add", { priority: 100, src: "192.0.2.0/24", table: 100 });
   * await ipr.rule("add", { priority: 101, action: "prohibit", fwmark: 0x10, fwmask: 0xff });
   * const [r] = await ipr.rule("dump", { priority: 100 });
   * await ipr.rule("del", { priority: 100 });
   * ```
   */
  rule<C extends rules.RuleCommand>(command: C, ...spec: RuleArgs<C>): Promise<RuleMsg[]>;
  rule(command: rules.RuleCommand, spec: object = {}): Promise<RuleMsg[]> {
    return rules.rule(this.#ctx, command, spec as Filter);
  }

  /**
   * Delete every rule that matches the filter (pyroute2 `flush_rules`): all families unless
   * `family` is given; predicates allowed. Returns the deleted rules.
   *
   * Equivalent to: `ip rule flush`
   *
   * @example
   * ```ts
   * await ipr.flushRules({ family: 2, priority: (p: number) => p > 5 && p < 32000 });
   * ```
   */
  flushRules(filter: Filter = {}): Promise<NlMsg[]> {
    return rules.flushRules(this.#ctx, filter);
  }

  /**
   * Dump neighbours (ARP / NDP), optionally filtered (pyroute2 `get_neighbours`).
   *
   * Equivalent to: `ip neigh show`
   *
   * @example
   * ```ts
   * const arp = await ipr.getNeighbours({ family: 2, ifindex: 2 });
   * ```
   */
  getNeighbours(filter: Filter = {}): Promise<NeighMsg[]> {
    return this.neigh("dump", filter);
  }

  /**
   * Neighbour operations (pyroute2 `neigh`): `add`, `del`, `replace` / `set`, `change`,
   * `append`, `get` (`dst` + `ifindex`), `dump` / `show` (filtered; `proxy: true` dumps the
   * proxy table), `flush` (everything the filter matches, permanent entries included).
   * Keywords: `dst`, `ifindex` (index or name), `lladdr`, `state` (number, "permanent",
   * "reachable", "NUD_STALE", or a list; default permanent, as `ip neigh add`), `flags` (number or
   * names: "proxy", "router"...), `proxy: true`, `router: true`, `family`, any NDA_* attribute.
   *
   * Equivalent to: `ip neigh add 192.0.2.2 lladdr 00:11:22:33:44:55 dev v0`
   *
   * @example
   * ```ts
   * await ipr.neigh("add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", ifindex: "v0" });
   * await ipr.neigh("add", { dst: "192.0.2.9", ifindex: "v0", proxy: true });
   * const [n] = await ipr.neigh("get", { dst: "192.0.2.2", ifindex: "v0" });
   * ```
   */
  neigh<C extends neighbours.NeighCommand>(command: C, ...spec: NeighArgs<C>): Promise<NeighMsg[]>;
  neigh(command: neighbours.NeighCommand, spec: object = {}): Promise<NeighMsg[]> {
    return neighbours.neigh(this.#ctx, command, spec as Filter);
  }

  // ------------------------------------------------------------------------------------------
  // bridges

  /**
   * Bridge forwarding database (pyroute2 `fdb`): AF_BRIDGE neighbours on bridges, bridge ports
   * and vxlan devices. Commands: `add`, `append`, `del`, `replace`, `change`, `dump` / `show`
   * (filtered: `ifindex`, `lladdr`, `vlan`, `dst`, `master`...), `flush`. Keywords: `lladdr`,
   * `ifindex` (index or name), `dst`, `vlan`, `port`, `vni`, `src_vni`, `master` (a bridge
   * index or name for NDA_MASTER, or `true` for NTF_MASTER), `self: true`, `state` (default
   * NUD_NOARP | NUD_PERMANENT) and `flags` (default NTF_SELF unless master), as `bridge fdb add`.
   *
   * Equivalent to: `bridge fdb add 00:11:22:33:44:55 dev vx0 dst 192.0.2.7 port 5678 vni 600`
   *
   * @example
   * ```ts
   * await ipr.fdb("add", { ifindex: "vx0", lladdr: "00:11:22:33:44:55", dst: "192.0.2.7", port: 5678, vni: 600 });
   * const entries = await ipr.fdb("dump", { ifindex: "vx0", lladdr: "00:11:22:33:44:55" });
   * ```
   */
  fdb(command: bridge.FdbCommand, spec: Filter = {}): Promise<NlMsg[]> {
    return bridge.fdb(this.#ctx, command, spec);
  }

  /**
   * Bridge port options (pyroute2 `brport`): `set` with `index` (index or name) and any
   * IFLA_BRPORT_* key (`cost`, `priority`, `state`, `learning`, `unicast_flood`, `mcast_flood`,
   * `bcast_flood`, `proxyarp`, `mode` (hairpin), `guard`, `isolated`...); `dump` / `show`
   * (AF_BRIDGE link dump, filtered: `index`, `master`...; IFLA_PROTINFO holds the options).
   *
   * Equivalent to: `bridge link set dev v0 cost 200 flood off`
   *
   * @example
   * ```ts
   * await ipr.brport("set", { index: "v0", cost: 200, unicast_flood: 0, proxyarp: 1 });
   * const [port] = await ipr.brport("dump", { index: "v0" });
   * port.get(["protinfo", "cost"]); // 200
   * ```
   */
  brport(command: bridge.BrportCommand, spec: Filter = {}): Promise<NlMsg[]> {
    return bridge.brport(this.#ctx, command, spec);
  }

  /**
   * VLAN filter entries of a bridge port or bridge (pyroute2 `vlan_filter`): `add` / `del` with
   * `index` (index or name), `vlan_info` (`{ vid: 100 | "100-110", flags: ["pvid",
   * "untagged"] }` or a list), `vlan_flags` (IFLA_BRIDGE_FLAGS: "master" / "self" or 1 / 2),
   * `vlan_tunnel_info` (`{ vid, id }`).
   *
   * Equivalent to: `bridge vlan add dev v0 vid 100 pvid untagged`
   *
   * @example
   * ```ts
   * await ipr.vlanFilter("add", { index: "v0", vlan_info: { vid: 100, flags: ["pvid", "untagged"] } });
   * await ipr.vlanFilter("del", { index: "v0", vlan_info: { vid: 100 } });
   * ```
   */
  vlanFilter(command: bridge.VlanFilterCommand, spec: Filter = {}): Promise<NlMsg[]> {
    return bridge.vlanFilter(this.#ctx, command, spec);
  }

  /**
   * The bridge VLAN database (pyroute2 `vlandb`): `set` per-VLAN options of existing VLANs
   * (`ifindex`, `vid` or "first-last", `state` 0..4 or "forwarding"..., `mcast_router`),
   * `add` / `del` VLANs, `dump` / `show` (`ifindex`, `dump_flags`: 1 with stats, 2 global options).
   *
   * Equivalent to: `bridge vlan set dev v0 vid 101 state learning`
   *
   * @example
   * ```ts
   * await ipr.vlandb("set", { ifindex: "v0", vid: 101, state: "learning" });
   * const globals = await ipr.vlandb("dump", { dump_flags: 2 });
   * ```
   */
  vlandb(command: bridge.VlandbCommand, spec: Filter = {}): Promise<NlMsg[]> {
    return bridge.vlandb(this.#ctx, command, spec);
  }

  /**
   * Bridges and ports with their VLANs in IFLA_AF_SPEC (pyroute2 `get_vlans`), optionally
   * filtered (`ifname`, `index` as index or name, predicates).
   *
   * Equivalent to: `bridge vlan show`
   *
   * @example
   * ```ts
   * const [br] = await ipr.getVlans({ ifname: "br0" });
   * br.get(["af_spec", "bridge_vlan_info"]); // { flags: 6, vid: 1 }
   * ```
   */
  getVlans(filter: Filter = {}): Promise<NlMsg[]> {
    return bridge.getVlans(this.#ctx, filter);
  }

  // ------------------------------------------------------------------------------------------
  // ensure, poll

  /**
   * Make an object present, or absent with `present: false` (pyroute2 `ensure`), for `link`,
   * `addr`, `route`, `rule`, `neigh`: an object with the same identity (link: ifname; addr:
   * index + address/prefixlen; route: table + dst (+ priority); rule: selectors and action;
   * neigh: ifindex + dst) is left unchanged, a missing one is added with the spec. Resolves with
   * the object as dumped afterwards (`[]` when absent).
   *
   * Equivalent to: `ip link show dev br0 || ip link add br0 type bridge`
   *
   * @example
   * ```ts
   * const [br] = await ipr.ensure("link", { ifname: "br0", kind: "bridge", state: "up" });
   * await ipr.ensure("addr", { index: br.get("index"), address: "192.0.2.1/24" });
   * await ipr.ensure("link", { ifname: "old0", present: false });
   * ```
   */
  ensure(verb: ensureOps.EnsureVerb, spec: Filter, options: ensureOps.PollOptions = {}): Promise<NlMsg[]> {
    return ensureOps.ensure(this.#ctx, verb, spec, options);
  }

  /**
   * Dump `verb` with `filter` until something matches (pyroute2 `poll`); rejects with
   * `PollTimeoutError` after `timeoutMs` (default 10,000), dumping every `intervalMs` (200).
   *
   * Equivalent to: `until ip link show dev br0 up; do sleep 0.2; done`
   *
   * @example
   * ```ts
   * const [br] = await ipr.poll("link", { ifname: "br0", state: "up" }, { timeoutMs: 2000 });
   * ```
   */
  poll(verb: ensureOps.PollVerb, filter: Filter, options: ensureOps.PollOptions = {}): Promise<NlMsg[]> {
    return ensureOps.poll(this.#ctx, verb, filter, options);
  }

  // ------------------------------------------------------------------------------------------
  // traffic control

  /**
   * Traffic control (pyroute2 `tc`). Qdiscs: `add` (NLM_F_CREATE | NLM_F_EXCL), `replace`
   * (CREATE | REPLACE), `change`, `del`, `dump` / `show` (`getQdiscs`). Keys: `index` (the
   * interface: an index or a name), `kind`, `handle` ("1:", or a number; 0 lets the kernel pick),
   * `parent` ("root", the default, "1:10", "ingress", or a number), and the kind's options:
   * `limit` for pfifo / bfifo / pfifo_head_drop (packets / bytes), `default` (the default class's
   * minor: a number, or hex text as `tc` reads it), `r2q` and `direct_qlen` for htb; pfifo_fast
   * and mq take none. `del` needs `index` and `handle` or `parent`.
   * htb classes: `add-class`, `replace-class`, `change-class`, `del-class`, `dump-class`
   * (`getClasses`), with `handle` (the classid, "1:10"), `parent` ("1:" or a parent class),
   * `rate` (required: "1mbit", "256kbit", or bit/s), `ceil` (default: the rate), `burst` /
   * `cburst` ("15k", or bytes; default: one MTU), `prio` (0..7), `quantum`, `mtu` (1600), `mpu`;
   * the rate tables and buffers are computed as `tc` computes them. Dumps decode every kind
   * (options of other kinds as bytes).
   * u32 filters: `add-filter`, `replace-filter`, `change-filter`, `del-filter`, `dump-filter`
   * (`getFilters`), with `parent` (the qdisc, "1:"), `prio`, `protocol` ("ip", "ipv6", "all",
   * or a number), `flowid` / `classid` (the class a match goes to) and `match`: `{ src, dst }`
   * (IPv4 prefixes), `tos`, `protocol`, `sport`, `dport`, `icmp_type`, `icmp_code` (a number, or
   * `[value, mask]`), or raw `{ u32 | u16 | u8: [value, mask], at: offset }`; a list of such
   * objects, or pyroute2's `keys: ["0x0006/0x00ff+8"]`. Keys are packed as tc packs them.
   *
   * Equivalent to: `tc qdisc add dev v0 root handle 1: htb default 10`, `tc qdisc del dev v0 root`,
   * `tc class add dev v0 parent 1: classid 1:10 htb rate 1mbit ceil 10mbit`,
   * `tc filter add dev v0 parent 1: protocol ip prio 1 u32 match ip dport 80 0xffff flowid 1:10`
   *
   * @example
   * ```ts
   * await ipr.tc("add", { index: "v0", kind: "pfifo", handle: "1:", limit: 100 });
   * await ipr.tc("replace", { index: "v0", kind: "htb", handle: "1:", default: 0x10 });
   * await ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:", rate: "1mbit", ceil: "10mbit" });
   * await ipr.tc("add-filter", { index: "v0", kind: "u32", parent: "1:", protocol: "ip", prio: 1, match: { dport: 80 }, flowid: "1:10" });
   * await ipr.tc("del", { index: "v0", parent: "root" });
   * ```
   */
  tc(command: qdiscs.TcCommand, spec: Filter = {}): Promise<NlMsg[]> {
    return qdiscs.tc(this.#ctx, command, spec);
  }

  /**
   * Dump the qdiscs, optionally filtered (pyroute2 `get_qdiscs`): by `index` (an index or a name),
   * `kind`, `handle` / `parent` ("1:", "root", or numbers), any TCA_* key, or a predicate.
   *
   * Equivalent to: `tc qdisc show`
   *
   * @example
   * ```ts
   * const [root] = await ipr.getQdiscs({ index: "v0", parent: "root" });
   * root?.get("kind"); // "htb"
   * ```
   */
  getQdiscs(filter: Filter = {}): Promise<NlMsg[]> {
    return qdiscs.getQdiscs(this.#ctx, filter);
  }

  /**
   * Dump the traffic classes, optionally filtered (pyroute2 `get_classes`): by `index` (an index
   * or a name), `kind`, `handle` (the classid, "1:10") / `parent`, any TCA_* key, or a predicate.
   * An htb class's `options` hold `parms` (rate and ceil in bytes/s, buffers in ticks, prio...).
   *
   * Equivalent to: `tc class show`
   *
   * @example
   * ```ts
   * const [c] = await ipr.getClasses({ index: "v0", handle: "1:10" });
   * c?.get(["options", "parms"]); // { rate: { rate: 125000, ... }, ceil: ..., prio: 0, ... }
   * ```
   */
  getClasses(filter: Filter = {}): Promise<NlMsg[]> {
    return qdiscs.getClasses(this.#ctx, filter);
  }

  /**
   * Dump the filters of a qdisc (pyroute2 `get_filters`): per interface (`index`, or every one),
   * of `parent` (the qdisc, "1:"; default the root qdisc), filtered by `kind`, `prio`,
   * `protocol` (ETH_P_* number), any TCA_* key, or a predicate. A u32 filter's `options` hold
   * `classid` and `sel` with its keys (`{ mask, val, off, offmask }`).
   *
   * Equivalent to: `tc filter show dev v0 parent 1:`
   *
   * @example
   * ```ts
   * const [f] = await ipr.getFilters({ index: "v0", parent: "1:", kind: "u32" });
   * f?.get("prio"); // 1
   * ```
   */
  getFilters(filter: Filter = {}): Promise<NlMsg[]> {
    return qdiscs.getFilters(this.#ctx, filter);
  }

  // ------------------------------------------------------------------------------------------
  // namespace ids

  /**
   * The id this socket's namespace uses for another namespace (pyroute2 `get_netnsid`), given
   * by `fd` (an fd, or a name such as "blue" or a path, opened for the call), `pid` or `nsid`.
   * `nsid` is -1 when none is assigned.
   *
   * Equivalent to: `ip netns list-id` (one entry)
   *
   * @example
   * ```ts
   * const { nsid } = await ipr.getNetnsid({ fd: "blue" });
   * ```
   */
  getNetnsid(spec: nsid.GetNetnsidSpec): Promise<nsid.Netnsid> {
    return nsid.getNetnsid(this.#ctx, spec);
  }

  /**
   * Every id this socket's namespace has given to other namespaces (RTM_GETNSID dump): one
   * RTM_NEWNSID message each, with `nsid`; filtered like the other dumps.
   *
   * Equivalent to: `ip netns list-id`
   *
   * @example
   * ```ts
   * for (const m of await ipr.getNetnsids()) console.log(m.get("nsid"));
   * const [three] = await ipr.getNetnsids({ nsid: 3 });
   * ```
   */
  getNetnsids(filter: Filter = {}): Promise<NlMsg[]> {
    return nsid.getNetnsids(this.#ctx, filter);
  }

  /**
   * Give another namespace an id in this socket's namespace (pyroute2 `set_netnsid`);
   * `nsid: "auto"` lets the kernel pick. An id, once set, cannot be changed (EEXIST).
   *
   * Equivalent to: `ip netns set NAME NSID`
   *
   * @example
   * ```ts
   * await ipr.setNetnsid({ fd: "blue", nsid: 42 });
   * ```
   */
  setNetnsid(spec: nsid.SetNetnsidSpec): Promise<void> {
    return nsid.setNetnsid(this.#ctx, spec);
  }

  // ------------------------------------------------------------------------------------------
  // fluent layer (fluent.ts)

  /**
   * The interfaces, as objects (pyroute2 `ndb.interfaces`): `create(spec)` returns an awaitable
   * chain; `list`, `get`, `exists`, `delete`.
   *
   * Equivalent to: `ip link add v0 type veth peer name v1 && ip link set v0 up && ip addr add 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * const v0 = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
   * v0.state; // "up"
   * ```
   */
  get interfaces(): Interfaces {
    return new Interfaces(this);
  }

  /**
   * An existing interface by name or index, as an awaitable chain of steps (`up`, `down`, `set`,
   * `addIp`, `delIp`, `setMaster`, `setNetns`, `del`) run in order when awaited.
   *
   * Equivalent to: `ip link set dev v0 mtu 1400 down`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").set({ mtu: 1400 }).down();
   * await ipr.interface("v1").setNetns("blue");
   * ```
   */
  interface(nameOrIndex: string | number): InterfaceChain {
    return this.interfaces.at(nameOrIndex);
  }

  /**
   * The IP addresses, as objects: `create`, `delete`, `list`, `get`.
   *
   * Equivalent to: `ip addr add 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * await ipr.addresses.create({ ifname: "v0", address: "192.0.2.1/24" });
   * const cidrs = (await ipr.addresses.list({ family: 2 })).map((a) => a.cidr);
   * ```
   */
  get addresses(): Addresses {
    return new Addresses(this);
  }

  /**
   * The routes, as objects: `create`, `delete`, `list`, `get` (the kernel's lookup).
   *
   * Equivalent to: `ip route add 198.51.100.0/24 via 192.0.2.2`
   *
   * @example
   * ```ts
   * await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
   * (await ipr.routes.get("198.51.100.7")).gateway; // "192.0.2.2"
   * ```
   */
  get routes(): Routes {
    return new Routes(this);
  }

  /**
   * The neighbour (ARP / NDP) entries, as objects: `create`, `delete`, `list`, `get`.
   *
   * Equivalent to: `ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev v0`
   *
   * @example
   * ```ts
   * await ipr.neighbours.create({ ifindex: "v0", dst: "192.0.2.2", lladdr: "02:00:00:00:00:02" });
   * ```
   */
  get neighbours(): Neighbours {
    return new Neighbours(this);
  }

  /**
   * The policy routing rules, as objects: `create`, `delete`, `list`, `get`.
   *
   * Equivalent to: `ip rule add from 198.51.100.0/24 table 100 priority 100`
   *
   * @example
   * ```ts
   * await ipr.rules.create({ priority: 100, table: 100, src: "198.51.100.0/24" });
   * ```
   */
  get rules(): Rules {
    return new Rules(this);
  }

  /**
   * Everything: links, addresses, neighbours, routes and rules, in that order (pyroute2 `dump`).
   *
   * Equivalent to: `ip link; ip addr; ip neigh; ip route show table all; ip rule`
   *
   * @example
   * ```ts
   * for (const msg of await ipr.dump()) console.log(msg.event);
   * ```
   */
  async dump(): Promise<NlMsg[]> {
    const parts = [await this.getLinks(), await this.getAddr(), await this.getNeighbours(), await this.getRoutes(), await this.getRules()];
    return parts.flat();
  }

  // ------------------------------------------------------------------------------------------
  // events

  /**
   * Kernel notifications as an async iterator of decoded messages, on a socket of its own (in
   * this IPRoute's namespace; requests keep working meanwhile). `groups` are short names
   * (`"link"`, `"ipv4_ifaddr"`, `"ipv6_route"`, `"neigh"`, `"ipv4_rule"`, `"nsid"`, `"tc"`,
   * `"nexthop"`...), kernel names (`"RTNLGRP_LINK"`) or numbers; default pyroute2's set (link,
   * neigh, tc, ipv4/ipv6 ifaddr, route and rule, mpls_route). `break`, `return()` or an aborted
   * `signal` end the loop and close the socket. If the kernel drops events (ENOBUFS) the stream
   * yields a message with `event === "OVERFLOW"`, then a fresh dump of the subscribed object
   * types (`onOverflow: "resync"`, the default), or raises NetlinkError ENOBUFS
   * (`onOverflow: "throw"`).
   *
   * Equivalent to: `ip monitor link address route`
   *
   * @example
   * ```ts
   * const ac = new AbortController();
   * for await (const msg of ipr.events({ groups: ["link", "ipv4_ifaddr"], signal: ac.signal })) {
   *   if (msg.event === "OVERFLOW") state.clear(); // a dump of the current state follows
   *   else console.log(msg.event, msg.get("ifname") ?? msg.get("address"));
   * }
   * ```
   */
  events(options: events.EventsOptions = {}): events.EventStream {
    return events.openEvents(this.#ctx, options);
  }

  /**
   * Subscribe to multicast groups for {@link get} (pyroute2 `bind`): an RTMGRP_* bitmask
   * (`RTMGRP_LINK | RTMGRP_IPV4_ROUTE` = 0x41) or group names / numbers as for `events()`;
   * default pyroute2's set. Events arrive on a socket of their own; binding again replaces the
   * subscription.
   *
   * Equivalent to: `ip monitor`
   *
   * @example
   * ```ts
   * ipr.bind(["link", "ipv4_route"]);
   * for (const msg of await ipr.get()) console.log(msg.event);
   * ```
   */
  bind(groups?: number | events.EventGroup | readonly events.EventGroup[], options: Omit<events.EventsOptions, "groups"> = {}): void {
    const list = groups === undefined ? events.DEFAULT_EVENT_GROUPS : events.bindGroups(groups);
    const stream = events.openEvents(this.#ctx, { ...options, groups: list });
    this.#bound?.close();
    this.#bound = stream;
  }

  /**
   * The next batch of events since `bind()` (pyroute2 `get`): every message that has arrived,
   * at least one (waits for it). An overflow shows as an OVERFLOW message followed by a dump,
   * as in `events()`. Resolves `[]` once the subscription was closed.
   *
   * Equivalent to: `ip monitor`
   *
   * @example
   * ```ts
   * ipr.bind();
   * const msgs = await ipr.get();
   * ```
   */
  async get(): Promise<NlMsg[]> {
    if (!this.#bound) throw new Error("get(): call bind() first to subscribe to events");
    return (await this.#bound.nextBatch()) ?? [];
  }
}
