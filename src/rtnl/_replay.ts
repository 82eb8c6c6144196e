/**
 * Shared by the rtnl capture tests: decode one captured kernel message, assert it has no
 * unknown attributes at any depth, and that re-encoding it reproduces the bytes exactly.
 * @module
 */

import assert from "node:assert/strict";
import { decodeDatagram, encodeMessage, type NlMsg } from "../marshal/message.ts";
import { Attrs } from "../marshal/schema.ts";
import { rtnl } from "./messages.ts";

/** Decode one captured message, assert no unknown attributes, and re-encode it byte-exact. */
export function replay(hex: string): NlMsg {
  const bytes = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  const [msg, ...rest] = decodeDatagram(bytes, rtnl);
  assert.equal(rest.length, 0);
  const unknown = (a: Attrs): string[] =>
    a.entries().flatMap((e) => [
      ...(e.name.startsWith("#") ? [e.name] : []),
      ...(e.value instanceof Attrs ? unknown(e.value) : []),
      ...(Array.isArray(e.value) ? e.value.flatMap((r) => (r?.attrs instanceof Attrs ? unknown(r.attrs) : [])) : []),
    ]);
  assert.deepEqual(unknown(msg), []);
  const h = msg.header;
  const again = encodeMessage(msg.schema, { type: h.type, flags: h.flags, seq: h.sequence_number, pid: h.pid, fields: msg.fields, attrs: msg });
  assert.deepEqual(again, bytes);
  return msg;
}
