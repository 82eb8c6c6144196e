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

/** A NetlinkError with this errno name and, when `extack` says so, the kernel's own text. */
function rejectsWith(code: string, extack = true): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof NetlinkError, `expected a NetlinkError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (extack) assert.ok(e.extack, "the kernel's extended ACK text is kept");
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

test("htb classes: add with rate, ceil, burst and prio, replace, change, del; tc class show agrees", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.link("add", { ifname: "v0", kind: "veth", peer: "v1" });
    await ipr.tc("add", { index: "v0", kind: "htb", handle: "1:", default: 0x10 });
    await ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:1", parent: "1:", rate: "100mbit" });
    await ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:1", rate: "1mbit", ceil: "2mbit", burst: "15k", prio: 3 });
    const shown = () => sh("ip", ["netns", "exec", ns, "tc", "class", "show", "dev", "v0"]);
    assert.match(shown(), /class htb 1:10 parent 1:1 prio 3 rate 1Mbit ceil 2Mbit burst 15Kb cburst 1600b/);

    const [c] = await ipr.getClasses({ index: "v0", handle: "1:10" });
    assert.equal(c.get("kind"), "htb");
    assert.equal(formatHandle(c.get("parent") as number), "1:1");
    const parms = (c.get("options") as { get(k: string): unknown }).get("parms") as { rate: { rate: number }; ceil: { rate: number }; buffer: number; prio: number };
    assert.equal(parms.rate.rate, 125_000);
    assert.equal(parms.ceil.rate, 250_000);
    assert.equal(parms.prio, 3);
    // the buffer in scheduler ticks is 15 KiB at 1 Mbit/s: 122,880 µs of 15.625 ticks
    assert.equal(parms.buffer, 1_920_000);
    assert.deepEqual((await ipr.tc("dump-class", { index: "v0" })).map((m) => formatHandle(m.get("handle") as number)).sort(), ["1:1", "1:10"]);

    await ipr.tc("replace-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:1", rate: "3mbit" });
    assert.match(shown(), /class htb 1:10 parent 1:1 prio 0 rate 3Mbit ceil 3Mbit/);
    await ipr.tc("change-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:1", rate: "4mbit", ceil: "8mbit" });
    assert.match(shown(), /class htb 1:10 parent 1:1 prio 0 rate 4Mbit ceil 8Mbit/);

    // a second add of the same class: the kernel's EEXIST; a class on an interface without the
    // qdisc: ENOENT (the kernel explains neither in an extended ACK, as tc's bare messages show)
    await assert.rejects(ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:1", rate: "1mbit" }), rejectsWith("EEXIST", false));
    await assert.rejects(ipr.tc("add-class", { index: "v1", kind: "htb", handle: "1:20", parent: "1:", rate: "1mbit" }), rejectsWith("ENOENT", false));
    await assert.rejects(ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:20", parent: "1:1" }), /rate is required/);

    await ipr.tc("del-class", { index: "v0", handle: "1:10" });
    assert.doesNotMatch(shown(), /1:10/);
    assert.deepEqual((await ipr.getClasses({ index: "v0" })).map((m) => formatHandle(m.get("handle") as number)), ["1:1"]);
  });
});
