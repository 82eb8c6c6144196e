// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x rule show` in a
// throwaway namespace; direction kernel → user. Expected values are `ip -json rule show pref 100`.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


test("rule: fwmark/mask, uidrange and sport range", () => {
  // ip rule add fwmark 0x10/0xff uidrange 1000-2000 sport 1024-2048 table 100 pref 100
  const m = replay("6000000020000200a43b0c6bf030000002000000640000010000000008000f006400000008000e00ffffffff0500150000000000080006006400000008000a001000000008001000ff0000000c001400e8030000d00700000800170000040008");
  assert.equal(m.get("priority"), 100);
  assert.equal(m.get("fwmark"), 0x10);
  assert.equal(m.get("fwmask"), 0xff);
  assert.equal(m.get("table"), 100);
  assert.deepEqual(m.get("uid_range"), { start: 1000, end: 2000 });
  assert.deepEqual(m.get("sport_range"), { start: 1024, end: 2048 });
  assert.equal(m.get("action"), 1); // FR_ACT_TO_TBL
});
