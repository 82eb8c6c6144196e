/**
 * Queueing disciplines on the real kernel (htb, pfifo, bfifo, pfifo_fast, mq are built in here),
 * each test in a namespace of its own, checked against `tc -json qdisc show` there.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError, formatHandle } from "../../mod.ts";
import { kernelTest, sh, withNetns } from "./_netns.ts";

interface TcQdisc {
  kind: string;
  handle: string;
  dev: string;
  root?: boolean;
  parent?: string;
  options?: Record<string, unknown>;
}

function tcQdiscs(ns: string): TcQdisc[] {
  const out = sh("ip", ["netns", "exec", ns, "tc", "-json", "qdisc", "show"]);
  return out.trim() ? JSON.parse(out) : [];
}

function rejectsWith(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof NetlinkError, `expected a NetlinkError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.ok(e.extack, "the kernel's extended ACK text is kept");
    return true;
  };
}

test("qdiscs: htb root with a default class, pfifo limit, replace, child pfifo_fast, del; the dump matches tc -json", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.link("add", { ifname: "v0", kind: "veth", peer: "v1" });
    await ipr.tc("add", { index: "v0", kind: "htb", handle: "1:", default: 0x10, r2q: 5 });
    await ipr.tc("add", { index: "v1", kind: "pfifo", handle: "2:", limit: 100 });

    const [v0] = await ipr.linkLookup({ ifname: "v0" });
    const [htb] = await ipr.getQdiscs({ index: "v0", parent: "root" });
    assert.equal(htb.get("index"), v0);
    assert.equal(htb.get("kind"), "htb");
    assert.equal(formatHandle(htb.get("handle") as number), "1:");
    const init = (htb.get("options") as { get(k: string): unknown }).get("init") as Record<string, number>;
    assert.equal(init.defcls, 0x10);
    assert.equal(init.rate2quantum, 5);
    const [pfifo] = await ipr.getQdiscs({ index: "v1", kind: "pfifo" });
    assert.deepEqual(pfifo.get("options"), { limit: 100 });

    // the same qdiscs as tc lists them
    const listed = tcQdiscs(ns).filter((q) => q.dev === "v0" || q.dev === "v1");
    const ours = (await ipr.getQdiscs()).filter((m) => m.get("kind") !== "noqueue");
    assert.deepEqual(ours.map((m) => `${m.get("kind")} ${formatHandle(m.get("handle") as number)}`).sort(), listed.map((q) => `${q.kind} ${q.handle}`).sort());
    assert.equal(listed.find((q) => q.kind === "htb")?.options?.default, "0x10");
    assert.equal(listed.find((q) => q.kind === "pfifo")?.options?.limit, 100);

    // replace keeps the handle and takes the new limit; change edits in place
    await ipr.tc("replace", { index: "v1", kind: "pfifo", handle: "2:", limit: 50 });
    assert.equal(tcQdiscs(ns).find((q) => q.dev === "v1")?.options?.limit, 50);
    await ipr.tc("change", { index: "v1", kind: "pfifo", handle: "2:", limit: 75 });
    assert.equal(tcQdiscs(ns).find((q) => q.dev === "v1")?.options?.limit, 75);

    // add twice: the kernel's EEXIST; a child under a class htb does not have: ENOENT
    await assert.rejects(ipr.tc("add", { index: "v1", kind: "pfifo", handle: "2:", limit: 100 }), rejectsWith("EEXIST"));
    await assert.rejects(ipr.tc("add", { index: "v0", kind: "pfifo_fast", handle: "10:", parent: "1:10" }), rejectsWith("ENOENT"));

    await ipr.tc("del", { index: "v0", parent: "root" });
    await ipr.tc("del", { index: "v1", handle: "2:", parent: "root" });
    assert.deepEqual(tcQdiscs(ns).filter((q) => q.kind === "htb" || q.kind === "pfifo"), []);
    assert.deepEqual((await ipr.getQdiscs({ kind: (k: string) => k === "htb" || k === "pfifo" })), []);
  });
});

test("bfifo and mq; bad input is refused before anything is sent", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.link("add", { ifname: "v0", kind: "veth", peer: "v1" });
    await ipr.tc("add", { index: "v0", kind: "bfifo", handle: "3:", limit: 10000 });
    assert.deepEqual(tcQdiscs(ns).find((q) => q.dev === "v0")?.options?.limit, 10000);
    await ipr.tc("replace", { index: "v1", kind: "mq", handle: "4:" });
    assert.equal(tcQdiscs(ns).find((q) => q.dev === "v1" && q.root)?.kind, "mq");
    const before = ipr.connection.stats.requests;
    await assert.rejects(ipr.tc("add", { index: "v0", kind: "cake" }), TypeError);
    await assert.rejects(ipr.tc("add", { index: "v0", kind: "pfifo", limit: 2 ** 32 }), RangeError);
    assert.equal(ipr.connection.stats.requests, before, "nothing sent");
  });
});
