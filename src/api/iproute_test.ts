import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { type NlMsg, decodeDatagram } from "../marshal/message.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { rtmsg } from "../rtnl/route.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { IPRoute } from "./iproute.ts";

const LINKS = [
  { index: 1, ifname: "lo", flags: 0x49, kind: undefined },
  { index: 2, ifname: "v0", flags: 0x1003, kind: "veth" },
  { index: 3, ifname: "v1", flags: 0x1002, kind: "veth" },
  { index: 4, ifname: "br0", flags: 0x1003, kind: "bridge" },
];

function linkMsg(l: (typeof LINKS)[number]) {
  return {
    schema: ifinfomsg,
    init: {
      type: RTM.RTM_NEWLINK,
      fields: { index: l.index, flags: l.flags },
      attrs: { ifname: l.ifname, mtu: 1500, ...(l.kind ? { linkinfo: { kind: l.kind } } : {}) },
    },
  };
}

function routeMsg(dst: string, len: number, table: number, oif: number) {
  return {
    schema: rtmsg,
    init: {
      type: RTM.RTM_NEWROUTE,
      fields: { family: 2, dst_len: len, table: table < 256 ? table : 252, type: 1 },
      attrs: { ...(len ? { dst } : {}), table, oif },
    },
  };
}

/** A small fake kernel: links, routes and addresses; `get` by name or index. */
function fakeKernel(req: ScriptedRequest): Uint8Array[] {
  const [m] = decodeDatagram(req.bytes, rtnl);
  const isDump = (req.header.flags & NLM_F.DUMP) === NLM_F.DUMP;
  switch (m.event) {
    case "RTM_GETLINK": {
      if (isDump) return [reply(req, LINKS.slice(0, 2).map(linkMsg), { multi: true }), reply(req, LINKS.slice(2).map(linkMsg), { multi: true }), done(req)];
      const name = m.get("ifname");
      const idx = m.get("index");
      const l = LINKS.find((x) => x.ifname === name || (name === undefined && x.index === idx));
      if (!l) return [ack(req, 19, "no such device")];
      return [reply(req, [linkMsg(l)]), ack(req)];
    }
    case "RTM_GETROUTE":
      if (!isDump) return [reply(req, [routeMsg(m.get("dst") as string, 32, 254, 2)]), ack(req)];
      return [
        reply(req, [routeMsg("192.0.2.0", 24, 254, 2), routeMsg("0.0.0.0", 0, 254, 2), routeMsg("198.51.100.0", 24, 10101, 3)], { multi: true }),
        done(req),
      ];
    case "RTM_GETADDR": {
      const family = m.get("family");
      return [
        reply(req, [
          { schema: ifaddrmsg, init: { type: RTM.RTM_NEWADDR, fields: { family: 2, prefixlen: 24, index: 2 }, attrs: { address: "192.0.2.1", local: "192.0.2.1", label: "v0" } } },
          { schema: ifaddrmsg, init: { type: RTM.RTM_NEWADDR, fields: { family: 10, prefixlen: 64, index: 2 }, attrs: { address: "2001:db8::1" } } },
        ].filter((a) => !family || a.init.fields.family === family), { multi: true }),
        done(req),
      ];
    }
    default:
      return [ack(req, 95, "not in this fake")];
  }
}

function open(script = fakeKernel) {
  const t = new ScriptedTransport(script);
  return { t, ipr: new IPRoute({ transport: t }) };
}

test("getLinks() collects a multipart dump across datagrams", async () => {
  const { ipr, t } = open();
  const links = await ipr.getLinks();
  assert.deepEqual(links.map((l) => l.get("ifname")), ["lo", "v0", "v1", "br0"]);
  assert.equal(links[1].get("state"), "up");
  assert.equal(links[2].get("state"), "down");
  assert.equal(links[1].get(["linkinfo", "kind"]), "veth");
  // the request was a dump with REQUEST|DUMP and the family header
  const [req] = decodeDatagram(t.sent[0], rtnl);
  assert.equal(req.event, "RTM_GETLINK");
  assert.equal(req.header.flags & (NLM_F.REQUEST | NLM_F.DUMP), NLM_F.REQUEST | NLM_F.DUMP);
});

test("filters: value, nested object, predicate, match function, index arguments", async () => {
  const { ipr } = open();
  assert.deepEqual((await ipr.getLinks({ ifname: "v1" })).map((l) => l.get("index")), [3]);
  assert.deepEqual((await ipr.getLinks({ linkinfo: { kind: "veth" } })).map((l) => l.get("index")), [2, 3]);
  assert.deepEqual((await ipr.getLinks({ index: (i: number) => i > 2 })).map((l) => l.get("index")), [3, 4]);
  assert.deepEqual((await ipr.link("dump", { match: (m: NlMsg) => m.get("state") === "up" })).map((l) => l.get("ifname")), ["lo", "v0", "br0"]);
  assert.deepEqual((await ipr.getLinks(1, 4)).map((l) => l.get("ifname")), ["lo", "br0"]);
  assert.deepEqual((await ipr.getLinks({ state: "up", linkinfo: { kind: "bridge" } })).map((l) => l.get("ifname")), ["br0"]);
});

test("getRoutes() filters by table above 255, by dst prefix and by default", async () => {
  const { ipr } = open();
  assert.deepEqual((await ipr.getRoutes({ table: 10101 })).map((r) => r.get("dst")), ["198.51.100.0"]);
  assert.equal((await ipr.getRoutes({ table: 10101 }))[0].get("table"), 10101);
  assert.deepEqual((await ipr.getRoutes({ dst: "192.0.2.0/24" })).map((r) => r.get("oif")), [2]);
  assert.deepEqual((await ipr.getRoutes({ dst: "192.0.2.0/255.255.255.0" })).length, 1);
  assert.equal((await ipr.getDefaultRoutes()).length, 1);
  assert.equal((await ipr.getRoutes()).length, 3);
});

test("getAddr() filters by family and by address with prefix", async () => {
  const { ipr } = open();
  assert.equal((await ipr.getAddr({ family: 2 })).length, 1);
  assert.equal((await ipr.getAddr({ address: "2001:DB8:0::1/64" })).length, 1);
  assert.equal((await ipr.getAddr({ label: "v0" }))[0].get("address"), "192.0.2.1");
});

test("linkLookup() by name uses a get and returns [] for a missing link", async () => {
  const { ipr, t } = open();
  assert.deepEqual(await ipr.linkLookup({ ifname: "v1" }), [3]);
  assert.deepEqual(await ipr.linkLookup({ ifname: "nope" }), []);
  const [req] = decodeDatagram(t.sent[0], rtnl);
  assert.equal(req.header.flags & NLM_F.DUMP, 0);
  assert.equal(req.header.flags & NLM_F.ACK, NLM_F.ACK);
  assert.deepEqual(await ipr.linkLookup({ linkinfo: { kind: "veth" } }), [2, 3]);
});

test("50 concurrent mixed requests each get their own answer", async () => {
  const { ipr } = open();
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < 50; i++) {
    const l = LINKS[i % LINKS.length];
    if (i % 3 === 0) calls.push(ipr.link("get", { ifname: l.ifname }).then((m) => m[0].get("index")));
    else if (i % 3 === 1) calls.push(ipr.route("get", { dst: `192.0.2.${i}` }).then((m) => m[0].get("dst")));
    else calls.push(ipr.getLinks().then((m) => m.length));
  }
  const results = await Promise.all(calls);
  results.forEach((r, i) => {
    const l = LINKS[i % LINKS.length];
    if (i % 3 === 0) assert.equal(r, l.index, `call ${i}`);
    else if (i % 3 === 1) assert.equal(r, `192.0.2.${i}`, `call ${i}`);
    else assert.equal(r, 4, `call ${i}`);
  });
});

test("a kernel refusal is a NetlinkError with errno name, op and extended-ACK text", async () => {
  const { ipr } = open((req) => [ack(req, 22, "Invalid values in header for route get request")]);
  await assert.rejects(ipr.route("get", { dst: "1.2.3.4", dst_len: 0, table: 254 }), (e: unknown) => {
    assert.ok(e instanceof NetlinkError);
    assert.equal(e.code, "EINVAL");
    assert.equal(e.errno, 22);
    assert.equal(e.op, "RTM_GETROUTE");
    assert.equal(e.extack, "Invalid values in header for route get request");
    assert.match(e.message, /EINVAL.*Invalid values/);
    return true;
  });
});

test("bad input throws before anything is sent", async () => {
  const { ipr, t } = open();
  await assert.rejects(ipr.route("get", { dst: "300.1.1.1" }), TypeError);
  await assert.rejects(ipr.link("get", { ifname: "a-name-of-16-byt" }), (e: unknown) => e instanceof RangeError && /ifname/.test(e.message));
  await assert.rejects(ipr.getRoutes({ dst: "192.0.2.0/33" }), RangeError);
  await assert.rejects(ipr.link("get", { ifname: "v0", mtuu: 1 }), (e: unknown) => e instanceof TypeError && /mtuu/.test(e.message));
  await assert.rejects(ipr.getRoutes({ family: "ipx" }), TypeError);
  assert.equal(t.sent.length, 0);
});

test("replies with another sequence number or port are ignored", async () => {
  const { ipr, t } = open((req) => {
    const stale = { ...req, header: { ...req.header, sequence_number: req.header.sequence_number - 1 } };
    return [reply(stale, [linkMsg(LINKS[0])]), ack(stale), reply(req, [linkMsg(LINKS[1])], { portId: 999 }), reply(req, [linkMsg(LINKS[2])]), ack(req)];
  });
  const msgs = await ipr.link("get", { index: 3 });
  assert.deepEqual(msgs.map((m) => m.get("ifname")), ["v1"]);
  assert.equal(ipr.connection.stats.foreign, 3);
  assert.equal(t.sent.length, 1);
});

test("NLM_F_DUMP_INTR restarts the dump, then gives up with EINTR", async () => {
  let n = 0;
  const flaky = (req: ScriptedRequest) => {
    n++;
    return [reply(req, LINKS.map(linkMsg), { multi: true, flags: n < 3 ? NLM_F.DUMP_INTR : 0 }), done(req)];
  };
  const { ipr } = open(flaky);
  assert.equal((await ipr.getLinks()).length, 4);
  assert.equal(n, 3);
  assert.equal(ipr.connection.stats.dumpRestarts, 2);
  const always = open((req) => [reply(req, LINKS.map(linkMsg), { multi: true, flags: NLM_F.DUMP_INTR }), done(req)]);
  await assert.rejects(always.ipr.getLinks(), (e: unknown) => e instanceof NetlinkError && e.code === "EINTR");
  assert.equal(always.t.sent.length, 6);
});

test("no reply is a NetlinkError ETIMEDOUT, not a hang", async () => {
  const t = new ScriptedTransport(() => []);
  const ipr = new IPRoute({ transport: t, timeoutMs: 1 });
  await assert.rejects(ipr.getLinks(), (e: unknown) => e instanceof NetlinkError && e.code === "ETIMEDOUT");
});

test("close() and dispose close the transport; later calls reject", async () => {
  const { ipr, t } = open();
  {
    using scoped = ipr;
    await scoped.getLinks();
  }
  assert.equal(t.closed, true);
  await assert.rejects(ipr.getLinks(), /closed/);
});

test("toJSON() gives pyroute2's dict shape", async () => {
  const { ipr } = open();
  const [, v0] = await ipr.getLinks();
  const j = JSON.parse(JSON.stringify(v0));
  assert.equal(j.index, 2);
  assert.equal(j.event, "RTM_NEWLINK");
  assert.equal(j.state, "up");
  assert.deepEqual(j.attrs[0], ["IFLA_IFNAME", "v0"]);
  assert.deepEqual(j.attrs.find((a: [string, unknown]) => a[0] === "IFLA_LINKINFO")[1], { attrs: [["IFLA_INFO_KIND", "veth"]] });
  assert.equal(typeof j.header.sequence_number, "number");
});

test("get() prefers header fields, except fields a schema declares widened (rtm_table)", async () => {
  const { ndmsg } = await import("../rtnl/neigh.ts");
  const { encodeMessage } = await import("../marshal/message.ts");
  // an fdb entry on vx0 (4) whose NDA_IFINDEX names the via device (3): different things
  const bytes = encodeMessage(ndmsg, { type: RTM.RTM_NEWNEIGH, fields: { family: 7, ifindex: 4 }, attrs: { lladdr: "00:00:00:00:00:00", ifindex: 3 } });
  const [m] = decodeDatagram(bytes, rtnl);
  assert.equal(m.get("ifindex"), 4);
  assert.equal(m.get("NDA_IFINDEX"), 3);
  const [r] = decodeDatagram(encodeMessage(rtmsg, { type: RTM.RTM_NEWROUTE, fields: { table: 252 }, attrs: { table: 10101 } }), rtnl);
  assert.equal(r.get("table"), 10101);
  assert.equal(r.fields.table, 252);
});
