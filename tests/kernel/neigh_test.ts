/**
 * Neighbours against the kernel: conformance scenario 29 (filters, get, dumped indexes), the
 * change commands, proxy entries, state names, flush, checked with `ip -json neigh`.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError, type NlMsg, NTF, NUD } from "../../mod.ts";
import { ipJson, ipn, kernelTest, withNetns } from "./_netns.ts";

interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state?: string[];
  router?: null;
}

function setup(ns: string): void {
  ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
  ipn(ns, "link", "set", "v0", "up");
  ipn(ns, "link", "set", "v1", "up");
}

test("two permanent ARP entries: filters, callable match, get, dumped indexes (conformance 29)", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const [ifindex] = await ipr.linkLookup({ ifname: "v0" });
    await ipr.neigh("add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", ifindex, state: "permanent" });
    await ipr.neigh("add", { dst: "192.0.2.3", lladdr: "00:11:22:33:44:56", ifindex: "v0", state: NUD.NUD_PERMANENT });
    const ip = ipJson<IpNeigh[]>(ns, "neigh", "show", "dev", "v0");
    assert.deepEqual(ip.map((n) => [n.dst, n.lladdr, n.state]).sort(), [["192.0.2.2", "00:11:22:33:44:55", ["PERMANENT"]], ["192.0.2.3", "00:11:22:33:44:56", ["PERMANENT"]]]);
    assert.equal((await ipr.getNeighbours({ ifindex, family: 2 })).length, 2);
    assert.equal((await ipr.getNeighbours({ ifindex, dst: "192.0.2.2" })).length, 1);
    assert.equal((await ipr.getNeighbours({ match: (m: NlMsg) => m.get("ifindex") === ifindex && m.get("family") === 2 })).length, 2);
    const [got] = await ipr.neigh("get", { dst: "192.0.2.2", ifindex });
    assert.equal(got.get("dst"), "192.0.2.2");
    assert.equal(got.get("NDA_DST"), "192.0.2.2");
    assert.equal(got.get("lladdr"), "00:11:22:33:44:55");
    const indexes = new Set((await ipr.getLinks()).map((l) => l.get("index")));
    for (const n of await ipr.getNeighbours()) assert.ok(indexes.has(n.get("ifindex")), `ifindex ${n.get("ifindex")} is a link`);
  });
});

test("neigh replace / change / del, state names, IPv6 router flag, duplicate add is EEXIST", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const show = (dst: string) => ipJson<IpNeigh[]>(ns, "neigh", "show", "to", dst, "dev", "v0")[0];
    await ipr.neigh("add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", ifindex: "v0" });
    await assert.rejects(ipr.neigh("add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", ifindex: "v0" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    await ipr.neigh("replace", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:57", ifindex: "v0", state: "reachable" });
    assert.equal(show("192.0.2.2").lladdr, "00:11:22:33:44:57");
    assert.deepEqual(show("192.0.2.2").state, ["REACHABLE"]);
    await ipr.neigh("change", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:58", ifindex: "v0", state: "NUD_STALE" });
    assert.equal(show("192.0.2.2").lladdr, "00:11:22:33:44:58");
    assert.deepEqual(show("192.0.2.2").state, ["STALE"]);
    await assert.rejects(ipr.neigh("change", { dst: "192.0.2.200", lladdr: "00:11:22:33:44:58", ifindex: "v0" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT");
    await ipr.neigh("set", { dst: "192.0.2.201", lladdr: "00:11:22:33:44:59", ifindex: "v0" });
    assert.equal(show("192.0.2.201").lladdr, "00:11:22:33:44:59");
    await ipr.neigh("add", { dst: "2001:db8::2", lladdr: "00:11:22:33:44:5a", ifindex: "v0", router: true });
    const v6 = show("2001:db8::2");
    assert.equal(v6.router, null);
    const [n6] = await ipr.getNeighbours({ family: "inet6", dst: "2001:db8::2" });
    assert.ok((n6.get("flags") as number) & NTF.NTF_ROUTER);
    await ipr.neigh("del", { dst: "192.0.2.2", ifindex: "v0" });
    assert.equal(show("192.0.2.2"), undefined);
    await assert.rejects(ipr.neigh("del", { dst: "192.0.2.2", ifindex: "v0" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT");
  });
});

test("proxy entries: add, dump of the proxy table, del; flush of the ordinary table", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    await ipr.neigh("add", { dst: "192.0.2.9", ifindex: "v0", proxy: true });
    assert.deepEqual(ipJson<IpNeigh[]>(ns, "neigh", "show", "proxy").map((n) => [n.dst, n.dev]), [["192.0.2.9", "v0"]]);
    const proxies = await ipr.neigh("dump", { proxy: true });
    assert.deepEqual(proxies.map((n) => n.get("dst")), ["192.0.2.9"]);
    assert.ok((proxies[0].get("flags") as number) & NTF.NTF_PROXY);
    assert.equal((await ipr.neigh("dump", { dst: "192.0.2.9" })).length, 0, "ordinary dump leaves proxies out");
    await ipr.neigh("del", { dst: "192.0.2.9", ifindex: "v0", proxy: true });
    assert.deepEqual(ipJson<IpNeigh[]>(ns, "neigh", "show", "proxy"), []);

    for (let i = 2; i < 6; i++) await ipr.neigh("add", { dst: `192.0.2.${i}`, lladdr: `00:11:22:33:44:5${i}`, ifindex: "v0" });
    await ipr.neigh("add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:66", ifindex: "v1" });
    const flushed = await ipr.neigh("flush", { ifindex: "v0", family: 2 });
    assert.equal(flushed.length, 4);
    assert.deepEqual(ipJson<IpNeigh[]>(ns, "-4", "neigh", "show", "dev", "v0"), []);
    assert.equal(ipJson<IpNeigh[]>(ns, "-4", "neigh", "show", "dev", "v1").length, 1);
  });
});
