import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { type NlMsg, decodeDatagram } from "../marshal/message.ts";
import { IFA_F, ifaddrmsg } from "../rtnl/addr.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ack, done, reply } from "../socket/scripted.ts";
import { normalised, openScripted as open, requestFixtures } from "../../tests/fixtures/requests/route/_load.ts";

for (const fx of requestFixtures("addr")) {
  test(`addr("${fx.command}") encodes ${fx.name} exactly as ip does`, async () => {
    const { t, ipr } = open();
    await ipr.addr(fx.command as "add", fx.spec);
    assert.equal(t.sent.length, 1);
    assert.deepEqual(normalised(t.sent[0]), normalised(fx.bytes));
  });
}

test("addr flags per command: add CREATE|EXCL, replace CREATE|REPLACE, del none", async () => {
  for (const [command, type, flags] of [["add", RTM.RTM_NEWADDR, NLM_F.CREATE | NLM_F.EXCL], ["replace", RTM.RTM_NEWADDR, NLM_F.CREATE | NLM_F.REPLACE], ["del", RTM.RTM_DELADDR, 0]] as const) {
    const { t, ipr } = open();
    await ipr.addr(command, { index: 3, address: "192.0.2.1/24" });
    const [m] = decodeDatagram(t.sent[0], rtnl);
    assert.equal(m.header.type, type);
    assert.equal(m.header.flags, NLM_F.REQUEST | NLM_F.ACK | flags);
  }
});

test("IPv4: IFA_LOCAL equals IFA_ADDRESS; broadcast: true computes the host bits, none for /31", async () => {
  const { t, ipr } = open();
  await ipr.addr("add", { index: 3, address: "10.0.0.7", prefixlen: 24, broadcast: true });
  await ipr.addr("add", { index: 3, address: "10.0.0.7/31", broadcast: true });
  await ipr.addr("add", { index: 3, address: "10.1.2.3/12", broadcast: true });
  const [a, b, c] = t.sent.map((x) => decodeDatagram(x, rtnl)[0]);
  assert.equal(a.get("local"), "10.0.0.7");
  assert.equal(a.get("address"), "10.0.0.7");
  assert.equal(a.get("broadcast"), "10.0.0.255");
  assert.equal(b.get("broadcast"), undefined);
  assert.equal(c.get("broadcast"), "10.15.255.255");
});

test("an interface name in index or ifname is resolved; a missing one is ENODEV", async () => {
  const { t, ipr } = open();
  await ipr.addr("add", { index: "v0", address: "192.0.2.1/24" });
  await ipr.addr("add", { ifname: "v1", address: "192.0.2.2/24" });
  const sent = t.sent.map((x) => decodeDatagram(x, rtnl)[0]);
  assert.deepEqual(sent.map((m) => [m.event, m.get("index")]).filter(([e]) => e === "RTM_NEWADDR"), [["RTM_NEWADDR", 3], ["RTM_NEWADDR", 2]]);
  await assert.rejects(ipr.addr("add", { ifname: "nope", address: "192.0.2.3/24" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV");
});

test("the kernel's ENODEV for a missing index is a NetlinkError", async () => {
  const { ipr } = open((req) => [ack(req, 19, "ipv4: Device not found")]);
  await assert.rejects(ipr.addr("add", { index: 4242, address: "192.0.2.1/24" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV" && e.op === "RTM_NEWADDR");
});

test("bad address input throws TypeError / RangeError naming the key, and nothing is sent", async () => {
  const { t, ipr } = open();
  const bad: [Record<string, unknown>, ErrorConstructor, RegExp][] = [
    [{ index: 3, address: "192.0.2.1", prefixlen: 33 }, RangeError, /prefixlen.*33/],
    [{ index: 3, address: "192.0.2.1/33" }, RangeError, /address/],
    [{ index: 3, address: "2001:db8::1/64", preferred: 200, valid: 100 }, RangeError, /preferred/],
    [{ index: 3, address: "2001:db8::1/64", valid: 0 }, RangeError, /valid/],
    [{ index: 3, address: "2001:db8::1/64", preferred_lft: "soon" }, TypeError, /preferred_lft/],
    [{ index: 3, address: "192.0.2.1/24", lable: "x" }, TypeError, /lable/],
    [{ index: 3, address: "192.0.2.1/24", flags: ["nodda"] }, TypeError, /nodda/],
    [{ index: 3, address: "192.0.2.1/24", scope: "galaxy" }, TypeError, /scope/],
    [{ index: 3, address: "192.0.2.1/24", label: "a-label-longer-than-15" }, RangeError, /label/],
    [{ index: 3, address: "2001:db8::1/64", broadcast: true }, TypeError, /broadcast/],
    [{ index: 3, address: "192.0.2.1/24", local: "2001:db8::1" }, TypeError, /local/],
    [{ index: 3, address: "192.0.2.1/24", prefixlen: 16 }, TypeError, /prefixlen/],
    [{ address: "192.0.2.1/24" }, TypeError, /index/],
    [{ index: 3 }, TypeError, /address/],
    [{ index: -1, address: "192.0.2.1/24" }, RangeError, /index/],
    // a name and a bad value: the name is not looked up either
    [{ index: "v0", address: "192.0.2.1/24", rt_priority: "x" }, TypeError, /rt_priority/],
  ];
  for (const [spec, kind, re] of bad) {
    await assert.rejects(ipr.addr("add", spec), (e: unknown) => e instanceof kind && re.test((e as Error).message), JSON.stringify(spec));
  }
  await assert.rejects(ipr.addr("purge" as "add", {}), TypeError);
  assert.equal(t.sent.length, 0);
});

test("IFA_F_* values match linux/if_addr.h; flags above 0xff travel in IFA_FLAGS", async () => {
  const h = readFileSync("/usr/include/linux/if_addr.h", "utf8");
  for (const [name, value] of Object.entries(IFA_F)) {
    const m = new RegExp(`#define\\s+${name}\\s+(0x[0-9a-fA-F]+)`).exec(h);
    assert.ok(m, name);
    assert.equal(Number(m[1]), value, name);
  }
  const { t, ipr } = open();
  await ipr.addr("add", { index: 3, address: "2001:db8::1/64", flags: IFA_F.IFA_F_NODAD });
  await ipr.addr("add", { index: 3, address: "2001:db8::2/64", flags: ["IFA_F_NODAD", "mcautojoin"] });
  const [a, b] = t.sent.map((x) => decodeDatagram(x, rtnl)[0]);
  assert.equal(a.fields.flags, 2);
  assert.equal(a.has("IFA_FLAGS"), false);
  assert.equal(b.fields.flags, 0);
  assert.equal(b.get("IFA_FLAGS"), 0x402);
});

function addrMsg(address: string, prefixlen: number, index: number, flags = 0) {
  return { schema: ifaddrmsg, init: { type: RTM.RTM_NEWADDR, fields: { family: 2, prefixlen, index, flags }, attrs: { address, local: address, label: "v0" } } };
}

test("flushAddr() deletes the matching addresses, secondaries first, and skips ones already gone", async () => {
  const present = [addrMsg("192.0.2.1", 24, 3), addrMsg("192.0.2.2", 24, 3, IFA_F.IFA_F_SECONDARY), addrMsg("198.51.100.1", 24, 2)];
  const deletes: NlMsg[] = [];
  const { ipr } = open((req) => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETADDR") return [reply(req, present, { multi: true }), done(req)];
    deletes.push(m);
    return [ack(req, m.get("address") === "192.0.2.1" ? 99 : 0)];
  });
  const flushed = await ipr.addr("flush", { index: 3 });
  assert.deepEqual(deletes.map((m) => [m.event, m.get("address"), m.get("local"), m.get("prefixlen"), m.get("index")]), [
    ["RTM_DELADDR", "192.0.2.2", "192.0.2.2", 24, 3],
    ["RTM_DELADDR", "192.0.2.1", "192.0.2.1", 24, 3],
  ]);
  assert.deepEqual(flushed.map((m) => m.get("address")), ["192.0.2.2"]);
});
