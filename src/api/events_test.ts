import assert from "node:assert/strict";
import { test } from "node:test";
import { NetlinkError, SyscallError } from "../marshal/errors.ts";
import { NLM_F } from "../marshal/header.ts";
import { type MessageSchema, type NlMsg, decodeDatagram, encodeMessage } from "../marshal/message.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { RTM, RTNLGRP } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { rtmsg } from "../rtnl/route.ts";
import { Connection } from "../socket/connection.ts";
import { ScriptedTransport, type ScriptedRequest, done, reply } from "../socket/scripted.ts";
import { type EventSource, OpContext, platform, setPlatform } from "./_context.ts";
import { DEFAULT_EVENT_GROUPS, EVENT_GROUPS, EventStream, bindGroups, groupNumbers, openEvents } from "./events.ts";
import { IPRoute } from "./iproute.ts";

/** An event socket played by the test: push batches or errors, see what the stream did to it. */
class ScriptedSource implements EventSource {
  readonly #items: (Uint8Array[] | Error)[] = [];
  readonly #waiters: { resolve(v: Uint8Array[] | null): void; reject(e: unknown): void }[] = [];
  closed = false;
  disposed = false;
  reads = 0;

  push(item: Uint8Array[] | Error): void {
    const w = this.#waiters.shift();
    if (!w) this.#items.push(item);
    else if (item instanceof Error) w.reject(item);
    else w.resolve(item);
  }

  next(): Promise<Uint8Array[] | null> {
    this.reads++;
    if (this.closed) return Promise.resolve(null);
    const item = this.#items.shift();
    if (item instanceof Error) return Promise.reject(item);
    if (item) return Promise.resolve(item);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  close(): void {
    this.closed = true;
    for (const w of this.#waiters.splice(0)) w.resolve(null);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    this.disposed = true;
  }
}

const event = (schema: MessageSchema, type: number, fields: Record<string, unknown>, attrs: Record<string, unknown>) =>
  encodeMessage(schema, { type, fields, attrs });

const newLink = (index: number, ifname: string) => event(ifinfomsg, RTM.RTM_NEWLINK, { index }, { ifname });
const delLink = (index: number, ifname: string) => event(ifinfomsg, RTM.RTM_DELLINK, { index }, { ifname });
const newRoute = (dst: string) => event(rtmsg, RTM.RTM_NEWROUTE, { family: 2, dst_len: 32, table: 254, type: 1 }, { dst, table: 254 });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A kernel that answers dumps of links and IPv4 routes (what a resync asks for). */
function dumpKernel(seen: { type: string; family: unknown }[]) {
  return (req: ScriptedRequest): Uint8Array[] => {
    const [m] = decodeDatagram(req.bytes, rtnl);
    assert.equal(req.header.flags & NLM_F.DUMP, NLM_F.DUMP, `${m.event} is a dump`);
    seen.push({ type: m.event, family: m.get("family") });
    switch (m.event) {
      case "RTM_GETLINK":
        return [reply(req, [{ schema: ifinfomsg, init: { type: RTM.RTM_NEWLINK, fields: { index: 1 }, attrs: { ifname: "lo" } } }], { multi: true }), done(req)];
      case "RTM_GETROUTE":
        return [
          reply(req, [{ schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, fields: { family: 2, dst_len: 32, table: 254, type: 1 }, attrs: { dst: "198.51.100.7", table: 254 } } }], { multi: true }),
          done(req),
        ];
      case "RTM_GETADDR":
        return [reply(req, [{ schema: ifaddrmsg, init: { type: RTM.RTM_NEWADDR, fields: { family: m.get("family"), prefixlen: 24, index: 1 }, attrs: { address: "192.0.2.1" } } }], { multi: true }), done(req)];
      default:
        return [done(req)];
    }
  };
}

function setup(options: ConstructorParameters<typeof EventStream>[1] = {}) {
  const seen: { type: string; family: unknown }[] = [];
  const ctx = new OpContext(new Connection(new ScriptedTransport(dumpKernel(seen)), rtnl), false, undefined);
  const source = new ScriptedSource();
  const opened: { groups: readonly number[]; rcvbuf: number }[] = [];
  const stream = openEvents(ctx, options, (groups, rcvbuf) => {
    opened.push({ groups, rcvbuf });
    return source;
  });
  return { ctx, source, stream, seen, opened };
}

test("groupNumbers() takes short names, kernel names and numbers, sorted without duplicates", () => {
  assert.deepEqual(groupNumbers(["ipv6_route", "link", "RTNLGRP_LINK", "rtnlgrp_ipv4_ifaddr", 32]), [1, 5, 11, 32]);
  assert.deepEqual(groupNumbers("nsid"), [RTNLGRP.RTNLGRP_NSID]);
  assert.equal(EVENT_GROUPS.nexthop, 32);
  assert.equal(EVENT_GROUPS.tc, 4);
});

test("groupNumbers() rejects unknown names and numbers out of range, naming them", () => {
  assert.throws(() => groupNumbers(["link", "lnik"]), (e: unknown) => e instanceof TypeError && /"lnik" is not an event group/.test(e.message));
  assert.throws(() => groupNumbers([0]), RangeError);
  assert.throws(() => groupNumbers([1.5]), RangeError);
  assert.throws(() => groupNumbers([]), RangeError);
  assert.throws(() => groupNumbers([{} as never]), TypeError);
});

test("bindGroups() reads pyroute2's RTMGRP_* bitmask", () => {
  assert.deepEqual(bindGroups(0x1 | 0x40), [RTNLGRP.RTNLGRP_LINK, RTNLGRP.RTNLGRP_IPV4_ROUTE]);
  assert.deepEqual(bindGroups(["neigh"]), [RTNLGRP.RTNLGRP_NEIGH]);
  assert.throws(() => bindGroups(0), RangeError);
});

test("events() joins pyroute2's default groups with a 32 MiB buffer when none are given", () => {
  const { opened, stream } = setup();
  assert.deepEqual(opened[0].groups, groupNumbers(DEFAULT_EVENT_GROUPS));
  assert.equal(opened[0].rcvbuf, 32 << 20);
  assert.deepEqual(stream.groups, opened[0].groups);
  stream.close();
});

test("events() rejects bad options before opening a socket", () => {
  const ctx = new OpContext(new Connection(new ScriptedTransport(() => []), rtnl), false, undefined);
  let opens = 0;
  const open = () => {
    opens++;
    return new ScriptedSource();
  };
  assert.throws(() => openEvents(ctx, { group: ["link"] } as never, open), /unknown option "group"/);
  assert.throws(() => openEvents(ctx, { onOverflow: "ignore" } as never, open), /onOverflow/);
  assert.throws(() => openEvents(ctx, { rcvbuf: -1 }, open), RangeError);
  assert.throws(() => openEvents(ctx, { rcvbuf: "big" } as never, open), TypeError);
  assert.throws(() => openEvents(ctx, { groups: ["bogus"] }, open), TypeError);
  assert.throws(() => openEvents(ctx, { signal: {} as never }, open), /signal/);
  assert.equal(opens, 0);
});

test("the stream yields every message of every datagram in order, skipping control messages", async () => {
  const { source, stream } = setup({ groups: ["link", "ipv4_route"] });
  const noop = new Uint8Array(16);
  new DataView(noop.buffer).setUint32(0, 16, true);
  new DataView(noop.buffer).setUint16(4, 1, true);
  source.push([concat(newLink(2, "v0"), newLink(3, "v1")), noop]);
  source.push([newRoute("198.51.100.1"), delLink(2, "v0")]);
  const got: string[] = [];
  for await (const m of stream) {
    got.push(`${m.event} ${m.get("ifname") ?? m.get("dst")}`);
    if (got.length === 4) break;
  }
  assert.deepEqual(got, ["RTM_NEWLINK v0", "RTM_NEWLINK v1", "RTM_NEWROUTE 198.51.100.1", "RTM_DELLINK v0"]);
  assert.ok(source.closed && source.disposed, "break closes and releases the socket");
  assert.equal(stream.stats.events, 4);
});

test("ENOBUFS yields OVERFLOW, then a dump of the subscribed types, then live events again", async () => {
  const { source, stream, seen } = setup({ groups: ["link", "ipv4_route", "nsid"] });
  source.push([newLink(2, "v0")]);
  source.push(new SyscallError("recv", 105));
  source.push([newRoute("198.51.100.9")]);
  const got: NlMsg[] = [];
  for await (const m of stream) {
    got.push(m);
    if (got.length === 5) break;
  }
  assert.deepEqual(got.map((m) => m.event), ["RTM_NEWLINK", "OVERFLOW", "RTM_NEWLINK", "RTM_NEWROUTE", "RTM_NEWROUTE"]);
  assert.equal(got[1].get("error"), -105);
  assert.equal(got[1].toJSON().event, "OVERFLOW");
  assert.equal(got[2].get("ifname"), "lo");
  assert.equal(got[3].get("dst"), "198.51.100.7", "the dumped route");
  assert.equal(got[4].get("dst"), "198.51.100.9", "the live event after the resync");
  // links first, then nsid, then IPv4 routes — nothing that was not subscribed
  assert.deepEqual(seen, [{ type: "RTM_GETLINK", family: 0 }, { type: "RTM_GETNSID", family: 0 }, { type: "RTM_GETROUTE", family: 2 }]);
  assert.equal(stream.stats.overflows, 1);
  assert.equal(stream.stats.resynced, 2);
});

test("a resync of the tc group dumps the qdiscs", async () => {
  const { source, stream, seen } = setup({ groups: ["tc"] });
  source.push(new SyscallError("recv", 105));
  const batch = await stream.nextBatch();
  assert.deepEqual(batch?.map((m) => m.event), ["OVERFLOW"]);
  await stream.close();
  assert.deepEqual(seen, [{ type: "RTM_GETQDISC", family: 0 }]);
});

test("an oversize datagram (EMSGSIZE) counts as lost events too", async () => {
  const { source, stream, seen } = setup({ groups: ["ipv6_ifaddr"] });
  source.push(new SyscallError("recv", 90));
  const batch = await stream.nextBatch();
  assert.deepEqual(batch!.map((m) => m.event), ["OVERFLOW", "RTM_NEWADDR"]);
  assert.deepEqual(seen, [{ type: "RTM_GETADDR", family: 10 }]);
  stream.close();
});

test("onOverflow: throw raises NetlinkError ENOBUFS and closes the socket", async () => {
  const { source, stream, seen } = setup({ groups: ["link"], onOverflow: "throw" });
  source.push(new SyscallError("recv", 105));
  await assert.rejects(
    async () => {
      for await (const _ of stream) assert.fail("no message expected");
    },
    (e: unknown) => e instanceof NetlinkError && e.code === "ENOBUFS",
  );
  assert.ok(source.closed && source.disposed);
  assert.deepEqual(seen, []);
});

test("other read errors end the stream with that error", async () => {
  const { source, stream } = setup({ groups: ["link"] });
  source.push(new SyscallError("recv", 9));
  await assert.rejects(stream.next(), (e: unknown) => e instanceof SyscallError && e.code === "EBADF");
  assert.ok(source.closed);
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});

test("aborting the signal ends a waiting loop and closes the socket", async () => {
  const ac = new AbortController();
  const { source, stream } = setup({ groups: ["link"], signal: ac.signal });
  setTimeout(() => ac.abort(), 5);
  let n = 0;
  for await (const _ of stream) n++;
  assert.equal(n, 0);
  assert.ok(source.closed);
  assert.ok(stream.closed);
});

test("an already aborted signal opens no socket", async () => {
  const { opened, stream } = setup({ signal: AbortSignal.abort() });
  assert.equal(opened.length, 0);
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});

test("await using closes the stream at the end of the scope", async () => {
  const { source, stream } = setup({ groups: ["link"] });
  {
    await using s = stream;
    source.push([newLink(2, "v0")]);
    assert.equal((await s.next()).value?.get("ifname"), "v0");
  }
  assert.ok(source.disposed);
});

test("IPRoute.bind() and get() return batches; close() ends the subscription", async () => {
  const previous = platform().openEventSource;
  const sources: ScriptedSource[] = [];
  const asked: number[][] = [];
  setPlatform({
    openEventSource(o) {
      asked.push([...o.groups]);
      const s = new ScriptedSource();
      sources.push(s);
      return s;
    },
  });
  try {
    const ipr = new IPRoute({ transport: new ScriptedTransport(() => []) });
    await assert.rejects(ipr.get(), /bind\(\) first/);
    ipr.bind(0x1 | 0x40);
    ipr.bind(["link"]);
    assert.deepEqual(asked, [[1, 7], [1]]);
    assert.ok(sources[0].closed, "binding again replaces the subscription");
    sources[1].push([concat(newLink(2, "v0"), delLink(2, "v0"))]);
    const batch = await ipr.get();
    assert.deepEqual(batch.map((m) => m.event), ["RTM_NEWLINK", "RTM_DELLINK"]);
    const stream = ipr.events({ groups: ["neigh"] });
    ipr.close();
    assert.ok(sources[1].closed && sources[2].closed && stream.closed, "close() ends every stream of the IPRoute");
  } finally {
    setPlatform({ openEventSource: previous });
  }
});

test("concurrent next() calls are answered in order, none lost", async () => {
  const { source, stream } = setup({ groups: ["link"] });
  const pending = [stream.next(), stream.next(), stream.next(), stream.nextBatch()];
  source.push([concat(newLink(2, "a"), newLink(3, "b"))]);
  source.push([concat(newLink(4, "c"), newLink(5, "d"), newLink(6, "e"))]);
  const [a, b, c, rest] = await Promise.all(pending);
  assert.deepEqual([a, b, c].map((r) => (r as IteratorResult<NlMsg>).value?.get("ifname")), ["a", "b", "c"]);
  assert.deepEqual((rest as NlMsg[]).map((m) => m.get("ifname")), ["d", "e"]);
  stream.close();
});
