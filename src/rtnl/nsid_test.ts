// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x netns list-id` after
// `ip -n rt-x netns set rt-y 5`, in throwaway namespaces; direction kernel → user. The
// attributes start at offset 20, which shows struct rtgenmsg is padded to 4 bytes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { replay } from "./_replay.ts";


test("nsid: dump entry for a peer with id 5", () => {
  const m = replay("1c00000058000200a63b0c6be8310000000000000800010005000000");
  assert.equal(m.event, "RTM_NEWNSID");
  assert.equal(m.get("nsid"), 5); // ip netns list-id: "nsid 5"
});

test("nsid: a peer without an id is NETNSA_NSID_NOT_ASSIGNED (-1)", () => {
  const m = replay("1c00000058000000a63b0c6bf39dfbf40000000008000100ffffffff");
  assert.equal(m.get("NETNSA_NSID"), -1);
});
