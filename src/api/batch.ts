/**
 * `IPBatch`: queue many change requests with the usual verbs, then send them pipelined — many per
 * datagram — and get one result per request (pyroute2's IPBatch idea). Each verb runs as usual
 * (validation, name resolution) against a context whose `request()` queues the prepared message
 * instead of sending it; `commit()` hands the queue to `Connection.batchPrepared`.
 * @module
 */

import { type GrowableWriter, type MessageInit, type MessageSchema, NLMSG_ALIGN, NetlinkError, type NlMsg, type PreparedMessage, type Protocol, encodeMessageInto, prepareMessage } from "../marshal/mod.ts";
import type { BatchItem, BatchResult } from "../socket/batch.ts";
import { BATCH_FLAGS } from "../socket/batch.ts";
import { IndexResolver, OpContext, type RequestParts } from "./_context.ts";
import * as addresses from "./addresses.ts";
import * as links from "./links.ts";
import * as neighbours from "./neighbours.ts";
import * as routes from "./routes.ts";
import * as rules from "./rules.ts";
import { rtmsg } from "../rtnl/route.ts";

export type { BatchResult } from "../socket/batch.ts";

/**
 * Messages encoded when queued, back to back in one growing buffer, so a big batch keeps a few
 * bytes per request alive instead of its prepared values; each is validated and written in one
 * pass (`encodeMessageInto`), and its sequence number is patched in when it is copied into the
 * datagram.
 */
class EncodeStore implements GrowableWriter {
  u8: Uint8Array<ArrayBuffer> = new Uint8Array(64 * 1024);
  dv: DataView = new DataView(this.u8.buffer);
  used = 0;
  // the furthest byte written: what a refused message leaves behind is zeroed up to there
  #high = 0;
  readonly #protocol: Protocol;

  constructor(protocol: Protocol) {
    this.#protocol = protocol;
  }

  reserve(end: number): void {
    if (end > this.#high) this.#high = end;
    if (end <= this.u8.length) return;
    const grown = new Uint8Array(Math.max(this.u8.length * 2, end));
    grown.set(this.u8);
    this.u8 = grown;
    this.dv = new DataView(grown.buffer);
  }

  /** Validate and encode one request at the end; bad input throws and leaves the store as it was. */
  add(schema: MessageSchema, init: MessageInit): EncodedItem {
    const at = this.used;
    let length: number;
    try {
      length = encodeMessageInto(this, at, schema, init);
    } catch (e) {
      this.u8.fill(0, at, this.#high);
      this.#high = at;
      throw e;
    }
    this.used = at + NLMSG_ALIGN(length);
    return new EncodedItem(this, at, length, init.type);
  }

  /** Message type name for errors, e.g. "RTM_NEWROUTE". */
  nameOf(type: number): string {
    return this.#protocol.nameOf(type);
  }
}

/** One request encoded in an EncodeStore: a BatchItem that is its own PreparedMessage. */
class EncodedItem implements BatchItem, PreparedMessage {
  readonly #store: EncodeStore;
  readonly #at: number;
  readonly length: number;
  readonly #type: number;

  constructor(store: EncodeStore, at: number, length: number, type: number) {
    this.#store = store;
    this.#at = at;
    this.length = length;
    this.#type = type;
  }

  get prepared(): PreparedMessage {
    return this;
  }

  /** Message type name, for errors (looked up when asked). */
  get op(): string {
    return this.#store.nameOf(this.#type);
  }

  write(u8: Uint8Array, dv: DataView, off: number, seq?: number): void {
    u8.set(this.#store.u8.subarray(this.#at, this.#at + this.length), off);
    if (seq !== undefined) dv.setUint32(off + 8, seq, true);
  }
}

/** A resolver shared by the verbs of one batch, which run concurrently: one lookup per name. */
class SharedResolver extends IndexResolver {
  readonly #pending = new Map<string, Promise<number>>();

  override index(value: unknown, key: string): Promise<number> {
    if (typeof value !== "string") return super.index(value, key);
    let p = this.#pending.get(value);
    if (p === undefined) {
      p = super.index(value, key);
      this.#pending.set(value, p);
    }
    return p;
  }
}

/** One queued verb: its context, its running promise, and the request it queued (if any yet). */
class SlotContext extends OpContext {
  readonly #parent: OpContext;
  readonly #resolver: IndexResolver;
  item: BatchItem | null = null;
  #settle: { resolve: (m: NlMsg[]) => void; reject: (e: unknown) => void } | null = null;
  readonly queued: Promise<void>;
  #signal!: () => void;

  constructor(parent: OpContext, resolver: IndexResolver) {
    super(parent.conn, parent.strict, parent.netns);
    this.#parent = parent;
    this.#resolver = resolver;
    this.queued = new Promise((resolve) => (this.#signal = resolve));
  }

  /** Validate and queue the request; settles when the batch is committed. */
  override request(schema: MessageSchema, type: number, parts: RequestParts = {}): Promise<NlMsg[]> {
    if (this.item !== null) {
      return Promise.reject(new TypeError(`${this.conn.protocol.nameOf(type)}: this verb needs more than one request and cannot be batched; call it on the IPRoute`));
    }
    let prepared;
    try {
      prepared = prepareMessage(schema, { type, flags: (parts.flags ?? 0) | BATCH_FLAGS, fields: parts.fields, attrs: parts.attrs as [string, unknown][] | undefined });
    } catch (e) {
      return Promise.reject(e);
    }
    this.item = { prepared, op: this.conn.protocol.nameOf(type) };
    const done = new Promise<NlMsg[]>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.#signal();
    return done;
  }

  /** Dumps are not batched: they run at once on the IPRoute's socket. */
  override dump(schema: MessageSchema, type: number, parts?: RequestParts, match?: Parameters<OpContext["dump"]>[3]): Promise<NlMsg[]> {
    return this.#parent.dump(schema, type, parts, match);
  }

  /** One resolver for the whole batch: each name is looked up once (at once, not batched). */
  override resolver(): IndexResolver {
    return this.#resolver;
  }

  /** Hand the verb its result (after commit). */
  settle(r: BatchResult): void {
    if (r.ok) this.#settle?.resolve(r.msgs);
    else this.#settle?.reject(r.error);
  }
}

/**
 * A batch of change requests sent pipelined: build it with `IPRoute.batch()`, queue requests with
 * the verbs (same arguments as on `IPRoute`), then `commit()`. Each verb call returns the position
 * of its result. Nothing is sent before `commit()`, except name → index lookups. Route changes
 * whose interfaces are given as indexes are validated and encoded right in `route()` (bad input
 * throws there); every other request is validated by `commit()`.
 *
 * @example
 * ```ts
 * const b = ipr.batch();
 * b.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.1" });
 * b.route("add", { dst: "203.0.113.0/24", gateway: "192.0.2.1" });
 * for (const r of await b.commit()) if (!r.ok) console.log(r.error.code);
 * ```
 */
export class IPBatch {
  readonly #ctx: OpContext;
  readonly #resolver: IndexResolver;
  // a slot is a request prepared at once (route changes without names to resolve: no promise,
  // no context) or a verb running against a SlotContext
  readonly #slots: (EncodedItem | { ctx: SlotContext; verb: Promise<NlMsg[]> })[] = [];
  readonly #store: EncodeStore;
  #committed = false;

  /** A batch over the socket of `ctx` (use `IPRoute.batch()`). */
  constructor(ctx: OpContext) {
    this.#ctx = ctx;
    this.#resolver = new SharedResolver(ctx);
    this.#store = new EncodeStore(ctx.conn.protocol);
  }

  /** Requests queued so far. */
  get length(): number {
    return this.#slots.length;
  }

  #queue(run: (ctx: SlotContext) => Promise<NlMsg[]>): number {
    if (this.#committed) throw new Error("nlroute: this batch was committed already; start a new one with ipr.batch()");
    const ctx = new SlotContext(this.#ctx, this.#resolver);
    const verb = run(ctx);
    // the verb's own outcome is reported through commit(); never leave it unhandled
    verb.catch(() => undefined);
    this.#slots.push({ ctx, verb });
    return this.#slots.length - 1;
  }

  /**
   * Queue `ipr.route(command, spec)` (add, del, replace, change, append); returns its result's position.
   *
   * Equivalent to: a `route add 198.51.100.0/24 via 192.0.2.1` line of `ip -batch`
   *
   * @example
   * ```ts
   * const i = b.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.1", oif: 2 });
   * ```
   */
  route(command: routes.RouteCommand, spec: Readonly<Record<string, unknown>> = {}): number {
    if (command !== "get" && command !== "dump" && command !== "show" && !this.#committed) {
      // the fast path of routes.route() for a change: build and prepare now; names to resolve
      // (oif: "v0") take the verb path. Bad input throws here, before anything is sent.
      const built = routes.buildRouteRequest(command, spec);
      if (built.refs.length === 0) {
        this.#slots.push(this.#store.add(rtmsg, { type: built.type, flags: built.flags | BATCH_FLAGS, fields: built.fields, attrs: built.attrs }));
        return this.#slots.length - 1;
      }
    }
    return this.#queue((ctx) => routes.route(ctx, command, spec));
  }

  /**
   * Queue `ipr.addr(command, spec)`; returns its result's position.
   *
   * Equivalent to: an `address add 192.0.2.5/24 dev v0` line of `ip -batch`
   *
   * @example
   * ```ts
   * b.addr("add", { index: "v0", address: "192.0.2.5/24" });
   * ```
   */
  addr(command: addresses.AddrCommand, spec: Readonly<Record<string, unknown>> = {}): number {
    return this.#queue((ctx) => addresses.addr(ctx, command, spec));
  }

  /**
   * Queue `ipr.link(command, spec)`; returns its result's position.
   *
   * Equivalent to: a `link set v0 mtu 1400` line of `ip -batch`
   *
   * @example
   * ```ts
   * b.link("set", { ifname: "v0", mtu: 1400 });
   * ```
   */
  link(command: links.LinkCommand, spec: Readonly<Record<string, unknown>> = {}): number {
    return this.#queue((ctx) => links.link(ctx, command, spec));
  }

  /**
   * Queue `ipr.neigh(command, spec)`; returns its result's position.
   *
   * Equivalent to: a `neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0` line of `ip -batch`
   *
   * @example
   * ```ts
   * b.neigh("add", { dst: "192.0.2.9", lladdr: "02:00:00:00:00:09", ifindex: "v0" });
   * ```
   */
  neigh(command: neighbours.NeighCommand, spec: Readonly<Record<string, unknown>> = {}): number {
    return this.#queue((ctx) => neighbours.neigh(ctx, command, spec));
  }

  /**
   * Queue `ipr.rule(command, spec)`; returns its result's position.
   *
   * Equivalent to: a `rule add from 192.0.2.0/24 table 100` line of `ip -batch`
   *
   * @example
   * ```ts
   * b.rule("add", { src: "192.0.2.0/24", table: 100 });
   * ```
   */
  rule(command: rules.RuleCommand, spec: Readonly<Record<string, unknown>> = {}): number {
    return this.#queue((ctx) => rules.rule(ctx, command, spec));
  }

  /**
   * Send every queued request, many per datagram, and collect one result per request, in queue
   * order: `{ ok: true, msgs }` (the replies before the ACK; empty for a plain change) or
   * `{ ok: false, error }` with the kernel's NetlinkError. A refused request does not stop the
   * others. Bad input (TypeError/RangeError from any verb) rejects the whole commit before
   * anything is sent; a failed name lookup fails that request alone.
   *
   * Equivalent to: `ip -force -batch FILE`
   *
   * @example
   * ```ts
   * const results = await b.commit();
   * const refused = results.flatMap((r, i) => (r.ok ? [] : [[i, r.error.code]]));
   * ```
   */
  async commit(): Promise<BatchResult[]> {
    if (this.#committed) throw new Error("nlroute: this batch was committed already; start a new one with ipr.batch()");
    this.#committed = true;
    const slots = this.#slots;
    const early: (BatchResult | undefined)[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s instanceof EncodedItem || s.ctx.item !== null) continue;
      try {
        // queued, or finished (or failed) without a request
        await Promise.race([s.ctx.queued, s.verb]);
      } catch (e) {
        if (e instanceof NetlinkError) {
          early[i] = { ok: false, error: e };
          continue;
        }
        throw e;
      }
      if (s.ctx.item === null) early[i] = { ok: true, msgs: [] };
    }
    const items: BatchItem[] = [];
    const at: number[] = [];
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      const item = s instanceof EncodedItem ? s : s.ctx.item;
      if (early[i] === undefined && item !== null) {
        items.push(item);
        at.push(i);
      }
    }
    const sent = items.length ? await this.#ctx.conn.batchPrepared(items) : [];
    const results = early;
    for (let k = 0; k < sent.length; k++) {
      results[at[k]] = sent[k];
      const s = slots[at[k]];
      if (!(s instanceof EncodedItem)) s.ctx.settle(sent[k]);
    }
    return results as BatchResult[];
  }
}
