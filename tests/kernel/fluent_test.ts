/**
 * The fluent layer on the real kernel, in namespaces of its own, checked against `ip -json`:
 * the examples of issue 7 (create veth + up + addIp, setNetns, set mtu + down, routes.create)
 * and the same for addresses, neighbours and rules.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { ChainError, IPRoute, NetlinkError } from "../../mod.ts";
import { assertNoFdGrowth, fdCount, ipJson, ipn, kernelTest, withNetns } from "./_netns.ts";

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  address?: string;
  linkinfo?: { info_kind?: string };
}

interface IpAddr {
  ifindex: number;
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number }[];
}

function ipLink(ns: string, name: string): IpLink | undefined {
  return ipJson<IpLink[]>(ns, "-d", "link", "show").find((l) => l.ifname === name);
}

test("interfaces.create(veth).up().addIp() matches ip -json link / addr", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const v0 = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
    const ip = ipLink(ns, "v0")!;
    assert.ok(ip, "ip link shows v0");
    assert.deepEqual([v0.index, v0.ifname, v0.mtu, v0.kind, v0.address], [ip.ifindex, ip.ifname, ip.mtu, ip.linkinfo?.info_kind, ip.address]);
    assert.equal(v0.state, "up");
    assert.ok(ip.flags.includes("UP"));
    assert.equal(v0.operstate, ip.operstate); // LOWERLAYERDOWN: the peer is still down
    const [addr] = ipJson<IpAddr[]>(ns, "addr", "show", "dev", "v0");
    assert.deepEqual(addr.addr_info.filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`), ["192.0.2.1/24"]);
    const mine = await ipr.addresses.list({ index: v0.index, family: 2 });
    assert.deepEqual(mine.map((a) => a.cidr), ["192.0.2.1/24"]);
    assert.ok(ipLink(ns, "v1"), "the peer exists");
  });
});

test("interface(v1).setNetns(ns2) moves it; interface(v0).set({ mtu }).down() changes it", kernelTest, async () => {
  await withNetns(async (ns) => {
    await withNetns(async (ns2) => {
      using ipr = new IPRoute({ netns: ns });
      await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up();
      const fds = fdCount();
      assert.equal(await ipr.interface("v1").setNetns(ns2), undefined);
      assertNoFdGrowth(fds, "the namespace fd was closed");
      assert.equal(ipLink(ns, "v1"), undefined);
      assert.ok(ipLink(ns2, "v1"), "v1 is in the other namespace");
      const v0 = await ipr.interface("v0").set({ mtu: 1400 }).down();
      const ip = ipLink(ns, "v0")!;
      assert.deepEqual([v0.mtu, ip.mtu], [1400, 1400]);
      assert.equal(v0.state, "down");
      assert.ok(!ip.flags.includes("UP"));
    });
  });
});

test("routes, addresses, neighbours and rules: create / list / get / delete against ip -json", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const v0 = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
    await ipr.interface("v1").up();

    await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
    const ipRoutes = ipJson<{ dst: string; gateway?: string; dev: string }[]>(ns, "route", "show", "198.51.100.0/24");
    assert.deepEqual(ipRoutes.map((r) => [r.dst, r.gateway, r.dev]), [["198.51.100.0/24", "192.0.2.2", "v0"]]);
    const listed = (await ipr.routes.list({ family: 2, table: 254 })).filter((r) => r.dst === "198.51.100.0/24");
    assert.deepEqual(listed.map((r) => [r.gateway, r.oif, r.table]), [["192.0.2.2", v0.index, 254]]);
    const got = await ipr.routes.get("198.51.100.7");
    assert.deepEqual([got.gateway, got.oif], ["192.0.2.2", v0.index]);
    await ipr.routes.delete({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
    assert.deepEqual(ipJson(ns, "route", "show", "198.51.100.0/24"), []);

    await ipr.addresses.create({ ifname: "v0", address: "2001:db8::1/64", flags: ["nodad"] });
    assert.equal((await ipr.addresses.get({ address: "2001:db8::1" }))?.prefixlen, 64);
    await ipr.addresses.delete({ ifname: "v0", address: "2001:db8::1/64" });
    assert.equal(await ipr.addresses.get({ address: "2001:db8::1" }), undefined);

    await ipr.neighbours.create({ ifindex: "v0", dst: "192.0.2.2", lladdr: "02:00:00:00:00:02", state: "permanent" });
    const ipNeigh = ipJson<{ dst: string; lladdr: string; state: string[] }[]>(ns, "-4", "neigh", "show", "dev", "v0");
    assert.deepEqual(ipNeigh.map((n) => [n.dst, n.lladdr, n.state]), [["192.0.2.2", "02:00:00:00:00:02", ["PERMANENT"]]]);
    const n = await ipr.neighbours.get({ dst: "192.0.2.2", ifindex: v0.index });
    assert.deepEqual([n.dst, n.lladdr, n.ifindex, n.state], ["192.0.2.2", "02:00:00:00:00:02", v0.index, 0x80]);
    assert.deepEqual((await ipr.neighbours.list({ ifindex: v0.index, family: 2 })).map((x) => x.dst), ["192.0.2.2"]);
    await ipr.neighbours.delete({ ifindex: "v0", dst: "192.0.2.2" });
    assert.deepEqual(ipJson<{ state: string[] }[]>(ns, "-4", "neigh", "show", "dev", "v0").filter((x) => !x.state.includes("FAILED")), []);

    await ipr.rules.create({ priority: 100, table: 100, src: "198.51.100.0/24" });
    const ipRules = ipJson<{ priority: number; src: string; srclen: number; table: string }[]>(ns, "rule", "show");
    assert.deepEqual(ipRules.filter((r) => r.priority === 100).map((r) => [r.src, r.srclen, r.table]), [["198.51.100.0", 24, "100"]]);
    const rule = await ipr.rules.get({ priority: 100, family: 2 });
    assert.deepEqual([rule?.table, rule?.src], [100, "198.51.100.0/24"]);
    await ipr.rules.delete({ priority: 100, table: 100, src: "198.51.100.0/24" });
    assert.equal(ipJson<{ priority: number }[]>(ns, "rule", "show").filter((r) => r.priority === 100).length, 0);
  });
});

test("a failing step is a ChainError naming it; the steps before it stay done", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).addIp("192.0.2.1/24");
    await assert.rejects(async () => await ipr.interface("v0").up().set({ mtu: 1400 }).addIp("192.0.2.1/24"), (e: unknown) => {
      assert.ok(e instanceof ChainError);
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      assert.equal(e.step, `addIp("192.0.2.1/24")`);
      assert.deepEqual(e.completed, ["up()", "set({ mtu: 1400 })"]);
      return true;
    });
    const ip = ipLink(ns, "v0")!;
    assert.ok(ip.flags.includes("UP"));
    assert.equal(ip.mtu, 1400);
    await assert.rejects(async () => await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v2" }).up(), (e: unknown) => {
      assert.ok(e instanceof ChainError);
      assert.equal(e.code, "EEXIST");
      assert.equal(e.step, `create({ ifname: "v0", kind: "veth", peer: "v2" })`);
      assert.deepEqual(e.completed, []);
      return true;
    });
    await ipr.interface("v0").del();
    assert.equal(ipLink(ns, "v0"), undefined);
    assert.equal(ipLink(ns, "v1"), undefined, "deleting one end removes the pair");
    assert.equal(ipn(ns, "link", "show").includes("v0"), false);
  });
});
