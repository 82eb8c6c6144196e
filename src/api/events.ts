/**
 * Events: `ipr.events({ groups, signal, onOverflow })` — the kernel's RTNL notifications as an
 * async iterator of decoded messages, on a socket of its own (requests keep working on the
 * IPRoute's socket meanwhile), plus pyroute2's `bind(groups)` / `get()`.
 *
 * Loss is never silent: the event socket gets a large receive buffer, and when the kernel still
 * drops notifications (ENOBUFS) the stream yields a message whose `event` is `"OVERFLOW"`,
 * followed (with `onOverflow: "resync"`, the default) by a fresh dump of every subscribed object
 * type, so a consumer that rebuilds its view from the messages after an OVERFLOW converges on
 * the kernel's state. With `onOverflow: "throw"` the stream raises `NetlinkError` ENOBUFS instead.
 *
 * Pure: the socket comes from `Platform.openEventSource` (installed by mod.ts).
 * @module
 */

import { NetlinkError, SyscallError, type MessageSchema, NlMsg, attrs, decodeDatagram, s32, show, struct } from "../marshal/mod.ts";
import { NLMSG_MIN_TYPE, NLMSG_OVERRUN } from "../marshal/header.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { AF, RTM, RTNLGRP } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import { rtnl } from "../rtnl/messages.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import { netconfmsg } from "../rtnl/netconf.ts";
import { nhmsg } from "../rtnl/nexthop.ts";
import { nsidmsg } from "../rtnl/nsid.ts";
import { tcmsg } from "../rtnl/tc.ts";
import { rtmsg } from "../rtnl/route.ts";
import { fibmsg } from "../rtnl/rule.ts";
import { type EventSource, type OpContext, platform } from "./_context.ts";

const ENOBUFS = 105;
const EMSGSIZE = 90;

/**
 * Multicast groups by short name: the kernel name (`RTNLGRP_IPV4_ROUTE`) in lower case without
 * its prefix (`ipv4_route`).
 *
 * @example
 * ```ts
 * EVENT_GROUPS.ipv4_route; // 7
 * ```
 */
export const EVENT_GROUPS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(RTNLGRP).map(([name, n]) => [name.slice("RTNLGRP_".length).toLowerCase(), n]),
);

/**
 * The groups `events()` and `bind()` join when none are given: pyroute2's RTMGRP_DEFAULTS.
 *
 * @example
 * ```ts
 * DEFAULT_EVENT_GROUPS.includes("link"); // true
 * ```
 */
export const DEFAULT_EVENT_GROUPS: readonly string[] = [
  "link", "neigh", "tc", "ipv4_ifaddr", "ipv6_ifaddr", "ipv4_route", "ipv6_route", "ipv4_rule", "ipv6_rule", "mpls_route",
];

/** Highest group number accepted as a number (the kernel's RTNLGRP_MAX is below it). */
const MAX_GROUP = 63;

/**
 * Event groups: a short name (`"ipv4_route"`), a kernel name (`"RTNLGRP_IPV4_ROUTE"`) or an
 * RTNLGRP_* number.
 */
export type EventGroup = string | number;

/**
 * Turn group names and numbers into RTNLGRP_* numbers (sorted, no duplicates). Throws TypeError
 * for an unknown name, RangeError for a number out of range.
 *
 * @param groups names or numbers; a single one may be given alone
 * @param key the option's name, for messages
 * @returns the group numbers
 * @example
 * ```ts
 * groupNumbers(["link", "RTNLGRP_IPV4_ROUTE", 11]); // [1, 7, 11]
 * ```
 */
export function groupNumbers(groups: EventGroup | readonly EventGroup[], key = "groups"): number[] {
  const list = Array.isArray(groups) ? groups : [groups];
  if (list.length === 0) throw new RangeError(`Invalid ${key}: at least one group is needed`);
  const out = new Set<number>();
  for (const g of list as readonly unknown[]) {
    if (typeof g === "number") {
      if (!Number.isInteger(g) || g < 1 || g > MAX_GROUP) throw new RangeError(`Invalid ${key}: ${g} is not a group number (1..${MAX_GROUP})`);
      out.add(g);
      continue;
    }
    if (typeof g !== "string") throw new TypeError(`Invalid ${key}: expected group names or numbers, got ${show(g)}`);
    const lower = g.toLowerCase();
    const n = EVENT_GROUPS[lower.startsWith("rtnlgrp_") ? lower.slice(8) : lower];
    if (n === undefined) throw new TypeError(`Invalid ${key}: ${show(g)} is not an event group (known: ${Object.keys(EVENT_GROUPS).join(", ")})`);
    out.add(n);
  }
  return [...out].sort((a, b) => a - b);
}

/**
 * Groups from pyroute2's `bind(groups)` argument: an RTMGRP_* bitmask (bit n-1 = group n, as in
 * `RTMGRP_LINK | RTMGRP_IPV4_ROUTE`), or names / numbers as for {@link groupNumbers}.
 *
 * @param groups a bitmask, or group names / numbers
 * @returns the group numbers
 * @example
 * ```ts
 * bindGroups(0x1 | 0x40); // [1, 7]: RTMGRP_LINK | RTMGRP_IPV4_ROUTE
 * ```
 */
export function bindGroups(groups: number | EventGroup | readonly EventGroup[]): number[] {
  if (typeof groups !== "number") return groupNumbers(groups);
  if (!Number.isInteger(groups) || groups < 1 || groups > 0xffffffff) {
    throw new RangeError(`Invalid groups: ${groups} is not an RTMGRP_* bitmask (1..0xffffffff)`);
  }
  const out: number[] = [];
  for (let bit = 0; bit < 32; bit++) if ((groups >>> bit) & 1) out.push(bit + 1);
  return out;
}

/** Options of `ipr.events()`. */
export interface EventsOptions {
  /** Groups to join (names or RTNLGRP_* numbers); default {@link DEFAULT_EVENT_GROUPS}. */
  readonly groups?: EventGroup | readonly EventGroup[];
  /** Aborting it ends the stream (the loop finishes normally) and closes the socket. */
  readonly signal?: AbortSignal;
  /**
   * What to do when the kernel dropped events: `"resync"` (default) yields an OVERFLOW message
   * and then a fresh dump of the subscribed object types; `"throw"` raises NetlinkError ENOBUFS.
   */
  readonly onOverflow?: "resync" | "throw";
  /** Receive buffer of the event socket in bytes (default 32 MiB; root may exceed rmem_max). */
  readonly rcvbuf?: number;
}

const DEFAULT_RCVBUF = 32 << 20;

// What the OVERFLOW message carries: the errno of the loss, negated as in struct nlmsgerr.
const overflowSchema: MessageSchema = { name: "overflow", fields: struct({ error: s32 }, "overflow"), attrs: attrs("OVERFLOW", {}) };
const OVERFLOW_KIND = { type: NLMSG_OVERRUN, name: "OVERFLOW", schema: overflowSchema };

/** A synthetic message marking lost events: `event === "OVERFLOW"`, `get("error")` = -errno. */
function overflowMessage(errno: number): NlMsg {
  const u8 = new Uint8Array(20);
  const dv = new DataView(u8.buffer);
  const header = { length: 20, type: NLMSG_OVERRUN, flags: 0, sequence_number: 0, pid: 0 };
  dv.setUint32(0, 20, true);
  dv.setUint16(4, NLMSG_OVERRUN, true);
  dv.setInt32(16, -errno, true);
  return new NlMsg({ u8, dv }, 0, header, OVERFLOW_KIND);
}

/** Which dump restores each group's objects after an overflow, in the order they are dumped. */
const RESYNC: readonly { group: number; schema: MessageSchema; type: number; family: number }[] = [
  { group: RTNLGRP.RTNLGRP_LINK, schema: ifinfomsg, type: RTM.RTM_GETLINK, family: AF.AF_UNSPEC },
  { group: RTNLGRP.RTNLGRP_NSID, schema: nsidmsg, type: RTM.RTM_GETNSID, family: AF.AF_UNSPEC },
  { group: RTNLGRP.RTNLGRP_IPV4_IFADDR, schema: ifaddrmsg, type: RTM.RTM_GETADDR, family: AF.AF_INET },
  { group: RTNLGRP.RTNLGRP_IPV6_IFADDR, schema: ifaddrmsg, type: RTM.RTM_GETADDR, family: AF.AF_INET6 },
  { group: RTNLGRP.RTNLGRP_IPV4_NETCONF, schema: netconfmsg, type: RTM.RTM_GETNETCONF, family: AF.AF_INET },
  { group: RTNLGRP.RTNLGRP_IPV6_NETCONF, schema: netconfmsg, type: RTM.RTM_GETNETCONF, family: AF.AF_INET6 },
  { group: RTNLGRP.RTNLGRP_NEXTHOP, schema: nhmsg, type: RTM.RTM_GETNEXTHOP, family: AF.AF_UNSPEC },
  { group: RTNLGRP.RTNLGRP_IPV4_ROUTE, schema: rtmsg, type: RTM.RTM_GETROUTE, family: AF.AF_INET },
  { group: RTNLGRP.RTNLGRP_IPV6_ROUTE, schema: rtmsg, type: RTM.RTM_GETROUTE, family: AF.AF_INET6 },
  { group: RTNLGRP.RTNLGRP_NEIGH, schema: ndmsg, type: RTM.RTM_GETNEIGH, family: AF.AF_UNSPEC },
  // the tc group also carries classes and filters, which are not re-dumped (yet)
  { group: RTNLGRP.RTNLGRP_TC, schema: tcmsg, type: RTM.RTM_GETQDISC, family: AF.AF_UNSPEC },
  { group: RTNLGRP.RTNLGRP_IPV4_RULE, schema: fibmsg, type: RTM.RTM_GETRULE, family: AF.AF_INET },
  { group: RTNLGRP.RTNLGRP_IPV6_RULE, schema: fibmsg, type: RTM.RTM_GETRULE, family: AF.AF_INET6 },
];

/**
 * The groups whose objects a resync dumps (others — mpls_route, mdb, tc classes and filters... —
 * are reported by the OVERFLOW message only).
 *
 * @example
 * ```ts
 * RESYNC_GROUPS.includes(RTNLGRP.RTNLGRP_IPV4_ROUTE); // true
 * ```
 */
export const RESYNC_GROUPS: readonly number[] = RESYNC.map((r) => r.group);

/** Opens the stream's socket; a function so tests can script it. */
export type EventSourceFactory = (groups: readonly number[], rcvbuf: number) => EventSource;

/**
 * A stream of RTNL notifications: `for await` it, `break` (or `return()`, or abort the signal)
 * to close its socket. Single consumer. Also `AsyncDisposable` (`await using`).
 *
 * @example
 * ```ts
 * await using events = ipr.events({ groups: ["link"] });
 * for await (const msg of events) console.log(msg.event, msg.get("ifname"));
 * ```
 */
export class EventStream implements AsyncIterableIterator<NlMsg>, AsyncDisposable {
  readonly #ctx: OpContext;
  readonly #groups: readonly number[];
  readonly #onOverflow: "resync" | "throw";
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.close();
  #source: EventSource | null = null;
  #pending: NlMsg[] = [];
  #at = 0;
  #closed = false;
  #tail: Promise<unknown> = Promise.resolve();
  #inflight = 0;
  /** Counters: events received, overflows seen, messages replayed by resyncs. */
  readonly stats: { events: number; overflows: number; resynced: number } = { events: 0, overflows: 0, resynced: 0 };

  /**
   * Open the stream: the socket is subscribed before this returns, so nothing that happens
   * afterwards is missed.
   *
   * @param ctx the IPRoute's context (resync dumps run on its socket)
   * @param options groups, signal, overflow policy, receive buffer
   * @param open opens the socket (default: the installed `Platform.openEventSource`)
   */
  constructor(ctx: OpContext, options: EventsOptions = {}, open?: EventSourceFactory) {
    if (options === null || typeof options !== "object") throw new TypeError(`events(): options must be an object, got ${show(options)}`);
    const known = ["groups", "signal", "onOverflow", "rcvbuf"];
    for (const k of Object.keys(options)) {
      if (!known.includes(k)) throw new TypeError(`events(): unknown option ${show(k)} (known: ${known.join(", ")})`);
    }
    const onOverflow = options.onOverflow ?? "resync";
    if (onOverflow !== "resync" && onOverflow !== "throw") throw new TypeError(`Invalid onOverflow: expected "resync" or "throw", got ${show(onOverflow)}`);
    const rcvbuf = options.rcvbuf ?? DEFAULT_RCVBUF;
    if (typeof rcvbuf !== "number" || !Number.isInteger(rcvbuf)) throw new TypeError(`Invalid rcvbuf: expected an integer, got ${show(rcvbuf)}`);
    if (rcvbuf < 1 || rcvbuf > 0x7fffffff) throw new RangeError(`Invalid rcvbuf: ${rcvbuf} is out of range (1..2147483647)`);
    const signal = options.signal;
    if (signal !== undefined && !(typeof signal === "object" && signal !== null && "aborted" in signal && "addEventListener" in signal)) {
      throw new TypeError(`Invalid signal: expected an AbortSignal, got ${show(signal)}`);
    }
    this.#ctx = ctx;
    this.#groups = groupNumbers(options.groups ?? DEFAULT_EVENT_GROUPS);
    this.#onOverflow = onOverflow;
    this.#signal = signal;
    if (signal?.aborted) {
      this.#closed = true;
      return;
    }
    const factory = open ?? defaultFactory(ctx);
    this.#source = factory(this.#groups, rcvbuf);
    signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** The joined groups, as RTNLGRP_* numbers. */
  get groups(): readonly number[] {
    return this.#groups;
  }

  /** Whether the stream has ended (closed, aborted, or failed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** The next message, in kernel order. */
  next(): Promise<IteratorResult<NlMsg, undefined>> {
    // the common case, a message of the current batch, costs no queueing
    if (this.#inflight === 0 && this.#at < this.#pending.length) {
      const value = this.#pending[this.#at++];
      return Promise.resolve({ value, done: false });
    }
    return this.#serial(async () => {
      if (this.#at < this.#pending.length) return { value: this.#pending[this.#at++], done: false };
      const batch = await this.#nextBatch();
      if (batch === null) return { value: undefined, done: true };
      this.#pending = batch;
      this.#at = 1;
      return { value: batch[0], done: false };
    });
  }

  /**
   * The next batch of messages (at least one): whatever has arrived, as pyroute2's `get()`
   * returns it; null once the stream has ended.
   *
   * @returns the messages, in kernel order
   * @example
   * ```ts
   * const msgs = await events.nextBatch();
   * ```
   */
  nextBatch(): Promise<NlMsg[] | null> {
    return this.#serial(async () => {
      if (this.#at < this.#pending.length) {
        const rest = this.#pending.slice(this.#at);
        this.#pending = [];
        this.#at = 0;
        return rest;
      }
      return await this.#nextBatch();
    });
  }

  /** Run `fn` after every earlier call has settled (calls are answered in order). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    this.#inflight++;
    const run = async () => {
      try {
        return await fn();
      } finally {
        this.#inflight--;
      }
    };
    const p = this.#tail.then(run, run);
    this.#tail = p.catch(() => undefined);
    return p;
  }

  async #nextBatch(): Promise<NlMsg[] | null> {
    for (;;) {
      if (this.#closed || !this.#source) return null;
      let datagrams: Uint8Array[] | null;
      try {
        datagrams = await this.#source.next();
      } catch (e) {
        if (e instanceof SyscallError && (e.errno === ENOBUFS || e.errno === EMSGSIZE)) return await this.#overflow(e);
        await this.#finish();
        throw e;
      }
      if (datagrams === null) {
        await this.#finish();
        return null;
      }
      const out: NlMsg[] = [];
      try {
        for (const d of datagrams) {
          for (const m of decodeDatagram(d, rtnl)) if (m.header.type >= NLMSG_MIN_TYPE) out.push(m);
        }
      } catch (e) {
        await this.#finish();
        throw e;
      }
      this.stats.events += out.length;
      if (out.length) return out;
    }
  }

  async #overflow(cause: SyscallError): Promise<NlMsg[] | null> {
    this.stats.overflows++;
    if (this.#onOverflow === "throw") {
      await this.#finish();
      throw new NetlinkError(cause.errno, "RTNL events", `the kernel dropped events (${cause.message}); open the stream with onOverflow: "resync" to recover`);
    }
    const out = [overflowMessage(cause.errno)];
    try {
      for (const r of RESYNC) {
        if (!this.#groups.includes(r.group)) continue;
        out.push(...await this.#ctx.dump(r.schema, r.type, { fields: { family: r.family } }));
        if (this.#closed) return null;
      }
    } catch (e) {
      await this.#finish();
      throw e;
    }
    this.stats.resynced += out.length - 1;
    return out;
  }

  /**
   * End the stream now: the socket is closed, a pending `next()` resolves done. Idempotent.
   *
   * @example
   * ```ts
   * setTimeout(() => events.close(), 1000);
   * ```
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pending = [];
    this.#at = 0;
    this.#signal?.removeEventListener("abort", this.#onAbort);
    this.#source?.close();
    registry.get(this.#ctx)?.delete(this);
  }

  async #finish(): Promise<void> {
    this.close();
    await this.#source?.[Symbol.asyncDispose]();
  }

  /** Close the stream (what `break` in `for await` calls); resolves once the socket is released. */
  async return(): Promise<IteratorResult<NlMsg, undefined>> {
    await this.#finish();
    return { value: undefined, done: true };
  }

  /** The stream is its own iterator (single consumer). */
  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using events = ipr.events()` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#finish();
  }
}

// Streams opened from each IPRoute, closed with it.
const registry = new WeakMap<OpContext, Set<EventStream>>();

function defaultFactory(ctx: OpContext): EventSourceFactory {
  const open = platform().openEventSource;
  if (!open) throw new Error("nlroute: events need a runtime: import nlroute from mod.ts under Deno or Bun");
  return (groups, rcvbuf) => open({ netns: ctx.netns, groups, rcvbuf });
}

/**
 * Open an event stream for an IPRoute (what `ipr.events()` does).
 *
 * @param ctx the IPRoute's context
 * @param options groups, signal, overflow policy, receive buffer
 * @param open opens the socket (tests pass a scripted source)
 * @returns the stream
 * @example
 * ```ts
 * for await (const msg of openEvents(ctx, { groups: ["link"] })) console.log(msg.event);
 * ```
 */
export function openEvents(ctx: OpContext, options: EventsOptions = {}, open?: EventSourceFactory): EventStream {
  const stream = new EventStream(ctx, options, open);
  if (!stream.closed) {
    let set = registry.get(ctx);
    if (!set) registry.set(ctx, (set = new Set()));
    set.add(stream);
  }
  return stream;
}

/**
 * Close every stream opened with {@link openEvents} for `ctx` (when its IPRoute closes).
 *
 * @param ctx the IPRoute's context
 * @example
 * ```ts
 * closeEvents(ctx);
 * ```
 */
export function closeEvents(ctx: OpContext): void {
  for (const s of [...(registry.get(ctx) ?? [])]) s.close();
}
