// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x netns list-id` after
// `ip -n rt-x netns set rt-y 5`, in throwaway namespaces; direction kernel → user. The
// attributes start at offset 20, which shows struct rtgenmsg is padded to 4 bytes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeDatagram, encodeMessage, type NlMsg } from "../marshal/message.ts";
import { Attrs } from "../marshal/schema.ts";
import { rtnl } from "./messages.ts";

/** Decode one captured message, assert no unknown attributes, and re-encode it byte-exact. */
function replay(hex: string): NlMsg {
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

test("nsid: dump entry for a peer with id 5", () => {
  const m = replay("1c00000058000200a63b0c6be8310000000000000800010005000000");
  assert.equal(m.event, "RTM_NEWNSID");
  assert.equal(m.get("nsid"), 5); // ip netns list-id: "nsid 5"
});

test("nsid: a peer without an id is NETNSA_NSID_NOT_ASSIGNED (-1)", () => {
  const m = replay("1c00000058000000a63b0c6bf39dfbf40000000008000100ffffffff");
  assert.equal(m.get("NETNSA_NSID"), -1);
});
