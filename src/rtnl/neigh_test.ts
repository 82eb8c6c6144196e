// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x neigh show nud permanent`
// in a throwaway namespace; direction kernel → user. Expected values are `ip -json neigh show`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


test("neigh: permanent IPv4 neighbour", () => {
  // ip neigh add 192.0.2.7 lladdr 02:00:00:00:00:07 dev d0 nud permanent
  const m = replay("4c0000001c000200a53b0c6b4e31000002000000030000008000000108000100c00002070a00020002000000000700000800040000000000140003005d0900005d0900005d09000000000000");
  assert.equal(m.get("dst"), "192.0.2.7");
  assert.equal(m.get("lladdr"), "02:00:00:00:00:07");
  assert.equal(m.get("state"), 0x80); // NUD_PERMANENT
  assert.equal(m.get("ifindex"), 3);
  assert.equal(m.get("probes"), 0);
  assert.equal((m.get("cacheinfo") as Record<string, number>).ndm_refcnt, 0);
});
