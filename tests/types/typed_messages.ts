/**
 * Type tests: checked by `tsc -p tests/types` (npm test), never run. Each `@ts-expect-error`
 * line must be a compile error (tsc fails on an unused one), and the `Equal` assertions pin the
 * types `get()` returns. Deriving from the schema tables means these hold without a hand-kept
 * list: a row added to a table is typed at once.
 */
import type { AddrMsg, Interface, IPRoute, LinkAddSpec, LinkMsg, NeighMsg, NlMsg, RouteMsg, RuleMsg } from "../../mod.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function expectType<T extends true>(_ok?: T): void {}

declare const link: LinkMsg;
declare const addr: AddrMsg;
declare const route: RouteMsg;
declare const rule: RuleMsg;
declare const neigh: NeighMsg;
declare const untyped: NlMsg;
declare const ipr: IPRoute;

// --- get() results are typed from the schema rows and header fields
expectType<Equal<ReturnType<typeof link.get<"mtu">>, number | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"IFLA_MTU">>, number | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"ifname">>, string | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"IFLA_IFNAME">>, string | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"index">>, number | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"state">>, "up" | "down" | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"stats64">>, Record<string, unknown> | undefined>>();
expectType<Equal<ReturnType<typeof addr.get<"address">>, string | undefined>>();
expectType<Equal<ReturnType<typeof addr.get<"prefixlen">>, number | undefined>>();
expectType<Equal<ReturnType<typeof route.get<"dst">>, string | undefined>>();
expectType<Equal<ReturnType<typeof route.get<"table">>, number | undefined>>();
expectType<Equal<ReturnType<typeof route.get<"RTA_GATEWAY">>, string | undefined>>();
expectType<Equal<ReturnType<typeof rule.get<"priority">>, number | undefined>>();
expectType<Equal<ReturnType<typeof neigh.get<"lladdr">>, string | undefined>>();
expectType<Equal<ReturnType<typeof neigh.get<"ifindex">>, number | undefined>>();
expectType<Equal<ReturnType<typeof link.get<"sequence_number">>, number | undefined>>();

const mtu: number | undefined = link.get("mtu");
const kind: string | undefined = link.get("linkinfo")?.get("kind");
const path: unknown = link.get(["linkinfo", "kind"]);
const raw: unknown = link.get("#70");
// @ts-expect-error mtu is a number, not a string
const wrong: string | undefined = link.get("mtu");

// --- a typo in a key is a compile error, on messages and nested sets alike
// @ts-expect-error no such key
link.get("mtuu");
// @ts-expect-error no such kernel name
link.get("IFLA_MTUU");
// @ts-expect-error a route key on a link
link.get("gateway");
// @ts-expect-error nested table keys are checked too
link.get("linkinfo")?.get("kindd");

// @ts-expect-error getAll, getAttr and has take the schema's keys too
link.getAll("alt_ifnam");
// @ts-expect-error has() is checked
link.has("mtuu");
// @ts-expect-error getAttr() is checked
link.getAttr("IFLA_MTUU");
const altnames: string[] = link.getAll("alt_ifname");
const mtuAttr: number | undefined = link.getAttr("IFLA_MTU");

// untyped messages (any schema) still take any key
const anything: unknown = untyped.get("whatever");
const anyAll: unknown[] = untyped.getAll("whatever");
const anyHas: boolean = untyped.has("whatever");

// --- dumps return typed messages
async function reads(): Promise<void> {
  const links = await ipr.getLinks();
  expectType<Equal<typeof links, LinkMsg[]>>();
  expectType<Equal<Awaited<ReturnType<IPRoute["getRoutes"]>>, RouteMsg[]>>();
  expectType<Equal<Awaited<ReturnType<IPRoute["getAddr"]>>, AddrMsg[]>>();
  expectType<Equal<Awaited<ReturnType<IPRoute["getRules"]>>, RuleMsg[]>>();
  expectType<Equal<Awaited<ReturnType<IPRoute["getNeighbours"]>>, NeighMsg[]>>();
  // @ts-expect-error typo on a dumped message
  links[0].get("ifnmae");
  const ifaces: Interface[] = await ipr.interfaces.list();
  const m: number | undefined = ifaces[0].mtu;
  const s: "up" | "down" = ifaces[0].state;
  void [m, s];
}

// --- link("add") specs: a union discriminated by kind, options from the link_kinds tables
async function writes(): Promise<void> {
  await ipr.link("add", { ifname: "v0", kind: "veth", peer: "v1" });
  await ipr.link("add", { ifname: "v0", kind: "veth", peer: { ifname: "v1", net_ns_fd: "blue" } });
  await ipr.link("add", { ifname: "vx0", kind: "vxlan", vxlan_id: 42, vxlan_link: "v0", IFLA_VXLAN_TTL: 16 });
  await ipr.link("add", { ifname: "br0", kind: "bridge", br_stp_state: 1, mtu: 1400, state: "up" });
  await ipr.link("add", { ifname: "vx1", linkinfo: { kind: "vxlan", data: { vxlan_id: 7 } } });
  await ipr.link("set", { index: 2, mtu: 1400, state: "up" });
  await ipr.link("update", { index: 2, mtu: 1450 });
  await ipr.link("set", { index: 2, vf: { vf: 0, mac: "02:00:00:00:00:01", vlan: 100, qos: 3, spoofchk: true, link_state: "auto" } });
  await ipr.link("set", { index: 2, vf: [{ vf: 0, vlan: [{ vlan: 5, proto: "802.1ad" }] }, { vf: 1, rate: { min_tx_rate: 0, max_tx_rate: 100 } }] });
  await ipr.link("del", { ifname: "v0" });

  // @ts-expect-error unknown kind
  await ipr.link("add", { ifname: "v0", kind: "vethh", peer: "v1" });
  // @ts-expect-error unknown key
  await ipr.link("add", { ifname: "v0", kind: "veth", peerr: "v1" });
  // @ts-expect-error an option of another kind (vxlan_id on a veth)
  await ipr.link("add", { ifname: "v0", kind: "veth", vxlan_id: 1 });
  // @ts-expect-error peer only exists for veth
  await ipr.link("add", { ifname: "br0", kind: "bridge", peer: "x" });
  // @ts-expect-error wrong value type for mtu
  await ipr.link("add", { ifname: "v0", kind: "veth", mtu: "big" });
  // @ts-expect-error state is "up" or "down"
  await ipr.link("set", { index: 2, state: "upp" });
  await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2", oif: "v0", table: "main", metrics: { mtu: 1400 }, mark: 7 });
  await ipr.route("replace", { dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2" }, { gateway: "192.0.2.3", weight: 2 }] });
  await ipr.route("dump", { table: 254, dst: (d: string) => d.startsWith("198.51.100.") });
  await ipr.addr("add", { index: "v0", address: "192.0.2.1/24", broadcast: true, flags: ["nodad"], preferred: "forever" });
  await ipr.addr("dump", { family: 2, index: 2 });
  await ipr.neigh("add", { dst: "192.0.2.2", ifindex: "v0", lladdr: "00:11:22:33:44:55", state: "permanent" });
  await ipr.neigh("dump", { ifindex: 2, proxy: true });
  await ipr.rule("add", { priority: 100, src: "192.0.2.0/24", table: 100, fwmark: 7, uid_range: "1000-1234", ip_proto: "tcp" });
  await ipr.rule("dump", { priority: (p: number) => p > 100 });
  // @ts-expect-error proxy is a boolean
  await ipr.neigh("add", { dst: "192.0.2.2", ifindex: 2, proxy: "yes" });
  // @ts-expect-error unknown neighbour keyword
  await ipr.neigh("replace", { dst: "192.0.2.2", ifindex: 2, lladr: "00:11:22:33:44:55" });
  // @ts-expect-error FRA_PRIORITY is a number
  await ipr.rule("add", { priority: "high", table: 100 });
  // @ts-expect-error unknown rule keyword
  await ipr.rule("del", { priorty: 100 });
  // @ts-expect-error a gateway is an address string
  await ipr.route("add", { dst: "198.51.100.0/24", gateway: 5 });
  // @ts-expect-error unknown route keyword
  await ipr.route("add", { dst: "198.51.100.0/24", gatewya: "192.0.2.2" });
  // @ts-expect-error an RTA_* attribute is typed by its codec (RTA_MARK is a number)
  await ipr.route("add", { dst: "198.51.100.0/24", mark: "seven" });
  // @ts-expect-error unknown address keyword
  await ipr.addr("add", { index: 2, adress: "192.0.2.1/24" });
  // @ts-expect-error an address is a string
  await ipr.addr("del", { index: 2, address: 3221225985 });
  // @ts-expect-error a VF's link state is "auto", "enable" or "disable"
  await ipr.link("set", { index: 2, vf: { vf: 0, link_state: "up" } });
  // @ts-expect-error update takes set's keywords: mtu is a number
  await ipr.link("update", { index: 2, mtu: "1450" });
  // @ts-expect-error typo in a nested kind option
  await ipr.link("add", { ifname: "vx1", linkinfo: { kind: "vxlan", data: { vxlan_idd: 7 } } });
  // @ts-expect-error kind is required for add
  await ipr.link("add", { ifname: "v0" });

  // port kinds on set, with the port's options (cost is IFLA_BRPORT_COST here, not IFLA_COST)
  await ipr.link("set", { ifname: "v0", kind: "bridge_slave", cost: 200, learning: 0, state: "up" });
  // @ts-expect-error a bridge port option on a bond port
  await ipr.link("set", { ifname: "v0", kind: "bond_slave", cost: 200 });
  // @ts-expect-error unknown port kind
  await ipr.link("set", { ifname: "v0", kind: "bridge_slav", cost: 200 });

  const spec: LinkAddSpec = { ifname: "t0", kind: "tuntap", mode: "tap" };
  await ipr.link("add", spec);

  // the fluent layer takes the same typed specs
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
  await ipr.interface("v0").set({ mtu: 1400 }).down();
  // @ts-expect-error typo in a fluent create
  ipr.interfaces.create({ ifname: "v0", kind: "vxlan", vxlan_idd: 1 });
  // @ts-expect-error typo in set()
  ipr.interface("v0").set({ mtuu: 1400 });
  // @ts-expect-error setNetns ends the chain: no further steps
  ipr.interface("v1").setNetns("blue").up();
}

export { altnames, anyAll, anyHas, anything, kind, mtu, mtuAttr, path, raw, reads, wrong, writes };
