import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { normalised, openScripted as open, requestFixtures } from "../../tests/fixtures/requests/route/_load.ts";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { type NlMsg, decodeDatagram } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ICMPV6_ROUTER_PREF, RTM_F, RTNH_F, rtmsg } from "../rtnl/route.ts";
import { ack, done, reply } from "../socket/scripted.ts";
import { ROUTE_DUMP_MAGIC } from "./routes.ts";

for (const fx of requestFixtures("route")) {
  test(`route("${fx.command}") encodes ${fx.name} exactly as ip does`, async () => {
    const { t, ipr } = open();
    await ipr.route(fx.command as "add", fx.spec);
    assert.equal(t.sent.length, 1);
    assert.deepEqual(normalised(t.sent[0]), normalised(fx.bytes));
  });
}

test("route flags per command: add, replace, change, append, del", async () => {
  const cases: [string, number, number][] = [
    ["add", RTM.RTM_NEWROUTE, NLM_F.CREATE | NLM_F.EXCL],
    ["replace", RTM.RTM_NEWROUTE, NLM_F.CREATE | NLM_F.REPLACE],
    ["change", RTM.RTM_NEWROUTE, NLM_F.REPLACE],
    ["append", RTM.RTM_NEWROUTE, NLM_F.CREATE | NLM_F.APPEND],
    ["del", RTM.RTM_DELROUTE, 0],
  ];
  for (const [command, type, flags] of cases) {
    const { t, ipr } = open();
    await ipr.route(command as "add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });
    const [m] = decodeDatagram(t.sent[0], rtnl);
    assert.equal(m.header.type, type, command);
    assert.equal(m.header.flags, NLM_F.REQUEST | NLM_F.ACK | flags, command);
  }
});

test("route defaults: table main, proto boot, unicast; scope link without gateway, universe with one", async () => {
  const { t, ipr } = open();
  await ipr.route("add", { dst: "198.51.100.0/24", oif: 2 });
  await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });
  await ipr.route("add", { dst: "2001:db8:5::/48", oif: 2 });
  await ipr.route("add", { dst: "203.0.113.0/24", type: "blackhole" });
  const got = t.sent.map((b) => decodeDatagram(b, rtnl)[0].fields);
  assert.deepEqual(got.map((f) => [f.table, f.proto, f.type, f.scope]), [
    [254, 3, 1, 253],
    [254, 3, 1, 0],
    [254, 3, 1, 0],
    [254, 3, 6, 0],
  ]);
});

test("table above 255: rtm_table RT_TABLE_UNSPEC and RTA_TABLE, as ip sends it", async () => {
  const { t, ipr } = open();
  await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2", table: 10101 });
  const [m] = decodeDatagram(t.sent[0], rtnl);
  assert.equal(m.fields.table, 0);
  assert.equal(m.get("RTA_TABLE"), 10101);
});

test("interface names are resolved once per call, in oif, iif and multipath", async () => {
  const { t, ipr } = open();
  await ipr.route("add", { dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2", oif: "v0" }, { gateway: "192.0.2.3", oif: "v0" }], table: 7 });
  const sent = t.sent.map((b) => decodeDatagram(b, rtnl)[0]);
  assert.deepEqual(sent.map((m) => m.event), ["RTM_GETLINK", "RTM_NEWROUTE"]);
  const mp = sent[1].get("multipath") as { oif: number; hops: number; attrs: NlMsg }[];
  assert.deepEqual(mp.map((nh) => [nh.oif, nh.attrs.get("gateway")]), [[3, "192.0.2.2"], [3, "192.0.2.3"]]);
  await assert.rejects(ipr.route("add", { dst: "198.51.100.0/24", oif: "nope" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV" && /oif/.test(e.message));
});

test("raw multipath form: hops, oif and attrs pairs", async () => {
  const { t, ipr } = open();
  await ipr.route("add", { dst: "198.51.100.0/24", multipath: [{ hops: 3, oif: 2, attrs: [["RTA_GATEWAY", "192.0.2.2"]] }, { oif: 3, attrs: [["RTA_GATEWAY", "192.0.2.3"]] }] });
  const mp = decodeDatagram(t.sent[0], rtnl)[0].get("multipath") as { oif: number; hops: number; attrs: NlMsg }[];
  assert.deepEqual(mp.map((nh) => [nh.hops, nh.oif, nh.attrs.get("gateway")]), [[3, 2, "192.0.2.2"], [0, 3, "192.0.2.3"]]);
});

test("bad route input throws TypeError / RangeError naming the key, and nothing is sent", async () => {
  const { t, ipr } = open();
  const bad: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
    [{ dst: "198.51.100.0/24", gatewy: "192.0.2.2" }, TypeError, /gatewy/],
    [{ dst: "198.51.100.0/33" }, RangeError, /dst/],
    [{ dst: "198.51.100.0/24", table: "nosuch" }, TypeError, /table/],
    [{ dst: "198.51.100.0/24", proto: "wrong" }, TypeError, /proto.*static/],
    [{ dst: "198.51.100.0/24", scope: 256 }, RangeError, /scope/],
    [{ dst: "198.51.100.0/24", type: "teleport" }, TypeError, /type.*blackhole/],
    [{ dst: "198.51.100.0/24", metrics: { mtux: 1 } }, TypeError, /mtux/],
    [{ dst: "198.51.100.0/24", gateway: "2001:db8::1", prefsrc: "2001:db8::2" }, TypeError, /prefsrc/],
    [{ dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2", weight: 0 }] }, RangeError, /weight/],
    [{ dst: "198.51.100.0/24", multipath: [{ gateway: "192.0.2.2", colour: 1 }] }, TypeError, /colour/],
    [{ dst: "198.51.100.0/24", multipath: [] }, TypeError, /multipath/],
    [{ dst: "198.51.100.0/24", flags: ["sideways"] }, TypeError, /sideways/],
    [{ dst: "198.51.100.0/24", dst_len: 40 }, RangeError, /dst_len/],
    // an interface name and a bad value: the name is not even looked up
    [{ dst: "198.51.100.0/24", oif: "v0", metrics: { mtu: -1 } }, RangeError, /mtu/],
    [{ dst: "198.51.100.0/24", oif: "v0", priority: "high" }, TypeError, /priority/],
  ];
  for (const [spec, kind, re] of bad) {
    await assert.rejects(ipr.route("add", spec), (e: unknown) => e instanceof kind && re.test((e as Error).message), JSON.stringify(spec));
  }
  await assert.rejects(ipr.route("teleport" as "add", {}), TypeError);
  assert.equal(t.sent.length, 0);
});

test("kernel refusals: change of a missing route is NetlinkError ENOENT", async () => {
  const { ipr } = open((req) => [ack(req, 2)]);
  await assert.rejects(ipr.route("change", { dst: "198.51.100.0/24", gateway: "192.0.2.2" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT" && e.op === "RTM_NEWROUTE");
});

test("pref, flags and constants: names map to the kernel's numbers", async () => {
  assert.equal(ICMPV6_ROUTER_PREF.ICMPV6_ROUTER_PREF_LOW, 3);
  assert.equal(RTNH_F.RTNH_F_ONLINK, 4);
  assert.equal(RTM_F.RTM_F_CLONED, 0x200);
  const h = readFileSync("/usr/include/linux/rtnetlink.h", "utf8") + readFileSync("/usr/include/linux/icmpv6.h", "utf8");
  for (const [name, value] of Object.entries({ ...RTNH_F, ...RTM_F, ...ICMPV6_ROUTER_PREF })) {
    const m = new RegExp(`#define\\s+${name}\\s+(0x[0-9a-fA-F]+|\\d+)`).exec(h);
    assert.ok(m, `${name} in the headers`);
    assert.equal(Number(m[1]), value, name);
  }
  const { t, ipr } = open();
  await ipr.route("add", { dst: "2001:db8:1::/48", gateway: "2001:db8::2", pref: "low", flags: "onlink", oif: 2 });
  const [m] = decodeDatagram(t.sent[0], rtnl);
  assert.equal(m.get("pref"), 3);
  assert.equal(m.fields.flags, 4);
});

/** Routes of a fake table, for flush / save / restore. */
function routeMsg(dst: string, len: number, table: number, extra: Record<string, unknown> = {}) {
  return {
    schema: rtmsg,
    init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: len, table: table < 256 ? table : 252, proto: 3, type: 1 }, attrs: { table, dst, ...extra } },
  };
}

test("flushRoutes() deletes what the filtered dump returns, skipping routes already gone", async () => {
  const table = [
    routeMsg("198.51.100.0", 24, 10101, { oif: 2 }),
    routeMsg("198.51.101.0", 24, 10101, { gateway: "192.0.2.2" }),
    routeMsg("198.51.102.0", 24, 254, { oif: 2 }),
  ];
  const deletes: NlMsg[] = [];
  const { ipr } = open((req) => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETROUTE") return [reply(req, table, { multi: true }), done(req)];
    deletes.push(m);
    return [ack(req, m.get("dst") === "198.51.101.0" ? 3 : 0)];
  });
  const flushed = await ipr.flushRoutes({ table: 10101 });
  assert.deepEqual(deletes.map((m) => [m.event, m.get("dst"), m.get("table"), m.header.flags]), [
    ["RTM_DELROUTE", "198.51.100.0", 10101, NLM_F.REQUEST | NLM_F.ACK],
    ["RTM_DELROUTE", "198.51.101.0", 10101, NLM_F.REQUEST | NLM_F.ACK],
  ]);
  assert.deepEqual(flushed.map((m) => m.get("dst")), ["198.51.100.0"]);
});

test("routeDumps() writes the magic and the kernel's bytes; routeLoads() sends them back gatewayless first", async () => {
  const table = [routeMsg("198.51.101.0", 24, 254, { gateway: "192.0.2.2" }), routeMsg("198.51.100.0", 24, 254, { oif: 2 })];
  const sent: NlMsg[] = [];
  const { ipr } = open((req) => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETROUTE") return [reply(req, table, { multi: true }), done(req)];
    sent.push(m);
    return [ack(req, m.get("dst") === "198.51.100.0" ? 17 : 0)];
  });
  const saved = await ipr.routeDumps({ family: 2 });
  assert.equal(new DataView(saved.buffer, saved.byteOffset).getUint32(0, true), ROUTE_DUMP_MAGIC);
  const raw = await ipr.routeDumps({ family: 2 }, { fmt: "raw" });
  // the same messages (only the dump's sequence number differs)
  assert.equal(saved.length, raw.length + 4);
  assert.deepEqual(normalised(saved.subarray(4, 4 + 52)), normalised(raw.subarray(0, 52)));
  assert.deepEqual(decodeDatagram(raw.slice(), rtnl).map((m) => m.get("dst")), ["198.51.101.0", "198.51.100.0"]);
  const added = await ipr.routeLoads(saved);
  assert.deepEqual(sent.map((m) => [m.event, m.get("dst"), m.header.flags]), [
    ["RTM_NEWROUTE", "198.51.100.0", NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE],
    ["RTM_NEWROUTE", "198.51.101.0", NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE],
  ]);
  // the first one existed (EEXIST): skipped, not an error
  assert.deepEqual(added.map((m) => m.get("dst")), ["198.51.101.0"]);
  await assert.rejects(ipr.routeDumps({}, { fmt: "json" as "raw" }), TypeError);
});

test("routeLoads() refuses malformed streams before sending anything", async () => {
  const { t, ipr } = open();
  const bad = new Uint8Array(24);
  new DataView(bad.buffer).setUint32(0, ROUTE_DUMP_MAGIC, true);
  new DataView(bad.buffer).setUint32(4, 200, true);
  await assert.rejects(ipr.routeLoads(bad), RangeError);
  await assert.rejects(ipr.routeLoads("bytes" as unknown as Uint8Array), TypeError);
  assert.equal(t.sent.length, 0);
});
