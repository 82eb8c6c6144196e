import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { NLM_F } from "../marshal/header.ts";
import { decodeDatagram } from "../marshal/message.ts";
import { RTM } from "../rtnl/constants.ts";
import { rtnl } from "../rtnl/messages.ts";
import { FIB_RULE, FR_ACT, fibmsg } from "../rtnl/rule.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { requestFixtures, sentBy, toHexText, withoutSeq } from "./_request_fixtures.ts";
import { IPRoute } from "./iproute.ts";
import { ruleRequest } from "./rules.ts";

const fixtures = requestFixtures("rule");

test("rule request fixtures: add (every keyword family) and del", () => {
  assert.ok(fixtures.length >= 15, `${fixtures.length} fixtures`);
  assert.ok(fixtures.some((f) => f.verbCommand === "del"));
});

for (const f of fixtures) {
  test(`rule("${f.verbCommand}", ${JSON.stringify(f.spec)}) encodes like \`${f.command}\``, async () => {
    const sent = await sentBy(f);
    assert.equal(sent.length, 1);
    assert.equal(toHexText(withoutSeq(sent[0])), toHexText(withoutSeq(f.bytes)));
  });
}

test("FR_ACT_* and FIB_RULE_* match linux/fib_rules.h", () => {
  const h = readFileSync("/usr/include/linux/fib_rules.h", "utf8");
  const enumBody = /enum\s*{\s*(FR_ACT_UNSPEC[^}]*)}/.exec(h)![1];
  const names = enumBody.split(",").map((s) => s.replace(/\/\*.*?\*\//g, "").trim()).filter((s) => s.startsWith("FR_ACT_"));
  assert.deepEqual(Object.keys(FR_ACT), names);
  names.forEach((n, i) => assert.equal(FR_ACT[n as keyof typeof FR_ACT], i, n));
  for (const [name, value] of Object.entries(FIB_RULE)) {
    const m = new RegExp(`#define\\s+${name}\\s+(0x[0-9a-fA-F]+|\\d+)`).exec(h);
    assert.ok(m, name);
    assert.equal(Number(m[1]), value, name);
  }
});

test("ruleRequest() defaults: add gets FR_ACT_TO_TBL and the main table; del gets neither", () => {
  assert.deepEqual(ruleRequest("add", { priority: 5 }).fields, { family: 2, action: 1, table: 254 });
  assert.deepEqual(ruleRequest("del", { priority: 5 }).fields, { family: 2 });
  assert.deepEqual(ruleRequest("add", { priority: 5, action: "FR_ACT_NOP" }).fields, { family: 2, action: 3 });
  assert.deepEqual(ruleRequest("add", { src: "2001:db8::1" }).fields, { family: 10, src_len: 128, action: 1, table: 254 });
  assert.deepEqual(ruleRequest("add", { src: "192.0.2.0", src_len: 24 }).fields, { family: 2, src_len: 24, action: 1, table: 254 });
  assert.deepEqual(ruleRequest("add", { table: "local" }).fields, { family: 2, table: 255, action: 1 });
  assert.deepEqual(ruleRequest("add", { FRA_TABLE: 300 }).attrs, [["table", 300]]);
  assert.deepEqual(ruleRequest("add", { uid_range: { start: 1, end: 2 } }).attrs, [["uid_range", { start: 1, end: 2 }]]);
  assert.deepEqual(ruleRequest("add", { uid_range: [7, 9], FRA_FWMARK: 3 }).attrs, [["uid_range", { start: 7, end: 9 }], ["fwmark", 3]]);
});

const BAD: [string, Record<string, unknown>, RegExp, typeof TypeError | typeof RangeError][] = [
  ["unknown keyword", { priority: 1, frobnicate: 2 }, /unknown keyword "frobnicate".*priority/, TypeError],
  ["src prefix 33", { src: "192.0.2.0/33" }, /prefix length 33/, RangeError],
  ["src_len 129", { src: "2001:db8::", src_len: 129 }, /src_len: 129 is out of range/, RangeError],
  ["mixed families", { src: "192.0.2.0/24", dst: "2001:db8::/32" }, /dst.*not of family 2/, TypeError],
  ["bad action", { action: "explode" }, /action.*prohibit/, TypeError],
  ["action 256", { action: 256 }, /action: 256 is out of range/, RangeError],
  ["bad port range", { dport_range: "443-80" }, /dport_range: range 443-80 ends below its start/, RangeError],
  ["port 70000", { sport_range: 70000 }, /sport_range: 70000 is out of range/, RangeError],
  ["bad uid range", { uid_range: "a:b" }, /uid_range: expected "first-last", got "a:b"/, TypeError],
  ["bad ip_proto", { ip_proto: "carrier-pigeon" }, /ip_proto.*tcp/, TypeError],
  ["priority string", { priority: "high" }, /priority/, TypeError],
  ["iifname number", { iifname: 3 }, /iifname/, TypeError],
  ["fwmark too large", { fwmark: 2 ** 32 }, /fwmark/, RangeError],
];

for (const [name, spec, message, kind] of BAD) {
  test(`rule("add") rejects ${name} before sending anything`, async () => {
    const t = new ScriptedTransport((req) => [ack(req)]);
    using ipr = new IPRoute({ transport: t });
    await assert.rejects(ipr.rule("add", spec), (e: unknown) => {
      assert.ok(e instanceof kind, `${e}`);
      assert.match((e as Error).message, message);
      return true;
    });
    assert.equal(t.sent.length, 0);
  });
}

test("rule() rejects an unknown command", async () => {
  const t = new ScriptedTransport((req) => [ack(req)]);
  using ipr = new IPRoute({ transport: t });
  await assert.rejects(ipr.rule("replace" as "add", {}), /unknown command "replace".*flush/);
  assert.equal(t.sent.length, 0);
});

// ---------------------------------------------------------------------------------------------
// dumps and flush against a small fake kernel

interface FakeRule {
  family: number;
  priority: number;
  table: number;
  action: number;
  src?: string;
  src_len?: number;
}

function ruleMsg(r: FakeRule) {
  return {
    schema: fibmsg,
    init: {
      type: RTM.RTM_NEWRULE,
      fields: { family: r.family, table: r.table < 256 ? r.table : 252, action: r.action, src_len: r.src_len ?? 0 },
      attrs: [["table", r.table], ["priority", r.priority], ...(r.src ? [["src", r.src]] : [])] as [string, unknown][],
    },
  };
}

function fakeRules(initial: FakeRule[]) {
  const rules = [...initial];
  const deleted: number[] = [];
  const script = (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    if (m.event === "RTM_GETRULE") {
      const family = m.get("family");
      const out = rules.filter((r) => !family || r.family === family);
      return out.length ? [reply(req, out.map(ruleMsg), { multi: true }), done(req)] : [done(req)];
    }
    if (m.event === "RTM_DELRULE") {
      const i = rules.findIndex((r) => r.priority === m.get("priority") && r.family === m.get("family") && r.table === m.get("table"));
      if (i < 0) return [ack(req, 2)];
      deleted.push(rules[i].priority);
      rules.splice(i, 1);
      return [ack(req)];
    }
    return [ack(req)];
  };
  return { rules, deleted, t: new ScriptedTransport(script) };
}

const INITIAL: FakeRule[] = [
  { family: 2, priority: 0, table: 255, action: 1 },
  { family: 2, priority: 110, table: 10, action: 1, src: "192.0.2.0", src_len: 24 },
  { family: 2, priority: 150, table: 2048, action: 1 },
  { family: 2, priority: 200, table: 0, action: FR_ACT.FR_ACT_PROHIBIT },
  { family: 10, priority: 250, table: 20, action: 1 },
  { family: 2, priority: 32766, table: 254, action: 1 },
];

test("getRules() filters by predicate, table > 255, action name and src prefix (conformance 28)", async () => {
  const { t } = fakeRules(INITIAL);
  using ipr = new IPRoute({ transport: t });
  assert.equal((await ipr.getRules({ priority: (p: number) => p > 100 && p < 500 })).length, 4);
  assert.deepEqual((await ipr.getRules({ table: 2048 })).map((r) => r.get("priority")), [150]);
  assert.deepEqual((await ipr.getRules({ action: "FR_ACT_PROHIBIT" })).map((r) => r.get("priority")), [200]);
  assert.deepEqual((await ipr.getRules({ action: "prohibit" })).map((r) => r.get("priority")), [200]);
  assert.deepEqual((await ipr.getRules({ src: "192.0.2.0/24" })).map((r) => r.get("priority")), [110]);
  assert.deepEqual((await ipr.getRules({ table: "main" })).map((r) => r.get("priority")), [32766]);
  // family goes to the kernel, not to the user-space filter
  const req = decodeDatagram(t.sent[t.sent.length - 1], rtnl)[0];
  assert.equal(req.get("family"), 0);
  await ipr.getRules({ family: "inet6" });
  assert.equal(decodeDatagram(t.sent[t.sent.length - 1], rtnl)[0].get("family"), 10);
});

test("flushRules() deletes exactly the matching rules of the given family (conformance 28)", async () => {
  const { t, rules, deleted } = fakeRules(INITIAL);
  using ipr = new IPRoute({ transport: t });
  const gone = await ipr.flushRules({ family: 2, priority: (p: number) => p > 100 && p < 500 });
  assert.deepEqual(gone.map((r) => r.get("priority")), [110, 150, 200]);
  assert.deepEqual(deleted, [110, 150, 200]);
  assert.deepEqual(rules.map((r) => r.priority), [0, 250, 32766]);
  // each delete carries the dumped header and attributes, FRA_TABLE included
  const dels = t.sent.map((b) => decodeDatagram(b, rtnl)[0]).filter((m) => m.event === "RTM_DELRULE");
  assert.equal(dels.length, 3);
  assert.equal(dels[1].get("table"), 2048);
  assert.equal(dels[0].get("src"), "192.0.2.0");
  assert.equal(dels[0].get("src_len"), 24);
  assert.ok(dels.every((m) => (m.header.flags & NLM_F.ACK) !== 0));
  assert.deepEqual(await ipr.rule("flush", { priority: 999 }), []);
});
