/**
 * A scripted in-memory Transport: requests are handed to a function that plays the kernel and
 * returns reply datagrams. The whole API can be tested with it, without root or FFI.
 * @module
 */

import { NetlinkDecodeError } from "../marshal/errors.ts";
import { NLA_ALIGN, NLA_HDRLEN, NLM_F, NLMSG_ALIGN, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSGERR_ATTR, type NlHeader, readHeader, writeHeader } from "../marshal/header.ts";
import { type MessageInit, type MessageSchema, prepareMessage } from "../marshal/message.ts";
import type { Transport } from "./transport.ts";

/** A request as the fake kernel sees it: its header and bytes. */
export interface ScriptedRequest {
  /** The request's netlink header. */
  readonly header: NlHeader;
  /** The whole datagram as sent (a copy). */
  readonly bytes: Uint8Array;
}

/** Plays the kernel: returns the datagrams to queue in reply to one sent datagram. */
export type KernelScript = (request: ScriptedRequest) => Uint8Array[];

/**
 * Every message of a sent datagram as its own request: what a script answers one by one when
 * requests are batched (`ipr.batch()` sends many per datagram).
 *
 * @param bytes a sent datagram (`request.bytes`)
 * @returns one ScriptedRequest per netlink message in it
 * @example
 * ```ts
 * const t = new ScriptedTransport((req) => splitRequests(req.bytes).map((m) => ack(m)));
 * ```
 */
export function splitRequests(bytes: Uint8Array): ScriptedRequest[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: ScriptedRequest[] = [];
  for (let off = 0; off + NLMSG_HDRLEN <= bytes.length;) {
    const header = readHeader(dv, off);
    out.push({ header, bytes: bytes.slice(off, off + header.length) });
    off += NLMSG_ALIGN(header.length);
  }
  return out;
}

/**
 * Transport whose kernel is a function. Every sent datagram is recorded in `sent`.
 *
 * @example
 * ```ts
 * const t = new ScriptedTransport((req) => [ack(req)]);
 * const ipr = new IPRoute({ transport: t });
 * ```
 */
export class ScriptedTransport implements Transport {
  /** Port id reported to the connection. */
  readonly portId: number;
  /** Every datagram sent, in order. */
  readonly sent: Uint8Array[] = [];
  readonly #script: KernelScript;
  readonly #queue: Uint8Array[] = [];
  #closed = false;

  /**
   * Create a transport whose replies come from `script`.
   *
   * @param script Plays the kernel: returns the reply datagrams for each sent datagram.
   * @param portId Port id reported to the connection (default 4242, as `ack` etc. use).
   */
  constructor(script: KernelScript, portId = 4242) {
    this.#script = script;
    this.portId = portId;
  }

  /** Queue a datagram as if the kernel had sent it unprompted (an event, a stale reply). */
  inject(datagram: Uint8Array): void {
    this.#queue.push(datagram);
  }

  send(data: Uint8Array): void {
    if (this.#closed) throw new Error("nlroute: the netlink socket is closed");
    const copy = data.slice();
    this.sent.push(copy);
    if (copy.length < NLMSG_HDRLEN) throw new NetlinkDecodeError(`Scripted request of ${copy.length} bytes is too short`);
    const header = readHeader(new DataView(copy.buffer), 0);
    this.#queue.push(...this.#script({ header, bytes: copy }));
  }

  receive(_timeoutMs: number): Uint8Array | null {
    if (this.#closed) throw new Error("nlroute: the netlink socket is closed");
    return this.#queue.shift() ?? null;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }
}

/**
 * An NLMSG_ERROR reply to `req`: an ACK when `errno` is 0, else an error with an optional
 * extended-ACK message (capped: the request header only, as with NETLINK_CAP_ACK).
 */
export function ack(req: ScriptedRequest, errno = 0, extack?: string, portId = 4242): Uint8Array {
  const msg = extack === undefined ? null : new TextEncoder().encode(extack);
  const tlv = msg ? NLA_ALIGN(NLA_HDRLEN + msg.length + 1) : 0;
  const len = NLMSG_HDRLEN + 4 + NLMSG_HDRLEN + tlv;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  writeHeader(dv, 0, {
    length: len,
    type: NLMSG_ERROR,
    flags: NLM_F.CAPPED | (msg ? NLM_F.ACK_TLVS : 0),
    sequence_number: req.header.sequence_number,
    pid: portId,
  });
  dv.setInt32(NLMSG_HDRLEN, -errno, true);
  out.set(req.bytes.subarray(0, NLMSG_HDRLEN), NLMSG_HDRLEN + 4);
  if (msg) {
    const at = NLMSG_HDRLEN + 4 + NLMSG_HDRLEN;
    dv.setUint16(at, NLA_HDRLEN + msg.length + 1, true);
    dv.setUint16(at + 2, NLMSGERR_ATTR.MSG, true);
    out.set(msg, at + 4);
  }
  return out;
}

/** The NLMSG_DONE that ends a dump reply to `req`. */
export function done(req: ScriptedRequest, portId = 4242): Uint8Array {
  const out = new Uint8Array(NLMSG_HDRLEN + 4);
  writeHeader(new DataView(out.buffer), 0, {
    length: out.length,
    type: NLMSG_DONE,
    flags: NLM_F.MULTI,
    sequence_number: req.header.sequence_number,
    pid: portId,
  });
  return out;
}

/**
 * Reply messages to `req`, encoded from schema + init, packed into one datagram, with the
 * request's sequence number (and NLM_F_MULTI when `multi`).
 */
export function reply(req: ScriptedRequest, messages: readonly { schema: MessageSchema; init: MessageInit }[], options: { multi?: boolean; flags?: number; portId?: number } = {}): Uint8Array {
  const prepared = messages.map((m) =>
    prepareMessage(m.schema, {
      ...m.init,
      seq: req.header.sequence_number,
      pid: options.portId ?? 4242,
      flags: (m.init.flags ?? 0) | (options.flags ?? 0) | (options.multi ? NLM_F.MULTI : 0),
    })
  );
  const total = prepared.reduce((n, p) => n + NLMSG_ALIGN(p.length), 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const p of prepared) {
    p.write(out, dv, off);
    off += NLMSG_ALIGN(p.length);
  }
  return out;
}
