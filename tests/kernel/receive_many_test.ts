/**
 * FfiTransport.receiveMany against the real kernel: many ACK datagrams read per recvmmsg call,
 * in order and intact, interleaved with receive(), a timeout, bad arguments. Runs in a namespace
 * it creates and removes.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { FfiTransport, openNetnsFd } from "../../ffi/transport.ts";
import { libc } from "../../ffi/load.ts";
import { assertNoFdGrowth, fdCount, kernelTest, withNetns } from "./_netns.ts";

const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 1;
const NLM_F_ACK = 4;

/** `count` NLMSG_NOOP requests with NLM_F_ACK in one datagram, seqs first..: the kernel ACKs each one. */
function noops(first: number, count: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(16 * count);
  const v = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    v.setUint32(16 * i, 16, true);
    v.setUint16(16 * i + 4, NLMSG_NOOP, true);
    v.setUint16(16 * i + 6, NLM_F_REQUEST | NLM_F_ACK, true);
    v.setUint32(16 * i + 8, first + i, true);
  }
  return out;
}

/** The sequence number of an ACK datagram (one NLMSG_ERROR with error 0 for our port). */
function ackSeq(dg: Uint8Array, port: number): number {
  const v = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
  assert.equal(v.getUint16(4, true), NLMSG_ERROR);
  assert.equal(v.getUint32(0, true), dg.length, "one message per ACK datagram");
  assert.equal(v.getInt32(16, true), 0, "error 0");
  assert.equal(v.getUint32(12, true), port);
  return v.getUint32(8, true);
}

test("receiveMany: 100 ACKs come back in order, up to 16 per call, intact after later receives", kernelTest, async () => {
  await withNetns((ns) => {
    const fds = fdCount();
    const nsfd = openNetnsFd(ns);
    try {
      using t = FfiTransport.open({ netnsFd: nsfd });
      t.send(noops(1, 100));
      const got: Uint8Array[] = [];
      let calls = 0;
      for (let batch = t.receiveMany(1000, 1000); batch !== null; batch = t.receiveMany(1000, 0)) {
        calls++;
        assert.ok(batch.length >= 1 && batch.length <= 16, `${batch.length} datagrams in one call`);
        got.push(...batch);
      }
      assert.equal(got.length, 100);
      assert.ok(calls <= 10, `${calls} calls for 100 ACKs`);
      // nothing overwrote an earlier datagram: every one still reads as its own ACK
      assert.deepEqual(got.map((d) => ackSeq(d, t.portId)), Array.from({ length: 100 }, (_, i) => i + 1));
      // max bounds the count; receive and receiveMany share the socket's order
      t.send(noops(200, 5));
      const two = t.receiveMany(2, 1000);
      assert.equal(two?.length, 2);
      const third = t.receive(1000);
      assert.ok(third !== null);
      const rest = t.receiveMany(10, 1000);
      assert.equal(rest?.length, 2);
      assert.deepEqual([...two!, third, ...rest!].map((d) => ackSeq(d, t.portId)), [200, 201, 202, 203, 204]);
      assert.deepEqual(got.slice(0, 3).map((d) => ackSeq(d, t.portId)), [1, 2, 3]);
      // nothing queued: null after the timeout, not a hang
      const t0 = performance.now();
      assert.equal(t.receiveMany(4, 30), null);
      assert.ok(performance.now() - t0 >= 25, "waited for the timeout");
      assert.throws(() => t.receiveMany(0, 0), RangeError);
      assert.throws(() => t.receiveMany(4, -1), RangeError);
      t.close();
      assert.throws(() => t.receiveMany(4, 0), /closed/);
    } finally {
      libc.close(nsfd);
    }
    assertNoFdGrowth(fds);
  });
});
