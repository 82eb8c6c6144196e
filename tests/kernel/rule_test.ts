/**
 * Policy routing rules against the kernel: conformance scenarios 27 (add / dump / del of eight
 * kinds of rule) and 28 (flushRules with a predicate), checked with `ip -json rule`.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError } from "../../mod.ts";
import { ipJson, kernelTest, withNetns } from "./_netns.ts";

interface IpRule {
  priority: number;
  table?: string;
  src?: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  fwmark?: string;
  fwmask?: string;
  action?: string;
  iif?: string;
  uid_start?: number;
  uid_end?: number;
  ipproto?: string;
  dport_start?: number;
  dport_end?: number;
  tos?: string;
  not?: null;
}

const rulesOf = (ns: string): IpRule[] => [...ipJson<IpRule[]>(ns, "-4", "rule", "show"), ...ipJson<IpRule[]>(ns, "-6", "rule", "show")];

// [spec, what `ip -j rule` must show for it]
const SPECS: [Record<string, unknown>, Partial<IpRule>][] = [
  [{ table: 10, priority: 32000 }, { table: "10" }],
  [{ priority: 32001, action: "FR_ACT_UNREACHABLE" }, { action: "unreachable" }],
  [{ table: 14, priority: 32004, src: "192.0.2.141" }, { table: "14", src: "192.0.2.141" }],
  [{ table: 15, priority: 32005, dst: "198.51.100.0", dst_len: 24 }, { table: "15", dst: "198.51.100.0", dstlen: 24 }],
  [{ table: 15, priority: 32006, dst: "198.51.100.141", fwmark: 10 }, { dst: "198.51.100.141", fwmark: "0xa" }],
  [{ table: 15, priority: 32007, fwmark: 0x10, fwmask: 0xff }, { fwmark: "0x10", fwmask: "0xff" }],
  [{ table: 15, priority: 32008, FRA_FWMARK: 20 }, { fwmark: "0x14" }],
  [{ table: 2048, priority: 32009, src: "2001:db8::/32" }, { table: "2048", src: "2001:db8::", srclen: 32 }],
  [{ table: 100, priority: 32010, iifname: "lo", uid_range: "1000-1234", ip_proto: "tcp", dport_range: "80-90" }, { iif: "lo", uid_start: 1000, uid_end: 1234, ipproto: "tcp", dport_start: 80, dport_end: 90 }],
  [{ table: 100, priority: 32011, dst: "203.0.113.0/24", tos: 0x10, flags: ["invert"] }, { dst: "203.0.113.0", dstlen: 24, tos: "0x10", not: null }],
];

test("rule add / dump / del: eight kinds of rule, tables > 255, IPv6 (conformance 27)", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    for (const [spec, shown] of SPECS) {
      await ipr.rule("add", spec);
      const ip = rulesOf(ns).filter((r) => r.priority === spec.priority);
      assert.equal(ip.length, 1, `ip rule shows priority ${spec.priority}`);
      for (const [k, v] of Object.entries(shown)) assert.equal(ip[0][k as keyof IpRule], v, `${JSON.stringify(spec)}: ${k}`);
      const dumped = await ipr.rule("dump", spec);
      assert.equal(dumped.length, 1, `rule("dump", ${JSON.stringify(spec)}) finds exactly one`);
      assert.equal(dumped[0].get("priority"), spec.priority);
      await ipr.rule("del", spec);
      assert.equal(rulesOf(ns).filter((r) => r.priority === spec.priority).length, 0, `deleted ${spec.priority}`);
    }
  });
});

test("rule errors: a duplicate add is EEXIST, deleting a missing rule ENOENT", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.rule("add", { priority: 500, table: 50 });
    await assert.rejects(ipr.rule("add", { priority: 500, table: 50 }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST" && e.op === "RTM_NEWRULE");
    await assert.rejects(ipr.rule("del", { priority: 501 }), (e: unknown) => e instanceof NetlinkError && e.code === "ENOENT");
  });
});

test("flushRules() with a priority predicate removes exactly the matching rules (conformance 28)", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    // family 0 also dumps the multicast routing families' rules, which `ip rule` does not show
    const initial = (await ipr.getRules()).length;
    assert.equal((await ipr.getRules({ family: 2 })).length + (await ipr.getRules({ family: 10 })).length, rulesOf(ns).length);
    await ipr.rule("add", { priority: 110, table: 10 });
    await ipr.rule("add", { priority: 150, table: 10, src: "192.0.2.0/24" });
    await ipr.rule("add", { priority: 200, action: "FR_ACT_PROHIBIT" });
    await ipr.rule("add", { priority: 250, table: 4000, fwmark: 7 });
    const between = (p: number) => p > 100 && p < 500;
    assert.equal((await ipr.getRules({ priority: between })).length, 4);
    assert.equal((await ipr.getRules({ action: "prohibit" })).length, 1);
    const flushed = await ipr.flushRules({ family: 2, priority: between });
    assert.deepEqual(flushed.map((r) => r.get("priority")), [110, 150, 200, 250]);
    assert.equal((await ipr.getRules({ priority: between })).length, 0);
    assert.equal((await ipr.getRules()).length, initial);
    assert.equal(rulesOf(ns).filter((r) => between(r.priority)).length, 0);
  });
});
