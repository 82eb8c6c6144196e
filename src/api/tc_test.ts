import assert from "node:assert/strict";
import { test } from "node:test";
import { normalised, openScripted as open, requestFixtures } from "../../tests/fixtures/requests/route/_load.ts";
import { decodeDatagram } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { TC_H, tcmsg } from "../rtnl/tc.ts";
import { done, reply } from "../socket/scripted.ts";
import { formatHandle, parseHandle, parseRate, parseSize } from "./tc.ts";

for (const fx of requestFixtures("tc")) {
  test(`tc("${fx.command}") encodes ${fx.name} exactly as tc does`, async () => {
    const { t, ipr } = open();
    await ipr.tc(fx.command as "add", fx.spec);
    const changes = t.sent.filter((d) => new DataView(d.buffer, d.byteOffset).getUint16(4, true) !== RTM.RTM_GETLINK);
    assert.equal(changes.length, 1);
    assert.deepEqual(normalised(changes[0]), normalised(fx.bytes));
  });
}

test("handles read and print as tc writes them", () => {
  assert.equal(parseHandle("1:", "handle"), 0x10000);
  assert.equal(parseHandle("1:10", "handle"), 0x10010);
  assert.equal(parseHandle("ffff:", "handle"), 0xffff0000);
  assert.equal(parseHandle(":7", "handle"), 7);
  assert.equal(parseHandle("root", "parent"), TC_H.TC_H_ROOT);
  assert.equal(parseHandle("ingress", "parent"), TC_H.TC_H_INGRESS);
  assert.equal(parseHandle("none", "parent"), 0);
  assert.equal(parseHandle(0x20001, "handle"), 0x20001);
  for (const h of [0x10000, 0x10010, 0xffff0000, TC_H.TC_H_ROOT, TC_H.TC_H_INGRESS, 0]) assert.equal(parseHandle(formatHandle(h), "h"), h);
  assert.equal(formatHandle(0x10010), "1:10");
  assert.throws(() => parseHandle("1", "handle"), /Invalid handle: expected "major:"/);
  assert.throws(() => parseHandle("10000:", "handle"), TypeError);
  assert.throws(() => parseHandle(2 ** 32, "handle"), RangeError);
});

const BAD: readonly { name: string; command: "add" | "replace" | "del"; spec: Record<string, unknown>; message: RegExp }[] = [
  { name: "an unknown kind, listing the known ones", command: "add", spec: { index: 2, kind: "cake" }, message: /unknown qdisc kind "cake" \(known: pfifo, bfifo, pfifo_head_drop, pfifo_fast, htb, mq\)/ },
  { name: "add without a kind", command: "add", spec: { index: 2, handle: "1:" }, message: /kind is required/ },
  { name: "an option of another kind", command: "add", spec: { index: 2, kind: "pfifo", r2q: 5 }, message: /unknown keyword "r2q" \(known: index, kind, handle, parent, limit\)/ },
  { name: "a limit out of range", command: "replace", spec: { index: 2, kind: "bfifo", limit: -1 }, message: /limit: expected an integer/ },
  { name: "a bad handle", command: "add", spec: { index: 2, kind: "pfifo", handle: "x:" }, message: /Invalid handle/ },
  { name: "no interface", command: "del", spec: { parent: "root" }, message: /index .* is required/ },
];

for (const c of BAD) {
  test(`tc("${c.command}") refuses ${c.name} before sending anything`, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.tc(c.command, c.spec), c.message);
    assert.equal(t.sent.length, 0);
  });
}

test("getQdiscs filters by interface name, kind, handle and parent as tc writes them", async () => {
  const q = (index: number, kind: string, handle: number, parent: number) => ({ schema: tcmsg, init: { type: RTM.RTM_NEWQDISC, fields: { index, handle, parent }, attrs: [["kind", kind]] as [string, unknown][] } });
  const { t, ipr } = open((req) => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETLINK") return [reply(req, [{ schema: m.schema, init: { type: RTM.RTM_NEWLINK, fields: { index: 3 }, attrs: { ifname: "v0" } } }]), done(req)];
    return [reply(req, [q(3, "htb", 0x10000, TC_H.TC_H_ROOT), q(3, "pfifo", 0x100000, 0x10010), q(2, "mq", 0, TC_H.TC_H_ROOT)], { multi: true }), done(req)];
  });
  assert.deepEqual((await ipr.getQdiscs()).map((m) => m.get("kind")), ["htb", "pfifo", "mq"]);
  assert.deepEqual((await ipr.getQdiscs({ parent: "root" })).map((m) => m.get("kind")), ["htb", "mq"]);
  assert.deepEqual((await ipr.getQdiscs({ parent: "1:10" })).map((m) => m.get("kind")), ["pfifo"]);
  assert.deepEqual((await ipr.getQdiscs({ handle: "1:", kind: "htb" })).map((m) => m.get("index")), [3]);
  assert.deepEqual((await ipr.tc("show", { kind: "mq" })).map((m) => m.get("index")), [2]);
  assert.deepEqual((await ipr.getQdiscs({ index: "v0" })).map((m) => m.get("kind")), ["htb", "pfifo"]);
  const dumps = t.sent.filter((d) => new DataView(d.buffer, d.byteOffset).getUint16(4, true) === RTM.RTM_GETQDISC);
  assert.equal(dumps.length, 6);
  assert.equal(dumps[0].length, 36, "a plain tcmsg dump request, as tc qdisc show sends");
});

test("rates and sizes read as tc reads them", () => {
  assert.equal(parseRate("1mbit", "rate"), 125_000);
  assert.equal(parseRate("256kbit", "rate"), 32_000);
  assert.equal(parseRate("5Mbit", "rate"), 625_000);
  assert.equal(parseRate("1gbps", "rate"), 1_000_000_000);
  assert.equal(parseRate("1mibit", "rate"), 131_072);
  assert.equal(parseRate(2_000_000, "rate"), 250_000);
  assert.throws(() => parseRate("fast", "rate"), /expected a rate like "1mbit"/);
  assert.throws(() => parseRate("40gbyte", "rate"), TypeError);
  assert.throws(() => parseRate(4, "rate"), RangeError);
  assert.equal(parseSize("15k", "burst"), 15_360);
  assert.equal(parseSize("1mbit", "burst"), 131_072);
  assert.equal(parseSize(1600, "burst"), 1600);
  assert.throws(() => parseSize("lots", "burst"), TypeError);
  assert.throws(() => parseSize(0, "burst"), RangeError);
});

const BAD_CLASSES: readonly { name: string; spec: Record<string, unknown>; message: RegExp }[] = [
  { name: "a class without a rate", spec: { index: 2, kind: "htb", handle: "1:10", parent: "1:" }, message: /rate is required/ },
  { name: "a class without a classid", spec: { index: 2, kind: "htb", parent: "1:", rate: "1mbit" }, message: /handle \(the classid/ },
  { name: "a class without a parent", spec: { index: 2, kind: "htb", handle: "1:10", rate: "1mbit" }, message: /parent .* is required/ },
  { name: "a class kind other than htb", spec: { index: 2, kind: "hfsc", handle: "1:10", parent: "1:" }, message: /unknown class kind "hfsc" \(known: htb\)/ },
  { name: "prio 8", spec: { index: 2, kind: "htb", handle: "1:10", parent: "1:", rate: "1mbit", prio: 8 }, message: /prio: 8 is out of range/ },
  { name: "a qdisc option", spec: { index: 2, kind: "htb", handle: "1:10", parent: "1:", rate: "1mbit", limit: 5 }, message: /unknown keyword "limit"/ },
];

for (const c of BAD_CLASSES) {
  test(`tc("add-class") refuses ${c.name} before sending anything`, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.tc("add-class", c.spec), c.message);
    assert.equal(t.sent.length, 0);
  });
}

test("getClasses asks the kernel interface by interface: the one named, else every link", async () => {
  const cls = (index: number, handle: number) => ({ schema: tcmsg, init: { type: RTM.RTM_NEWTCLASS, fields: { index, handle, parent: 0x10000 }, attrs: [["kind", "htb"]] as [string, unknown][] } });
  const asked: number[] = [];
  const { ipr } = open((req) => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETLINK" && m.get("ifname") === "v0") return [reply(req, [{ schema: m.schema, init: { type: RTM.RTM_NEWLINK, fields: { index: 3 }, attrs: { ifname: "v0" } } }]), done(req)];
    if (m.event === "RTM_GETLINK") {
      return [reply(req, [2, 3].map((index) => ({ schema: m.schema, init: { type: RTM.RTM_NEWLINK, fields: { index }, attrs: { ifname: `v${index}` } } })), { multi: true }), done(req)];
    }
    const index = m.get("index") as number;
    asked.push(index);
    return [reply(req, index === 3 ? [cls(3, 0x10010), cls(3, 0x10020)] : [cls(2, 0x20001)], { multi: true }), done(req)];
  });
  assert.deepEqual((await ipr.getClasses({ index: "v0" })).map((m) => formatHandle(m.get("handle") as number)), ["1:10", "1:20"]);
  assert.deepEqual(asked, [3]);
  assert.deepEqual((await ipr.getClasses()).map((m) => formatHandle(m.get("handle") as number)), ["2:1", "1:10", "1:20"]);
  assert.deepEqual(asked, [3, 2, 3]);
  assert.deepEqual((await ipr.getClasses({ handle: "1:20" })).map((m) => m.get("index")), [3]);
});

const BAD_FILTERS: readonly { name: string; spec: Record<string, unknown>; message: RegExp }[] = [
  { name: "a filter without a match", spec: { index: 2, kind: "u32", parent: "1:", flowid: "1:10" }, message: /match \(or keys\) is required/ },
  { name: "both classid and flowid", spec: { index: 2, kind: "u32", parent: "1:", match: { dport: 80 }, classid: "1:10", flowid: "1:10" }, message: /classid or flowid, not both/ },
  { name: "a port over 16 bits", spec: { index: 2, kind: "u32", parent: "1:", match: { dport: 70000 } }, message: /ip dport value 70000 does not fit in 16 bits/ },
  { name: "two keys that contradict each other", spec: { index: 2, kind: "u32", parent: "1:", match: [{ dport: 80 }, { dport: 81 }] }, message: /contradicts an earlier key at offset 20/ },
  { name: "an unknown match key", spec: { index: 2, kind: "u32", parent: "1:", match: { dest: "192.0.2.1" } }, message: /unknown key "dest"/ },
  { name: "a bad prefix", spec: { index: 2, kind: "u32", parent: "1:", match: { src: "192.0.2.0/33" } }, message: /IPv4 prefix/ },
  { name: "a misaligned raw key", spec: { index: 2, kind: "u32", parent: "1:", match: { u32: [1, 0xffffffff], at: 6 } }, message: /offset 6 is not a multiple of 4/ },
  { name: "a bad pyroute2 key", spec: { index: 2, kind: "u32", parent: "1:", keys: ["6/0xff"] }, message: /"value\/mask\+offset"/ },
  { name: "an unknown protocol", spec: { index: 2, kind: "u32", parent: "1:", protocol: "ipx", match: { dport: 80 } }, message: /protocol must be all, ip, arp, ipv6/ },
  { name: "prio over 16 bits", spec: { index: 2, kind: "u32", parent: "1:", prio: 65536, match: { dport: 80 } }, message: /prio must be in 0\.\.65535/ },
  { name: "a filter kind other than u32", spec: { index: 2, kind: "flower", parent: "1:" }, message: /unknown filter kind "flower" \(known: u32\)/ },
];

for (const c of BAD_FILTERS) {
  test(`tc("add-filter") refuses ${c.name} before sending anything`, async () => {
    const { t, ipr } = open();
    await assert.rejects(ipr.tc("add-filter", c.spec), c.message);
    assert.equal(t.sent.length, 0);
  });
}

test("pyroute2's raw keys encode like the same match given by field", async () => {
  const sent = async (spec: Record<string, unknown>) => {
    const { t, ipr } = open();
    await ipr.tc("add-filter", { index: 2, kind: "u32", parent: "1:", protocol: "ip", prio: 2, classid: "1:10", ...spec });
    return normalised(t.sent[0]);
  };
  assert.deepEqual(await sent({ keys: ["0x00000050/0x0000ffff+20", "0x00060000/0x00ff0000+8"] }), await sent({ match: [{ dport: 80 }, { protocol: 6 }] }));
});
