// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x addr show` in a
// throwaway namespace; direction kernel → user. Expected values are `ip -json addr show dev d0`.

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

test("addr: permanent IPv4 address", () => {
  // ip addr add 192.0.2.1/24 dev d0
  const m = replay("4c00000014000200a43b0c6bc1300000021880000300000008000100c000020108000200c00002010700030064300000080008008000000014000600fffffffffffffffffe300100fe300100");
  assert.equal(m.get("local"), "192.0.2.1");
  assert.equal(m.get("prefixlen"), 24);
  assert.equal(m.get("label"), "d0");
  assert.equal(m.get("flags"), 0x80); // IFA_F_PERMANENT
  const ci = m.get("cacheinfo") as Record<string, number>;
  assert.equal(ci.ifa_valid, 4294967295); // ip -json: valid_life_time 4294967295
  assert.equal(ci.ifa_prefered, 4294967295);
});

test("addr: IPv6 address with lifetimes and nodad", () => {
  // ip addr add 2001:db8::1/64 dev d0 valid_lft 3600 preferred_lft 1800 nodad
  const m = replay("4800000014000200a43b0c6bc13000000a400200030000001400010020010db800000000000000000000000114000600f2060000fa0d0000ff300100ff3001000800080002000000");
  assert.equal(m.get("address"), "2001:db8::1");
  assert.equal(m.get("IFA_FLAGS"), 0x02); // IFA_F_NODAD: ip -json "nodad": true
  const ci = m.get("cacheinfo") as Record<string, number>;
  assert.ok(ci.ifa_valid <= 3600 && ci.ifa_valid > 3500);
  assert.ok(ci.ifa_prefered <= 1800 && ci.ifa_prefered > 1700);
});
