/**
 * The Deno adapter: `Deno.dlopen` over {@link SYMBOLS} (one symbol at a time, on first use),
 * errno through `__errno_location()`.
 * Needs `--allow-ffi` (a path-scoped `--allow-ffi=libc.so.6` does not work).
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import { bindLibc, pollTimeout } from "./_bind.ts";
import type { Libc } from "./libc.ts";
import { SYMBOLS, rawLibc } from "./symbols.ts";
import type { BindSymbol, Symbols } from "./symbols.ts";

const LIBC_PATH = "libc.so.6";

/**
 * One entry of {@link SYMBOLS}, bound on its own when first needed: Deno builds a call
 * trampoline for every symbol it binds (about 0.2 ms each), and most programs call few of them.
 */
function bindSymbol<K extends keyof Symbols>(name: K): Deno.DynamicLibrary<Pick<Symbols, K>>["symbols"][K] {
  return Deno.dlopen(LIBC_PATH, { [name]: SYMBOLS[name] } as Pick<Symbols, K>).symbols[name];
}

let errno: Int32Array | undefined;

/** The calling thread's errno (a Worker has its own, and its own copy of this module). */
function errnoView(): Int32Array {
  if (errno) return errno;
  const errnoPtr = bindSymbol("__errno_location")();
  if (errnoPtr === null) throw new Error("nlroute: __errno_location() returned NULL");
  return (errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(errnoPtr, 4)));
}

/**
 * Open libc through Deno's FFI and return the typed {@link Libc}. Each symbol is bound on its
 * first call (see {@link rawLibc}).
 *
 * @returns libc for the calling thread (errno is per thread)
 * @example
 * ```ts
 * const libc = createLibc();
 * libc.getpid(); // 4242
 * ```
 */
export function createLibc(): Libc {
  const raw = rawLibc(bindSymbol as BindSymbol);
  return bindLibc(raw, errnoView(), (buf) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf))));
}

let pollNb: ReturnType<typeof bindSymbol<"poll_nb">> | undefined;
let pollNow: ReturnType<typeof bindSymbol<"poll">> | undefined;

/**
 * `poll()` on Deno's blocking-call thread, so the event loop keeps running while it waits: the
 * base of event streams (poll [netlink fd, eventfd], then drain with non-blocking `recv`).
 *
 * errno is meaningless after a nonblocking call, so a -1 is diagnosed by repeating the poll
 * synchronously with timeout 0: a persistent error (EINVAL, ENOMEM) throws `SyscallError`, an
 * interrupted wait (EINTR) resolves to 0 and the caller polls again.
 *
 * @param fds packed `struct pollfd` array (see {@link Libc.poll}); do not touch it until the
 *   promise settles
 * @param timeoutMs milliseconds to wait; -1 or `Infinity` waits forever
 * @returns the number of entries with events (0 on timeout or interruption)
 * @example
 * ```ts
 * const fds = new Uint8Array(16);
 * const view = new DataView(fds.buffer);
 * view.setInt32(0, netlinkFd, true); view.setInt16(4, 1, true); // POLLIN
 * view.setInt32(8, cancelEventFd, true); view.setInt16(12, 1, true);
 * const n = await pollNonblocking(fds, -1);
 * ```
 */
export async function pollNonblocking(fds: Uint8Array<ArrayBuffer>, timeoutMs: number): Promise<number> {
  if (fds.byteLength % 8 !== 0) {
    throw new RangeError(`poll() needs whole 8-byte pollfd entries, got ${fds.byteLength} bytes`);
  }
  pollNb ??= bindSymbol("poll_nb");
  const r = await pollNb(fds, BigInt(fds.byteLength / 8), pollTimeout(timeoutMs));
  if (r !== -1) return r;
  // bound before the call: binding may itself set errno
  const errno = errnoView();
  pollNow ??= bindSymbol("poll");
  const again = pollNow(fds, BigInt(fds.byteLength / 8), 0);
  if (again === -1) throw new SyscallError("poll", errno[0]);
  return 0;
}
