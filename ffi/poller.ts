/**
 * Reading an fd (a netlink socket, a tun device) without ever blocking the event loop:
 * {@link openFdReader} returns batches of datagrams as promises.
 *
 * - Deno: `poll([fd, eventfd])` runs as a `nonblocking` FFI call (on Deno's blocking-call
 *   thread); when it returns, the fd is drained synchronously on the main thread. A pending poll
 *   exists only while the consumer waits in `next()`.
 * - Bun: a Worker (`poller_worker.ts`) blocks in the same poll, drains, and posts each batch. The
 *   worker keeps the process alive only while the consumer waits in `next()`.
 *
 * Either way, `close()` writes the eventfd, which wakes the poll at once; the eventfd and worker
 * are released when the poll has returned. A burst is read poll-then-drain: one wake-up per
 * batch, not per datagram.
 *
 * `bun build --compile` bundles the worker when it is named as an extra entry point:
 * `bun build --compile app.ts ./node_modules/nlroute/ffi/poller_worker.ts` (or
 * `ffi/poller_worker.ts` in this repository).
 * @module
 */

import type { EventSource, EventSourceOptions } from "../src/api/_context.ts";
import { SyscallError } from "../src/marshal/errors.ts";
import { BURST_GAP_MS, COALESCE_MS, type RawBatch, Drainer, splitBatch } from "./_drain.ts";
import { pollNonblocking as denoPollNonblocking } from "./deno.ts";
import { libc } from "./load.ts";
import { FfiTransport, openNetnsFd } from "./transport.ts";
import type { PollerInit, PollerMessage } from "./poller_worker.ts";
import { EBADF, O_CLOEXEC, O_RDONLY, POLLHUP, POLLIN, POLLNVAL } from "./_linux.ts";

const EFD_CLOEXEC = 0o2000000;
const EFD_NONBLOCK = 0o4000;
// Slots and states of the worker's shared counters (see poller_worker.ts).
const CONSUMED = 1;
const CLOSING = 2;
const STATE = 3;
const IDLE = 0;
const RUNNING = 1;
const STOPPED = 2;
/** How long disposal waits for the worker's thread to be gone after its "close" event. */
const THREAD_EXIT_WAIT_MS = 1000;

const DEFAULT_BUFFER_SIZE = 64 * 1024;
const DEFAULT_MAX_BATCH = 1024;
const WORKER_WINDOW = 64;

/**
 * Batches of datagrams (or packets) read from one fd. Single consumer: concurrent `next()` calls
 * are served in order.
 *
 * @example
 * ```ts
 * await using reader = openFdReader(fd);
 * for (let batch = await reader.next(); batch; batch = await reader.next()) {
 *   for (const datagram of batch) handle(datagram);
 * }
 * ```
 */
export interface FdReader extends AsyncDisposable {
  /** Next batch of datagrams/packets read from the fd (each its own Uint8Array, copied), or null once closed. */
  next(): Promise<Uint8Array[] | null>;
  /** Stop polling and release the eventfd/worker now; pending next() resolves null. Idempotent. Does not close the fd itself. */
  close(): void;
}

/** Options of {@link openFdReader}. */
export interface FdReaderOptions {
  /**
   * The largest datagram expected, in bytes (default 65536). A larger datagram on a socket
   * rejects `next()` with SyscallError EMSGSIZE (and the buffer grows); a larger packet from
   * `read` (tun) is cut by the kernel to this size.
   */
  bufferSize?: number;
  /** The most datagrams one `next()` returns (default 1024). */
  maxBatch?: number;
}

function checkPositive(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  if (value < 1 || value > max) throw new RangeError(`${name} must be in 1..${max}, got ${value}`);
  return value;
}

/**
 * Start reading `fd` in the background of the event loop. The fd stays yours: close it after the
 * reader (`await reader[Symbol.asyncDispose]()` returns once the reader no longer touches it).
 *
 * A read error rejects one `next()` with `SyscallError` (e.g. code "ENOBUFS" when a netlink
 * socket's receive buffer overflowed) after the datagrams read before it; the reader stays
 * usable. End of file (`read` returned 0) closes the reader.
 *
 * @param fd a readable fd (socket, tun/tap, pipe...)
 * @param options buffer size and batch limit
 * @returns the reader; close or dispose it when done
 * @example
 * ```ts
 * await using reader = openFdReader(tunFd, { bufferSize: 1600 });
 * const packets = await reader.next();
 * ```
 */
export function openFdReader(fd: number, options: FdReaderOptions = {}): FdReader {
  if (typeof fd !== "number" || !Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) {
    throw new TypeError(`fd must be a non-negative integer, got ${String(fd)}`);
  }
  const bufferSize = checkPositive("bufferSize", options.bufferSize, DEFAULT_BUFFER_SIZE, 64 << 20);
  const maxBatch = checkPositive("maxBatch", options.maxBatch, DEFAULT_MAX_BATCH, 1 << 20);
  return createReader(fd, bufferSize, maxBatch);
}

/**
 * Open a NETLINK_ROUTE event socket (what `ipr.events()` reads; installed by mod.ts as
 * `Platform.openEventSource`): joined to `groups`, inside `netns` when given, with a receive
 * buffer of `rcvbuf` bytes (SO_RCVBUFFORCE, or SO_RCVBUF up to rmem_max without CAP_NET_ADMIN),
 * read by an {@link FdReader}.
 *
 * @param options namespace, groups (RTNLGRP_* numbers), receive buffer
 * @returns the source; `close()` closes the socket
 * @example
 * ```ts
 * await using events = openEventSocket({ netns: "blue", groups: [1], rcvbuf: 8 << 20 });
 * const datagrams = await events.next();
 * ```
 */
export function openEventSocket(options: EventSourceOptions): EventSource {
  const { netns } = options;
  const nsfd = typeof netns === "string" ? openNetnsFd(netns) : netns;
  let transport: FfiTransport;
  try {
    transport = FfiTransport.open({ netnsFd: nsfd, rcvbuf: options.rcvbuf, extAck: false, capAck: false });
  } finally {
    if (typeof netns === "string") libc.close(nsfd!);
  }
  let reader: PollingReader;
  try {
    for (const g of options.groups) transport.addMembership(g);
    reader = createReader(transport.fd, DEFAULT_BUFFER_SIZE, DEFAULT_MAX_BATCH);
  } catch (e) {
    transport.close();
    throw e;
  }
  let socketClosed = false;
  const closeSocket = () => {
    if (socketClosed) return;
    socketClosed = true;
    if (!reader.touchesFd) return transport.close();
    // The Bun worker may still be waking up: the socket is closed now by putting /dev/null in
    // its place (dup3 is atomic), so the number is not reused while the worker could read it;
    // the number itself is closed once the worker has stopped.
    try {
      const nul = libc.open("/dev/null", O_RDONLY | O_CLOEXEC);
      try {
        libc.dup3(nul, transport.fd, O_CLOEXEC);
      } finally {
        libc.close(nul);
      }
    } catch {
      // No fd left for the placeholder (EMFILE): the socket then closes when the worker stops.
    }
    const release = () => transport.close();
    void reader[Symbol.asyncDispose]().then(release, release);
  };
  return {
    next: () => reader.next(),
    close() {
      reader.close();
      closeSocket();
    },
    async [Symbol.asyncDispose]() {
      reader.close();
      closeSocket();
      await reader[Symbol.asyncDispose]();
      transport.close();
    },
  };
}

/** An {@link FdReader} that says whether it may still read its fd (false once fully stopped). */
interface PollingReader extends FdReader {
  readonly touchesFd: boolean;
}

function createReader(fd: number, bufferSize: number, maxBatch: number): PollingReader {
  if (pollNonblocking) return new DenoFdReader(fd, bufferSize, maxBatch, pollNonblocking);
  return new WorkerFdReader(fd, bufferSize, maxBatch);
}

type PollNonblocking = (fds: Uint8Array<ArrayBuffer>, timeoutMs: number) => Promise<number>;

const pollNonblocking: PollNonblocking | null = "Deno" in globalThis ? denoPollNonblocking : null;

const ONE = new Uint8Array(BigUint64Array.of(1n).buffer);

/** Serialises async calls: each runs after the previous one settled. */
class Queue {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#tail.then(fn, fn);
    this.#tail = p.catch(() => undefined);
    return p;
  }
}

class DenoFdReader implements PollingReader {
  readonly #efd: number;
  readonly #drainer: Drainer;
  readonly #poll: PollNonblocking;
  readonly #fds = new Uint8Array(16);
  readonly #shorts = new Int16Array(this.#fds.buffer);
  readonly #queue = new Queue();
  #closed = false;
  #polling = false;
  #released = false;
  #lastBatch = -Infinity;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;

  constructor(fd: number, bufferSize: number, maxBatch: number, poll: PollNonblocking) {
    this.#poll = poll;
    this.#drainer = new Drainer(libc, fd, bufferSize, maxBatch);
    this.#efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    const words = new Int32Array(this.#fds.buffer);
    words[0] = fd;
    this.#shorts[2] = POLLIN;
    words[2] = this.#efd;
    this.#shorts[6] = POLLIN;
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
  }

  next(): Promise<Uint8Array[] | null> {
    return this.#queue.run(() => this.#next());
  }

  async #next(): Promise<Uint8Array[] | null> {
    let readable = false;
    for (;;) {
      if (this.#closed) return null;
      const batch = this.#drainer.drain(readable);
      if (batch) {
        this.#lastBatch = performance.now();
        return splitBatch(batch);
      }
      const error = this.#drainer.takeError();
      if (error) throw error;
      if (this.#drainer.eof) {
        this.close();
        return null;
      }
      this.#shorts[3] = 0;
      this.#shorts[7] = 0;
      this.#polling = true;
      try {
        await this.#poll(this.#fds, -1);
      } finally {
        this.#polling = false;
        if (this.#closed) this.#release();
      }
      if (this.#closed) return null;
      const revents = this.#shorts[3];
      if (revents & POLLNVAL) throw new SyscallError("poll", EBADF);
      readable = (revents & POLLIN) !== 0;
      if (!readable && (revents & POLLHUP)) {
        this.close();
        return null;
      }
      // In a burst, let datagrams pile up briefly: one drain per millisecond, not per datagram
      // (see COALESCE_MS). close() meanwhile releases at once; nothing is read after it.
      if (readable && performance.now() - this.#lastBatch < BURST_GAP_MS) {
        await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
      }
    }
  }

  get touchesFd(): boolean {
    return !this.#closed;
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    libc.close(this.#efd);
    this.#resolveDone();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    // A poll in flight still watches the eventfd: wake it, and release once it has returned.
    if (this.#polling) libc.write(this.#efd, ONE);
    else this.#release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#done;
  }
}

const WORKER_FILE = "poller_worker";
let compiledWorker: string | undefined;

/**
 * `node:fs`, for the Bun-only paths below, fetched on first use: a top-level import would make
 * Deno load its whole Node compatibility layer for fs (~40 ms of start-up) in every program.
 */
function bunFs(): typeof import("node:fs") {
  return process.getBuiltinModule("node:fs");
}

/**
 * Where the worker module is. From source: next to this file. In a `bun build --compile`
 * executable, this code runs from the bundle (`/$bunfs/root/<app>`) and each extra entry point is
 * stored as `<its path relative to the build root>.js` in the same virtual filesystem, so it is
 * looked up there by name.
 */
function workerUrl(): string | URL {
  if (!import.meta.url.includes("/$bunfs/")) return new URL(`./${WORKER_FILE}.ts`, import.meta.url);
  if (compiledWorker === undefined) {
    const root = decodeURIComponent(new URL(".", import.meta.url).pathname).replace(/\/$/, "");
    const entry = bunFs().readdirSync(root, { recursive: true, encoding: "utf8" }).find((p) => /(^|\/)poller_worker\.[jt]s$/.test(p));
    if (entry === undefined) {
      throw new Error(`nlroute: this executable has no ${WORKER_FILE}.ts: name it as an extra entry point, e.g. bun build --compile app.ts node_modules/nlroute/ffi/${WORKER_FILE}.ts`);
    }
    // The unnormalised path is what Bun resolves inside its virtual filesystem ("../" included).
    compiledWorker = `${root}/${entry}`;
  }
  return compiledWorker;
}

interface BunWorker extends Worker {
  ref(): void;
  unref(): void;
}

interface Waiter {
  resolve(batch: Uint8Array[] | null): void;
  reject(error: unknown): void;
}

type Item = { batch: RawBatch } | { error: Error };

class WorkerFdReader implements PollingReader {
  readonly #efd: number;
  readonly #worker: BunWorker;
  readonly #shared = new Int32Array(new SharedArrayBuffer(16));
  readonly #items: Item[] = [];
  readonly #waiters: Waiter[] = [];
  #closed = false;
  #stopped = false;
  #tid: number | undefined;
  readonly #done: Promise<void>;
  #resolveDone!: () => void;
  #exited!: Promise<void>;

  constructor(fd: number, bufferSize: number, maxBatch: number) {
    this.#efd = libc.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    this.#done = new Promise((resolve) => (this.#resolveDone = resolve));
    try {
      this.#worker = new Worker(workerUrl(), { type: "module" }) as BunWorker;
    } catch (e) {
      libc.close(this.#efd);
      throw e;
    }
    // A worker that is gone no longer touches the fds, whatever it managed to say before.
    this.#exited = new Promise((resolve) =>
      this.#worker.addEventListener("close", () => {
        this.#stop();
        resolve();
      })
    );
    this.#worker.unref();
    this.#worker.onmessage = (event: MessageEvent<PollerMessage>) => this.#onMessage(event.data);
    this.#worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(new Error(`nlroute: the poller worker failed: ${event.message}`));
    };
    const init: PollerInit = { fd, efd: this.#efd, bufferSize, maxBatch, window: WORKER_WINDOW, shared: this.#shared.buffer as SharedArrayBuffer };
    this.#worker.postMessage(init);
  }

  get touchesFd(): boolean {
    return !this.#stopped && Atomics.load(this.#shared, STATE) === RUNNING;
  }

  #onMessage(m: PollerMessage): void {
    switch (m.kind) {
      case "batch":
        this.#push({ batch: { data: m.data, ends: m.ends } });
        break;
      case "error": {
        const error = new SyscallError(m.syscall, m.errno);
        error.message = m.message;
        this.#push({ error });
        break;
      }
      case "eof":
        this.close();
        break;
      case "stopped":
        this.#tid = m.tid;
        if (m.fatal !== undefined && !this.#closed) this.#fail(new Error(`nlroute: the poller worker failed: ${m.fatal}`));
        this.#stop();
        break;
    }
  }

  /**
   * The worker no longer touches the fds: release the eventfd. The worker ends by itself (it
   * closes its scope after "stopped"); it stays referenced until then.
   */
  #stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#closed = true;
    libc.close(this.#efd);
    for (const w of this.#waiters.splice(0)) w.resolve(null);
    this.#resolveDone();
  }

  #fail(error: Error): void {
    this.#push({ error });
    this.close();
  }

  #push(item: Item): void {
    const waiter = this.#waiters.shift();
    if (waiter) this.#deliver(item, waiter);
    else this.#items.push(item);
    if (this.#waiters.length === 0 && !this.#closed) this.#worker.unref();
  }

  #deliver(item: Item, waiter: Waiter): void {
    Atomics.add(this.#shared, CONSUMED, 1);
    Atomics.notify(this.#shared, CONSUMED);
    if ("error" in item) waiter.reject(item.error);
    else waiter.resolve(splitBatch(item.batch));
  }

  next(): Promise<Uint8Array[] | null> {
    return new Promise((resolve, reject) => {
      const item = this.#items.shift();
      if (item) return this.#deliver(item, { resolve, reject });
      if (this.#closed) return resolve(null);
      this.#waiters.push({ resolve, reject });
      this.#worker.ref();
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#items.length = 0;
    for (const w of this.#waiters.splice(0)) w.resolve(null);
    if (this.#stopped) return;
    // Referenced until its "close" event (a few ms), so awaiting the release cannot end the process.
    this.#worker.ref();
    Atomics.store(this.#shared, CLOSING, 1);
    Atomics.notify(this.#shared, CONSUMED);
    Atomics.notify(this.#shared, CLOSING);
    // A worker that has not started yet never will touch the fds; a running one is woken by the
    // eventfd and answers "stopped" (which releases the eventfd) once it has let go of both fds.
    if (Atomics.compareExchange(this.#shared, STATE, IDLE, STOPPED) === RUNNING) libc.write(this.#efd, ONE);
    if (Atomics.load(this.#shared, STATE) === STOPPED) this.#stop();
  }

  /** Closes, then resolves once the worker thread has exited (Bun's fds for it are closed). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
    await this.#done;
    await this.#exited;
    const task = this.#tid === undefined ? null : `/proc/self/task/${this.#tid}`;
    for (let i = 0; task !== null && i < THREAD_EXIT_WAIT_MS && bunFs().existsSync(task); i++) await new Promise((r) => setTimeout(r, 1));
  }
}
