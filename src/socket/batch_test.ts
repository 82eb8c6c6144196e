import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeDatagram } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { rtmsg } from "../rtnl/route.ts";
import { IPRoute } from "../api/iproute.ts";
import { ScriptedTransport, type ScriptedRequest, ack, reply, splitRequests } from "./scripted.ts";

/**
 * A scripted transport with `receiveMany`, as FfiTransport has: up to `perCall` datagrams a call.
 * Plain `receive` is counted separately, so a test sees which path the batch took.
 */
class ManyTransport extends ScriptedTransport {
  manyCalls = 0;
  singleCalls = 0;
  readonly maxes: number[] = [];
  readonly #perCall: number;
  constructor(script: (req: ScriptedRequest) => Uint8Array[], perCall: number, readonly receiveBufferSize = 212_992) {
    super(script);
    this.#perCall = perCall;
  }
  override receive(timeoutMs: number): Uint8Array | null {
    this.singleCalls++;
    return super.receive(timeoutMs);
  }
  receiveMany(max: number, timeoutMs: number): Uint8Array[] | null {
    this.manyCalls++;
    this.maxes.push(max);
    const out: Uint8Array[] = [];
    for (let d = super.receive(timeoutMs); d !== null; d = out.length < Math.min(max, this.#perCall) ? super.receive(0) : null) out.push(d);
    return out.length ? out : null;
  }
}

const spec = (i: number) => ({ dst: `198.51.100.${i}/32`, gateway: "192.0.2.1", oif: 7 });

test("batch over receiveMany: many ACKs per call, a refusal and a reply land on their own request", async () => {
  let n = 0;
  const t = new ManyTransport((req) =>
    splitRequests(req.bytes).flatMap((m) => {
      const k = n++;
      if (k === 7) return [ack(m, 17, "File exists")];
      if (k === 9) {
        const route = { schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 32, table: 254, type: 1 }, attrs: { dst: "203.0.113.9" } } };
        return [reply(m, [route]), ack(m)];
      }
      return [ack(m)];
    }), 8);
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  for (let i = 0; i < 40; i++) b.route("add", spec(i));
  const results = await b.commit();
  assert.equal(t.sent.length, 1);
  assert.equal(t.singleCalls, 0, "every datagram came through receiveMany");
  // 41 datagrams (40 ACKs and one reply), 8 a call
  assert.equal(t.manyCalls, 6);
  assert.equal(t.maxes[0], 40, "asks for as many as it waits for");
  results.forEach((r, i) => {
    if (i === 7) assert.equal(!r.ok && r.error.code, "EEXIST", "request 7 refused");
    else assert.ok(r.ok, `request ${i}`);
    if (r.ok) assert.equal(r.msgs.length, i === 9 ? 1 : 0, `replies of request ${i}`);
  });
  assert.equal(results[9].ok && results[9].msgs[0].get("dst"), "203.0.113.9");
  ipr.close();
});

test("batch over receiveMany: chunks are drained one by one; a lost ACK fails it and the unsent rest", async () => {
  // 4 requests per chunk; the 6th request (second chunk) gets no ACK
  let n = 0;
  const t = new ManyTransport((req) => splitRequests(req.bytes).flatMap((m) => (n++ === 5 ? [] : [ack(m)])), 16, 4 * 1024);
  const ipr = new IPRoute({ transport: t, timeoutMs: 5 });
  const b = ipr.batch();
  for (let i = 0; i < 12; i++) b.route("add", spec(i));
  const results = await b.commit();
  assert.deepEqual(t.sent.map((d) => decodeDatagram(d, rtnl).length), [4, 4], "the third chunk is not sent");
  assert.equal(t.singleCalls, 0);
  for (const i of [0, 1, 2, 3, 4, 6, 7]) assert.ok(results[i].ok, `request ${i}`);
  assert.equal(!results[5].ok && results[5].error.code, "ETIMEDOUT");
  for (let i = 8; i < 12; i++) {
    const r = results[i];
    assert.ok(!r.ok && /not sent/.test(r.error.message), `request ${i}`);
  }
  // the socket stays in step: an ordinary request after the batch is answered
  await ipr.route("add", spec(99));
  ipr.close();
});
