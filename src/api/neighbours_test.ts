import assert from "node:assert/strict";
import { test } from "node:test";
import { NLM_F } from "../marshal/header.ts";
import { type NlMsg, decodeDatagram } from "../marshal/message.ts";
import { NTF, NUD, RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { requestFixtures, sentBy, toHexText, withoutSeq } from "./_request_fixtures.ts";
import { IPRoute } from "./iproute.ts";
import { nudState, ntfFlags } from "./neighbours.ts";

const fixtures = requestFixtures("neigh");

test("neigh request fixtures: add, replace, change, get, del, proxy entries", () => {
  const commands = new Set(fixtures.map((f) => f.verbCommand));
  for (const c of ["add", "replace", "change", "get", "del"]) assert.ok(commands.has(c), c);
  assert.ok(fixtures.some((f) => f.spec.proxy === true));
});

for (const f of fixtures) {
  test(`neigh("${f.verbCommand}", ${JSON.stringify(f.spec)}) encodes like \`${f.command}\``, async () => {
    const sent = await sentBy(f);
    assert.equal(sent.length, 1);
    const get = f.verbCommand === "get";
    if (get) assert.ok(sent[0][6] & NLM_F.ACK, "a get asks for an ACK");
    assert.equal(toHexText(withoutSeq(sent[0], get)), toHexText(withoutSeq(f.bytes, get)));
  });
}

test("nudState() and ntfFlags() take numbers, names with or without prefix, and lists", () => {
  assert.equal(nudState("permanent"), NUD.NUD_PERMANENT);
  assert.equal(nudState("NUD_REACHABLE"), NUD.NUD_REACHABLE);
  assert.equal(nudState(["noarp", "permanent"]), 0xc0);
  assert.equal(nudState(0x20), NUD.NUD_FAILED);
  assert.equal(ntfFlags("proxy"), NTF.NTF_PROXY);
  assert.equal(ntfFlags(["NTF_SELF", "extern_learn"]), NTF.NTF_SELF | NTF.NTF_EXT_LEARNED);
  assert.throws(() => nudState("sleepy"), /Invalid state: .*permanent/);
  assert.throws(() => nudState(0x10000), RangeError);
  assert.throws(() => ntfFlags(256), RangeError);
});

const BAD: [string, string, Record<string, unknown>, RegExp, typeof TypeError | typeof RangeError][] = [
  ["no ifindex", "add", { dst: "192.0.2.2", lladdr: "00:11:22:33:44:55" }, /ifindex is required/, TypeError],
  ["no dst", "add", { ifindex: 2, lladdr: "00:11:22:33:44:55" }, /dst is required/, TypeError],
  ["a prefix as dst", "add", { ifindex: 2, dst: "192.0.2.0/24" }, /Invalid dst: expected an address/, TypeError],
  ["bad lladdr", "add", { ifindex: 2, dst: "192.0.2.2", lladdr: "00:11:zz" }, /lladdr/, TypeError],
  ["bad state", "add", { ifindex: 2, dst: "192.0.2.2", state: "sleepy" }, /Invalid state/, TypeError],
  ["unknown keyword", "add", { ifindex: 2, dst: "192.0.2.2", colour: "red" }, /unknown keyword "colour"/, TypeError],
  ["family mismatch", "add", { ifindex: 2, dst: "2001:db8::1", family: 2 }, /not of family 2/, TypeError],
  ["proxy not boolean", "add", { ifindex: 2, dst: "192.0.2.9", proxy: "yes" }, /Invalid proxy: expected a boolean/, TypeError],
  ["negative ifindex", "del", { ifindex: -1, dst: "192.0.2.2" }, /Invalid ifindex: -1/, RangeError],
  ["vlan 70000", "add", { ifindex: 2, dst: "192.0.2.2", vlan: 70000 }, /vlan/, RangeError],
];

for (const [name, command, spec, message, kind] of BAD) {
  test(`neigh("${command}") rejects ${name} before sending anything`, async () => {
    const t = new ScriptedTransport((req) => [ack(req)]);
    using ipr = new IPRoute({ transport: t });
    await assert.rejects(ipr.neigh(command as "add", spec), (e: unknown) => {
      assert.ok(e instanceof kind, `${e}`);
      assert.match((e as Error).message, message);
      return true;
    });
    assert.equal(t.sent.length, 0);
  });
}

// ---------------------------------------------------------------------------------------------
// a fake kernel with links v0 (2), v1 (3) and a few neighbours

interface FakeNeigh {
  family: number;
  ifindex: number;
  dst: string;
  lladdr?: string;
  state: number;
  flags: number;
}

function neighMsg(n: FakeNeigh) {
  return {
    schema: ndmsg,
    init: { type: RTM.RTM_NEWNEIGH, fields: { family: n.family, ifindex: n.ifindex, state: n.state, flags: n.flags }, attrs: { dst: n.dst, ...(n.lladdr ? { lladdr: n.lladdr } : {}) } },
  };
}

function fakeKernel(entries: FakeNeigh[]) {
  const neighs = [...entries];
  const script = (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    switch (m.event) {
      case "RTM_GETLINK": {
        const index = ({ v0: 2, v1: 3 } as Record<string, number>)[m.get("ifname") as string];
        if (!index) return [ack(req, 19)];
        return [reply(req, [{ schema: ifinfomsg, init: { type: RTM.RTM_NEWLINK, fields: { index }, attrs: { ifname: m.get("ifname") } } }]), ack(req)];
      }
      case "RTM_GETNEIGH": {
        if ((req.header.flags & NLM_F.DUMP) !== NLM_F.DUMP) {
          const n = neighs.find((x) => x.dst === m.get("dst") && x.ifindex === m.get("ifindex"));
          return n ? [reply(req, [neighMsg(n)]), ack(req)] : [ack(req, 2)];
        }
        const proxy = m.get("flags") === NTF.NTF_PROXY;
        const family = m.get("family");
        const out = neighs.filter((n) => (!family || n.family === family) && ((n.flags & NTF.NTF_PROXY) !== 0) === proxy);
        return out.length ? [reply(req, out.map(neighMsg), { multi: true }), done(req)] : [done(req)];
      }
      case "RTM_DELNEIGH": {
        const i = neighs.findIndex((x) => x.dst === m.get("dst") && x.ifindex === m.get("ifindex"));
        if (i < 0) return [ack(req, 2)];
        neighs.splice(i, 1);
        return [ack(req)];
      }
      default:
        return [ack(req)];
    }
  };
  return { neighs, t: new ScriptedTransport(script) };
}

const ENTRIES: FakeNeigh[] = [
  { family: 2, ifindex: 2, dst: "192.0.2.2", lladdr: "00:11:22:33:44:55", state: NUD.NUD_PERMANENT, flags: 0 },
  { family: 2, ifindex: 2, dst: "192.0.2.3", lladdr: "00:11:22:33:44:56", state: NUD.NUD_PERMANENT, flags: 0 },
  { family: 2, ifindex: 3, dst: "192.0.2.4", lladdr: "00:11:22:33:44:57", state: NUD.NUD_REACHABLE, flags: 0 },
  { family: 10, ifindex: 2, dst: "2001:db8::2", lladdr: "00:11:22:33:44:58", state: NUD.NUD_STALE, flags: NTF.NTF_ROUTER },
  { family: 2, ifindex: 2, dst: "192.0.2.9", state: NUD.NUD_NONE, flags: NTF.NTF_PROXY },
];

test("getNeighbours(): ifindex by name, family, dst, state names, callable match (conformance 29)", async () => {
  const { t } = fakeKernel(ENTRIES);
  using ipr = new IPRoute({ transport: t });
  assert.equal((await ipr.getNeighbours({ ifindex: "v0", family: 2 })).length, 2);
  assert.equal((await ipr.getNeighbours({ ifindex: 2, dst: "192.0.2.2" })).length, 1);
  assert.equal((await ipr.getNeighbours({ ifindex: 2, match: (m: NlMsg) => m.get("family") === 2 })).length, 2);
  assert.deepEqual((await ipr.getNeighbours({ state: "reachable" })).map((n) => n.get("dst")), ["192.0.2.4"]);
  assert.deepEqual((await ipr.getNeighbours({ dst: "2001:DB8:0::2" })).map((n) => n.get("dst")), ["2001:db8::2"]);
  assert.deepEqual((await ipr.getNeighbours({ lladdr: "00:11:22:33:44:5A".replace("5A", "56") })).map((n) => n.get("dst")), ["192.0.2.3"]);
  const [n] = await ipr.neigh("get", { dst: "192.0.2.2", ifindex: "v0" });
  assert.equal(n.get("dst"), "192.0.2.2");
});

test("neigh(\"dump\", { proxy: true }) asks the kernel for the proxy table", async () => {
  const { t } = fakeKernel(ENTRIES);
  using ipr = new IPRoute({ transport: t });
  const proxies = await ipr.neigh("dump", { proxy: true });
  assert.deepEqual(proxies.map((n) => n.get("dst")), ["192.0.2.9"]);
  const req = decodeDatagram(t.sent[t.sent.length - 1], rtnl)[0];
  assert.equal(req.get("flags"), NTF.NTF_PROXY);
  assert.equal((await ipr.neigh("dump", { proxy: false, family: 2 })).length, 3);
});

test("neigh(\"flush\") deletes what the filter matches, permanent entries included", async () => {
  const { t, neighs } = fakeKernel(ENTRIES);
  using ipr = new IPRoute({ transport: t });
  const gone = await ipr.neigh("flush", { ifindex: "v0", family: 2 });
  assert.deepEqual(gone.map((n) => n.get("dst")), ["192.0.2.2", "192.0.2.3"]);
  assert.deepEqual(neighs.map((n) => n.dst), ["192.0.2.4", "2001:db8::2", "192.0.2.9"]);
  const dels = t.sent.map((b) => decodeDatagram(b, rtnl)[0]).filter((m) => m.event === "RTM_DELNEIGH");
  assert.deepEqual(dels.map((m) => [m.get("ifindex"), m.get("dst"), m.get("lladdr")]), [[2, "192.0.2.2", "00:11:22:33:44:55"], [2, "192.0.2.3", "00:11:22:33:44:56"]]);
});

test("neigh(\"add\") resolves an interface name once and refuses unknown ones with ENODEV", async () => {
  const { t } = fakeKernel([]);
  using ipr = new IPRoute({ transport: t });
  await ipr.neigh("add", { dst: "192.0.2.5", lladdr: "00:11:22:33:44:55", ifindex: "v1" });
  const add = decodeDatagram(t.sent[t.sent.length - 1], rtnl)[0];
  assert.equal(add.event, "RTM_NEWNEIGH");
  assert.equal(add.get("ifindex"), 3);
  assert.equal(add.header.flags & (NLM_F.CREATE | NLM_F.EXCL), NLM_F.CREATE | NLM_F.EXCL);
  await assert.rejects(ipr.neigh("add", { dst: "192.0.2.6", ifindex: "nope0" }), (e: unknown) => (e as { code?: string }).code === "ENODEV");
});
