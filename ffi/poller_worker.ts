/**
 * The Bun side of the fd poller (see `poller.ts`): a Worker that blocks in `poll([fd, eventfd])`,
 * drains the fd and posts each batch to the main thread, so the main thread never blocks and a
 * burst costs one thread hop per batch, not per datagram. The main thread stops it by writing the
 * eventfd; it answers "stopped" once it no longer touches either fd.
 *
 * Flow control: at most `window` batches are posted and not yet taken by the consumer; beyond
 * that the worker waits (Atomics.wait) and the kernel's socket buffer holds what arrives.
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import { BURST_GAP_MS, COALESCE_MS, Drainer } from "./_drain.ts";
import type { Libc } from "./libc.ts";
import { EBADF, POLLHUP, POLLIN, POLLNVAL } from "./_linux.ts";

/** What the main thread sends once, right after creating the worker. */
export interface PollerInit {
  /** The fd to read. */
  readonly fd: number;
  /** The eventfd the main thread writes to stop the worker. */
  readonly efd: number;
  /** Largest datagram expected. */
  readonly bufferSize: number;
  /** Most datagrams per batch. */
  readonly maxBatch: number;
  /** Most batches posted and not yet consumed. */
  readonly window: number;
  /** Int32 slots: [POSTED, CONSUMED, CLOSING, STATE]. */
  readonly shared: SharedArrayBuffer;
}

/** What the worker posts. */
export type PollerMessage =
  | { readonly kind: "batch"; readonly data: Uint8Array<ArrayBuffer>; readonly ends: Uint32Array<ArrayBuffer> }
  | { readonly kind: "error"; readonly syscall: string; readonly errno: number; readonly message: string }
  | { readonly kind: "eof" }
  | { readonly kind: "stopped"; readonly tid?: number; readonly fatal?: string };

/** Slot indexes of {@link PollerInit.shared}. */
export const POSTED = 0;
/** Batches the consumer has taken. */
export const CONSUMED = 1;
/** Non-zero once the main thread asked the worker to stop. */
export const CLOSING = 2;
/**
 * {@link IDLE} → {@link RUNNING} (set by the worker with compare-exchange before it touches an fd)
 * → {@link STOPPED} (set when it no longer does). The main thread may move IDLE → STOPPED, so a
 * worker that starts late never touches an fd that is already closed.
 */
export const STATE = 3;
/** The worker has not started. */
export const IDLE = 0;
/** The worker polls and reads the fds. */
export const RUNNING = 1;
/** The worker no longer touches the fds. */
export const STOPPED = 2;


interface WorkerScope {
  onmessage: ((event: MessageEvent<PollerInit>) => void) | null;
  postMessage(message: PollerMessage, transfer?: ArrayBuffer[]): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScope;

function run(libc: Libc, init: PollerInit): string | undefined {
  const shared = new Int32Array(init.shared);
  if (Atomics.compareExchange(shared, STATE, IDLE, RUNNING) !== IDLE) return;
  try {
    return poll(libc, init, shared);
  } finally {
    Atomics.store(shared, STATE, STOPPED);
    Atomics.notify(shared, STATE);
  }
}

function poll(libc: Libc, init: PollerInit, shared: Int32Array): string | undefined {
  const drainer = new Drainer(libc, init.fd, init.bufferSize, init.maxBatch);
  const fds = new Uint8Array(16);
  const words = new Int32Array(fds.buffer);
  const shorts = new Int16Array(fds.buffer);
  words[0] = init.fd;
  shorts[2] = POLLIN;
  words[2] = init.efd;
  shorts[6] = POLLIN;
  const post = (m: PollerMessage, transfer?: ArrayBuffer[]) => scope.postMessage(m, transfer);
  let lastBatch = -Infinity;
  try {
    for (;;) {
      // Wait for the consumer when the window is full, or for close.
      for (;;) {
        if (Atomics.load(shared, CLOSING)) return;
        const consumed = Atomics.load(shared, CONSUMED);
        if (Atomics.load(shared, POSTED) - consumed < init.window) break;
        Atomics.wait(shared, CONSUMED, consumed);
      }
      shorts[3] = 0;
      shorts[7] = 0;
      libc.poll(fds, -1);
      if (Atomics.load(shared, CLOSING) || shorts[7] !== 0) return;
      const revents = shorts[3];
      if ((revents & POLLIN) && performance.now() - lastBatch < BURST_GAP_MS) {
        // close() notifies CLOSING, so this wait ends at once when the stream is closed
        Atomics.wait(shared, CLOSING, 0, COALESCE_MS);
        if (Atomics.load(shared, CLOSING)) return;
      }
      if (revents & POLLNVAL) {
        post({ kind: "error", syscall: "poll", errno: EBADF, message: new SyscallError("poll", EBADF).message });
        return;
      }
      const batch = drainer.drain((revents & POLLIN) !== 0);
      if (batch) {
        lastBatch = performance.now();
        Atomics.add(shared, POSTED, 1);
        post({ kind: "batch", data: batch.data, ends: batch.ends }, [batch.data.buffer, batch.ends.buffer]);
      }
      const error = drainer.takeError();
      if (error) {
        // counted like a batch, so an error that repeats is paced by the consumer
        Atomics.add(shared, POSTED, 1);
        post({ kind: "error", syscall: error.syscall, errno: error.errno, message: error.message });
      }
      if (drainer.eof || (!batch && !error && (revents & POLLHUP))) {
        post({ kind: "eof" });
        return;
      }
    }
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
}

// The handler is installed before anything is awaited: a message that arrives while the module
// is still loading (libc's top-level await) would otherwise be dropped.
scope.onmessage = async (event) => {
  scope.onmessage = null;
  let fatal: string | undefined;
  let tid: number | undefined;
  try {
    const { libc } = await import("./load.ts");
    tid = libc.gettid();
    fatal = run(libc, event.data);
  } catch (e) {
    fatal = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  // The thread id lets the main thread wait until this thread (and what Bun opened for it) is gone.
  scope.postMessage(fatal === undefined ? { kind: "stopped", tid } : { kind: "stopped", tid, fatal });
  scope.close();
};
