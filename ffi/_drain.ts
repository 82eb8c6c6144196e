/**
 * The synchronous half of the fd poller: once `poll` says an fd is readable, read everything that
 * is there (up to a batch limit) without blocking. Shared by the Deno reader (main thread) and the
 * Bun poller worker, so both runtimes read, size and report errors the same way.
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import type { Libc } from "./libc.ts";
import { EAGAIN, MSG_DONTWAIT, MSG_TRUNC, O_NONBLOCK, POLLIN } from "./_linux.ts";

// <errno.h>, <sys/socket.h>, <fcntl.h>, <poll.h>
const ENOTSOCK = 88;
const EMSGSIZE = 90;
const F_GETFL = 3;

/**
 * Coalescing: a wake-up that comes within {@link BURST_GAP_MS} of the previous batch is part of a
 * burst, so the reader lets {@link COALESCE_MS} of datagrams pile up before draining: a burst
 * costs about one wake-up and one message per millisecond instead of one per few datagrams (each
 * wake-up is CPU the process generating the burst does not get). An isolated event is drained at
 * once.
 */
export const COALESCE_MS = 1;
/** See {@link COALESCE_MS}. */
export const BURST_GAP_MS = 20;
/** Bytes kept beyond one full read so a batch of small datagrams shares one allocation. */
const ARENA_EXTRA = 256 * 1024;

/**
 * One batch: the datagrams laid end to end in `data` (a copy, owned by the receiver), and the
 * end offset of each.
 */
export interface RawBatch {
  /** The datagrams, back to back. */
  readonly data: Uint8Array<ArrayBuffer>;
  /** End offset of each datagram in `data`; datagram i is `data[ends[i-1] ?? 0 .. ends[i]]`. */
  readonly ends: Uint32Array<ArrayBuffer>;
}

/**
 * Split a {@link RawBatch} into one Uint8Array per datagram (views of the batch's own copy).
 *
 * @param batch the batch
 * @returns the datagrams in order
 * @example
 * ```ts
 * splitBatch({ data: Uint8Array.of(1, 2, 3), ends: Uint32Array.of(1, 3) }); // [[1], [2, 3]]
 * ```
 */
export function splitBatch(batch: RawBatch): Uint8Array[] {
  const out: Uint8Array[] = new Array(batch.ends.length);
  let start = 0;
  for (let i = 0; i < batch.ends.length; i++) {
    const end = batch.ends[i];
    out[i] = batch.data.subarray(start, end);
    start = end;
  }
  return out;
}

/**
 * Reads what an fd has queued without blocking. Sockets are read with `recv(MSG_DONTWAIT |
 * MSG_TRUNC)`, so an oversize datagram is detected (never silently cut); anything else (a tun fd)
 * with `read`, after checking readability with `poll(0)` when the fd is in blocking mode.
 *
 * A read error (ENOBUFS on a netlink socket whose buffer overflowed, EMSGSIZE for an oversize
 * datagram) ends the batch and is kept in {@link takeError}, so the datagrams before it are
 * delivered first.
 */
export class Drainer {
  readonly #libc: Libc;
  readonly #fd: number;
  readonly #maxBatch: number;
  #bufferSize: number;
  #arena: Uint8Array<ArrayBuffer>;
  /** Unknown until the first read: "socket" (recv) or "file" (read). */
  #mode: "socket" | "file" | undefined;
  #nonblocking = false;
  readonly #single = new Uint8Array(8);
  #error: SyscallError | null = null;
  /** The fd reported end of file (read returned 0). */
  eof = false;

  /**
   * @param libc the calling thread's libc
   * @param fd the fd to read (not owned: never closed here)
   * @param bufferSize the largest datagram expected; larger ones raise EMSGSIZE (sockets)
   * @param maxBatch the most datagrams returned by one {@link drain}
   */
  constructor(libc: Libc, fd: number, bufferSize: number, maxBatch: number) {
    this.#libc = libc;
    this.#fd = fd;
    this.#bufferSize = bufferSize;
    this.#maxBatch = maxBatch;
    this.#arena = new Uint8Array(bufferSize + ARENA_EXTRA);
    const pollfd = new DataView(this.#single.buffer);
    const le = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
    pollfd.setInt32(0, fd, le);
    pollfd.setInt16(4, POLLIN, le);
  }

  /** The error that ended the last batch, once; null when there was none. */
  takeError(): SyscallError | null {
    const e = this.#error;
    this.#error = null;
    return e;
  }

  #readable(): boolean {
    return this.#libc.poll(this.#single, 0) > 0;
  }

  #detectFile(): void {
    this.#mode = "file";
    this.#nonblocking = (this.#libc.fcntl(this.#fd, F_GETFL) & O_NONBLOCK) !== 0;
  }

  /**
   * Read everything queued now, up to `maxBatch` datagrams, without blocking.
   *
   * @param readable the caller's poll just reported the fd readable (saves a `poll(0)` before the
   *   first read of a blocking non-socket fd)
   * @returns the batch, or null when nothing was queued (see {@link takeError} and {@link eof})
   */
  drain(readable: boolean): RawBatch | null {
    const libc = this.#libc;
    const ends: number[] = [];
    let off = 0;
    while (ends.length < this.#maxBatch && this.#arena.byteLength - off >= this.#bufferSize) {
      const room = this.#arena.subarray(off, off + this.#bufferSize);
      let length: number;
      try {
        if (this.#mode === "file") {
          if (!this.#nonblocking && !(readable && ends.length === 0) && !this.#readable()) break;
          length = libc.read(this.#fd, room);
          if (length === 0) {
            this.eof = true;
            break;
          }
        } else {
          length = libc.recv(this.#fd, room, MSG_DONTWAIT | MSG_TRUNC);
          this.#mode = "socket";
        }
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        if (e.errno === EAGAIN) break;
        if (e.errno === ENOTSOCK && this.#mode === undefined) {
          this.#detectFile();
          continue;
        }
        this.#error = e;
        break;
      }
      if (length > this.#bufferSize) {
        // The datagram is gone; report it (never a silent cut) and make room for the next one.
        this.#error = new SyscallError("recv", EMSGSIZE, `a ${length}-byte datagram did not fit the ${this.#bufferSize}-byte buffer`);
        this.#bufferSize = Math.ceil(length / 4096) * 4096;
        if (this.#arena.byteLength < this.#bufferSize + ARENA_EXTRA) {
          const bigger = new Uint8Array(this.#bufferSize + ARENA_EXTRA);
          bigger.set(this.#arena.subarray(0, off));
          this.#arena = bigger;
        }
        break;
      }
      off += length;
      ends.push(off);
    }
    if (ends.length === 0) return null;
    return { data: this.#arena.slice(0, off), ends: Uint32Array.from(ends) };
  }
}
