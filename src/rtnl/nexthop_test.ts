// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x nexthop show` in a
// throwaway namespace; direction kernel → user. Expected values are `ip -json nexthop`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


test("nexthop: gateway nexthop", () => {
  // ip nexthop add id 1 via 192.0.2.2 dev d0
  const m = replay("3000000068000200a53b0c6b9f31000002fd0000000000000800010001000000080005000300000008000600c0000202");
  assert.equal(m.event, "RTM_NEWNEXTHOP");
  assert.equal(m.get("id"), 1);
  assert.equal(m.get("gateway"), "192.0.2.2");
  assert.equal(m.get("oif"), 3);
  assert.equal(m.get("scope"), 253); // ip -json: scope link
});

test("nexthop: group with weights; the 6.18 kernel adds NHA_OP_FLAGS", () => {
  // ip nexthop add id 10 group 1/2,3
  const m = replay("4400000068000200a53b0c6b9f3100000000000000000000080001000a0000000600030000000000140002000100000000000000020000000200000008000e0000000080");
  assert.equal(m.get("id"), 10);
  assert.equal(m.get("group_type"), 0);
  // ip -json: group [{id 1}, {id 2, weight 3}]; the wire carries weight - 1
  const group = m.get("group") as { id: number; weight: number }[];
  assert.deepEqual(group.map((g) => [g.id, g.weight + 1]), [[1, 1], [2, 3]]);
  assert.equal(m.get("op_flags"), 0x80000000);
});
