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

test("u32 filters: ICMP to one host goes to its class (counted by the class's stats), the rest to the default; dump, tc filter show, del", kernelTest, async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      using ipr = new IPRoute({ netns: a });
      await ipr.link("add", { ifname: "v0", kind: "veth", peer: { ifname: "v1", net_ns_fd: b } });
      await ipr.addr("add", { index: "v0", address: "192.0.2.1/24" });
      await ipr.link("set", { ifname: "v0", state: "up" });
      using iprB = new IPRoute({ netns: b });
      await iprB.addr("add", { index: "v1", address: "192.0.2.2/24" });
      await iprB.link("set", { ifname: "v1", state: "up" });

      await ipr.tc("add", { index: "v0", kind: "htb", handle: "1:", default: 0x20 });
      await ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:10", parent: "1:", rate: "10mbit" });
      await ipr.tc("add-class", { index: "v0", kind: "htb", handle: "1:20", parent: "1:", rate: "10mbit" });
      await ipr.tc("add-filter", { index: "v0", kind: "u32", parent: "1:", protocol: "ip", prio: 1, match: { dst: "192.0.2.2/32", protocol: 1 }, flowid: "1:10" });

      const filters = await ipr.getFilters({ index: "v0", parent: "1:" });
      const rule = filters.find((f) => (f.get("options") as { get(k: string): unknown } | undefined)?.get("sel") !== undefined);
      assert.ok(rule, `a u32 rule among ${filters.length} filter messages`);
      assert.equal(rule.get("prio"), 1);
      assert.equal(rule.get("protocol"), 0x0800);
      const opts = rule.get("options") as { get(k: string): unknown };
      assert.equal(formatHandle(opts.get("classid") as number), "1:10");
      const sel = opts.get("sel") as { flags: number; keys: { mask: number; val: number; off: number }[] };
      assert.equal(sel.flags, 1);
      assert.deepEqual(sel.keys.map((k) => [k.val, k.mask, k.off]), [[0xc0000202, 0xffffffff, 16], [0x00010000, 0x00ff0000, 8]]);
      const shownFilters = sh("ip", ["netns", "exec", a, "tc", "filter", "show", "dev", "v0"]);
      assert.match(shownFilters, /flowid 1:10/);
      assert.match(shownFilters, /match c0000202\/ffffffff at 16/);
      assert.match(shownFilters, /match 00010000\/00ff0000 at 8/);

      // three pings to 192.0.2.2 go through class 1:10; the neighbour discovery before them goes to 1:20
      sh("ip", ["netns", "exec", a, "ping", "-c", "3", "-i", "0.2", "-W", "2", "192.0.2.2"]);
      const packets = async (classid: string) => {
        const [c] = await ipr.getClasses({ index: "v0", handle: classid });
        const basic = (c.get("stats2") as { get(k: string): unknown }).get("basic") as { packets: number };
        return basic.packets;
      };
      assert.ok((await packets("1:10")) >= 3, `1:10 counted ${await packets("1:10")} packets`);
      assert.ok((await packets("1:20")) >= 1, "ARP went to the default class");

      await ipr.tc("del-filter", { index: "v0", parent: "1:", prio: 1 });
      assert.deepEqual(await ipr.getFilters({ index: "v0", parent: "1:" }), []);
      assert.doesNotMatch(sh("ip", ["netns", "exec", a, "tc", "filter", "show", "dev", "v0"]), /flowid/);
      await assert.rejects(ipr.tc("add-filter", { index: "v0", kind: "u32", parent: "1:", match: { dport: 70000 } }), RangeError);
    });
  });
});
