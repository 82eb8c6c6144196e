/**
 * `ensure` and `poll` against the kernel: pyroute2's five ensure cases (test_ensure_async.py,
 * with ifb where it uses dummy), rules and neighbours, and a poll that waits for a link another
 * process creates; checked with `ip -json`.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, PollTimeoutError } from "../../mod.ts";
import { ipJson, ipn, kernelTest, withNetns } from "./_netns.ts";

const linkExists = (ns: string, name: string) => ipJson<{ ifname: string }[]>(ns, "link", "show").some((l) => l.ifname === name);
const addrExists = (ns: string, dev: string, address: string) =>
  ipJson<{ addr_info: { local: string }[] }[]>(ns, "addr", "show", "dev", dev).some((l) => l.addr_info.some((a) => a.local === address));

test("ensure link present / absent (pyroute2 test_ensure_link_present, _absent)", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const [first] = await ipr.ensure("link", { ifname: "ifb0", kind: "ifb", state: "up" });
    assert.ok(linkExists(ns, "ifb0"));
    assert.equal(first.get("ifname"), "ifb0");
    const [second] = await ipr.ensure("link", { ifname: "ifb0", kind: "ifb", state: "up" });
    assert.equal(second.get("index"), first.get("index"));
    assert.deepEqual(await ipr.ensure("link", { ifname: "ifb0", present: false }), []);
    assert.ok(!linkExists(ns, "ifb0"));
    assert.deepEqual(await ipr.ensure("link", { ifname: "ifb0", present: false }), []);
    assert.ok(!linkExists(ns, "ifb0"));
  });
});

test("ensure address present / absent (pyroute2 test_ensure_address_exists, _absent)", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "ifb0", "type", "ifb");
    using ipr = new IPRoute({ netns: ns });
    const [index] = await ipr.linkLookup({ ifname: "ifb0" });
    for (let i = 0; i < 2; i++) {
      const [a] = await ipr.ensure("addr", { index, address: "192.0.2.150/24" });
      assert.equal(a.get("address"), "192.0.2.150");
      assert.ok(addrExists(ns, "ifb0", "192.0.2.150"));
    }
    assert.equal(ipJson<{ addr_info: unknown[] }[]>(ns, "-4", "addr", "show", "dev", "ifb0")[0].addr_info.length, 1);
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await ipr.ensure("addr", { index, address: "192.0.2.150/24", present: false }), []);
      assert.ok(!addrExists(ns, "ifb0", "192.0.2.150"));
    }
  });
});

test("ensure route on a fresh link and address (pyroute2 test_ensure_route)", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const [link] = await ipr.ensure("link", { ifname: "ifb0", kind: "ifb", state: "up" });
    const index = link.get("index") as number;
    await ipr.ensure("addr", { index, address: "192.0.2.150/24" });
    for (let i = 0; i < 2; i++) await ipr.ensure("route", { dst: "198.51.100.0/24", gateway: "192.0.2.151" });
    const routes = ipJson<{ dst: string; gateway: string }[]>(ns, "route", "show", "198.51.100.0/24");
    assert.deepEqual(routes.map((r) => [r.dst, r.gateway]), [["198.51.100.0/24", "192.0.2.151"]]);
  });
});

test("ensure rule and neighbour present / absent", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    using ipr = new IPRoute({ netns: ns });
    const rule = { priority: 1000, src: "192.0.2.0/24", table: 2048 };
    for (let i = 0; i < 2; i++) await ipr.ensure("rule", rule);
    assert.equal(ipJson<{ priority: number }[]>(ns, "rule", "show").filter((r) => r.priority === 1000).length, 1);
    await ipr.ensure("rule", { ...rule, present: false });
    assert.equal(ipJson<{ priority: number }[]>(ns, "rule", "show").filter((r) => r.priority === 1000).length, 0);
    const neigh = { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", ifindex: "v0" };
    for (let i = 0; i < 2; i++) await ipr.ensure("neigh", neigh);
    assert.equal(ipJson<unknown[]>(ns, "neigh", "show", "dev", "v0").length, 1);
    await ipr.ensure("neigh", { ...neigh, present: false });
    assert.deepEqual(ipJson<unknown[]>(ns, "neigh", "show", "dev", "v0"), []);
  });
});

test("poll waits for a link another process adds, and times out with PollTimeoutError", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const timer = setTimeout(() => ipn(ns, "link", "add", "late0", "type", "ifb"), 150);
    try {
      const [late] = await ipr.poll("link", { ifname: "late0" }, { timeoutMs: 5000, intervalMs: 20 });
      assert.equal(late.get("ifname"), "late0");
    } finally {
      clearTimeout(timer);
    }
    await assert.rejects(ipr.poll("addr", { address: "203.0.113.1" }, { timeoutMs: 100, intervalMs: 20 }), PollTimeoutError);
  });
});
