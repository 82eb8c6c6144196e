import assert from "node:assert/strict";
import { test } from "node:test";
import { NLM_F } from "../marshal/header.ts";
import { type MessageInit, type MessageSchema, type NlMsg, decodeDatagram, encodeMessage } from "../marshal/message.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { rtmsg } from "../rtnl/route.ts";
import { fibmsg } from "../rtnl/rule.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { PollTimeoutError } from "./ensure.ts";
import { IPRoute } from "./iproute.ts";

type Msg = { schema: MessageSchema; init: MessageInit };

/**
 * A fake kernel that keeps what it is given: each RTM_NEW* adds the request (as the dump
 * message), RTM_DEL* removes the entry with the same key, dumps return the store.
 */
function storeKernel() {
  const store = new Map<string, Msg[]>([["link", []], ["addr", []], ["route", []], ["rule", []], ["neigh", []]]);
  let nextIndex = 2;
  const log: string[] = [];
  const objects: Record<string, { schema: MessageSchema; newType: number; key: (m: NlMsg) => string }> = {
    // links are deleted by index; a new one has its index assigned before the duplicate check
    LINK: { schema: ifinfomsg, newType: RTM.RTM_NEWLINK, key: (m) => String(m.get("index")) },
    ADDR: { schema: ifaddrmsg, newType: RTM.RTM_NEWADDR, key: (m) => `${m.get("index")} ${m.get("address") ?? m.get("local")}/${m.get("prefixlen")}` },
    ROUTE: { schema: rtmsg, newType: RTM.RTM_NEWROUTE, key: (m) => `${m.get("table")} ${m.get("dst")}/${m.get("dst_len")}` },
    RULE: { schema: fibmsg, newType: RTM.RTM_NEWRULE, key: (m) => `${m.get("priority")}` },
    NEIGH: { schema: ndmsg, newType: RTM.RTM_NEWNEIGH, key: (m) => `${m.get("ifindex")} ${m.get("dst")}` },
  };
  const script = (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    const [, op, obj] = /^RTM_(NEW|DEL|GET)(\w+)$/.exec(m.event)!;
    const o = objects[obj];
    const list = store.get(obj.toLowerCase())!;
    log.push(m.event);
    const keyOf = (x: Msg) => o.key(decodeDatagram(encodeFor(x), rtnl)[0]);
    if (op === "GET") {
      if ((req.header.flags & NLM_F.DUMP) !== NLM_F.DUMP) {
        const hit = list.find((x) => keyOf(x) === o.key(m));
        return hit ? [reply(req, [hit]), ack(req)] : [ack(req, 19)];
      }
      return list.length ? [reply(req, list, { multi: true }), done(req)] : [done(req)];
    }
    const fields = { ...m.fields };
    const attrs = m.entries().map((e) => [e.name, e.value] as [string, unknown]);
    if (obj === "LINK" && op === "NEW") {
      fields.index = nextIndex++;
      fields.flags = 0x1003;
    }
    if (obj === "ROUTE" && !attrs.some(([k]) => k === "RTA_TABLE")) attrs.push(["table", m.get("table")]);
    const entry: Msg = { schema: o.schema, init: { type: o.newType, fields, attrs } };
    const i = obj === "LINK" && op === "NEW"
      ? list.findIndex((x) => decodeDatagram(encodeFor(x), rtnl)[0].get("ifname") === m.get("ifname"))
      : list.findIndex((x) => keyOf(x) === keyOf(entry));
    if (op === "NEW") {
      if (i >= 0) return [ack(req, 17)];
      list.push(entry);
    } else {
      if (i < 0) return [ack(req, 2)];
      list.splice(i, 1);
    }
    return [ack(req)];
  };
  return { store, log, t: new ScriptedTransport(script) };
}

function encodeFor(x: Msg): Uint8Array {
  return encodeMessage(x.schema, x.init);
}

test("ensure(\"link\"): absent → added once; present → left alone (pyroute2 test_ensure_link_present)", async () => {
  const { store, log, t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  const [br] = await ipr.ensure("link", { ifname: "br0", kind: "bridge" });
  assert.equal(br.get("ifname"), "br0");
  assert.equal(store.get("link")!.length, 1);
  const again = await ipr.ensure("link", { ifname: "br0", kind: "bridge" });
  assert.equal(again[0].get("index"), br.get("index"));
  assert.equal(store.get("link")!.length, 1);
  assert.equal(log.filter((e) => e === "RTM_NEWLINK").length, 1);
});

test("ensure(\"link\", { present: false }): present → deleted; absent → nothing sent but a dump", async () => {
  const { store, log, t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  await ipr.ensure("link", { ifname: "old0", kind: "ifb" });
  assert.deepEqual(await ipr.ensure("link", { ifname: "old0", present: false }), []);
  assert.equal(store.get("link")!.length, 0);
  log.length = 0;
  assert.deepEqual(await ipr.ensure("link", { ifname: "old0", present: false }), []);
  assert.deepEqual(log, ["RTM_GETLINK"]);
});

test("ensure(\"addr\") present / absent (pyroute2 test_ensure_address_exists / _absent)", async () => {
  const { store, log, t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  const [link] = await ipr.ensure("link", { ifname: "v0", kind: "ifb" });
  const index = link.get("index") as number;
  const [a] = await ipr.ensure("addr", { index, address: "192.0.2.150/24" });
  assert.equal(a.get("address"), "192.0.2.150");
  await ipr.ensure("addr", { index, address: "192.0.2.150/24" });
  assert.equal(log.filter((e) => e === "RTM_NEWADDR").length, 1);
  assert.equal(store.get("addr")!.length, 1);
  await ipr.ensure("addr", { index, address: "192.0.2.150/24", present: false });
  await ipr.ensure("addr", { index, address: "192.0.2.150/24", present: false });
  assert.equal(store.get("addr")!.length, 0);
  assert.equal(log.filter((e) => e === "RTM_DELADDR").length, 1);
});

test("ensure(\"route\"), ensure(\"rule\"), ensure(\"neigh\"): added once (pyroute2 test_ensure_route)", async () => {
  const { store, log, t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  for (let i = 0; i < 2; i++) {
    await ipr.ensure("route", { dst: "198.51.100.0/24", gateway: "192.0.2.151" });
    await ipr.ensure("rule", { priority: 100, src: "192.0.2.0/24", table: 100 });
    await ipr.ensure("neigh", { dst: "192.0.2.2", ifindex: 2, lladdr: "00:11:22:33:44:55" });
  }
  assert.deepEqual(["route", "rule", "neigh"].map((k) => store.get(k)!.length), [1, 1, 1]);
  assert.deepEqual(["RTM_NEWROUTE", "RTM_NEWRULE", "RTM_NEWNEIGH"].map((e) => log.filter((x) => x === e).length), [1, 1, 1]);
  await ipr.ensure("rule", { priority: 100, src: "192.0.2.0/24", table: 100, present: false });
  await ipr.ensure("neigh", { dst: "192.0.2.2", ifindex: 2, present: false });
  assert.deepEqual(["rule", "neigh"].map((k) => store.get(k)!.length), [0, 0]);
});

test("poll() resolves once a dump matches and rejects with PollTimeoutError otherwise", async () => {
  const { t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  await ipr.link("add", { ifname: "br0", kind: "bridge" });
  const [br] = await ipr.poll("link", { ifname: "br0" }, { timeoutMs: 100, intervalMs: 10 });
  assert.equal(br.get("ifname"), "br0");
  const started = Date.now();
  await assert.rejects(ipr.poll("link", { ifname: "missing0" }, { timeoutMs: 60, intervalMs: 10 }), (e: unknown) => {
    assert.ok(e instanceof PollTimeoutError);
    assert.match(e.message, /poll\("link"\): nothing matched \{ ifname: "missing0" \} within 60 ms/);
    return true;
  });
  assert.ok(Date.now() - started >= 50);
});

test("ensure() and poll() reject bad arguments before sending anything", async () => {
  const { t } = storeKernel();
  using ipr = new IPRoute({ transport: t });
  await assert.rejects(ipr.ensure("tc" as "link", { ifname: "x" }), /ensure\(\): unknown verb "tc"/);
  await assert.rejects(ipr.ensure("link", { kind: "bridge" }), /ifname or index is required/);
  await assert.rejects(ipr.ensure("link", { ifname: "x", present: "yes" }), /invalid present/);
  await assert.rejects(ipr.ensure("addr", { index: 2, address: "192.0.2.1/33" }), RangeError);
  await assert.rejects(ipr.ensure("rule", { priority: 1, action: "explode" }), /Invalid action/);
  await assert.rejects(ipr.poll("link", {}, { timeoutMs: -1 }), RangeError);
  await assert.rejects(ipr.poll("route", {}, { intervalMs: Number.NaN }), TypeError);
  await assert.rejects(ipr.poll("qdisc" as "link", {}), /poll\(\): unknown verb "qdisc"/);
  assert.equal(t.sent.length, 0);
});
