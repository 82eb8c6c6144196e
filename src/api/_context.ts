/**
 * What every verb module needs from its `IPRoute`: the connection, the strict-check flag, ACKed
 * requests, filtered dumps, and interface names resolved to indexes (once per call). The verb
 * modules (links.ts, addresses.ts, routes.ts, rules.ts, neighbours.ts, bridge.ts) are functions
 * of an `OpContext`, so `IPRoute` stays a thin, documented surface.
 * @module
 */

import { type MessageSchema, NetlinkError, type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import type { Connection } from "../socket/connection.ts";
import { type Match, matches } from "./filter.ts";

/**
 * Runtime services the pure layers cannot provide themselves (they need libc). The runtime entry
 * point (mod.ts) installs them with `setPlatform`; a missing one raises a clear Error.
 */
export interface Platform {
  /** Open an fd of a network namespace by name (/run/netns/NAME) or path; the caller closes it. */
  openNetnsFd?(nameOrPath: string): number;
  /** Close an fd opened by `openNetnsFd`. */
  closeFd?(fd: number): void;
  /**
   * Create (`add`) or delete (`del`) a persistent tun/tap device with ioctl, inside the network
   * namespace `netns` (name, path or fd) when given.
   */
  tuntap?(command: "add" | "del", spec: Readonly<Record<string, unknown>>, netns: string | number | undefined): void;
  /**
   * Open a NETLINK_ROUTE socket subscribed to multicast `groups` (RTNLGRP_* numbers) inside
   * `netns` (name, path or fd; the caller's namespace when undefined), with a receive buffer of
   * `rcvbuf` bytes, read without blocking the event loop (see `events.ts`).
   */
  openEventSource?(options: EventSourceOptions): EventSource;
}

/** What `Platform.openEventSource` is asked for. */
export interface EventSourceOptions {
  /** Network namespace: a name (/run/netns/NAME), a path, or an fd; undefined for the caller's. */
  readonly netns: string | number | undefined;
  /** Multicast groups to join, as RTNLGRP_* numbers. */
  readonly groups: readonly number[];
  /** Receive buffer in bytes (SO_RCVBUFFORCE, falling back to SO_RCVBUF). */
  readonly rcvbuf: number;
}

/** A subscribed event socket: batches of datagrams, as they arrive. */
export interface EventSource extends AsyncDisposable {
  /**
   * The next batch of datagrams (at least one), or null once closed. Rejects with
   * `SyscallError` code "ENOBUFS" when the kernel dropped events (receive buffer overflow);
   * the source stays usable.
   */
  next(): Promise<Uint8Array[] | null>;
  /** Stop reading and close the socket now; a pending `next()` resolves null. Idempotent. */
  close(): void;
}

const installed: Platform = {};

/** Install runtime services (done by mod.ts); later calls add to or replace earlier ones. */
export function setPlatform(services: Platform): void {
  Object.assign(installed, services);
}

/** The installed runtime services. */
export function platform(): Platform {
  return installed;
}

/** Fields, attributes and extra nlmsg flags of a request. */
export interface RequestParts {
  /** NLM_F_* flags besides REQUEST and ACK (CREATE, EXCL, REPLACE, APPEND, ECHO...). */
  readonly flags?: number;
  /** Family header fields. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Attributes in order. */
  readonly attrs?: readonly (readonly [string, unknown])[];
}

/** The state verbs share: one per `IPRoute`. */
export class OpContext {
  /** The socket. */
  readonly conn: Connection;
  /** NETLINK_GET_STRICT_CHK is on: the kernel filters dumps by header fields and attributes. */
  readonly strict: boolean;
  /** The namespace the socket lives in, as given to `new IPRoute({ netns })`. */
  readonly netns: string | number | undefined;

  constructor(conn: Connection, strict: boolean, netns: string | number | undefined) {
    this.conn = conn;
    this.strict = strict;
    this.netns = netns;
  }

  /** Send one request and wait for its ACK; returns the reply messages before the ACK (ECHO, get). */
  request(schema: MessageSchema, type: number, parts: RequestParts = {}): Promise<NlMsg[]> {
    return this.conn.request({ schema, init: { type, flags: parts.flags, fields: parts.fields, attrs: parts.attrs as [string, unknown][] | undefined } });
  }

  /** Dump, then keep the messages that satisfy `match` (all of them when it is undefined). */
  async dump(schema: MessageSchema, type: number, parts: RequestParts = {}, match?: Match): Promise<NlMsg[]> {
    const msgs = await this.conn.request({ schema, init: { type, flags: parts.flags, fields: parts.fields, attrs: parts.attrs as [string, unknown][] | undefined }, dump: true });
    return match === undefined ? msgs : msgs.filter((m) => matches(m, match));
  }

  /** A name → index resolver whose answers live as long as one verb call. */
  resolver(): IndexResolver {
    return new IndexResolver(this);
  }
}

/**
 * Resolves interface names wherever an index is expected (`oif: "v0"`, `master: "br0"`); each
 * name is looked up once per call. Numbers pass through after a range check.
 */
export class IndexResolver {
  readonly #ctx: OpContext;
  readonly #cache = new Map<string, number>();

  constructor(ctx: OpContext) {
    this.#ctx = ctx;
  }

  /** Check synchronously that `value` can name an interface (so bad input fails before any I/O). */
  static check(value: unknown, key: string): void {
    if (typeof value === "number") {
      if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw new RangeError(`Invalid ${key}: ${value} is not an interface index`);
      return;
    }
    if (typeof value !== "string" || value.length === 0) throw new TypeError(`Invalid ${key}: expected an interface index or name, got ${show(value)}`);
    // names longer than IFNAMSIZ - 1 can only be altnames (ALTIFNAMSIZ 128)
    if (new TextEncoder().encode(value).length > 127) throw new RangeError(`Invalid ${key}: ${show(value)} is longer than an interface name can be (127 bytes)`);
  }

  /** The index of `value` (a number, or a name / altname looked up with RTM_GETLINK). */
  async index(value: unknown, key: string): Promise<number> {
    IndexResolver.check(value, key);
    if (typeof value === "number") return value;
    const name = value as string;
    const hit = this.#cache.get(name);
    if (hit !== undefined) return hit;
    const attr = new TextEncoder().encode(name).length > 15 ? "alt_ifname" : "ifname";
    let msgs: NlMsg[];
    try {
      msgs = await this.#ctx.request(ifinfomsg, RTM.RTM_GETLINK, { attrs: [[attr, name], ["ext_mask", 1]] });
    } catch (e) {
      if (e instanceof NetlinkError && e.code === "ENODEV") {
        throw new NetlinkError(e.errno, e.op, `${key}: no interface named ${show(name)}${e.extack ? ` (${e.extack})` : ""}`, e.offset);
      }
      throw e;
    }
    const index = msgs[0]?.get("index") as number | undefined;
    if (index === undefined) throw new NetlinkError(19, "RTM_GETLINK", `${key}: no interface named ${show(name)}`);
    this.#cache.set(name, index);
    return index;
  }
}
