import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import type { NlMsg } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { nsidmsg } from "../rtnl/nsid.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { type Platform, platform, setPlatform } from "./_context.ts";
import { IPRoute } from "./iproute.ts";

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
const header = (b: Uint8Array) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { len: v.getUint32(0, true), type: v.getUint16(4, true), flags: v.getUint16(6, true) };
};

/** A fake kernel that answers RTM_GETNSID with `answer` and ACKs (or refuses) RTM_NEWNSID. */
function kernel(answer: Record<string, number>, errno = 0, extack?: string) {
  return (req: ScriptedRequest): Uint8Array[] => {
    if (header(req.bytes).type === RTM.RTM_GETNSID) {
      if (errno) return [ack(req, errno, extack)];
      return [reply(req, [{ schema: nsidmsg, init: { type: RTM.RTM_NEWNSID, fields: { family: 0 }, attrs: answer } }]), ack(req)];
    }
    return [ack(req, errno, extack)];
  };
}

async function withPlatform(services: Platform, fn: () => Promise<void>): Promise<void> {
  const prev = platform();
  const saved: Platform = { openNetnsFd: prev.openNetnsFd, closeFd: prev.closeFd };
  setPlatform({ openNetnsFd: undefined, closeFd: undefined, ...services });
  try {
    await fn();
  } finally {
    setPlatform(saved);
  }
}

test("setNetnsid sends what `ip netns set NAME 42` sends: rtgenmsg AF_UNSPEC, NETNSA_FD then NETNSA_NSID", async () => {
  const t = new ScriptedTransport(kernel({}));
  using ipr = new IPRoute({ transport: t });
  await ipr.setNetnsid({ fd: 6, nsid: 42 });
  const [sent] = t.sent;
  // captured with strace -xx from `ip netns set nlt-strace1 42` (the namespace fd was 6), kernel 6.18
  assert.deepEqual(header(sent), { len: 36, type: RTM.RTM_NEWNSID, flags: NLM_F.REQUEST | NLM_F.ACK });
  assert.equal(hex(sent.subarray(16)), "00 00 00 00 08 00 03 00 06 00 00 00 08 00 01 00 2a 00 00 00");
  await ipr.setNetnsid({ pid: 1234, nsid: "auto" });
  assert.equal(hex(t.sent[1].subarray(16)), "00 00 00 00 08 00 02 00 d2 04 00 00 08 00 01 00 ff ff ff ff");
});

test("getNetnsid sends rtgenmsg + NETNSA_FD (as `ip netns list-id` does per name) and returns pyroute2's { nsid, current_nsid }", async () => {
  const t = new ScriptedTransport(kernel({ nsid: 42 }));
  using ipr = new IPRoute({ transport: t });
  assert.deepEqual(await ipr.getNetnsid({ fd: 6 }), { nsid: 42 });
  assert.equal(header(t.sent[0]).type, RTM.RTM_GETNSID);
  assert.equal(hex(t.sent[0].subarray(16)), "00 00 00 00 08 00 03 00 06 00 00 00");
  await ipr.getNetnsid({ nsid: 7, target_nsid: 3 });
  assert.equal(hex(t.sent[1].subarray(16)), "00 00 00 00 08 00 01 00 07 00 00 00 08 00 04 00 03 00 00 00");

  using unassigned = new IPRoute({ transport: new ScriptedTransport(kernel({ nsid: -1 })) });
  assert.deepEqual(await unassigned.getNetnsid({ pid: 1 }), { nsid: -1 });
  using both = new IPRoute({ transport: new ScriptedTransport(kernel({ nsid: 5, current_nsid: 9 })) });
  assert.deepEqual(await both.getNetnsid({ nsid: 5, target_nsid: 2 }), { nsid: 5, current_nsid: 9 });
});

test("getNetnsids sends what `ip netns list-id` sends (RTM_GETNSID dump, 20 bytes) and filters the replies", async () => {
  const entry = (nsid: number) => ({ schema: nsidmsg, init: { type: RTM.RTM_NEWNSID, fields: { family: 0 }, attrs: { nsid } } });
  const t = new ScriptedTransport((req) => [reply(req, [entry(7), entry(9)], { multi: true }), done(req)]);
  using ipr = new IPRoute({ transport: t });
  const all = await ipr.getNetnsids();
  assert.deepEqual(all.map((m) => m.get("nsid")), [7, 9]);
  assert.deepEqual(header(t.sent[0]), { len: 20, type: RTM.RTM_GETNSID, flags: NLM_F.REQUEST | NLM_F.DUMP });
  assert.equal(hex(t.sent[0].subarray(16)), "00 00 00 00");
  assert.deepEqual((await ipr.getNetnsids({ nsid: 9 })).map((m) => m.get("nsid")), [9]);
  assert.deepEqual((await ipr.getNetnsids({ match: (m: NlMsg) => (m.get("nsid") as number) < 8 })).map((m) => m.get("nsid")), [7]);
  const sent = t.sent.length;
  await assert.rejects(ipr.getNetnsids({ pid: 1 }), /getNetnsids\(\): unknown filter key "pid" \(known: nsid, current_nsid, match\)/);
  assert.equal(t.sent.length, sent, "nothing sent for a bad filter");
});

test("a namespace name for fd is opened through the platform and closed afterwards, also when the kernel refuses", async () => {
  const opened: string[] = [];
  const closed: number[] = [];
  await withPlatform({ openNetnsFd: (n) => (opened.push(n), 77), closeFd: (fd) => void closed.push(fd) }, async () => {
    const t = new ScriptedTransport(kernel({}, 17, "Peer netns already has a nsid assigned"));
    using ipr = new IPRoute({ transport: t });
    await assert.rejects(ipr.setNetnsid({ fd: "blue", nsid: 1 }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError);
      assert.equal(e.code, "EEXIST");
      assert.equal(e.op, "RTM_NEWNSID");
      assert.equal(e.extack, "Peer netns already has a nsid assigned");
      return true;
    });
    assert.deepEqual(opened, ["blue"]);
    assert.deepEqual(closed, [77]);
    assert.equal(hex(t.sent[0].subarray(20, 28)), "08 00 03 00 4d 00 00 00", "NETNSA_FD carries the opened fd");
  });
  await withPlatform({}, async () => {
    using ipr = new IPRoute({ transport: new ScriptedTransport(kernel({})) });
    await assert.rejects(ipr.getNetnsid({ fd: "blue" }), /needs the runtime entry point/);
  });
});

const BAD: readonly { name: string; call: (ipr: IPRoute) => Promise<unknown>; error: typeof TypeError | typeof RangeError; message: RegExp }[] = [
  { name: "get without a namespace", call: (i) => i.getNetnsid({}), error: TypeError, message: /exactly one of fd, pid, nsid \(got none\)/ },
  { name: "get with two", call: (i) => i.getNetnsid({ fd: 3, pid: 1 }), error: TypeError, message: /exactly one of fd, pid, nsid \(got fd, pid\)/ },
  { name: "get with an unknown keyword", call: (i) => i.getNetnsid({ fd: 3, nsidd: 1 } as never), error: TypeError, message: /unknown keyword "nsidd" \(known: fd, pid, nsid, target_nsid\)/ },
  { name: "a negative pid", call: (i) => i.getNetnsid({ pid: -1 }), error: RangeError, message: /pid must be in 1\.\./ },
  { name: "a fractional fd", call: (i) => i.getNetnsid({ fd: 1.5 }), error: TypeError, message: /fd must be an integer, got 1.5/ },
  { name: "an empty name", call: (i) => i.getNetnsid({ fd: "" }), error: RangeError, message: /empty namespace name/ },
  { name: "set without fd or pid", call: (i) => i.setNetnsid({ nsid: 1 }), error: TypeError, message: /exactly one of fd, pid/ },
  { name: "set with a negative nsid", call: (i) => i.setNetnsid({ fd: 3, nsid: -2 }), error: RangeError, message: /nsid must be in 0\.\.2147483647, got -2/ },
  { name: "set with a text nsid", call: (i) => i.setNetnsid({ fd: 3, nsid: "42" as never }), error: TypeError, message: /nsid must be an integer, got "42"/ },
];

for (const c of BAD) {
  test(`nsid verbs refuse bad input before sending: ${c.name}`, async () => {
    const t = new ScriptedTransport(kernel({}));
    using ipr = new IPRoute({ transport: t });
    await assert.rejects(c.call(ipr), (e: unknown) => e instanceof c.error && c.message.test((e as Error).message));
    assert.equal(t.sent.length, 0);
  });
}
