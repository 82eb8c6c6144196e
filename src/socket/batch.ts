/**
 * Pipelining: many ACKed requests per `sendmsg`, every reply and ACK matched back to its request
 * by sequence number, one result per request (pyroute2's IPBatch idea). Pure logic over a byte
 * `Transport`; `Connection.batch` is the entry point.
 *
 * The kernel handles every message of a datagram before `send` returns and queues one ACK (or
 * error) per message on the socket. ACKs that do not fit in the socket's receive buffer are
 * dropped, so requests go out in chunks whose ACKs fit in it, and each chunk is drained before
 * the next one is sent.
 * @module
 */

import { NetlinkError, SyscallError } from "../marshal/errors.ts";
import { NLM_F, NLMSG_ALIGN, NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN } from "../marshal/header.ts";
import { type NlMsg, type PreparedMessage, type Protocol, ackInfo, decodeDatagram } from "../marshal/message.ts";
import type { Transport } from "./transport.ts";

const ETIMEDOUT = 110;
const ENOBUFS = 105;

/** The outcome of one request of a batch: its reply messages, or why it failed. */
export type BatchResult =
  | { readonly ok: true; readonly msgs: NlMsg[] }
  | { readonly ok: false; readonly error: NetlinkError };

/** One prepared request of a batch. */
export interface BatchItem {
  /** The message, validated and sized (flags already include REQUEST and ACK). */
  readonly prepared: PreparedMessage;
  /** Message type name for errors, e.g. "RTM_NEWROUTE". */
  readonly op: string;
}

/** Limits of a batch exchange. */
export interface BatchOptions {
  /** How long to wait for each reply datagram, in ms. */
  readonly timeoutMs: number;
  /** The socket's receive buffer (SO_RCVBUF as the kernel reports it); default 212,992 (rmem_default). */
  readonly receiveBufferSize?: number;
  /** Receive-buffer bytes budgeted per request's replies and ACK; default 1,024 (an ACK's skb costs ~770). */
  readonly bytesPerReply?: number;
  /** Largest datagram sent, in bytes; default 65,536. */
  readonly maxDatagram?: number;
}

/** Counters of one batch exchange (added to the connection's stats by the caller). */
export interface BatchCounters {
  /** Datagrams sent. */
  datagrams: number;
  /** Messages ignored because their sequence number or port id was not one of the batch's. */
  foreign: number;
}

/**
 * Send `items` in chunks and collect one result per item, in order. `seqs[i]` is item i's
 * sequence number (distinct). Kernel refusals are per-item results; a timeout, a socket error
 * or an overflowed receive buffer turns the items still waiting into failed results too (the
 * kernel may have applied them: an ACK that is lost says nothing about the request).
 */
export function exchangeBatch(transport: Transport, protocol: Protocol, items: readonly BatchItem[], seqs: readonly number[], options: BatchOptions, counters: BatchCounters): BatchResult[] {
  const results: (BatchResult | undefined)[] = new Array(items.length);
  const rcvbuf = options.receiveBufferSize ?? 212_992;
  const perReply = options.bytesPerReply ?? 1024;
  const maxDatagram = options.maxDatagram ?? 65_536;
  // at least one request per chunk, however small the buffer
  const perChunk = Math.max(1, Math.floor(rcvbuf / perReply));
  const port = transport.portId;
  // request index by sequence number: arithmetic when a chunk's numbers are consecutive (as
  // Connection assigns them), a map otherwise
  const slot = new Map<number, number>();
  let seqBase = 0;
  let consecutive = false;
  // replies before the ACK, made for the requests that get any
  const replies: (NlMsg[] | undefined)[] = new Array(items.length);
  const indexOf = (seq: number, first: number, next: number): number | undefined => {
    if (!consecutive) return slot.get(seq);
    const i = first + ((seq - seqBase) >>> 0);
    return i < next ? i : undefined;
  };
  const many = typeof transport.receiveMany === "function";
  // datagrams read by receiveMany and not yet handled
  let pending: Uint8Array[] = [];
  let pendingAt = 0;
  let viewOf: ArrayBufferLike | null = null;
  let view: DataView = new DataView(new ArrayBuffer(0));

  let next = 0;
  while (next < items.length) {
    // one chunk: as many requests as the receive buffer can acknowledge and the datagram can hold
    const first = next;
    let bytes = NLMSG_ALIGN(items[next].prepared.length);
    next++;
    while (next < items.length && next - first < perChunk) {
      const size = NLMSG_ALIGN(items[next].prepared.length);
      if (bytes + size > maxDatagram) break;
      bytes += size;
      next++;
    }
    const buf = new Uint8Array(bytes);
    const dv = new DataView(buf.buffer);
    seqBase = seqs[first];
    consecutive = true;
    for (let i = first, off = 0; i < next; i++) {
      const p = items[i].prepared;
      p.write(buf, dv, off, seqs[i]);
      off += NLMSG_ALIGN(p.length);
      if (seqs[i] !== ((seqBase + (i - first)) >>> 0)) consecutive = false;
    }
    if (!consecutive) {
      slot.clear();
      for (let i = first; i < next; i++) slot.set(seqs[i], i);
    }
    try {
      transport.send(buf);
    } catch (e) {
      // nothing of this chunk (or after it) reached the kernel
      const error = e instanceof SyscallError ? new NetlinkError(e.errno, items[first].op, `send failed: ${e.message}`) : null;
      if (!error) throw e;
      for (let i = first; i < items.length; i++) results[i] = { ok: false, error };
      return results as BatchResult[];
    }
    counters.datagrams++;
    let waiting = next - first;
    try {
      while (waiting > 0) {
        // many ACKs per call when the transport can (one FFI crossing per up to 16 datagrams)
        let dg: Uint8Array | null;
        if (pendingAt < pending.length) dg = pending[pendingAt++];
        else if (many) {
          const got = transport.receiveMany!(waiting, options.timeoutMs);
          if (got === null) dg = null;
          else {
            pending = got;
            pendingAt = 1;
            dg = got[0];
          }
        } else dg = transport.receive(options.timeoutMs);
        if (dg === null) throw new NetlinkError(ETIMEDOUT, items[first].op, `no acknowledgement from the kernel within ${options.timeoutMs} ms`);
        // the common case, a datagram holding one plain ACK, is read off the bytes
        if (dg.length >= 20) {
          if (dg.buffer !== viewOf) {
            viewOf = dg.buffer;
            view = new DataView(dg.buffer);
          }
          const o = dg.byteOffset;
          if (NLMSG_ALIGN(view.getUint32(o, true)) >= dg.length && view.getUint16(o + 4, true) === NLMSG_ERROR && view.getInt32(o + 16, true) === 0) {
            const i = indexOf(view.getUint32(o + 8, true), first, next);
            const pid = view.getUint32(o + 12, true);
            if (i !== undefined && results[i] === undefined && (pid === port || pid === 0)) {
              results[i] = { ok: true, msgs: replies[i] ?? [] };
              waiting--;
              continue;
            }
          }
        }
        const msgs = decodeDatagram(dg, protocol);
        for (let k = 0; k < msgs.length; k++) {
          const m = msgs[k];
          const i = indexOf(m.nlmsgSeq, first, next);
          const pid = m.nlmsgPid;
          if (i === undefined || results[i] !== undefined || (pid !== port && pid !== 0)) {
            counters.foreign++;
            continue;
          }
          const type = m.nlmsgType;
          if (type === NLMSG_ERROR) {
            const ack = ackInfo(m);
            results[i] = ack.error === 0 ? { ok: true, msgs: replies[i] ?? [] } : { ok: false, error: new NetlinkError(-ack.error, items[i].op, ack.message, ack.offset) };
            waiting--;
          } else if (type === NLMSG_OVERRUN) {
            throw new NetlinkError(ENOBUFS, items[i].op, "the kernel reported NLMSG_OVERRUN: data was lost");
          } else if (type !== NLMSG_NOOP && type !== NLMSG_DONE) {
            (replies[i] ??= []).push(m);
          }
        }
      }
    } catch (e) {
      const error = e instanceof NetlinkError ? e
        : e instanceof SyscallError ? new NetlinkError(e.errno, items[first].op, e.errno === ENOBUFS ? "acknowledgements were lost: the socket's receive buffer overflowed (the request may have been applied)" : e.message)
        : null;
      if (!error) throw e;
      for (let i = first; i < next; i++) results[i] ??= { ok: false, error };
      // the requests after this chunk were never sent
      const unsent = new NetlinkError(error.errno, items[first].op, `not sent: an earlier chunk of the batch failed (${error.message})`);
      for (let i = next; i < items.length; i++) results[i] = { ok: false, error: unsent };
      return results as BatchResult[];
    }
  }
  return results as BatchResult[];
}

/** NLM flags a batched request gets on top of its own: REQUEST and ACK. */
export const BATCH_FLAGS: number = NLM_F.REQUEST | NLM_F.ACK;
