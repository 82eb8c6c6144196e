// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x netconf show` in a
// throwaway namespace; direction kernel → user. Expected values are `ip -n rt-x netconf show dev lo`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


test("netconf: IPv4 settings of lo", () => {
  const m = replay("4c00000050000200a73b0c6b24320000020000000800010001000000080002000000000008000300000000000800040000000000080008000000000008000500000000000800060000000000");
  assert.equal(m.event, "RTM_NEWNETCONF");
  assert.equal(m.get("family"), 2);
  assert.equal(m.get("ifindex"), 1);
  assert.equal(m.get("forwarding"), 0); // "inet lo forwarding off rp_filter off mc_forwarding off ..."
  assert.equal(m.get("rp_filter"), 0);
  assert.equal(m.get("bc_forwarding"), 0);
  assert.equal(m.get("ignore_routes_with_linkdown"), 0);
});
