import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { type NlMsg, decodeDatagram } from "../marshal/message.ts";
import { Attrs } from "../marshal/schema.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { IFF, RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { rtmsg } from "../rtnl/route.ts";
import { fibmsg } from "../rtnl/rule.ts";
import { ScriptedTransport, type ScriptedRequest, ack, done, reply } from "../socket/scripted.ts";
import { Address, ChainError, FinalChain, Interface, Neighbour, Route, Rule } from "./fluent.ts";
import { IPRoute } from "./iproute.ts";

interface FakeLink {
  index: number;
  ifname: string;
  mtu: number;
  flags: number;
  kind?: string;
}

/**
 * A small stateful kernel: links (veth creates its peer), addresses (EEXIST on a repeat), and an
 * ACK for anything else; dumps answer from that state. `refuse` makes one message type fail.
 */
function fakeKernel(refuse: { event?: string; errno?: number; extack?: string } = {}) {
  const links: FakeLink[] = [{ index: 1, ifname: "lo", mtu: 65536, flags: IFF.IFF_UP | IFF.IFF_LOOPBACK }];
  const addrs: { index: number; address: string; prefixlen: number }[] = [];
  let next = 2;
  const linkReply = (l: FakeLink) => ({
    schema: ifinfomsg,
    init: { type: RTM.RTM_NEWLINK, fields: { index: l.index, flags: l.flags }, attrs: { ifname: l.ifname, mtu: l.mtu, ...(l.kind ? { linkinfo: { kind: l.kind } } : {}) } },
  });
  const script = (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    const f = m.fields;
    if (m.event === refuse.event) return [ack(req, refuse.errno ?? 1, refuse.extack)];
    const dump = (req.header.flags & NLM_F.DUMP) !== 0;
    switch (m.event) {
      case "RTM_GETLINK": {
        if (dump) return [reply(req, links.map(linkReply), { multi: true }), done(req)];
        const name = m.get("ifname") as string | undefined;
        const l = links.find((x) => (name !== undefined ? x.ifname === name : x.index === f.index));
        return l ? [reply(req, [linkReply(l)]), ack(req)] : [ack(req, 19)];
      }
      case "RTM_NEWLINK": {
        if (req.header.flags & NLM_F.CREATE) {
          const name = m.get("ifname") as string;
          if (links.some((l) => l.ifname === name)) return [ack(req, 17)];
          const li = m.get("linkinfo") as Attrs;
          const kind = li.get("kind") as string;
          links.push({ index: next++, ifname: name, mtu: 1500, flags: 0, kind });
          const peer = (li.get("data") as Attrs | undefined)?.get("peer") as { attrs: Attrs } | undefined;
          if (peer) links.push({ index: next++, ifname: peer.attrs.get("ifname") as string, mtu: 1500, flags: 0, kind });
          return [ack(req)];
        }
        const l = links.find((x) => x.index === f.index);
        if (!l) return [ack(req, 19)];
        if (m.get("net_ns_fd") !== undefined) {
          links.splice(links.indexOf(l), 1);
          return [ack(req)];
        }
        l.flags = (l.flags & ~(f.change as number)) | ((f.flags as number) & (f.change as number));
        l.mtu = (m.get("mtu") as number | undefined) ?? l.mtu;
        l.ifname = (m.get("ifname") as string | undefined) ?? l.ifname;
        return [ack(req)];
      }
      case "RTM_DELLINK": {
        const name = m.get("ifname") as string | undefined;
        const i = links.findIndex((x) => (name !== undefined ? x.ifname === name : x.index === f.index));
        if (i < 0) return [ack(req, 19)];
        links.splice(i, 1);
        return [ack(req)];
      }
      case "RTM_NEWADDR": {
        const a = { index: f.index as number, address: m.get("local") as string, prefixlen: f.prefixlen as number };
        if (addrs.some((x) => x.index === a.index && x.address === a.address)) return [ack(req, 17, "address already assigned")];
        addrs.push(a);
        return [ack(req)];
      }
      case "RTM_GETADDR":
        return [
          reply(req, addrs.map((a) => ({ schema: ifaddrmsg, init: { type: RTM.RTM_NEWADDR, fields: { family: 2, prefixlen: a.prefixlen, index: a.index }, attrs: { address: a.address, local: a.address } } })), { multi: true }),
          done(req),
        ];
      case "RTM_GETROUTE":
        if (dump) {
          return [
            reply(req, [{ schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 24, table: 254, proto: 4, type: 1 }, attrs: { dst: "198.51.100.0", gateway: "192.0.2.2", oif: 2, table: 254 } } }], { multi: true }),
            done(req),
          ];
        }
        return [reply(req, [{ schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 32, table: 254, type: 1 }, attrs: { dst: m.get("dst"), gateway: "192.0.2.2", oif: 2 } } }]), ack(req)];
      case "RTM_GETNEIGH":
        return [
          reply(req, [{ schema: ndmsg, init: { type: RTM.RTM_NEWNEIGH, fields: { family: 2, ifindex: 2, state: 0x80 }, attrs: { dst: "192.0.2.2", lladdr: "02:00:00:00:00:02" } } }], { multi: dump }),
          dump ? done(req) : ack(req),
        ];
      case "RTM_GETRULE":
        return [
          reply(req, [{ schema: fibmsg, init: { type: RTM.RTM_NEWRULE, fields: { family: 2, src_len: 24, table: 100, action: 1 }, attrs: { priority: 100, table: 100, src: "198.51.100.0" } } }], { multi: true }),
          done(req),
        ];
      default:
        return [ack(req)];
    }
  };
  const t = new ScriptedTransport(script);
  return { t, links, addrs, ipr: new IPRoute({ transport: t }) };
}

function sent(t: ScriptedTransport): NlMsg[] {
  return t.sent.map((d) => decodeDatagram(d, rtnl)[0]);
}

/** The bytes a datagram would have with sequence number 0 (to compare requests of two sockets). */
function noSeq(d: Uint8Array): string {
  const c = d.slice();
  new DataView(c.buffer).setUint32(8, 0, true);
  return Array.from(c, (b) => b.toString(16).padStart(2, "0")).join("");
}

test("interfaces.create(veth).up().addIp() sends the verbs' requests in order and resolves to the interface", async () => {
  const { t, ipr, links, addrs } = fakeKernel();
  const v0 = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
  assert.ok(v0 instanceof Interface);
  assert.deepEqual([v0.index, v0.ifname, v0.state, v0.mtu, v0.kind], [2, "v0", "up", 1500, "veth"]);
  assert.equal(v0.msg.get("ifname"), "v0");
  const msgs = sent(t);
  assert.deepEqual(msgs.map((m) => m.event), ["RTM_NEWLINK", "RTM_GETLINK", "RTM_NEWLINK", "RTM_NEWADDR", "RTM_GETLINK"]);
  assert.equal(msgs[0].header.flags & (NLM_F.CREATE | NLM_F.EXCL), NLM_F.CREATE | NLM_F.EXCL);
  assert.deepEqual([msgs[2].fields.index, msgs[2].fields.flags, msgs[2].fields.change], [2, IFF.IFF_UP, IFF.IFF_UP]);
  assert.deepEqual([msgs[3].fields.index, msgs[3].fields.prefixlen, msgs[3].get("local")], [2, 24, "192.0.2.1"]);
  assert.deepEqual(links.map((l) => [l.ifname, l.flags & IFF.IFF_UP]), [["lo", 1], ["v0", 1], ["v1", 0]]);
  assert.deepEqual(addrs, [{ index: 2, address: "192.0.2.1", prefixlen: 24 }]);

  // each step sends exactly what the verb sends on its own
  const direct = fakeKernel();
  await direct.ipr.link("add", { ifname: "v0", kind: "veth", peer: "v1" });
  await direct.ipr.link("set", { index: 2, state: "up" });
  await direct.ipr.addr("add", { index: 2, address: "192.0.2.1/24" });
  assert.deepEqual([t.sent[0], t.sent[2], t.sent[3]].map(noSeq), direct.t.sent.map(noSeq));
});

test("a failing step rejects with a ChainError (a NetlinkError) naming it and the steps completed before it", async () => {
  const { ipr, links } = fakeKernel({ event: "RTM_NEWADDR", errno: 17, extack: "address already assigned" });
  const err = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24").then(
    () => assert.fail("the chain should reject"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ChainError);
  assert.ok(err instanceof NetlinkError);
  assert.equal(err.code, "EEXIST");
  assert.equal(err.op, "RTM_NEWADDR");
  assert.equal(err.extack, "address already assigned");
  assert.equal(err.step, `addIp("192.0.2.1/24")`);
  assert.deepEqual(err.completed, [`create({ ifname: "v0", kind: "veth", peer: "v1" })`, "up()"]);
  assert.match(err.message, /^addIp\("192\.0\.2\.1\/24"\) failed: RTM_NEWADDR failed: EEXIST: address already assigned \(completed before it: create\(.*\), up\(\)\)$/);
  assert.ok(err.cause instanceof NetlinkError);
  // the completed steps stay done: nothing is rolled back
  assert.deepEqual(links.map((l) => l.ifname), ["lo", "v0", "v1"]);
});

test("a missing interface fails its first step with ENODEV and no completed steps", async () => {
  const { ipr } = fakeKernel();
  await assert.rejects(async () => await ipr.interface("nope").up().addIp("192.0.2.1/24"), (e: unknown) => {
    assert.ok(e instanceof ChainError);
    assert.equal(e.code, "ENODEV");
    assert.equal(e.step, "up()");
    assert.deepEqual(e.completed, []);
    assert.match(e.message, /no step completed before it/);
    return true;
  });
});

test("bad input is rejected before anything is sent", () => {
  const { t, ipr } = fakeKernel();
  assert.throws(() => ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.300/24"), TypeError);
  assert.throws(() => ipr.interface("v0").addIp(""), TypeError);
  assert.throws(() => ipr.interface(0), RangeError);
  assert.throws(() => ipr.interface(""), TypeError);
  assert.throws(() => ipr.interface("v0").set({ index: 3 } as never), /index selects the interface/);
  assert.throws(() => ipr.interfaces.create({ kind: "veth" } as never), /ifname is required/);
  assert.equal(t.sent.length, 0);
});

test("bad input in any step throws when the chain is built, before the first step is sent", () => {
  const { t, ipr } = fakeKernel();
  const create = () => ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
  assert.throws(() => create().up().set({ mtu: -1 }), (e: unknown) => e instanceof RangeError && /mtu/.test(e.message));
  assert.throws(() => create().set({ ifname: "a-name-longer-than-15" }), RangeError);
  assert.throws(() => create().addIp({ address: "192.0.2.1", prefixlen: 33 }), RangeError);
  assert.throws(() => create().setMaster(""), TypeError);
  assert.throws(() => create().setNetns(-1), RangeError);
  assert.throws(() => ipr.interfaces.create({ ifname: "vx0", kind: "vxlan", vxlan_id: "x" }), TypeError);
  assert.equal(t.sent.length, 0);
});

test("an error a step meets at run time keeps its message and names the step", async () => {
  const { ipr } = fakeKernel();
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
  // no namespace of that name (or, in a pure run, no netns service): found only when the step runs
  await assert.rejects(async () => await ipr.interface("v0").up().setNetns("nlroute-no-such-namespace"), (e: unknown) => {
    assert.ok(e instanceof Error && !(e instanceof NetlinkError));
    assert.match(e.message, /^setNetns\("nlroute-no-such-namespace"\) failed: .+ \(completed before it: up\(\)\)$/);
    assert.deepEqual([(e as Error & { step: string }).step, (e as Error & { completed: string[] }).completed], [`setNetns("nlroute-no-such-namespace")`, ["up()"]]);
    assert.ok(e.cause instanceof Error);
    return true;
  });
});

test("interface(name).set({ mtu }).down() and a rename keep acting on the same index", async () => {
  const { t, ipr } = fakeKernel();
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up();
  t.sent.length = 0;
  const v0 = await ipr.interface("v0").set({ mtu: 1400 }).down();
  assert.deepEqual([v0.mtu, v0.state], [1400, "down"]);
  const msgs = sent(t);
  assert.deepEqual(msgs.map((m) => m.event), ["RTM_GETLINK", "RTM_NEWLINK", "RTM_NEWLINK", "RTM_GETLINK"]);
  assert.deepEqual([msgs[1].fields.index, msgs[1].get("mtu")], [2, 1400]);
  assert.deepEqual([msgs[2].fields.flags, msgs[2].fields.change], [0, IFF.IFF_UP]);
  const renamed = await ipr.interface(2).set({ ifname: "v0b" }).up();
  assert.deepEqual([renamed.index, renamed.ifname, renamed.state], [2, "v0b", "up"]);
});

test("setNetns() and del() end the chain and resolve to nothing", async () => {
  const { t, ipr, links } = fakeKernel();
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
  const chain = ipr.interface("v1").down().setNetns(7);
  assert.ok(chain instanceof FinalChain);
  assert.deepEqual(chain.steps, ["down()", "setNetns(7)"]);
  assert.equal(await chain, undefined);
  const last = sent(t).at(-1)!;
  assert.deepEqual([last.event, last.fields.index, last.get("net_ns_fd")], ["RTM_NEWLINK", 3, 7]);
  await ipr.interface("v0").del();
  assert.equal(sent(t).at(-1)!.event, "RTM_DELLINK");
  assert.deepEqual(links.map((l) => l.ifname), ["lo"]);
});

test("chains are immutable and run once however often they are awaited", async () => {
  const { t, ipr } = fakeKernel();
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
  const base = ipr.interface("v0");
  const upped = base.up();
  assert.deepEqual(base.steps, []);
  assert.deepEqual(upped.steps, ["up()"]);
  const before = t.sent.length;
  assert.equal(t.sent.length, before, "building a chain sends nothing");
  const [a, b] = await Promise.all([upped, upped]);
  assert.equal(a, b);
  assert.equal(t.sent.length - before, 3); // get index, set up, read back
});

test("interfaces.list / get / exists / delete", async () => {
  const { ipr } = fakeKernel();
  await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" });
  const all = await ipr.interfaces.list();
  assert.deepEqual(all.map((i) => i.ifname), ["lo", "v0", "v1"]);
  assert.deepEqual((await ipr.interfaces.list({ kind: "veth" })).map((i) => i.index), [2, 3]);
  assert.deepEqual((await ipr.interfaces.get("lo")).toJSON().ifname, "lo");
  assert.equal(await ipr.interfaces.exists("v1"), true);
  assert.equal(await ipr.interfaces.exists("v9"), false);
  await assert.rejects(ipr.interfaces.get("v9"), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV");
  await ipr.interfaces.delete("v0");
  assert.equal(await ipr.interfaces.exists("v0"), false);
});

test("routes, addresses, neighbours and rules: create/delete send the verbs' requests, list/get give typed objects", async () => {
  const { t, ipr } = fakeKernel();
  await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
  let m = sent(t).at(-1)!;
  assert.deepEqual([m.event, m.get("dst"), m.fields.dst_len, m.get("gateway")], ["RTM_NEWROUTE", "198.51.100.0", 24, "192.0.2.2"]);
  await ipr.routes.delete({ dst: "198.51.100.0/24" });
  assert.equal(sent(t).at(-1)!.event, "RTM_DELROUTE");
  const [r] = await ipr.routes.list({ family: 2 });
  assert.ok(r instanceof Route);
  assert.deepEqual(r.toJSON(), { family: 2, dst: "198.51.100.0/24", gateway: "192.0.2.2", oif: 2, prefsrc: undefined, table: 254, priority: undefined, protocol: 4, scope: 0, type: 1 });
  const g = await ipr.routes.get("198.51.100.7");
  assert.deepEqual([g.dst, g.gateway], ["198.51.100.7", "192.0.2.2"]);

  await ipr.addresses.create({ index: 1, address: "192.0.2.9/24" });
  m = sent(t).at(-1)!;
  assert.deepEqual([m.event, m.fields.index, m.get("local")], ["RTM_NEWADDR", 1, "192.0.2.9"]);
  const [a] = await ipr.addresses.list();
  assert.ok(a instanceof Address);
  assert.equal(a.cidr, "192.0.2.9/24");
  assert.equal((await ipr.addresses.get({ address: "192.0.2.9" }))?.index, 1);
  assert.equal(await ipr.addresses.get({ address: "192.0.2.10" }), undefined);
  await ipr.addresses.delete({ index: 1, address: "192.0.2.9/24" });
  assert.equal(sent(t).at(-1)!.event, "RTM_DELADDR");

  await ipr.neighbours.create({ ifindex: 1, dst: "192.0.2.2", lladdr: "02:00:00:00:00:02" });
  m = sent(t).at(-1)!;
  assert.deepEqual([m.event, m.get("dst"), m.get("lladdr")], ["RTM_NEWNEIGH", "192.0.2.2", "02:00:00:00:00:02"]);
  const [n] = await ipr.neighbours.list({ family: 2 });
  assert.ok(n instanceof Neighbour);
  assert.deepEqual([n.ifindex, n.dst, n.lladdr, n.state], [2, "192.0.2.2", "02:00:00:00:00:02", 0x80]);
  assert.equal((await ipr.neighbours.get({ dst: "192.0.2.2", ifindex: 2 })).lladdr, "02:00:00:00:00:02");
  await ipr.neighbours.delete({ ifindex: 1, dst: "192.0.2.2" });
  assert.equal(sent(t).at(-1)!.event, "RTM_DELNEIGH");

  await ipr.rules.create({ priority: 100, table: 100, src: "198.51.100.0/24" });
  m = sent(t).at(-1)!;
  assert.deepEqual([m.event, m.get("priority"), m.get("src"), m.fields.src_len], ["RTM_NEWRULE", 100, "198.51.100.0", 24]);
  const [rule] = await ipr.rules.list();
  assert.ok(rule instanceof Rule);
  assert.deepEqual([rule.priority, rule.table, rule.src], [100, 100, "198.51.100.0/24"]);
  assert.equal((await ipr.rules.get({ priority: 100 }))?.table, 100);
  await ipr.rules.delete({ priority: 100, table: 100 });
  assert.equal(sent(t).at(-1)!.event, "RTM_DELRULE");
});
