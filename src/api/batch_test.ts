import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { decodeDatagram } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtmsg } from "../rtnl/route.ts";
import { ScriptedTransport, type ScriptedRequest, ack, reply, splitRequests } from "../socket/scripted.ts";
import { IPRoute } from "./iproute.ts";

/** A kernel that ACKs every message of a datagram, one ACK datagram each; `refuse(i)` picks errors. */
function kernel(refuse: (n: number, req: ScriptedRequest) => [number, string] | null = () => null) {
  let n = 0;
  return (req: ScriptedRequest): Uint8Array[] =>
    splitRequests(req.bytes).map((m) => {
      const r = refuse(n++, m);
      return r ? ack(m, r[0], r[1]) : ack(m);
    });
}

/** A ScriptedTransport that reports a receive buffer size, as FfiTransport does. */
class SizedTransport extends ScriptedTransport {
  readonly receiveBufferSize: number;
  constructor(script: (req: ScriptedRequest) => Uint8Array[], rcvbuf: number) {
    super(script);
    this.receiveBufferSize = rcvbuf;
  }
}

const spec = (i: number) => ({ dst: `198.51.100.${i}/32`, gateway: "192.0.2.1", oif: 7 });

test("batch: many route adds in one datagram, one result each, a refusal in the middle stays its own", async () => {
  const t = new ScriptedTransport(kernel((n) => (n === 4 ? [17, "File exists"] : null)));
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  for (let i = 0; i < 10; i++) assert.equal(b.route("add", spec(i)), i);
  assert.equal(b.length, 10);
  assert.equal(t.sent.length, 0, "nothing is sent before commit");
  const results = await b.commit();
  assert.equal(t.sent.length, 1);
  assert.equal(results.length, 10);
  results.forEach((r, i) => {
    if (i === 4) {
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.error instanceof NetlinkError);
      assert.equal(!r.ok && r.error.code, "EEXIST");
      assert.equal(!r.ok && r.error.extack, "File exists");
      assert.equal(!r.ok && r.error.op, "RTM_NEWROUTE");
    } else {
      assert.deepEqual(r, { ok: true, msgs: [] });
    }
  });
  // what went out: ten RTM_NEWROUTE, distinct sequence numbers, add's flags plus REQUEST|ACK
  const msgs = decodeDatagram(t.sent[0], rtnl);
  assert.equal(msgs.length, 10);
  assert.equal(new Set(msgs.map((m) => m.nlmsgSeq)).size, 10);
  for (const [i, m] of msgs.entries()) {
    assert.equal(m.nlmsgType, RTM.RTM_NEWROUTE);
    assert.equal(m.nlmsgFlags, NLM_F.REQUEST | NLM_F.ACK | NLM_F.CREATE | NLM_F.EXCL);
    assert.equal(m.get("dst"), `198.51.100.${i}`);
    assert.equal(m.get("gateway"), "192.0.2.1");
    assert.equal(m.get("oif"), 7);
  }
  assert.equal(ipr.connection.stats.batches, 1);
  assert.equal(ipr.connection.stats.batchDatagrams, 1);
  ipr.close();
});

test("batch: requests go out in chunks the receive buffer can acknowledge", async () => {
  const t = new SizedTransport(kernel(), 4 * 1024); // 4 ACKs per chunk at 1 KiB each
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  for (let i = 0; i < 10; i++) b.route("add", spec(i));
  const results = await b.commit();
  assert.ok(results.every((r) => r.ok));
  assert.deepEqual(t.sent.map((d) => decodeDatagram(d, rtnl).length), [4, 4, 2]);
  ipr.close();
});

test("batch: replies before the ACK belong to their request", async () => {
  const t = new ScriptedTransport((req) =>
    splitRequests(req.bytes).flatMap((m) => [
      reply(m, [{ schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 32, table: 254, type: 1 }, attrs: { dst: `203.0.113.${m.header.sequence_number & 0xff}` } } }]),
      ack(m),
    ])
  );
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  b.route("add", spec(1));
  b.route("add", spec(2));
  const results = await b.commit();
  const seqs = decodeDatagram(t.sent[0], rtnl).map((m) => m.nlmsgSeq);
  results.forEach((r, i) => {
    assert.ok(r.ok);
    assert.equal(r.ok && r.msgs.length, 1);
    assert.equal(r.ok && r.msgs[0].get("dst"), `203.0.113.${seqs[i] & 0xff}`);
  });
  ipr.close();
});

test("batch: bad input throws before anything is sent", async () => {
  const t = new ScriptedTransport(kernel());
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  b.route("add", spec(1));
  // a route change is validated when queued
  assert.throws(() => b.route("add", { dst: "198.51.100.300/32", gateway: "192.0.2.1" }), (e: unknown) => e instanceof TypeError && /198\.51\.100\.300/.test(e.message));
  assert.throws(() => b.route("add", { dst: "198.51.100.0/24", nosuchkey: 1 }), TypeError);
  // other verbs are validated by commit(), which then sends nothing
  b.addr("add", { index: 7, address: "192.0.2.999/24" });
  b.route("add", spec(3));
  await assert.rejects(b.commit(), (e: unknown) => e instanceof TypeError && /192\.0\.2\.999/.test(e.message));
  assert.equal(t.sent.length, 0);
  await assert.rejects(b.commit(), /committed already/);
  assert.throws(() => b.route("add", spec(4)), /committed already/);
  ipr.close();
});

test("batch: a verb that needs a name lookup sends it at once and batches the change", async () => {
  const t = new ScriptedTransport((req) => {
    if (req.header.type === RTM.RTM_GETLINK) {
      return [reply(req, [{ schema: ifinfomsg, init: { type: RTM.RTM_NEWLINK, fields: { index: 9 }, attrs: { ifname: "v0" } } }]), ack(req)];
    }
    return kernel()(req);
  });
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  b.route("add", spec(1));
  b.route("add", { dst: "198.51.100.2/32", gateway: "192.0.2.1", oif: "v0" });
  b.addr("add", { index: "v0", address: "192.0.2.5/24" });
  const results = await b.commit();
  assert.deepEqual(results.map((r) => r.ok), [true, true, true]);
  // one lookup (cached for the batch), then one datagram with the three changes in queue order
  assert.equal(t.sent.length, 2);
  const msgs = decodeDatagram(t.sent[1], rtnl);
  assert.deepEqual(msgs.map((m) => m.event), ["RTM_NEWROUTE", "RTM_NEWROUTE", "RTM_NEWADDR"]);
  assert.equal(msgs[1].get("oif"), 9);
  assert.equal(msgs[2].get("index"), 9);
  ipr.close();
});

test("batch: a lost ACK fails its request and the unsent rest, not the ACKed ones", async () => {
  // 3 requests per chunk; the kernel answers the second request of the first chunk with nothing
  let n = 0;
  const t = new SizedTransport((req) => splitRequests(req.bytes).flatMap((m) => (n++ === 1 ? [] : [ack(m)])), 3 * 1024);
  const ipr = new IPRoute({ transport: t, timeoutMs: 5 });
  const b = ipr.batch();
  for (let i = 0; i < 7; i++) b.route("add", spec(i));
  const results = await b.commit();
  assert.equal(t.sent.length, 1, "later chunks are not sent after a failure");
  assert.equal(results[0].ok, true);
  assert.equal(results[2].ok, true);
  assert.equal(!results[1].ok && results[1].error.code, "ETIMEDOUT");
  for (let i = 3; i < 7; i++) {
    const r = results[i];
    assert.ok(!r.ok && /not sent/.test(r.error.message), `request ${i}`);
  }
  ipr.close();
});

test("batch: an empty batch sends nothing; the socket stays usable afterwards", async () => {
  const t = new ScriptedTransport(kernel());
  const ipr = new IPRoute({ transport: t });
  assert.deepEqual(await ipr.batch().commit(), []);
  assert.equal(t.sent.length, 0);
  await ipr.route("add", spec(1));
  assert.equal(t.sent.length, 1);
  ipr.close();
});
