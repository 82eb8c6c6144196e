/**
 * `IPRoute`: pyroute2's RTNL verbs over one NETLINK_ROUTE socket, with promises and typed errors.
 * @module
 */

import { type MessageSchema, NetlinkError, type NlMsg, formatIp4, formatIp6, parseIp4, parseIp6, show } from "../marshal/mod.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { AF, RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { rtmsg } from "../rtnl/route.ts";
import { fibmsg } from "../rtnl/rule.ts";
import { Connection } from "../socket/connection.ts";
import type { Transport } from "../socket/transport.ts";
import { parsePrefix, splitSpec } from "./_spec.ts";
import { type Match, matches } from "./filter.ts";

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

const AF_NAMES: Readonly<Record<string, number>> = { inet: AF.AF_INET, inet6: AF.AF_INET6, ipv4: AF.AF_INET, ipv6: AF.AF_INET6, bridge: AF.AF_BRIDGE };

function familyValue(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && v in AF_NAMES) return AF_NAMES[v];
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255) return v;
  throw new TypeError(`Invalid family: expected 2 (AF_INET), 10 (AF_INET6), 7 (AF_BRIDGE), 0 or a name, got ${show(v)}`);
}

/**
 * The family a dump asks the kernel for (0: all), removed from the user-space filter: the kernel
 * dumps only the family the request names, so no second check is needed.
 */
function takeFamily(filter: Record<string, unknown>): number {
  const family = familyValue(filter.family) ?? 0;
  delete filter.family;
  return family;
}

/** Canonical text of an address so that filters compare equal to decoded values. */
function canonicalAddress(text: string): string {
  const v4 = parseIp4(text);
  if (v4) return formatIp4(v4, 0);
  const v6 = parseIp6(text);
  return v6 ? formatIp6(v6, 0) : text;
}

/** Split a dump filter into the user-space match and the header fields sent to the kernel. */
function addressFilter(filter: Record<string, unknown>, key: string, lenKey: string): void {
  const v = filter[key];
  if (typeof v !== "string") return;
  const p = parsePrefix(v, key);
  if (p.address === undefined) {
    filter[key] = (x: unknown) => x === undefined;
    filter[lenKey] ??= 0;
  } else {
    filter[key] = canonicalAddress(p.address);
    if (p.prefixlen !== undefined) filter[lenKey] ??= p.prefixlen;
  }
  filter.family ??= p.family;
}

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
  readonly #strict: boolean;

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
    this.#strict = !!options.strictCheck;
    this.#conn = new Connection(transport, rtnl, { timeoutMs: options.timeoutMs });
  }

  /** The underlying connection (stats, port id). */
  get connection(): Connection {
    return this.#conn;
  }

  /** Close the socket. Idempotent. */
  close(): void {
    this.#conn.close();
  }

  /** `using ipr = new IPRoute()` closes it at the end of the scope. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #dump(schema: MessageSchema, type: number, fields: Record<string, unknown>, attrs: [string, unknown][], match: Match | undefined): Promise<NlMsg[]> {
    const msgs = await this.#conn.request({ schema, init: { type, fields, attrs }, dump: true });
    return match === undefined ? msgs : msgs.filter((m) => matches(m, match));
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
  getLinks(...args: (number | Filter)[]): Promise<NlMsg[]> {
    const indexes = args.filter((a): a is number => typeof a === "number");
    const filter: Record<string, unknown> = Object.assign({}, ...args.filter((a) => typeof a !== "number"));
    if (indexes.length) filter.index = (i: number) => indexes.includes(i);
    return this.link("dump", filter);
  }

  /**
   * Link operations. Supported: `get` (by index, ifname or altname), `dump` / `show` (filtered).
   *
   * Equivalent to: `ip link show dev v0`
   *
   * @example
   * ```ts
   * const [v0] = await ipr.link("get", { ifname: "v0" });
   * const up = await ipr.link("dump", { state: "up" });
   * ```
   */
  async link(command: "get" | "dump" | "show", spec: Filter = {}): Promise<NlMsg[]> {
    switch (command) {
      case "get": {
        const { index, ifname, altname, ...rest } = spec as Record<string, unknown>;
        if (index === undefined && ifname === undefined && altname === undefined) {
          throw new TypeError(`link("get"): give index, ifname or altname`);
        }
        const s = splitSpec(ifinfomsg, { index, ifname, alt_ifname: altname, ...rest }, `link("get")`);
        s.attrs.push(["ext_mask", 1]);
        return await this.#conn.request({ schema: ifinfomsg, init: { type: RTM.RTM_GETLINK, fields: s.fields, attrs: s.attrs } });
      }
      case "dump":
      case "show": {
        const { match, ...filter } = spec as Record<string, unknown>;
        const fields: Record<string, unknown> = {};
        const attrs: [string, unknown][] = [["ext_mask", 1]];
        if (this.#strict && typeof filter.master === "number") attrs.push(["master", filter.master]);
        const m = mergeMatch(filter, match as Match | undefined);
        return await this.#dump(ifinfomsg, RTM.RTM_GETLINK, fields, attrs, m);
      }
      default:
        throw new TypeError(`link(): unknown command ${show(command)} (known: get, dump, show)`);
    }
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
  async linkLookup(filter: Filter): Promise<number[]> {
    const keys = Object.keys(filter).filter((k) => filter[k] !== undefined);
    if (keys.length === 1 && (keys[0] === "ifname" || keys[0] === "altname")) {
      try {
        const msgs = await this.link("get", filter);
        return msgs.map((m) => m.get("index") as number);
      } catch (e) {
        if (e instanceof NetlinkError && (e.code === "ENODEV" || e.code === "ENOENT")) return [];
        throw e;
      }
    }
    const msgs = await this.link("dump", filter);
    return msgs.map((m) => m.get("index") as number);
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
  getAddr(filter: Filter = {}): Promise<NlMsg[]> {
    return this.addr("dump", filter);
  }

  /**
   * Address operations. Supported: `dump` / `show` with a filter.
   *
   * Equivalent to: `ip addr show dev v0`
   *
   * @example
   * ```ts
   * const addrs = await ipr.addr("dump", { index: 2, family: 2 });
   * ```
   */
  async addr(command: "dump" | "show", spec: Filter = {}): Promise<NlMsg[]> {
    if (command !== "dump" && command !== "show") throw new TypeError(`addr(): unknown command ${show(command)} (known: dump, show)`);
    const { match, ...f } = spec as Record<string, unknown>;
    const filter: Record<string, unknown> = { ...f };
    if (typeof filter.address === "string") {
      const p = parsePrefix(filter.address, "address");
      filter.address = p.address === undefined ? undefined : canonicalAddress(p.address);
      if (p.prefixlen !== undefined) filter.prefixlen ??= p.prefixlen;
      filter.family ??= p.family;
    }
    const family = takeFamily(filter);
    const fields: Record<string, unknown> = { family };
    if (this.#strict && typeof filter.index === "number") fields.index = filter.index;
    return await this.#dump(ifaddrmsg, RTM.RTM_GETADDR, fields, [], mergeMatch(filter, match as Match | undefined));
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
  getRoutes(filter: Filter = {}): Promise<NlMsg[]> {
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
  getDefaultRoutes(filter: Filter = {}): Promise<NlMsg[]> {
    return this.route("dump", { table: 254, ...filter, dst: "default" });
  }

  /**
   * Route operations. Supported: `get` (the kernel's lookup for `dst`), `dump` / `show`.
   *
   * Equivalent to: `ip route get 192.0.2.1`
   *
   * @example
   * ```ts
   * const [r] = await ipr.route("get", { dst: "192.0.2.1" });
   * r.get("oif");
   * ```
   */
  async route(command: "get" | "dump" | "show", spec: Filter = {}): Promise<NlMsg[]> {
    switch (command) {
      case "get": {
        const { dst, ...rest } = spec as Record<string, unknown>;
        if (dst === undefined) throw new TypeError(`route("get"): dst is required`);
        const p = parsePrefix(dst, "dst");
        if (p.address === undefined) throw new TypeError(`route("get"): dst must be an address, got ${show(dst)}`);
        const family = familyValue(rest.family) ?? p.family!;
        const s = splitSpec(rtmsg, { dst_len: p.prefixlen ?? (family === AF.AF_INET ? 32 : 128), ...rest, family, dst: p.address }, `route("get")`);
        return await this.#conn.request({ schema: rtmsg, init: { type: RTM.RTM_GETROUTE, fields: s.fields, attrs: s.attrs } });
      }
      case "dump":
      case "show": {
        const { match, ...f } = spec as Record<string, unknown>;
        const filter: Record<string, unknown> = { ...f };
        addressFilter(filter, "dst", "dst_len");
        addressFilter(filter, "src", "src_len");
        if (typeof filter.gateway === "string") filter.gateway = canonicalAddress(filter.gateway);
        const family = takeFamily(filter);
        const fields: Record<string, unknown> = { family };
        const attrs: [string, unknown][] = [];
        if (this.#strict) {
          if (typeof filter.table === "number") {
            fields.table = filter.table < 256 ? filter.table : 252;
            attrs.push(["table", filter.table]);
          }
          if (typeof filter.oif === "number") attrs.push(["oif", filter.oif]);
        }
        return await this.#dump(rtmsg, RTM.RTM_GETROUTE, fields, attrs, mergeMatch(filter, match as Match | undefined));
      }
      default:
        throw new TypeError(`route(): unknown command ${show(command)} (known: get, dump, show)`);
    }
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
  getRules(filter: Filter = {}): Promise<NlMsg[]> {
    return this.rule("dump", filter);
  }

  /**
   * Rule operations. Supported: `dump` / `show`.
   *
   * Equivalent to: `ip rule show`
   *
   * @example
   * ```ts
   * const r = await ipr.rule("dump", { table: 100 });
   * ```
   */
  async rule(command: "dump" | "show", spec: Filter = {}): Promise<NlMsg[]> {
    if (command !== "dump" && command !== "show") throw new TypeError(`rule(): unknown command ${show(command)} (known: dump, show)`);
    const { match, ...f } = spec as Record<string, unknown>;
    const filter: Record<string, unknown> = { ...f };
    addressFilter(filter, "src", "src_len");
    addressFilter(filter, "dst", "dst_len");
    const family = takeFamily(filter);
    return await this.#dump(fibmsg, RTM.RTM_GETRULE, { family }, [], mergeMatch(filter, match as Match | undefined));
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
  getNeighbours(filter: Filter = {}): Promise<NlMsg[]> {
    return this.neigh("dump", filter);
  }

  /**
   * Neighbour operations. Supported: `dump` / `show`, and `get` (`dst` + `ifindex`).
   *
   * Equivalent to: `ip neigh get 192.0.2.2 dev v0`
   *
   * @example
   * ```ts
   * const [n] = await ipr.neigh("get", { dst: "192.0.2.2", ifindex: 2 });
   * ```
   */
  async neigh(command: "dump" | "show" | "get", spec: Filter = {}): Promise<NlMsg[]> {
    if (command === "get") {
      const { dst, ...rest } = spec as Record<string, unknown>;
      if (dst === undefined) throw new TypeError(`neigh("get"): dst is required`);
      const p = parsePrefix(dst, "dst");
      const s = splitSpec(ndmsg, { family: p.family, ...rest, dst: p.address }, `neigh("get")`);
      return await this.#conn.request({ schema: ndmsg, init: { type: RTM.RTM_GETNEIGH, fields: s.fields, attrs: s.attrs } });
    }
    if (command !== "dump" && command !== "show") throw new TypeError(`neigh(): unknown command ${show(command)} (known: dump, show, get)`);
    const { match, ...f } = spec as Record<string, unknown>;
    const filter: Record<string, unknown> = { ...f };
    if (typeof filter.dst === "string") {
      filter.dst = canonicalAddress(filter.dst);
      filter.family ??= parseIp4(filter.dst as string) ? AF.AF_INET : AF.AF_INET6;
    }
    const family = takeFamily(filter);
    const fields: Record<string, unknown> = { family };
    if (this.#strict && typeof filter.ifindex === "number") fields.ifindex = filter.ifindex;
    return await this.#dump(ndmsg, RTM.RTM_GETNEIGH, fields, [], mergeMatch(filter, match as Match | undefined));
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
}

function mergeMatch(filter: Record<string, unknown>, match: Match | undefined): Match | undefined {
  const hasFilter = Object.values(filter).some((v) => v !== undefined);
  if (!hasFilter) return match;
  if (match === undefined) return filter;
  return (m: NlMsg) => matches(m, filter) && matches(m, match);
}
