import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { decodeDatagram } from "../marshal/message.ts";
import { IFF, RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ScriptedTransport, type ScriptedRequest, ack, reply } from "../socket/scripted.ts";
import { type Platform, platform, setPlatform } from "./_context.ts";
import { IPRoute } from "./iproute.ts";
import { LINK_KINDS, linkRequest } from "./links.ts";

const NAMES: Readonly<Record<string, number>> = { br0: 3, eth0: 2 };

/** A fake kernel: RTM_GETLINK knows NAMES, every change is ACKed (or refused with `errno`). */
function kernel(errno = 0) {
  return (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event !== "RTM_GETLINK") return [ack(req, errno)];
    const name = (m.get("ifname") ?? m.get("alt_ifname")) as string | undefined;
    const index = name === undefined ? (m.get("index") as number) : NAMES[name];
    if (index === undefined || index === 0) return [ack(req, 19)];
    return [reply(req, [{ schema: ifinfomsg, init: { type: RTM.RTM_NEWLINK, fields: { index }, attrs: { ifname: name ?? "x" } } }]), ack(req)];
  };
}

function open(errno = 0) {
  const t = new ScriptedTransport(kernel(errno));
  return { t, ipr: new IPRoute({ transport: t }) };
}

function sentMessages(t: ScriptedTransport) {
  return t.sent.map((d) => decodeDatagram(d, rtnl)[0]);
}

/** Run `fn` with these platform services installed, then put the previous ones back. */
async function withPlatform(services: Platform, fn: () => Promise<void>): Promise<void> {
  const prev = platform();
  const saved: Platform = { openNetnsFd: prev.openNetnsFd, closeFd: prev.closeFd, tuntap: prev.tuntap };
  setPlatform({ openNetnsFd: undefined, closeFd: undefined, tuntap: undefined, ...services });
  try {
    await fn();
  } finally {
    setPlatform(saved);
  }
}

const BAD_INPUT: readonly { name: string; command: "add" | "set" | "update" | "del" | "property_add"; spec: Record<string, unknown>; error: typeof TypeError | typeof RangeError; message: RegExp }[] = [
  { name: "an unknown kind lists the known kinds", command: "add", spec: { ifname: "x0", kind: "warpdrive" }, error: TypeError, message: /unknown link kind "warpdrive" \(known: bond, bridge, dummy,.*tuntap.*vxlan/ },
  { name: "an unknown keyword is named", command: "set", spec: { index: 2, mtuu: 1400 }, error: TypeError, message: /unknown keyword "mtuu"/ },
  { name: "an unknown kind option is named", command: "add", spec: { ifname: "vx0", kind: "vxlan", vxlan_idd: 1 }, error: TypeError, message: /unknown keyword "vxlan_idd".*vxlan_id/ },
  { name: "an unknown option in nested data is named", command: "add", spec: { ifname: "vx0", linkinfo: { kind: "vxlan", data: { bogus: 1 } } }, error: TypeError, message: /unknown option "bogus" for kind "vxlan"/ },
  { name: "an ifname over 15 bytes", command: "add", spec: { ifname: "a-very-long-name0", kind: "dummy", master: "br0" }, error: RangeError, message: /ifname.*17 bytes, at most 15/ },
  { name: "a veth peer name over 15 bytes", command: "add", spec: { ifname: "v0", kind: "veth", peer: "a-very-long-name0" }, error: RangeError, message: /ifname.*at most 15/ },
  { name: "vlan id 4096", command: "add", spec: { ifname: "vl0", kind: "vlan", link: "eth0", vlan_id: 4096 }, error: RangeError, message: /vlan_id: 4096 is out of range for a VLAN id \(0\.\.4095\)/ },
  { name: "a bad state", command: "set", spec: { index: 2, state: "sideways" }, error: TypeError, message: /state: expected "up" or "down"/ },
  { name: "an unknown symbolic flag", command: "set", spec: { index: 2, flags: ["IFF_UP", "!IFF_WARP"] }, error: TypeError, message: /unknown flag "!IFF_WARP"/ },
  { name: "a bad MAC address", command: "set", spec: { index: 2, address: "not-a-mac" }, error: TypeError, message: /address/ },
  { name: "add without a kind", command: "add", spec: { ifname: "x0" }, error: TypeError, message: /kind is required/ },
  { name: "set without index or ifname", command: "set", spec: { mtu: 1400 }, error: TypeError, message: /give index or ifname/ },
  { name: "update without index or ifname", command: "update", spec: { mtu: 1400 }, error: TypeError, message: /give index or ifname/ },
  { name: "update with a kind (RTM_SETLINK would drop it)", command: "update", spec: { index: 2, kind: "vxlan", vxlan_ttl: 9 }, error: TypeError, message: /not applied by RTM_SETLINK; use link\("set"\)/ },
  { name: "update with a port kind", command: "update", spec: { index: 2, kind: "bridge_slave", cost: 5 }, error: TypeError, message: /RTM_SETLINK/ },
  { name: "vf without its number", command: "set", spec: { index: 2, vf: { mac: "00:11:22:33:44:55" } }, error: TypeError, message: /vf \(the virtual function's number\) is required/ },
  { name: "an unknown vf key", command: "set", spec: { index: 2, vf: { vf: 0, spoofcheck: true } }, error: TypeError, message: /Invalid vf: unknown key "spoofcheck" \(known: vf, mac, vlan/ },
  { name: "vf vlan 4096", command: "set", spec: { index: 2, vf: [{ vf: 0, vlan: 5 }, { vf: 1, vlan: 4096 }] }, error: RangeError, message: /Invalid vf\[1\]\.vlan: expected an integer in 0\.\.4095/ },
  { name: "vf qos without vlan", command: "set", spec: { index: 2, vf: { vf: 0, qos: 3, trust: true } }, error: TypeError, message: /qos and proto go with vlan/ },
  { name: "vf min_tx_rate without max_tx_rate", command: "set", spec: { index: 2, vf: { vf: 0, min_tx_rate: 10 } }, error: TypeError, message: /give both min_tx_rate and max_tx_rate/ },
  { name: "a bad vf link state", command: "set", spec: { index: 2, vf: { vf: 0, link_state: "sometimes" } }, error: TypeError, message: /"auto", "enable" or "disable"/ },
  { name: "a bad vf vlan protocol", command: "set", spec: { index: 2, vf: { vf: 0, vlan: 5, proto: "802.1x" } }, error: TypeError, message: /"802\.1Q" or "802\.1ad"/ },
  { name: "a bad vf mac", command: "set", spec: { index: 2, vf: { vf: 0, mac: "zz" } }, error: TypeError, message: /link-layer address/ },
  { name: "update of a tuntap", command: "update", spec: { ifname: "tap0", kind: "tuntap", mode: "tap" }, error: TypeError, message: /tuntap.*cannot be changed/ },
  { name: "del with another keyword", command: "del", spec: { index: 2, mtu: 1 }, error: TypeError, message: /unknown keyword "mtu"/ },
  { name: "property_add without altname", command: "property_add", spec: { index: 2, altname: [] }, error: TypeError, message: /altname/ },
  { name: "a kind that disagrees with linkinfo.kind", command: "add", spec: { ifname: "x0", kind: "dummy", linkinfo: { kind: "ifb" } }, error: TypeError, message: /disagrees/ },
  { name: "a peer on a kind other than veth", command: "add", spec: { ifname: "x0", kind: "dummy", peer: "x1" }, error: TypeError, message: /unknown keyword "peer"/ },
  { name: "a negative master index", command: "set", spec: { index: 2, master: -1 }, error: RangeError, message: /master/ },
  { name: "an unknown macvlan mode name", command: "add", spec: { ifname: "m0", kind: "macvlan", link: 2, macvlan_mode: "chaos" }, error: TypeError, message: /macvlan_mode: unknown value "chaos" \(known: private, vepa, bridge, passthru, source\)/ },
];

for (const c of BAD_INPUT) {
  test(`link("${c.command}") refuses ${c.name} before sending anything`, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.link(c.command, c.spec), (e: unknown) => {
      assert.ok(e instanceof c.error, `expected ${c.error.name}, got ${String(e)}`);
      assert.match((e as Error).message, c.message);
      return true;
    });
    assert.equal(t.sent.length, 0, "nothing was sent");
  });
}

test("LINK_KINDS holds the registry's kinds and tuntap", () => {
  for (const k of ["bond", "bridge", "dummy", "geneve", "gre", "ipip", "macvlan", "tuntap", "veth", "vlan", "vrf", "vxlan", "wireguard", "xfrm"]) {
    assert.ok(LINK_KINDS.includes(k), k);
  }
});

test("link(\"add\") sends NLM_F_CREATE | NLM_F_EXCL and resolves each name once per call", async () => {
  const { t, ipr } = open();
  await ipr.link("add", { ifname: "vx0", kind: "vxlan", vxlan_id: 7, vxlan_link: "eth0", master: "br0", link: "eth0" });
  const msgs = sentMessages(t);
  assert.deepEqual(msgs.map((m) => m.event), ["RTM_GETLINK", "RTM_GETLINK", "RTM_NEWLINK"]);
  const add = msgs[2];
  assert.equal(add.header.flags & 0x600, 0x600);
  assert.equal(add.get("master"), 3);
  assert.equal(add.get("link"), 2);
  assert.equal(add.get(["linkinfo", "data", "vxlan_link"]), 2);
  assert.equal(add.get(["linkinfo", "data", "vxlan_id"]), 7);
});

test("link(\"update\") sends set's keywords as RTM_SETLINK with NLM_F_CREATE | NLM_F_EXCL, as pyroute2 does", async () => {
  const { t, ipr } = open();
  await ipr.link("update", { ifname: "eth0", mtu: 1450, state: "up", master: "br0" });
  const msgs = sentMessages(t);
  assert.deepEqual(msgs.map((m) => m.event), ["RTM_GETLINK", "RTM_SETLINK"]);
  const up = msgs[1];
  assert.equal(up.header.type, RTM.RTM_SETLINK);
  assert.equal(up.header.flags, 0x1 | 0x4 | 0x400 | 0x200); // REQUEST | ACK | CREATE | EXCL
  assert.equal(up.get("ifname"), "eth0");
  assert.equal(up.get("mtu"), 1450);
  assert.equal(up.get("master"), 3);
  assert.equal(up.get("flags"), IFF.IFF_UP);
  assert.equal(up.get("change"), IFF.IFF_UP);
  // the same fields and attributes as link("set"), only the type and flags differ
  const set = linkRequest("set", { index: 2, mtu: 1450 });
  const update = linkRequest("update", { index: 2, mtu: 1450 });
  assert.deepEqual({ ...update, type: set.type, flags: set.flags }, set);
});

test("link(\"set\") with a missing master name is ENODEV naming it, and no change is sent", async () => {
  const { t, ipr } = open();
  await assert.rejects(ipr.link("set", { index: 2, master: "nope0" }), (e: unknown) => {
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, "ENODEV");
    assert.match(e.message, /master: no interface named "nope0"/);
    return true;
  });
  assert.deepEqual(sentMessages(t).map((m) => m.event), ["RTM_GETLINK"]);
});

test("flags: state, symbolic lists, arp and noarp combine into ifi_flags and ifi_change", () => {
  const cases: [Record<string, unknown>, number, number][] = [
    [{ index: 2, state: "up" }, IFF.IFF_UP, IFF.IFF_UP],
    [{ index: 2, state: "down" }, 0, IFF.IFF_UP],
    [{ index: 2, flags: ["IFF_UP", "!IFF_NOARP"] }, IFF.IFF_UP, IFF.IFF_UP | IFF.IFF_NOARP],
    [{ index: 2, flags: ["up", "noarp"] }, IFF.IFF_UP | IFF.IFF_NOARP, IFF.IFF_UP | IFF.IFF_NOARP],
    [{ index: 2, arp: false }, IFF.IFF_NOARP, IFF.IFF_NOARP],
    [{ index: 2, arp: true }, 0, IFF.IFF_NOARP],
    [{ index: 2, noarp: true, state: "up" }, IFF.IFF_NOARP | IFF.IFF_UP, IFF.IFF_NOARP | IFF.IFF_UP],
    [{ index: 2, flags: 0x1003, change: 0xffffffff }, 0x1003, 0xffffffff],
    [{ index: 2, IFLA_MTU: 1400 }, 0, 0],
  ];
  for (const [spec, flags, change] of cases) {
    const req = linkRequest("set", spec);
    assert.equal(req.fields.flags ?? 0, flags, JSON.stringify(spec));
    assert.equal(req.fields.change ?? 0, change, JSON.stringify(spec));
  }
});

test("master: 0, null and \"nomaster\" release; kernel names are accepted", () => {
  for (const master of [0, null, "nomaster"]) {
    assert.deepEqual(linkRequest("set", { index: 2, master }).attrs, [["master", 0]]);
  }
  assert.deepEqual(linkRequest("set", { index: 2, IFLA_MTU: 1400, IFLA_IFNAME: "n0" }).attrs, [["mtu", 1400], ["ifname", "n0"]]);
});

test("flat and nested kind options build the same request", () => {
  const flat = linkRequest("add", { ifname: "vx0", kind: "vxlan", vxlan_id: 5, IFLA_VXLAN_TTL: 3 });
  const nested = linkRequest("add", { ifname: "vx0", linkinfo: { kind: "vxlan", data: { vxlan_id: 5, vxlan_ttl: 3 } } });
  assert.deepEqual(flat, nested);
  const raw = linkRequest("add", { ifname: "d0", IFLA_LINKINFO: { attrs: [["IFLA_INFO_KIND", "dummy"]] } });
  assert.deepEqual(raw.attrs, [["ifname", "d0"], ["linkinfo", { attrs: [["IFLA_INFO_KIND", "dummy"]] }]]);
});

test("bridge port options with kind bridge_slave: state stays the link's, cost goes to the port", () => {
  const req = linkRequest("set", { index: 2, kind: "bridge_slave", state: "up", cost: 10, IFLA_BRPORT_STATE: 3 });
  assert.equal(req.fields.flags, IFF.IFF_UP);
  assert.deepEqual(req.attrs, [["linkinfo", [["kind", "bridge_slave"], ["slave_data", [["cost", 10], ["state", 3]]]]]]);
});

test("del by index, ifname or altname; property_add by ifname", () => {
  assert.deepEqual(linkRequest("del", { index: 5 }).fields, { index: 5 });
  assert.deepEqual(linkRequest("del", { ifname: "v0" }).attrs, [["ifname", "v0"]]);
  assert.deepEqual(linkRequest("del", { altname: "uplink" }).attrs, [["alt_ifname", "uplink"]]);
  const p = linkRequest("property_add", { ifname: "v0", altname: "a" });
  assert.equal(p.type, RTM.RTM_NEWLINKPROP);
  assert.deepEqual(p.attrs, [["ifname", "v0"], ["prop_list", [["alt_ifname", "a"]]]]);
});

test("get and linkLookup by altname send IFLA_ALT_IFNAME", async () => {
  const { t, ipr } = open();
  await assert.rejects(ipr.link("get", { altname: "uplink-main" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV");
  assert.deepEqual(await ipr.linkLookup({ altname: "uplink-main" }), []);
  for (const m of sentMessages(t)) {
    assert.equal(m.get("alt_ifname"), "uplink-main");
    assert.equal(m.get("ifname"), undefined);
  }
});

test("net_ns_fd by name: opened through the platform, closed after the request even when the kernel refuses", async () => {
  const opened: string[] = [];
  const closed: number[] = [];
  await withPlatform({ openNetnsFd: (n) => (opened.push(n), 77), closeFd: (fd) => void closed.push(fd) }, async () => {
    const { t, ipr } = open(17);
    await assert.rejects(ipr.link("add", { ifname: "v0", kind: "veth", peer: { ifname: "v1", net_ns_fd: "blue" } }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    const [m] = sentMessages(t);
    const peer = m.get(["linkinfo", "data", "peer"]) as { attrs: { get(k: string): unknown } };
    assert.equal(peer.attrs.get("net_ns_fd"), 77);
    assert.equal(peer.attrs.get("ifname"), "v1");
  });
  assert.deepEqual(opened, ["blue"]);
  assert.deepEqual(closed, [77]);
});

test("net_ns_fd by name without the netns service is a clear Error and sends nothing", async () => {
  await withPlatform({}, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.link("set", { index: 2, net_ns_fd: "blue" }), /netns service/);
    assert.equal(t.sent.length, 0);
  });
});

test("kind tuntap goes to the platform's tun/tap service, or is a clear Error without it", async () => {
  const calls: unknown[][] = [];
  await withPlatform({ tuntap: (...args) => void calls.push(args) }, async () => {
    const t = new ScriptedTransport(kernel());
    const ipr = new IPRoute({ transport: t, netns: "blue" } as never);
    await ipr.link("add", { ifname: "tap0", kind: "tuntap", mode: "tap", uid: 1000 });
    await ipr.link("del", { ifname: "tap0", kind: "tuntap" });
    assert.equal(t.sent.length, 0);
  });
  assert.deepEqual(calls, [
    ["add", { ifname: "tap0", kind: "tuntap", mode: "tap", uid: 1000 }, "blue"],
    ["del", { ifname: "tap0", kind: "tuntap" }, "blue"],
  ]);
  await withPlatform({}, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.link("add", { ifname: "tap0", kind: "tuntap", mode: "tap" }), /tun\/tap service/);
    assert.equal(t.sent.length, 0);
  });
});

test("an unknown command lists the known ones", async () => {
  const { ipr } = open();
  await assert.rejects(ipr.link("explode" as never, {}), /unknown command "explode" \(known: add, set, update, del, get, dump, show, property_add, property_del\)/);
});
