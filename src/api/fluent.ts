/**
 * The fluent layer, modelled on pyroute2's NDB objects and on `ip`'s grammar: collections
 * (`ipr.interfaces`, `ipr.addresses`, `ipr.routes`, `ipr.neighbours`, `ipr.rules`) that create,
 * delete, list and get, listing typed objects (`Interface`, `Address`, `Route`, `Neighbour`,
 * `Rule`, each with its `.msg`), and awaitable chains on one interface whose steps run in order
 * when awaited:
 *
 * ```ts
 * await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
 * ```
 *
 * Built only on the IPRoute verbs (`link`, `addr`, `route`, `neigh`, `rule`). A step that fails
 * rejects with a `ChainError` (a `NetlinkError` when the kernel refused) naming the step and the
 * steps that completed before it; nothing is rolled back.
 * @module
 */

import { NetlinkError, SyscallError, show } from "../marshal/mod.ts";
import { buildAddrRequest } from "./addresses.ts";
import type { Filter, IPRoute } from "./iproute.ts";
import { linkRequest } from "./links.ts";
import type { AddrMsg, LinkAddSpec, LinkBaseSpec, LinkMsg, NeighMsg, RouteMsg, RuleMsg } from "./specs.ts";

// ---------------------------------------------------------------------------------------------
// errors

/** Where a chain failed: the step's label and the labels of the steps that completed before it. */
export interface StepInfo {
  /** The failing step as written, e.g. `addIp("192.0.2.1/24")`. */
  readonly step: string;
  /** The steps that completed (and were not undone) before it, in order. */
  readonly completed: readonly string[];
}

function stepMessage(step: string, completed: readonly string[], cause: string): string {
  const before = completed.length ? `completed before it: ${completed.join(", ")}` : "no step completed before it";
  return `${step} failed: ${cause} (${before})`;
}

/**
 * A step of a fluent chain was refused by the kernel: a `NetlinkError` (same `errno`, `code`,
 * `op`, `extack`) that also names the step and the steps completed before it.
 *
 * @example
 * ```ts
 * try {
 *   await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
 * } catch (e) {
 *   if (e instanceof ChainError) console.log(e.step, e.completed, e.code); // addIp("192.0.2.1/24") [...] "EEXIST"
 * }
 * ```
 */
export class ChainError extends NetlinkError implements StepInfo {
  /** The failing step as written, e.g. `addIp("192.0.2.1/24")`. */
  readonly step: string;
  /** The steps that completed before it, in order. */
  readonly completed: readonly string[];

  /**
   * Wrap the kernel's refusal of one step.
   *
   * @param cause The NetlinkError the step's verb rejected with.
   * @param step The failing step's label.
   * @param completed Labels of the steps completed before it.
   */
  constructor(cause: NetlinkError, step: string, completed: readonly string[]) {
    super(cause.errno, cause.op, cause.extack, cause.offset);
    this.name = "ChainError";
    this.message = stepMessage(step, completed, cause.message);
    this.step = step;
    this.completed = completed;
    this.cause = cause;
  }
}

/** Rethrow `e` from a step: kernel refusals as ChainError, bad input as the same error class. */
function stepError(e: unknown, step: string, completed: readonly string[]): Error {
  if (e instanceof NetlinkError) return new ChainError(e, step, [...completed]);
  if (!(e instanceof Error) || e instanceof SyscallError) return Object.assign(new Error(stepMessage(step, completed, e instanceof Error ? e.message : String(e)), { cause: e }), { step, completed: [...completed] });
  const Ctor = e instanceof RangeError ? RangeError : e instanceof TypeError ? TypeError : Error;
  return Object.assign(new Ctor(stepMessage(step, completed, e.message), { cause: e }), { step, completed: [...completed] });
}

// ---------------------------------------------------------------------------------------------
// labels

function fmt(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return String(v);
  if (Array.isArray(v)) return `[${v.map(fmt).join(", ")}]`;
  if (v instanceof Uint8Array) return show(v);
  const entries = Object.entries(v).filter(([, x]) => x !== undefined);
  return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${fmt(x)}`).join(", ")} }` : "{}";
}

function label(name: string, ...args: unknown[]): string {
  return `${name}(${args.map(fmt).join(", ")})`;
}

// ---------------------------------------------------------------------------------------------
// typed objects

const OPERSTATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"] as const;

/**
 * A network interface as dumped (`ip link show`): typed properties over its `msg`.
 *
 * @example
 * ```ts
 * const lo = await ipr.interfaces.get("lo");
 * lo.index; lo.ifname; lo.mtu; lo.state; // 1 "lo" 65536 "up"
 * ```
 */
export class Interface {
  /** The RTM_NEWLINK message this object reads from. */
  readonly msg: LinkMsg;

  /**
   * Wrap a link message.
   *
   * @param msg An RTM_NEWLINK message (from `getLinks`, `link("get")`, an event).
   */
  constructor(msg: LinkMsg) {
    this.msg = msg;
  }

  /** Interface index (ifi_index). */
  get index(): number {
    return this.msg.get("index") ?? 0;
  }
  /** Interface name (IFLA_IFNAME). */
  get ifname(): string {
    return this.msg.get("ifname") ?? "";
  }
  /** MTU (IFLA_MTU). */
  get mtu(): number | undefined {
    return this.msg.get("mtu");
  }
  /** "up" when IFF_UP is set, else "down" (administrative state). */
  get state(): "up" | "down" {
    return this.msg.get("state") ?? "down";
  }
  /** Operational state as `ip` prints it ("UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN"...). */
  get operstate(): string | undefined {
    const v = this.msg.get("operstate");
    return v === undefined ? undefined : (OPERSTATES[v] ?? String(v));
  }
  /** ifi_flags (IFF_* bits). */
  get flags(): number {
    return this.msg.get("flags") ?? 0;
  }
  /** Link-layer address (IFLA_ADDRESS), e.g. "02:00:00:00:00:01". */
  get address(): string | undefined {
    return this.msg.get("address");
  }
  /** Link-layer broadcast address (IFLA_BROADCAST). */
  get broadcast(): string | undefined {
    return this.msg.get("broadcast");
  }
  /** The kind (IFLA_INFO_KIND): "veth", "bridge", ...; undefined for plain devices (lo). */
  get kind(): string | undefined {
    return this.msg.get("linkinfo")?.get("kind");
  }
  /** Index of the master device (IFLA_MASTER). */
  get master(): number | undefined {
    return this.msg.get("master");
  }
  /** Index of the lower / peer device (IFLA_LINK). */
  get link(): number | undefined {
    return this.msg.get("link");
  }
  /** Transmit queue length (IFLA_TXQLEN). */
  get txqlen(): number | undefined {
    return this.msg.get("txqlen");
  }
  /** Alias (IFLA_IFALIAS). */
  get alias(): string | undefined {
    return this.msg.get("ifalias");
  }

  /** Plain object with the typed properties (not the whole message: use `msg.toJSON()`). */
  toJSON(): Record<string, unknown> {
    return {
      index: this.index,
      ifname: this.ifname,
      kind: this.kind,
      state: this.state,
      operstate: this.operstate,
      mtu: this.mtu,
      address: this.address,
      master: this.master,
      link: this.link,
      flags: this.flags,
    };
  }
}

/**
 * An IP address on an interface (`ip addr show`).
 *
 * @example
 * ```ts
 * for (const a of await ipr.addresses.list({ index: 1 })) console.log(a.cidr); // "127.0.0.1/8"
 * ```
 */
export class Address {
  /** The RTM_NEWADDR message this object reads from. */
  readonly msg: AddrMsg;

  /**
   * Wrap an address message.
   *
   * @param msg An RTM_NEWADDR message.
   */
  constructor(msg: AddrMsg) {
    this.msg = msg;
  }

  /** Index of the interface. */
  get index(): number {
    return this.msg.get("index") ?? 0;
  }
  /** AF_INET (2) or AF_INET6 (10). */
  get family(): number {
    return this.msg.get("family") ?? 0;
  }
  /** The address (IFA_LOCAL when present, as `ip` shows it; else IFA_ADDRESS). */
  get address(): string {
    return this.msg.get("local") ?? this.msg.get("address") ?? "";
  }
  /** Prefix length. */
  get prefixlen(): number {
    return this.msg.get("prefixlen") ?? 0;
  }
  /** `address/prefixlen`, e.g. "192.0.2.1/24". */
  get cidr(): string {
    return `${this.address}/${this.prefixlen}`;
  }
  /** The peer address (IFA_ADDRESS) of a point-to-point address, or the address itself. */
  get peer(): string | undefined {
    return this.msg.get("address");
  }
  /** Broadcast address (IFA_BROADCAST). */
  get broadcast(): string | undefined {
    return this.msg.get("broadcast");
  }
  /** Label (IFA_LABEL), IPv4 only. */
  get label(): string | undefined {
    return this.msg.get("label");
  }
  /** Scope (RT_SCOPE_*: 0 global, 253 link, 254 host). */
  get scope(): number {
    return this.msg.get("scope") ?? 0;
  }
  /** IFA_F_* flags (all 32 bits when the kernel sends IFA_FLAGS). */
  get flags(): number {
    return this.msg.get("flags") ?? 0;
  }

  /** Plain object with the typed properties. */
  toJSON(): Record<string, unknown> {
    return { index: this.index, family: this.family, address: this.address, prefixlen: this.prefixlen, broadcast: this.broadcast, label: this.label, scope: this.scope, flags: this.flags };
  }
}

/**
 * A route (`ip route show`).
 *
 * @example
 * ```ts
 * for (const r of await ipr.routes.list({ family: 2 })) console.log(r.dst, r.gateway, r.oif);
 * ```
 */
export class Route {
  /** The RTM_NEWROUTE message this object reads from. */
  readonly msg: RouteMsg;

  /**
   * Wrap a route message.
   *
   * @param msg An RTM_NEWROUTE message.
   */
  constructor(msg: RouteMsg) {
    this.msg = msg;
  }

  /** AF_INET (2) or AF_INET6 (10). */
  get family(): number {
    return this.msg.get("family") ?? 0;
  }
  /** Destination prefix as `ip` prints it: "198.51.100.0/24", "192.0.2.1" (host), or "default". */
  get dst(): string {
    const dst = this.msg.get("dst");
    const len = this.dstLen;
    if (dst === undefined) return "default";
    return len === (dst.includes(":") ? 128 : 32) ? dst : `${dst}/${len}`;
  }
  /** Destination prefix length. */
  get dstLen(): number {
    return this.msg.get("dst_len") ?? 0;
  }
  /** Gateway (RTA_GATEWAY). */
  get gateway(): string | undefined {
    return this.msg.get("gateway");
  }
  /** Output interface index (RTA_OIF). */
  get oif(): number | undefined {
    return this.msg.get("oif");
  }
  /** Preferred source (RTA_PREFSRC). */
  get prefsrc(): string | undefined {
    return this.msg.get("prefsrc");
  }
  /** Routing table (RTA_TABLE when present, so tables over 255 are right). */
  get table(): number {
    return this.msg.get("table") ?? 0;
  }
  /** Metric (RTA_PRIORITY). */
  get priority(): number | undefined {
    return this.msg.get("priority");
  }
  /** Protocol (RTPROT_*: 2 kernel, 3 boot, 4 static). */
  get protocol(): number {
    return this.msg.get("proto") ?? 0;
  }
  /** Scope (RT_SCOPE_*). */
  get scope(): number {
    return this.msg.get("scope") ?? 0;
  }
  /** Route type (RTN_*: 1 unicast, 2 local, 6 blackhole...). */
  get type(): number {
    return this.msg.get("type") ?? 0;
  }

  /** Plain object with the typed properties. */
  toJSON(): Record<string, unknown> {
    return { family: this.family, dst: this.dst, gateway: this.gateway, oif: this.oif, prefsrc: this.prefsrc, table: this.table, priority: this.priority, protocol: this.protocol, scope: this.scope, type: this.type };
  }
}

/**
 * A neighbour (ARP / NDP) entry (`ip neigh show`).
 *
 * @example
 * ```ts
 * for (const n of await ipr.neighbours.list({ ifindex: 2 })) console.log(n.dst, n.lladdr, n.state);
 * ```
 */
export class Neighbour {
  /** The RTM_NEWNEIGH message this object reads from. */
  readonly msg: NeighMsg;

  /**
   * Wrap a neighbour message.
   *
   * @param msg An RTM_NEWNEIGH message.
   */
  constructor(msg: NeighMsg) {
    this.msg = msg;
  }

  /** AF_INET (2), AF_INET6 (10) or AF_BRIDGE (7, fdb). */
  get family(): number {
    return this.msg.get("family") ?? 0;
  }
  /** Interface index. */
  get ifindex(): number {
    return this.msg.get("ifindex") ?? 0;
  }
  /** The neighbour's IP address (NDA_DST). */
  get dst(): string | undefined {
    return this.msg.get("dst");
  }
  /** Its link-layer address (NDA_LLADDR). */
  get lladdr(): string | undefined {
    return this.msg.get("lladdr");
  }
  /** NUD_* state bits (0x80 permanent, 0x02 reachable...). */
  get state(): number {
    return this.msg.get("state") ?? 0;
  }
  /** NTF_* flags. */
  get flags(): number {
    return this.msg.get("flags") ?? 0;
  }

  /** Plain object with the typed properties. */
  toJSON(): Record<string, unknown> {
    return { family: this.family, ifindex: this.ifindex, dst: this.dst, lladdr: this.lladdr, state: this.state, flags: this.flags };
  }
}

/**
 * A policy routing rule (`ip rule show`).
 *
 * @example
 * ```ts
 * for (const r of await ipr.rules.list({ family: 2 })) console.log(r.priority, r.table);
 * ```
 */
export class Rule {
  /** The RTM_NEWRULE message this object reads from. */
  readonly msg: RuleMsg;

  /**
   * Wrap a rule message.
   *
   * @param msg An RTM_NEWRULE message.
   */
  constructor(msg: RuleMsg) {
    this.msg = msg;
  }

  /** AF_INET (2) or AF_INET6 (10). */
  get family(): number {
    return this.msg.get("family") ?? 0;
  }
  /** Priority (FRA_PRIORITY; 0 for the local rule, which carries none). */
  get priority(): number {
    return this.msg.get("priority") ?? 0;
  }
  /** Table (FRA_TABLE when present). */
  get table(): number {
    return this.msg.get("table") ?? 0;
  }
  /** FR_ACT_* action (1 to_tbl, 6 blackhole...). */
  get action(): number {
    return this.msg.get("action") ?? 0;
  }
  /** Source prefix as "192.0.2.0/24", or undefined for "from all". */
  get src(): string | undefined {
    const s = this.msg.get("src");
    return s === undefined ? undefined : `${s}/${this.msg.get("src_len") ?? 0}`;
  }
  /** Destination prefix, or undefined for any. */
  get dst(): string | undefined {
    const d = this.msg.get("dst");
    return d === undefined ? undefined : `${d}/${this.msg.get("dst_len") ?? 0}`;
  }
  /** Firewall mark (FRA_FWMARK). */
  get fwmark(): number | undefined {
    return this.msg.get("fwmark");
  }
  /** Input interface name (FRA_IIFNAME). */
  get iifname(): string | undefined {
    return this.msg.get("iifname");
  }
  /** Output interface name (FRA_OIFNAME). */
  get oifname(): string | undefined {
    return this.msg.get("oifname");
  }

  /** Plain object with the typed properties. */
  toJSON(): Record<string, unknown> {
    return { family: this.family, priority: this.priority, table: this.table, action: this.action, src: this.src, dst: this.dst, fwmark: this.fwmark, iifname: this.iifname, oifname: this.oifname };
  }
}

// ---------------------------------------------------------------------------------------------
// chains

/** Who the chain acts on: the index once known, and the name it was asked by. */
type Target = {
  index?: number;
  ifname?: string;
};

interface Step {
  readonly label: string;
  run(ipr: IPRoute, t: Target): Promise<void>;
}

/** An address for `addIp` / `delIp`: "192.0.2.1/24", or the keywords of `addr("add")` without the link. */
export type IpSpec = string | Readonly<Record<string, unknown>>;

/** Keywords of `set()`: the link's own keywords without the selectors (`index`). */
export type InterfaceSetSpec = Omit<LinkBaseSpec, "index">;

async function indexOf(ipr: IPRoute, t: Target): Promise<number> {
  if (t.index === undefined) {
    const [msg] = await ipr.link("get", { ifname: t.ifname });
    t.index = msg.get("index");
    if (t.index === undefined) throw new NetlinkError(19, "RTM_GETLINK", `no interface named ${show(t.ifname)}`);
  }
  return t.index;
}

function ipKeywords(spec: IpSpec, index: number): Record<string, unknown> {
  if (typeof spec === "string") return { index, address: spec };
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new TypeError(`Invalid address: expected "address/prefixlen" or an object of addr keywords, got ${show(spec)}`);
  }
  return { ...spec, index };
}

// Steps are checked when the chain is built, with the verbs' own pure request builders (no I/O;
// index 1 stands for the interface not known yet), so bad input in any step throws before the
// first step is sent.
function checkLink(command: "add" | "set", spec: Readonly<Record<string, unknown>>): void {
  linkRequest(command, spec);
}

/**
 * Steps on one interface, run in order when awaited; resolves to the interface as it is after
 * the last step. Each call returns a new chain (a chain can be awaited once per instance; awaiting
 * it again returns the same result).
 *
 * @example
 * ```ts
 * const v0 = await ipr.interface("v0").set({ mtu: 1400 }).up().addIp("192.0.2.1/24");
 * v0.mtu; // 1400
 * ```
 */
export class InterfaceChain implements PromiseLike<Interface> {
  readonly #ipr: IPRoute;
  readonly #target: Readonly<Target>;
  readonly #steps: readonly Step[];
  #result: Promise<Interface> | null = null;

  /**
   * A chain on an interface (use `ipr.interface(name)` or `ipr.interfaces.create(spec)`).
   *
   * @param ipr The socket the steps use.
   * @param target The interface: `{ index }` or `{ ifname }` (looked up by the first step).
   * @param steps Steps so far.
   */
  constructor(ipr: IPRoute, target: Readonly<Target>, steps: readonly Step[] = []) {
    this.#ipr = ipr;
    this.#target = target;
    this.#steps = steps;
  }

  /** The labels of the steps, in order (e.g. `["up()", "addIp(\"192.0.2.1/24\")"]`). */
  get steps(): readonly string[] {
    return this.#steps.map((s) => s.label);
  }

  #then(step: Step): InterfaceChain {
    return new InterfaceChain(this.#ipr, this.#target, [...this.#steps, step]);
  }

  /**
   * Set the link up.
   *
   * Equivalent to: `ip link set dev v0 up`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").up();
   * ```
   */
  up(): InterfaceChain {
    return this.#then({ label: "up()", run: async (ipr, t) => void (await ipr.link("set", { index: await indexOf(ipr, t), state: "up" })) });
  }

  /**
   * Set the link down.
   *
   * Equivalent to: `ip link set dev v0 down`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").down();
   * ```
   */
  down(): InterfaceChain {
    return this.#then({ label: "down()", run: async (ipr, t) => void (await ipr.link("set", { index: await indexOf(ipr, t), state: "down" })) });
  }

  /**
   * Change link attributes: `mtu`, `address`, `ifname` (a rename), `txqlen`, `master`,
   * `state`, `alias`... (the keywords of `link("set")`).
   *
   * Equivalent to: `ip link set dev v0 mtu 1400 name v0b`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").set({ mtu: 1400, address: "02:00:00:00:00:01" });
   * ```
   */
  set(spec: InterfaceSetSpec): InterfaceChain {
    if (spec === null || typeof spec !== "object" || Array.isArray(spec)) throw new TypeError(`Invalid set(): expected an object of link keywords, got ${show(spec)}`);
    if ("index" in spec) throw new TypeError(`Invalid set(): index selects the interface and cannot be set`);
    checkLink("set", { ...spec, index: 1 });
    return this.#then({
      label: label("set", spec),
      run: async (ipr, t) => {
        await ipr.link("set", { ...spec, index: await indexOf(ipr, t) });
        const renamed = spec.ifname ?? spec.IFLA_IFNAME;
        if (renamed !== undefined) t.ifname = renamed;
      },
    });
  }

  /**
   * Attach to a master device (bridge, bond, vrf) by name or index; `null` detaches.
   *
   * Equivalent to: `ip link set dev v0 master br0`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").setMaster("br0").up();
   * ```
   */
  setMaster(master: string | number | null): InterfaceChain {
    checkLink("set", { index: 1, master });
    return this.#then({ label: label("setMaster", master), run: async (ipr, t) => void (await ipr.link("set", { index: await indexOf(ipr, t), master })) });
  }

  /**
   * Add an IP address: `"192.0.2.1/24"` or the keywords of `addr("add")` (`{ address,
   * prefixlen, broadcast, label, ... }`).
   *
   * Equivalent to: `ip addr add 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").addIp("192.0.2.1/24").addIp("2001:db8::1/64");
   * ```
   */
  addIp(address: IpSpec): InterfaceChain {
    buildAddrRequest("add", ipKeywords(address, 1));
    return this.#then({ label: label("addIp", address), run: async (ipr, t) => void (await ipr.addr("add", ipKeywords(address, await indexOf(ipr, t)))) });
  }

  /**
   * Remove an IP address.
   *
   * Equivalent to: `ip addr del 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").delIp("192.0.2.1/24");
   * ```
   */
  delIp(address: IpSpec): InterfaceChain {
    buildAddrRequest("del", ipKeywords(address, 1));
    return this.#then({ label: label("delIp", address), run: async (ipr, t) => void (await ipr.addr("del", ipKeywords(address, await indexOf(ipr, t)))) });
  }

  /**
   * Move the interface into another network namespace (a name under /run/netns, a path, or an
   * fd). It leaves this socket's namespace, so this ends the chain.
   *
   * Equivalent to: `ip link set dev v1 netns blue`
   *
   * @example
   * ```ts
   * await ipr.interface("v1").setNetns("blue");
   * ```
   */
  setNetns(netns: string | number): FinalChain {
    checkLink("set", { index: 1, net_ns_fd: netns });
    const step: Step = { label: label("setNetns", netns), run: async (ipr, t) => void (await ipr.link("set", { index: await indexOf(ipr, t), net_ns_fd: netns })) };
    return new FinalChain(this.#ipr, this.#target, [...this.#steps, step]);
  }

  /**
   * Delete the interface (both ends of a veth pair); ends the chain.
   *
   * Equivalent to: `ip link del dev v0`
   *
   * @example
   * ```ts
   * await ipr.interface("v0").down().del();
   * ```
   */
  del(): FinalChain {
    const step: Step = { label: "del()", run: async (ipr, t) => void (await ipr.link("del", { index: await indexOf(ipr, t) })) };
    return new FinalChain(this.#ipr, this.#target, [...this.#steps, step]);
  }

  async #run(): Promise<Interface> {
    const t: Target = { ...this.#target };
    const done = await runSteps(this.#ipr, t, this.#steps);
    try {
      const [msg] = await this.#ipr.link("get", { index: await indexOf(this.#ipr, t) });
      return new Interface(msg);
    } catch (e) {
      throw stepError(e, "read back", done);
    }
  }

  /** Run the steps (once) and settle with the interface as it is after them. */
  then<R1 = Interface, R2 = never>(onfulfilled?: ((value: Interface) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    this.#result ??= this.#run();
    return this.#result.then(onfulfilled, onrejected);
  }

  /** Run the steps (once) and handle a failure, as `Promise.prototype.catch`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Interface | R> {
    return this.then(undefined, onrejected);
  }
}

/** Run steps in order; returns the labels of those completed, or throws naming the failing one. */
async function runSteps(ipr: IPRoute, t: Target, steps: readonly Step[]): Promise<string[]> {
  const done: string[] = [];
  for (const s of steps) {
    try {
      await s.run(ipr, t);
    } catch (e) {
      throw stepError(e, s.label, done);
    }
    done.push(s.label);
  }
  return done;
}

/**
 * A chain that ends with the interface leaving this namespace (`setNetns`) or being deleted
 * (`del`): awaiting it runs the steps and resolves to nothing.
 *
 * @example
 * ```ts
 * await ipr.interface("v1").down().setNetns("blue");
 * ```
 */
export class FinalChain implements PromiseLike<void> {
  readonly #ipr: IPRoute;
  readonly #target: Readonly<Target>;
  readonly #steps: readonly Step[];
  #result: Promise<void> | null = null;

  /**
   * Built by `InterfaceChain.setNetns()` / `.del()`.
   *
   * @param ipr The socket the steps use.
   * @param target The interface.
   * @param steps The steps, the last one ending the chain.
   */
  constructor(ipr: IPRoute, target: Readonly<Target>, steps: readonly Step[]) {
    this.#ipr = ipr;
    this.#target = target;
    this.#steps = steps;
  }

  /** The labels of the steps, in order. */
  get steps(): readonly string[] {
    return this.#steps.map((s) => s.label);
  }

  /** Run the steps (once). */
  then<R1 = void, R2 = never>(onfulfilled?: ((value: void) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    this.#result ??= runSteps(this.#ipr, { ...this.#target }, this.#steps).then(() => undefined);
    return this.#result.then(onfulfilled, onrejected);
  }

  /** Run the steps (once) and handle a failure, as `Promise.prototype.catch`. */
  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<void | R> {
    return this.then(undefined, onrejected);
  }
}

// ---------------------------------------------------------------------------------------------
// collections

function selector(nameOrIndex: string | number): Target {
  if (typeof nameOrIndex === "number") {
    if (!Number.isInteger(nameOrIndex) || nameOrIndex <= 0) throw new RangeError(`Invalid interface: ${nameOrIndex} is not an interface index`);
    return { index: nameOrIndex };
  }
  if (typeof nameOrIndex !== "string" || nameOrIndex === "") throw new TypeError(`Invalid interface: expected a name or an index, got ${show(nameOrIndex)}`);
  return { ifname: nameOrIndex };
}

/**
 * The interfaces of a socket's namespace (`ipr.interfaces`), like pyroute2's `ndb.interfaces`.
 *
 * @example
 * ```ts
 * await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
 * const names = (await ipr.interfaces.list()).map((i) => i.ifname);
 * ```
 */
export class Interfaces {
  readonly #ipr: IPRoute;

  /**
   * The collection over `ipr` (use `ipr.interfaces`).
   *
   * @param ipr The socket.
   */
  constructor(ipr: IPRoute) {
    this.#ipr = ipr;
  }

  /**
   * Create an interface; further steps can be chained and everything runs when awaited.
   * Resolves to the new interface.
   *
   * Equivalent to: `ip link add v0 type veth peer name v1`
   *
   * @example
   * ```ts
   * const br = await ipr.interfaces.create({ ifname: "br0", kind: "bridge" }).up();
   * ```
   */
  create(spec: LinkAddSpec): InterfaceChain {
    const s = spec as Readonly<Record<string, unknown>>;
    const ifname = s.ifname ?? s.IFLA_IFNAME;
    if (typeof ifname !== "string") throw new TypeError(`interfaces.create(): ifname is required, got ${show(ifname)}`);
    // tun/tap devices are made by the platform's ioctl service, which checks its own options
    if (s.kind !== "tuntap") checkLink("add", s);
    const step: Step = {
      label: label("create", spec),
      run: async (ipr, t) => {
        await ipr.link("add", spec);
        t.ifname = ifname;
      },
    };
    return new InterfaceChain(this.#ipr, { ifname }, [step]);
  }

  /**
   * An existing interface by name or index, to chain steps on (same as `ipr.interface()`).
   *
   * @example
   * ```ts
   * await ipr.interfaces.at("v0").down();
   * ```
   */
  at(nameOrIndex: string | number): InterfaceChain {
    return new InterfaceChain(this.#ipr, selector(nameOrIndex));
  }

  /**
   * Interfaces, optionally filtered like `getLinks` (`{ kind: "veth" }` matches the link kind).
   *
   * Equivalent to: `ip link show`
   *
   * @example
   * ```ts
   * const veths = await ipr.interfaces.list({ kind: "veth" });
   * ```
   */
  async list(filter: Filter = {}): Promise<Interface[]> {
    const { kind, ...rest } = filter;
    const f = kind === undefined ? rest : { ...rest, linkinfo: { kind } };
    return (await this.#ipr.getLinks(f)).map((m) => new Interface(m));
  }

  /**
   * One interface by name or index; rejects with NetlinkError "ENODEV" when there is none.
   *
   * Equivalent to: `ip link show dev v0`
   *
   * @example
   * ```ts
   * const lo = await ipr.interfaces.get("lo");
   * ```
   */
  async get(nameOrIndex: string | number): Promise<Interface> {
    const [msg] = await this.#ipr.link("get", selector(nameOrIndex));
    return new Interface(msg);
  }

  /**
   * Whether an interface of that name (or altname) exists.
   *
   * @example
   * ```ts
   * if (!(await ipr.interfaces.exists("v0"))) await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
   * ```
   */
  async exists(name: string): Promise<boolean> {
    return (await this.#ipr.linkLookup({ ifname: name })).length > 0;
  }

  /**
   * Delete an interface by name or index.
   *
   * Equivalent to: `ip link del dev v0`
   *
   * @example
   * ```ts
   * await ipr.interfaces.delete("v0");
   * ```
   */
  async delete(nameOrIndex: string | number): Promise<void> {
    await this.#ipr.link("del", selector(nameOrIndex));
  }
}

/**
 * The IP addresses of a socket's namespace (`ipr.addresses`).
 *
 * @example
 * ```ts
 * await ipr.addresses.create({ ifname: "v0", address: "192.0.2.1/24" });
 * ```
 */
export class Addresses {
  readonly #ipr: IPRoute;

  /**
   * The collection over `ipr` (use `ipr.addresses`).
   *
   * @param ipr The socket.
   */
  constructor(ipr: IPRoute) {
    this.#ipr = ipr;
  }

  /**
   * Add an address (the keywords of `addr("add")`: `index` or `ifname`, `address` as
   * "192.0.2.1/24" or with `prefixlen`, `broadcast`, `label`...).
   *
   * Equivalent to: `ip addr add 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * await ipr.addresses.create({ index: 2, address: "2001:db8::1", prefixlen: 64 });
   * ```
   */
  async create(spec: Filter): Promise<void> {
    await this.#ipr.addr("add", spec);
  }

  /**
   * Remove an address.
   *
   * Equivalent to: `ip addr del 192.0.2.1/24 dev v0`
   *
   * @example
   * ```ts
   * await ipr.addresses.delete({ ifname: "v0", address: "192.0.2.1/24" });
   * ```
   */
  async delete(spec: Filter): Promise<void> {
    await this.#ipr.addr("del", spec);
  }

  /**
   * Addresses, optionally filtered like `getAddr`.
   *
   * Equivalent to: `ip addr show`
   *
   * @example
   * ```ts
   * const v4 = await ipr.addresses.list({ family: 2 });
   * ```
   */
  async list(filter: Filter = {}): Promise<Address[]> {
    return (await this.#ipr.getAddr(filter)).map((m) => new Address(m));
  }

  /**
   * The first address matching a filter (e.g. `{ address: "192.0.2.1/24" }`), or undefined.
   *
   * Equivalent to: `ip addr show to 192.0.2.1/24`
   *
   * @example
   * ```ts
   * const a = await ipr.addresses.get({ address: "192.0.2.1" });
   * ```
   */
  async get(filter: Filter): Promise<Address | undefined> {
    return (await this.list(filter))[0];
  }
}

/**
 * The routes of a socket's namespace (`ipr.routes`).
 *
 * @example
 * ```ts
 * await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
 * ```
 */
export class Routes {
  readonly #ipr: IPRoute;

  /**
   * The collection over `ipr` (use `ipr.routes`).
   *
   * @param ipr The socket.
   */
  constructor(ipr: IPRoute) {
    this.#ipr = ipr;
  }

  /**
   * Add a route (the keywords of `route("add")`).
   *
   * Equivalent to: `ip route add 198.51.100.0/24 via 192.0.2.2`
   *
   * @example
   * ```ts
   * await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2", table: 100 });
   * ```
   */
  async create(spec: Filter): Promise<void> {
    await this.#ipr.route("add", spec);
  }

  /**
   * Delete a route.
   *
   * Equivalent to: `ip route del 198.51.100.0/24`
   *
   * @example
   * ```ts
   * await ipr.routes.delete({ dst: "198.51.100.0/24" });
   * ```
   */
  async delete(spec: Filter): Promise<void> {
    await this.#ipr.route("del", spec);
  }

  /**
   * Routes, optionally filtered like `getRoutes` (no filter: every family and table).
   *
   * Equivalent to: `ip route show table all`
   *
   * @example
   * ```ts
   * const main = await ipr.routes.list({ family: 2, table: 254 });
   * ```
   */
  async list(filter: Filter = {}): Promise<Route[]> {
    return (await this.#ipr.getRoutes(filter)).map((m) => new Route(m));
  }

  /**
   * The route the kernel would use for a destination.
   *
   * Equivalent to: `ip route get 198.51.100.7`
   *
   * @example
   * ```ts
   * const r = await ipr.routes.get("198.51.100.7");
   * r.gateway; // "192.0.2.2"
   * ```
   */
  async get(dst: string | Filter): Promise<Route> {
    const [msg] = await this.#ipr.route("get", typeof dst === "string" ? { dst } : dst);
    return new Route(msg);
  }
}

/**
 * The neighbour (ARP / NDP) entries of a socket's namespace (`ipr.neighbours`).
 *
 * @example
 * ```ts
 * await ipr.neighbours.create({ ifindex: "v0", dst: "192.0.2.2", lladdr: "02:00:00:00:00:02", state: "permanent" });
 * ```
 */
export class Neighbours {
  readonly #ipr: IPRoute;

  /**
   * The collection over `ipr` (use `ipr.neighbours`).
   *
   * @param ipr The socket.
   */
  constructor(ipr: IPRoute) {
    this.#ipr = ipr;
  }

  /**
   * Add a neighbour entry (the keywords of `neigh("add")`).
   *
   * Equivalent to: `ip neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent`
   *
   * @example
   * ```ts
   * await ipr.neighbours.create({ ifindex: 2, dst: "192.0.2.2", lladdr: "02:00:00:00:00:02" });
   * ```
   */
  async create(spec: Filter): Promise<void> {
    await this.#ipr.neigh("add", spec);
  }

  /**
   * Delete a neighbour entry.
   *
   * Equivalent to: `ip neigh del 192.0.2.2 dev v0`
   *
   * @example
   * ```ts
   * await ipr.neighbours.delete({ ifindex: 2, dst: "192.0.2.2" });
   * ```
   */
  async delete(spec: Filter): Promise<void> {
    await this.#ipr.neigh("del", spec);
  }

  /**
   * Neighbour entries, optionally filtered like `getNeighbours`.
   *
   * Equivalent to: `ip neigh show`
   *
   * @example
   * ```ts
   * const arp = await ipr.neighbours.list({ family: 2 });
   * ```
   */
  async list(filter: Filter = {}): Promise<Neighbour[]> {
    return (await this.#ipr.getNeighbours(filter)).map((m) => new Neighbour(m));
  }

  /**
   * One entry, asked of the kernel (`dst` and `ifindex`).
   *
   * Equivalent to: `ip neigh get 192.0.2.2 dev v0`
   *
   * @example
   * ```ts
   * const n = await ipr.neighbours.get({ dst: "192.0.2.2", ifindex: 2 });
   * ```
   */
  async get(spec: Filter): Promise<Neighbour> {
    const [msg] = await this.#ipr.neigh("get", spec);
    return new Neighbour(msg);
  }
}

/**
 * The policy routing rules of a socket's namespace (`ipr.rules`).
 *
 * @example
 * ```ts
 * await ipr.rules.create({ priority: 100, table: 100, src: "198.51.100.0/24" });
 * ```
 */
export class Rules {
  readonly #ipr: IPRoute;

  /**
   * The collection over `ipr` (use `ipr.rules`).
   *
   * @param ipr The socket.
   */
  constructor(ipr: IPRoute) {
    this.#ipr = ipr;
  }

  /**
   * Add a rule (the keywords of `rule("add")`).
   *
   * Equivalent to: `ip rule add from 198.51.100.0/24 table 100 priority 100`
   *
   * @example
   * ```ts
   * await ipr.rules.create({ priority: 100, table: 100, src: "198.51.100.0/24" });
   * ```
   */
  async create(spec: Filter): Promise<void> {
    await this.#ipr.rule("add", spec);
  }

  /**
   * Delete a rule.
   *
   * Equivalent to: `ip rule del priority 100`
   *
   * @example
   * ```ts
   * await ipr.rules.delete({ priority: 100, table: 100, src: "198.51.100.0/24" });
   * ```
   */
  async delete(spec: Filter): Promise<void> {
    await this.#ipr.rule("del", spec);
  }

  /**
   * Rules, optionally filtered like `getRules`.
   *
   * Equivalent to: `ip rule show`
   *
   * @example
   * ```ts
   * const mine = await ipr.rules.list({ table: 100 });
   * ```
   */
  async list(filter: Filter = {}): Promise<Rule[]> {
    return (await this.#ipr.getRules(filter)).map((m) => new Rule(m));
  }

  /**
   * The first rule matching a filter (e.g. `{ priority: 100 }`), or undefined.
   *
   * Equivalent to: `ip rule show priority 100`
   *
   * @example
   * ```ts
   * const r = await ipr.rules.get({ priority: 100 });
   * ```
   */
  async get(filter: Filter): Promise<Rule | undefined> {
    return (await this.list(filter))[0];
  }
}
