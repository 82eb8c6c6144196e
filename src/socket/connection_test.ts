import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLMSG_ALIGN } from "../marshal/header.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { rtmsg } from "../rtnl/route.ts";
import { Connection } from "./connection.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "./scripted.ts";

/** Several datagrams' messages as one datagram (each part is NLMSG_ALIGNed already). */
function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + NLMSG_ALIGN(p.length), 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += NLMSG_ALIGN(p.length);
  }
  return out;
}

const route = (dst: string) => ({ schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 32, table: 254 }, attrs: [["dst", dst]] as [string, unknown][] } });
const other = (req: ScriptedRequest, seqDelta: number): ScriptedRequest => ({ ...req, header: { ...req.header, sequence_number: req.header.sequence_number + seqDelta } });

test("a dump datagram mixing other requests' messages keeps only this one's, in order, up to NLMSG_DONE", async () => {
  const t = new ScriptedTransport((req) => [
    join(
      reply(other(req, -1), [route("192.0.2.1")], { multi: true }),
      reply(req, [route("198.51.100.1")], { multi: true }),
      reply(req, [route("198.51.100.2")], { multi: true, portId: 999 }),
      reply(req, [route("198.51.100.3")], { multi: true }),
    ),
    join(
      reply(req, [route("198.51.100.4")], { multi: true }),
      done(req),
      // after this request's NLMSG_DONE: not part of its reply
      reply(req, [route("203.0.113.9")], { multi: true }),
    ),
  ]);
  const conn = new Connection(t, rtnl);
  const msgs = await conn.request({ schema: rtmsg, init: { type: RTM.RTM_GETROUTE, fields: { family: 2 } }, dump: true });
  assert.deepEqual(msgs.map((m) => m.get("dst")), ["198.51.100.1", "198.51.100.3", "198.51.100.4"]);
  assert.equal(conn.stats.foreign, 2);
  // what followed NLMSG_DONE went with its datagram: the next request gets only its own reply
  const again = await conn.request({ schema: rtmsg, init: { type: RTM.RTM_GETROUTE, fields: { family: 2 } }, dump: true });
  assert.deepEqual(again.map((m) => m.get("dst")), ["198.51.100.1", "198.51.100.3", "198.51.100.4"]);
  assert.equal(t.sent.length, 2);
});

test("an error in the middle of a datagram rejects the request with the kernel's errno and text", async () => {
  const t = new ScriptedTransport((req) => [join(reply(req, [route("198.51.100.1")], { multi: true }), ack(req, 1, "Operation not permitted here"))]);
  const conn = new Connection(t, rtnl);
  await assert.rejects(conn.request({ schema: rtmsg, init: { type: RTM.RTM_GETROUTE, fields: { family: 2 } }, dump: true }), (e: unknown) => {
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, "EPERM");
    assert.equal(e.extack, "Operation not permitted here");
    return true;
  });
});
