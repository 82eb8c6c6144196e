// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x addr show` in a
// throwaway namespace; direction kernel → user. Expected values are `ip -json addr show dev d0`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


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
