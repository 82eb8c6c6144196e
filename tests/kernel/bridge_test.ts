/**
 * Bridges against the kernel: port options (conformance 10), VLAN dumps (11), the VLAN filter
 * and VLAN database (12, which this kernel refuses: built without bridge VLAN filtering), fdb
 * on vxlan (14) and on a bridge (15); checked with `bridge -json` and `ip -json -d link`.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError, NTF } from "../../mod.ts";
import { ipJson, ipn, kernelTest, sh, withNetns } from "./_netns.ts";

const bridgeJson = <T>(ns: string, ...args: string[]): T => {
  const out = sh("bridge", ["-n", ns, "-json", ...args]);
  return (out.trim() ? JSON.parse(out) : []) as T;
};

function bridgeWithPort(ns: string): void {
  ipn(ns, "link", "add", "br0", "type", "bridge");
  ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ipn(ns, "link", "set", "v0", "master", "br0");
}

test("brport set / dump: cost, unicast_flood, proxyarp, learning (conformance 10)", kernelTest, async () => {
  await withNetns(async (ns) => {
    bridgeWithPort(ns);
    using ipr = new IPRoute({ netns: ns });
    await ipr.brport("set", { index: "v0", cost: 200, unicast_flood: 0, proxyarp: 1, learning: false });
    const [port, ...others] = await ipr.brport("dump", { index: "v0" });
    assert.equal(others.length, 0);
    assert.equal(port.get("family"), 7);
    assert.equal(port.get("master"), (await ipr.linkLookup({ ifname: "br0" }))[0]);
    assert.equal(port.get(["protinfo", "cost"]), 200);
    assert.equal(port.get(["protinfo", "unicast_flood"]), 0);
    assert.equal(port.get(["protinfo", "proxyarp"]), 1);
    assert.equal(port.get(["protinfo", "learning"]), 0);
    const [b] = bridgeJson<{ master: string; cost: number; flood: boolean; learning: boolean }[]>(ns, "-d", "link", "show", "dev", "v0");
    assert.deepEqual([b.master, b.cost, b.flood, b.learning], ["br0", 200, false, false]);
    const [l] = ipJson<{ master: string; linkinfo: { info_slave_data: { proxy_arp: boolean; cost: number } } }[]>(ns, "-d", "link", "show", "v0");
    assert.equal(l.master, "br0");
    assert.equal(l.linkinfo.info_slave_data.proxy_arp, true);
    // a port state needs the bridge running and the port up
    await assert.rejects(ipr.brport("set", { index: "v0", state: "blocking" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENETDOWN");
    for (const dev of ["br0", "v0", "v1"]) ipn(ns, "link", "set", dev, "up");
    await ipr.brport("set", { index: "v0", priority: 20, state: "learning" });
    const [again] = await ipr.brport("show", { index: "v0" });
    assert.equal(again.get(["protinfo", "priority"]), 20);
    assert.equal(again.get(["protinfo", "state"]), 2);
    assert.equal(bridgeJson<{ state: string }[]>(ns, "link", "show", "dev", "v0")[0].state, "learning");
  });
});

test("getVlans(): one AF_BRIDGE message per bridge and port; no VLAN info on this kernel (conformance 11)", kernelTest, async () => {
  await withNetns(async (ns) => {
    bridgeWithPort(ns);
    ipn(ns, "link", "add", "br1", "type", "bridge");
    using ipr = new IPRoute({ netns: ns });
    const all = await ipr.getVlans();
    assert.ok(all.length >= 2);
    assert.deepEqual(all.map((m) => m.get("ifname")).sort(), ["br0", "br1", "v0"]);
    for (const name of ["br0", "br1"]) {
      const mine = await ipr.getVlans({ ifname: name });
      assert.equal(mine.length, 1);
      // built without CONFIG_BRIDGE_VLAN_FILTERING, the kernel sends no IFLA_AF_SPEC (pyroute2's
      // check, vid == 1, needs it); `bridge -json vlan show` agrees: nothing to show
      assert.equal(mine[0].get(["af_spec", "bridge_vlan_info"]), undefined);
    }
    assert.deepEqual(bridgeJson(ns, "vlan", "show"), []);
  });
});

test("vlanFilter and vlandb: the kernel refuses them with EOPNOTSUPP, as it refuses `bridge vlan` (conformance 12)", kernelTest, async () => {
  await withNetns(async (ns) => {
    bridgeWithPort(ns);
    using ipr = new IPRoute({ netns: ns });
    const refused = (op: string) => (e: unknown) => e instanceof NetlinkError && e.code === "EOPNOTSUPP" && e.op === op;
    await assert.rejects(ipr.vlanFilter("add", { index: "br0", vlan_flags: "self", vlan_info: { vid: 101 } }), refused("RTM_SETLINK"));
    await assert.rejects(ipr.vlanFilter("add", { index: "v0", vlan_info: { vid: 101, flags: ["pvid", "untagged"] } }), refused("RTM_SETLINK"));
    await assert.rejects(ipr.vlandb("set", { ifindex: "v0", vid: 101, state: "learning" }), refused("RTM_NEWVLAN"));
    await assert.rejects(ipr.vlandb("dump", { dump_flags: 1 }), refused("RTM_GETVLAN"));
    assert.throws(() => sh("bridge", ["-n", ns, "vlan", "add", "dev", "v0", "vid", "101"]), /Operation not supported/);
  });
});

test("fdb on vxlan: add with dst, port, vni; dump finds exactly one; del (conformance 14)", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "vx0", "type", "vxlan", "id", "500", "dstport", "4789", "local", "192.0.2.1");
    using ipr = new IPRoute({ netns: ns });
    const [vx] = await ipr.linkLookup({ ifname: "vx0" });
    const lladdr = "00:11:22:33:44:55";
    await ipr.fdb("add", { lladdr, ifindex: vx, vni: 600, port: 5678, dst: "192.0.2.7" });
    const found = await ipr.fdb("dump", { ifindex: vx, lladdr });
    assert.equal(found.length, 1);
    assert.equal(found[0].get("dst"), "192.0.2.7");
    assert.equal(found[0].get("NDA_PORT"), 5678);
    assert.equal(found[0].get("vni"), 600);
    assert.ok((found[0].get("flags") as number) & NTF.NTF_SELF);
    const shown = bridgeJson<{ mac: string; dst: string; port: number; vni: number }[]>(ns, "fdb", "show", "dev", "vx0");
    assert.deepEqual(shown.map((e) => [e.mac, e.dst, e.port, e.vni]), [[lladdr, "192.0.2.7", 5678, 600]]);
    await ipr.fdb("append", { lladdr: "00:00:00:00:00:00", ifindex: "vx0", dst: "192.0.2.8" });
    await ipr.fdb("append", { lladdr: "00:00:00:00:00:00", ifindex: "vx0", dst: "192.0.2.9" });
    assert.equal((await ipr.fdb("dump", { ifindex: "vx0", lladdr: "00:00:00:00:00:00" })).length, 2);
    // the kernel matches the remote by dst, port and vni (a del with dst alone succeeds and
    // removes nothing, with `bridge fdb del` too)
    await ipr.fdb("del", { lladdr, ifindex: "vx0", dst: "192.0.2.7", port: 5678, vni: 600 });
    assert.equal((await ipr.fdb("dump", { ifindex: vx, lladdr })).length, 0);
    await assert.rejects(ipr.fdb("add", { lladdr: "00:00:00:00:00:00", ifindex: "vx0", dst: "192.0.2.8" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    const flushed = await ipr.fdb("flush", { ifindex: "vx0", lladdr: "00:00:00:00:00:00" });
    assert.equal(flushed.length, 2);
    assert.deepEqual(bridgeJson(ns, "fdb", "show", "dev", "vx0"), []);
  });
});

test("fdb on a bridge: entry with NDA_MASTER == bridge; no per-VLAN copy without VLAN filtering (conformance 15)", kernelTest, async () => {
  await withNetns(async (ns) => {
    bridgeWithPort(ns);
    using ipr = new IPRoute({ netns: ns });
    const [br] = await ipr.linkLookup({ ifname: "br0" });
    const lladdr = "00:11:22:33:44:55";
    await ipr.fdb("add", { lladdr, ifindex: br });
    const found = await ipr.fdb("dump", { ifindex: br, lladdr });
    // pyroute2 expects two (vlan 0 and the default vlan 1): this kernel has no VLAN filtering
    assert.equal(found.length, 1);
    assert.ok(found.every((m) => m.get("master") === br));
    assert.equal((await ipr.fdb("dump", { ifindex: br, lladdr, vlan: 1 })).length, 0);
    assert.equal((await ipr.fdb("dump", { master: "br0", lladdr })).length, 1);
    const shown = bridgeJson<{ mac: string; master?: string }[]>(ns, "fdb", "show", "dev", "br0").filter((e) => e.mac === lladdr);
    assert.deepEqual(shown.map((e) => e.master), ["br0"]);
    // a static entry on the port, through the bridge (NTF_MASTER)
    await ipr.fdb("add", { lladdr: "00:11:22:33:44:77", ifindex: "v0", master: true, state: ["noarp", "reachable"] });
    const [port] = bridgeJson<{ mac: string; state: string; master: string }[]>(ns, "fdb", "show", "dev", "v0").filter((e) => e.mac === "00:11:22:33:44:77");
    assert.deepEqual([port.master, port.state], ["br0", "static"]);
    await ipr.fdb("del", { lladdr: "00:11:22:33:44:77", ifindex: "v0", master: true });
    assert.equal(bridgeJson<{ mac: string }[]>(ns, "fdb", "show", "dev", "v0").filter((e) => e.mac === "00:11:22:33:44:77").length, 0);
  });
});
