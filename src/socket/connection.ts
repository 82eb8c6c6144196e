/**
 * Request/reply over one netlink socket: sequence numbers, port-id checks, acknowledgements,
 * multipart dumps (retried when the kernel flags NLM_F_DUMP_INTR), and NLMSG_ERROR turned into
 * `NetlinkError` with the extended-ACK text. Pure logic over a byte `Transport`.
 * @module
 */

import { NetlinkError } from "../marshal/errors.ts";
import { NLM_F, NLMSG_ALIGN, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN } from "../marshal/header.ts";
import { type MessageInit, type MessageSchema, type NlMsg, type PreparedMessage, type Protocol, ackInfo, decodeDatagram, prepareMessage } from "../marshal/message.ts";
import { BATCH_FLAGS, type BatchItem, type BatchResult, exchangeBatch } from "./batch.ts";
import type { Transport } from "./transport.ts";

const ETIMEDOUT = 110;
const EINTR = 4;

/** Whether `dg` is exactly one NLMSG_ERROR with error 0 (an ACK) for `seq` on `port`. */
function isPlainAck(dg: Uint8Array, seq: number, port: number): boolean {
  if (dg.length < 36) return false;
  const dv = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
  if (dv.getUint16(4, true) !== NLMSG_ERROR || dv.getInt32(16, true) !== 0) return false;
  const len = dv.getUint32(0, true);
  if (len < 36 || len > dg.length || NLMSG_ALIGN(len) < dg.length) return false;
  const pid = dv.getUint32(12, true);
  return dv.getUint32(8, true) === seq && (pid === port || pid === 0) && !(dv.getUint16(6, true) & NLM_F.DUMP_INTR);
}

/**
 * Decode one reply datagram of the request `seq` and append its data messages to `out`; true once
 * the request is complete (its ACK or NLMSG_DONE). A kernel refusal throws NetlinkError. Messages
 * of other requests or ports are counted in `state.foreign` and skipped.
 *
 * A function of its own, not a loop inside the receive loop: V8 then optimizes it as a whole
 * after a few datagrams, where an inner loop compiled on-stack-replaced deoptimized on every
 * exit (22 times per 100,000-route dump).
 */
function absorb(
  dg: Uint8Array,
  protocol: Protocol,
  seq: number,
  port: number,
  op: string,
  out: NlMsg[],
  state: { interrupted: boolean; foreign: number },
): boolean {
  // decode straight onto the end of `out`, then keep only this request's data messages there
  const from = out.length;
  decodeDatagram(dg, protocol, out);
  const to = out.length;
  let w = from;
  let done = false;
  for (let i = from; i < to; i++) {
    const m = out[i];
    const pid = m.nlmsgPid;
    if (m.nlmsgSeq !== seq || (pid !== port && pid !== 0)) {
      state.foreign++;
      continue;
    }
    if (m.nlmsgFlags & NLM_F.DUMP_INTR) state.interrupted = true;
    const type = m.nlmsgType;
    if (type === NLMSG_ERROR) {
      const ack = ackInfo(m);
      if (ack.error !== 0) throw new NetlinkError(-ack.error, op, ack.message, ack.offset);
      done = true;
      break;
    }
    if (type === NLMSG_DONE) {
      const ack = ackInfo(m);
      if (ack.error < 0) throw new NetlinkError(-ack.error, op, ack.message, ack.offset);
      done = true;
      break;
    }
    if (type === NLMSG_NOOP) continue;
    if (type === NLMSG_OVERRUN) throw new NetlinkError(105, op, "the kernel reported NLMSG_OVERRUN: data was lost");
    // a non-dump reply is complete at the ACK, which is always requested
    if (w !== i) out[w] = m;
    w++;
  }
  if (w !== to) out.length = w;
  return done;
}

/** Options of a `Connection`. */
export interface ConnectionOptions {
  /** How often a dump flagged NLM_F_DUMP_INTR is restarted before giving up (default 5). */
  readonly dumpRetries?: number;
  /** How long to wait for each reply datagram, in ms (default 10,000). */
  readonly timeoutMs?: number;
}

/** One request: schema + message, and whether it is a dump. */
export interface Request {
  /** Schema of the request message. */
  readonly schema: MessageSchema;
  /** Message type, flags (REQUEST/ACK/DUMP are added), fields, attributes. */
  readonly init: MessageInit;
  /** Dump (NLM_F_DUMP, replies until NLMSG_DONE) rather than a single request with an ACK. */
  readonly dump?: boolean;
}

/** Counters a caller may read to see what the connection dropped or retried. */
export interface ConnectionStats {
  /** Requests sent. */
  requests: number;
  /** Messages ignored because their sequence number or port id was not the request's. */
  foreign: number;
  /** Dumps restarted after NLM_F_DUMP_INTR. */
  dumpRestarts: number;
  /** Batches sent with `batch()`. */
  batches: number;
  /** Datagrams sent by batches (each carries many requests). */
  batchDatagrams: number;
}

/**
 * A netlink connection over a `Transport`. Requests are serialised: one is in flight at a time,
 * so concurrent callers (`Promise.all`) each get their own reply.
 *
 * @example
 * ```ts
 * const conn = new Connection(transport, rtnl);
 * const links = await conn.request({ schema: ifinfomsg, init: { type: RTM.RTM_GETLINK }, dump: true });
 * ```
 */
export class Connection {
  readonly #transport: Transport;
  readonly #protocol: Protocol;
  readonly #retries: number;
  readonly #timeoutMs: number;
  #seq = Math.floor(Math.random() * 0x7fffffff);
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** What the connection has done so far. */
  readonly stats: ConnectionStats = { requests: 0, foreign: 0, dumpRestarts: 0, batches: 0, batchDatagrams: 0 };

  /**
   * Wrap an open transport; the connection owns it from now on.
   *
   * @param transport The socket (or scripted stand-in) to send and receive datagrams on.
   * @param protocol The message registry replies are decoded with.
   * @param options Dump retries and reply timeout.
   */
  constructor(transport: Transport, protocol: Protocol, options: ConnectionOptions = {}) {
    this.#transport = transport;
    this.#protocol = protocol;
    this.#retries = options.dumpRetries ?? 5;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The protocol's message registry. */
  get protocol(): Protocol {
    return this.#protocol;
  }

  /** The socket's port id. */
  get portId(): number {
    return this.#transport.portId;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #nextSeq(): number {
    this.#seq = this.#seq >= 0xfffffffe ? 1 : this.#seq + 1;
    return this.#seq;
  }

  /**
   * Send one request and collect its replies: for a dump every message up to NLMSG_DONE, for
   * anything else the reply messages (if any) up to the ACK. Invalid input throws before
   * anything is sent; a kernel refusal rejects with NetlinkError.
   */
  request(req: Request): Promise<NlMsg[]> {
    // validation happens now, synchronously, so bad input never reaches the queue
    const prepared = prepareMessage(req.schema, {
      ...req.init,
      flags: (req.init.flags ?? 0) | NLM_F.REQUEST | (req.dump ? NLM_F.DUMP : NLM_F.ACK),
    });
    const op = this.#protocol.nameOf(req.init.type);
    return this.#enqueue(() => this.#exchange(prepared, op));
  }

  /**
   * Pipelined requests: send them many per datagram (as many as the socket's receive buffer can
   * acknowledge at once) and collect one result per request, in order: the reply messages before
   * its ACK, or the NetlinkError the kernel answered it with. One request's refusal does not stop
   * the others. Invalid input throws before anything is sent. Dumps cannot be batched.
   *
   * @example
   * ```ts
   * const results = await conn.batch([
   *   { schema: rtmsg, init: { type: RTM.RTM_NEWROUTE, flags: NLM_F.CREATE | NLM_F.EXCL, fields, attrs } },
   * ]);
   * if (!results[0].ok) console.log(results[0].error.code);
   * ```
   */
  batch(reqs: readonly Request[]): Promise<BatchResult[]> {
    const items = reqs.map((req, i) => {
      if (req.dump) throw new TypeError(`Invalid batch request ${i}: dumps cannot be batched`);
      return {
        prepared: prepareMessage(req.schema, { ...req.init, flags: (req.init.flags ?? 0) | BATCH_FLAGS }),
        op: this.#protocol.nameOf(req.init.type),
      };
    });
    return this.batchPrepared(items);
  }

  /**
   * `batch()` for messages prepared already (their flags must include NLM_F_REQUEST and
   * NLM_F_ACK, see `BATCH_FLAGS`); sequence numbers are assigned here.
   */
  batchPrepared(items: readonly BatchItem[]): Promise<BatchResult[]> {
    return this.#enqueue(() => {
      const seqs = items.map(() => this.#nextSeq());
      const counters = { datagrams: 0, foreign: 0 };
      const rcvbuf = (this.#transport as { readonly receiveBufferSize?: unknown }).receiveBufferSize;
      try {
        return exchangeBatch(this.#transport, this.#protocol, items, seqs, {
          timeoutMs: this.#timeoutMs,
          receiveBufferSize: typeof rcvbuf === "number" && rcvbuf > 0 ? rcvbuf : undefined,
        }, counters);
      } finally {
        this.stats.requests += items.length;
        this.stats.batches++;
        this.stats.batchDatagrams += counters.datagrams;
        this.stats.foreign += counters.foreign;
      }
    });
  }

  /** Run `fn` after every earlier request has finished. */
  #enqueue<T>(fn: () => T): Promise<T> {
    const run = this.#tail.then(() => {
      if (this.#closed) throw new Error("nlroute: the netlink socket is closed");
      return fn();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #exchange(prepared: PreparedMessage, op: string): NlMsg[] {
    for (let attempt = 0; ; attempt++) {
      const { messages, interrupted } = this.#once(prepared, op);
      if (!interrupted) return messages;
      if (attempt >= this.#retries) {
        throw new NetlinkError(EINTR, op, `dump was interrupted by concurrent changes ${attempt + 1} times (NLM_F_DUMP_INTR)`);
      }
      this.stats.dumpRestarts++;
    }
  }

  #once(prepared: PreparedMessage, op: string): { messages: NlMsg[]; interrupted: boolean } {
    const seq = this.#nextSeq();
    const buf = new Uint8Array(prepared.length);
    prepared.write(buf, new DataView(buf.buffer), 0, seq);
    this.#transport.send(buf);
    this.stats.requests++;
    const port = this.#transport.portId;
    const out: NlMsg[] = [];
    const state = { interrupted: false, foreign: 0 };
    try {
      for (;;) {
        const dg = this.#transport.receive(this.#timeoutMs);
        if (dg === null) throw new NetlinkError(ETIMEDOUT, op, `no reply from the kernel within ${this.#timeoutMs} ms`);
        // the common reply to a change, a datagram holding just its plain ACK, is read off the bytes
        if (out.length === 0 && isPlainAck(dg, seq, port)) return { messages: out, interrupted: state.interrupted };
        if (absorb(dg, this.#protocol, seq, port, op, out, state)) return { messages: out, interrupted: state.interrupted };
      }
    } finally {
      this.stats.foreign += state.foreign;
    }
  }

  /** Close the socket. Pending requests that have not started reject. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transport.close();
  }
}
