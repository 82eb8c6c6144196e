/**
 * Routes on the real kernel (conformance 20-26), each test in its own namespace, checked against
 * `ip -json route show table all` there.
 * @module
 */

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { IPRoute, NetlinkError, ROUTE_DUMP_MAGIC, decodeDatagram, rtnl } from "../../mod.ts";
import { fdCount, ipJson, ipn, kernelTest, sh, withNetns, waitOperUp } from "./_netns.ts";

interface IpRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  metric?: number;
  table?: string;
  flags?: string[];
  prefsrc?: string;
  pref?: string;
  nhid?: number;
  metrics?: Record<string, number>[];
  nexthops?: { gateway: string; dev: string; weight: number }[];
}

function ipRoutes(ns: string, ...args: string[]): IpRoute[] {
  return ipJson<IpRoute[]>(ns, "route", "show", ...args);
}

/** A namespace with veth v0/v1 up, 192.0.2.1/24 and 2001:db8::1/64 on v0, and an IPRoute in it. */
async function withNet(fn: (ns: string, ipr: IPRoute, v0: number) => Promise<void>, strictCheck = false): Promise<void> {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ipn(ns, "link", "set", "v0", "up");
    ipn(ns, "link", "set", "v1", "up");
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
    ipn(ns, "addr", "add", "2001:db8::1/64", "dev", "v0", "nodad");
    await waitOperUp(ns, "v0");
    using ipr = new IPRoute({ netns: ns, strictCheck });
    const [v0] = await ipr.linkLookup({ ifname: "v0" });
    // wait (bounded) for the carrier, so routes are not flagged linkdown
    for (let i = 0; i < 100 && ipJson<{ operstate: string }[]>(ns, "link", "show", "v0")[0].operstate !== "UP"; i++) await new Promise((r) => setTimeout(r, 20));
    await fn(ns, ipr, v0);
  });
}

test("route add via gw1, change to gw2, change of a missing route is ENOENT, replace present and absent (conformance 20)", kernelTest, async () => {
  await withNet(async (ns, ipr) => {
    await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });
    assert.deepEqual(ipRoutes(ns, "198.51.100.0/24").map((r) => r.gateway), ["192.0.2.2"]);
    await assert.rejects(ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    await ipr.route("change", { dst: "198.51.100.0/24", gateway: "192.0.2.3" });
    assert.deepEqual(ipRoutes(ns, "198.51.100.0/24").map((r) => r.gateway), ["192.0.2.3"]);
    await assert.rejects(ipr.route("change", { dst: "198.51.101.0/24", gateway: "192.0.2.3" }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.code, "ENOENT");
      assert.equal(e.op, "RTM_NEWROUTE");
      return true;
    });
    assert.deepEqual(ipRoutes(ns, "198.51.101.0/24"), []);
    await ipr.route("replace", { dst: "198.51.100.0/24", gateway: "192.0.2.4" });
    await ipr.route("replace", { dst: "198.51.101.0/24", gateway: "192.0.2.5" });
    assert.deepEqual(ipRoutes(ns, "198.51.100.0/24").map((r) => r.gateway), ["192.0.2.4"]);
    assert.deepEqual(ipRoutes(ns, "198.51.101.0/24").map((r) => r.gateway), ["192.0.2.5"]);
    // the library's dump agrees with ip
    const mine = await ipr.getRoutes({ family: 2, table: 254, dst: "198.51.100.0/24" });
    assert.deepEqual(mine.map((r) => [r.get("gateway"), r.get("proto"), r.get("scope"), r.get("type")]), [["192.0.2.4", 3, 0, 1]]);
    await ipr.route("del", { dst: "198.51.100.0/24" });
    assert.deepEqual(ipRoutes(ns, "198.51.100.0/24"), []);
    await assert.rejects(ipr.route("del", { dst: "198.51.100.0/24" }), (e: unknown) => e instanceof NetlinkError && e.code === "ESRCH");
  });
});

test("multipath: normal and raw forms, both next hops in order with weights (conformance 21)", kernelTest, async () => {
  await withNet(async (ns, ipr, v0) => {
    await ipr.route("add", { dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2" }, { gateway: "192.0.2.3", weight: 3, oif: "v0" }] });
    await ipr.route("add", { dst: "203.0.113.0/24", multipath: [{ hops: 1, oif: v0, attrs: [["RTA_GATEWAY", "192.0.2.4"]] }, { hops: 0, oif: v0, attrs: [["RTA_GATEWAY", "192.0.2.5"]] }] });
    const [a] = ipRoutes(ns, "198.51.100.0/24");
    assert.deepEqual(a.nexthops!.map((n) => [n.gateway, n.dev, n.weight]), [["192.0.2.2", "v0", 1], ["192.0.2.3", "v0", 3]]);
    const [b] = ipRoutes(ns, "203.0.113.0/24");
    assert.deepEqual(b.nexthops!.map((n) => [n.gateway, n.weight]), [["192.0.2.4", 2], ["192.0.2.5", 1]]);
    const [mine] = await ipr.getRoutes({ dst: "198.51.100.0/24" });
    const mp = mine.get("multipath") as unknown as { hops: number; oif: number; attrs: { get(k: string): unknown } }[];
    assert.deepEqual(mp.map((n) => [n.attrs.get("gateway"), n.oif, n.hops]), [["192.0.2.2", 0 || v0, 0], ["192.0.2.3", v0, 2]]);
    // IPv6 multipath built by append, as ip route append does
    await ipr.route("add", { dst: "2001:db8:5::/48", gateway: "2001:db8::2", oif: v0 });
    await ipr.route("append", { dst: "2001:db8:5::/48", gateway: "2001:db8::3", oif: v0 });
    const [six] = ipJson<IpRoute[]>(ns, "-6", "route", "show", "2001:db8:5::/48");
    assert.deepEqual(six.nexthops!.map((n) => n.gateway), ["2001:db8::2", "2001:db8::3"]);
  });
});

test("route dump and show filtered by table 255, by match, and with strict checking (conformance 22)", kernelTest, async () => {
  for (const strict of [false, true]) {
    await withNet(async (ns, ipr) => {
      await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });
      for (const got of [await ipr.route("dump", { table: 255 }), await ipr.route("show", { table: "local" }), await ipr.route("dump", { match: { table: 255 } })]) {
        assert.ok(got.length > 0);
        assert.ok(got.every((r) => r.get("table") === 255), `strict ${strict}`);
      }
      const ip = ipJson<IpRoute[]>(ns, "route", "show", "table", "local");
      assert.equal((await ipr.getRoutes({ family: 2, table: 255 })).length, ip.length);
    }, strict);
  }
});

test("route get 127.0.0.1 and ::1; ext-ack on a strict route get (conformance 23, 24)", kernelTest, async () => {
  await withNet(async (_ns, ipr) => {
    assert.ok((await ipr.route("get", { dst: "127.0.0.1" })).length >= 1);
    assert.ok((await ipr.route("get", { dst: "::1" })).length >= 1);
    const [r] = await ipr.route("get", { dst: "192.0.2.77", oif: "v0" });
    assert.equal(r.get("prefsrc"), "192.0.2.1");
  });
  await withNet(async (_ns, ipr) => {
    await assert.rejects(ipr.route("get", { dst: "1.2.3.4", table: 254, dst_len: 0 }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.code, "EINVAL");
      assert.match(e.extack ?? "", /rtm_dst_len|header/);
      return true;
    });
  }, true);
});

test("flushRoutes: 10 IPv4 routes in table 10101; flushing AF_INET6 leaves 10, AF_INET leaves 0 (conformance 25)", kernelTest, async () => {
  await withNet(async (ns, ipr, v0) => {
    for (let i = 0; i < 10; i++) await ipr.route("add", { dst: `198.51.100.${i * 16}/28`, gateway: "192.0.2.2", table: 10101, oif: v0 });
    assert.equal(ipRoutes(ns, "table", "10101").length, 10);
    assert.deepEqual(await ipr.flushRoutes({ table: 10101, family: 10 }), []);
    assert.equal(ipRoutes(ns, "table", "10101").length, 10);
    assert.equal((await ipr.flushRoutes({ table: 10101, family: 2 })).length, 10);
    assert.deepEqual(ipRoutes(ns, "table", "10101"), []);
    // a predicate: only the routes it accepts
    await ipr.route("add", { dst: "203.0.113.0/24", gateway: "192.0.2.2", priority: 5 });
    await ipr.route("add", { dst: "203.0.113.0/24", gateway: "192.0.2.3", priority: 50 });
    const gone = await ipr.flushRoutes({ family: 2, priority: (p: number) => p > 10 });
    assert.deepEqual(gone.map((r) => r.get("priority")), [50]);
    assert.deepEqual(ipRoutes(ns, "203.0.113.0/24").map((r) => r.metric), [5]);
  });
});

test("routeLoads of `ip route save` bytes creates the routes; routeDumps re-parses and `ip route restore` accepts it (conformance 26)", kernelTest, async () => {
  let saved: Uint8Array = new Uint8Array();
  await withNet(async (ns) => {
    ipn(ns, "route", "add", "10.1.2.0/24", "dev", "v0", "table", "100");
    ipn(ns, "route", "add", "10.1.3.0/24", "via", "192.0.2.2", "table", "100");
    saved = new Uint8Array(execFileSync("ip", ["-n", ns, "route", "save", "table", "100"]));
  });
  assert.equal(new DataView(saved.buffer, saved.byteOffset).getUint32(0, true), ROUTE_DUMP_MAGIC);
  await withNet(async (ns, ipr) => {
    const fds = fdCount();
    const added = await ipr.routeLoads(saved);
    assert.equal(added.length, 2);
    assert.deepEqual(ipRoutes(ns, "table", "100").map((r) => [r.dst, r.gateway ?? null]), [["10.1.2.0/24", null], ["10.1.3.0/24", "192.0.2.2"]]);
    // loading again: the routes exist, nothing added, no error
    assert.deepEqual(await ipr.routeLoads(saved), []);

    await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });
    for (const family of [2, 10]) {
      for (const fmt of ["iproute2", "raw"] as const) {
        const bytes = await ipr.routeDumps({ family }, { fmt });
        const body = fmt === "iproute2" ? bytes.slice(4) : bytes.slice();
        if (fmt === "iproute2") assert.equal(new DataView(bytes.buffer).getUint32(0, true), ROUTE_DUMP_MAGIC);
        const msgs = decodeDatagram(body, rtnl);
        assert.ok(msgs.length > 0);
        assert.ok(msgs.every((m) => [254, 255].includes(m.get("table") as number)), "tables ⊆ {254, 255}");
        assert.deepEqual([...new Set(msgs.map((m) => m.get("family")))], [family]);
      }
    }
    const v4 = await ipr.routeDumps({ family: 2 });
    // no socket left open (the runtime may close fds of its own meanwhile)
    assert.ok(fdCount() <= fds, `fds ${fdCount()} > ${fds}`);
    await withNet(async (ns2) => {
      // ip route restore needs a seekable stdin (it calls ftell): a file, not a pipe
      const dir = mkdtempSync(join(tmpdir(), "nlroute-save-"));
      try {
        writeFileSync(join(dir, "routes.bin"), v4);
        sh("bash", ["-c", 'ip -n "$1" route restore < "$2"', "restore", ns2, join(dir, "routes.bin")]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.deepEqual(ipRoutes(ns2, "198.51.100.0/24").map((r) => r.gateway), ["192.0.2.2"]);
    });
  });
});

test("types, scopes, tables above 255, metrics, prefsrc, pref, proto, onlink, nexthop objects: as ip shows them", kernelTest, async () => {
  await withNet(async (ns, ipr, v0) => {
    await ipr.route("add", { dst: "203.0.113.0/24", type: "blackhole" });
    await ipr.route("add", { dst: "203.0.113.0/25", type: "unreachable", table: 1000 });
    await ipr.route("add", { dst: "203.0.113.128/25", type: "prohibit", metric: 7 });
    await ipr.route("add", { dst: "198.51.100.7", type: "local", oif: "v0" });
    await ipr.route("add", { dst: "198.51.100.0/255.255.255.128", oif: v0, proto: "static", metrics: { mtu: 1400, advmss: 1360, hoplimit: 16 }, prefsrc: "192.0.2.1" });
    await ipr.route("add", { dst: "2001:db8:7::/48", gateway: "2001:db8::2", pref: "high", oif: v0 });
    await ipr.route("add", { dst: "198.51.100.128/25", gateway: "10.9.9.9", oif: v0, flags: ["onlink"] });
    const all = ipJson<IpRoute[]>(ns, "route", "show", "table", "all");
    const find = (dst: string) => all.find((r) => r.dst === dst)!;
    assert.equal(find("203.0.113.0/24").type, "blackhole");
    assert.deepEqual([find("203.0.113.0/25").type, find("203.0.113.0/25").table], ["unreachable", "1000"]);
    assert.deepEqual([find("203.0.113.128/25").type, find("203.0.113.128/25").metric], ["prohibit", 7]);
    assert.deepEqual([find("198.51.100.7").type, find("198.51.100.7").table, find("198.51.100.7").scope], ["local", "local", "host"]);
    const m = find("198.51.100.0/25");
    assert.deepEqual([m.protocol, m.scope, m.prefsrc], ["static", "link", "192.0.2.1"]);
    assert.deepEqual(Object.assign({}, ...m.metrics!), { mtu: 1400, advmss: 1360, hoplimit: 16 });
    const six = ipJson<IpRoute[]>(ns, "-6", "route", "show", "2001:db8:7::/48")[0];
    assert.deepEqual([six.gateway, six.pref], ["2001:db8::2", "high"]);
    assert.deepEqual(find("198.51.100.128/25").flags, ["onlink"]);
    // table 1000 in the library's dump, by name filters too
    assert.deepEqual((await ipr.getRoutes({ table: 1000 })).map((r) => r.get("type")), [7]);
    assert.equal((await ipr.getRoutes({ type: "blackhole" })).length, 1);
    // nexthop objects (RTM_NEWNEXTHOP via ip; the route refers to it with nh)
    ipn(ns, "nexthop", "add", "id", "5", "via", "192.0.2.2", "dev", "v0");
    await ipr.route("add", { dst: "10.20.0.0/16", nh: 5 });
    assert.equal(ipRoutes(ns, "10.20.0.0/16")[0].nhid, 5);
    const [viaNh] = await ipr.getRoutes({ dst: "10.20.0.0/16" });
    assert.equal(viaNh.get("nh_id"), 5);
    await assert.rejects(ipr.route("add", { dst: "10.21.0.0/16", nh: 6 }), (e: unknown) => e instanceof NetlinkError && /[Nn]exthop/.test(e.extack ?? ""));
  });
});
