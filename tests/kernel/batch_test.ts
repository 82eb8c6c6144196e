import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError } from "../../mod.ts";
import { assertNoFdGrowth, fdCount, ipJson, ipn, kernelTest, withNetns } from "./_netns.ts";

const N = 5000;
const dst = (i: number) => `10.200.${(i >> 8) & 255}.${i & 255}/32`;

test("batch: 5,000 route adds pipelined; a duplicate and an impossible gateway in the middle fail alone", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "bv0", "type", "veth", "peer", "name", "bv1");
    ipn(ns, "addr", "add", "10.255.0.1/16", "dev", "bv0");
    ipn(ns, "link", "set", "bv0", "up");
    ipn(ns, "link", "set", "bv1", "up");
    ipn(ns, "route", "add", dst(1000), "via", "10.255.0.2");
    const fds = fdCount();
    const ipr = new IPRoute({ netns: ns });
    const b = ipr.batch();
    for (let i = 0; i < N; i++) {
      // 1000 exists already (EEXIST); 3000's gateway is on no connected network (ENETUNREACH)
      b.route("add", { dst: dst(i), gateway: i === 3000 ? "192.0.2.77" : "10.255.0.2", oif: "bv0" });
    }
    const results = await b.commit();
    assert.equal(results.length, N);
    const failed = results.flatMap((r, i) => (r.ok ? [] : [[i, r.error] as const]));
    assert.deepEqual(failed.map(([i]) => i), [1000, 3000]);
    for (const [, e] of failed) assert.ok(e instanceof NetlinkError);
    assert.equal(failed[0][1].code, "EEXIST");
    assert.equal(failed[1][1].code, "ENETUNREACH");
    assert.ok(failed[1][1].extack && /gateway/i.test(failed[1][1].extack), `extack: ${failed[1][1].extack}`);
    // the kernel's view: every route but the refused one, each via bv0
    const routes = ipJson<{ dst: string; gateway?: string; dev: string }[]>(ns, "-4", "route", "show", "proto", "boot");
    const ours = new Set(routes.filter((r) => r.dst.startsWith("10.200.") && r.dev === "bv0" && r.gateway === "10.255.0.2").map((r) => r.dst));
    assert.equal(ours.size, N - 1);
    assert.ok(!ours.has(dst(3000).replace("/32", "")));
    // many requests per datagram
    assert.equal(ipr.connection.stats.batches, 1);
    assert.ok(ipr.connection.stats.batchDatagrams < N / 50, `${ipr.connection.stats.batchDatagrams} datagrams`);
    // the socket is still in step: an ordinary request right after works
    await ipr.route("del", { dst: dst(0) });
    assert.equal((await ipr.getRoutes({ family: 2, dst: dst(0) })).length, 0);
    ipr.close();
    assertNoFdGrowth(fds);
  });
});

test("batch: deletes, adds and a link change mixed in one commit run in order", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "bv0", "type", "veth", "peer", "name", "bv1");
    ipn(ns, "addr", "add", "10.255.0.1/16", "dev", "bv0");
    ipn(ns, "link", "set", "bv0", "up");
    using ipr = new IPRoute({ netns: ns });
    const b = ipr.batch();
    b.route("add", { dst: "198.51.100.0/24", gateway: "10.255.0.2" });
    b.route("del", { dst: "198.51.100.0/24" });
    b.route("add", { dst: "198.51.100.0/24", gateway: "10.255.0.3" });
    b.link("set", { ifname: "bv1", mtu: 1400 });
    b.route("del", { dst: "203.0.113.0/24" });
    const results = await b.commit();
    assert.deepEqual(results.map((r) => r.ok), [true, true, true, true, false]);
    const last = results[4];
    assert.ok(!last.ok && (last.error.code === "ESRCH" || last.error.code === "ENOENT"), !last.ok ? last.error.code : "");
    const [r] = ipJson<{ gateway: string }[]>(ns, "route", "show", "198.51.100.0/24");
    assert.equal(r.gateway, "10.255.0.3");
    assert.equal(ipJson<{ mtu: number }[]>(ns, "link", "show", "bv1")[0].mtu, 1400);
  });
});
