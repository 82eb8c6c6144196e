/**
 * The Deno adapter: `Deno.dlopen` over {@link SYMBOLS}, errno through `__errno_location()`.
 * Needs `--allow-ffi` (a path-scoped `--allow-ffi=libc.so.6` does not work).
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import { bindLibc, pollTimeout } from "./_bind.ts";
import type { Libc } from "./libc.ts";
import { SYMBOLS, rawLibc } from "./symbols.ts";
import type { Symbols } from "./symbols.ts";

const LIBC_PATH = "libc.so.6";

let library: Deno.DynamicLibrary<Symbols> | undefined;

/** The library, opened once per thread (a Worker has its own). */
function symbols(): Deno.DynamicLibrary<Symbols>["symbols"] {
  library ??= Deno.dlopen(LIBC_PATH, SYMBOLS);
  return library.symbols;
}

/**
 * Open libc through Deno's FFI and return the typed {@link Libc}.
 *
 * @returns libc for the calling thread (errno is per thread)
 * @example
 * ```ts
 * const libc = createLibc();
 * libc.getpid(); // 4242
 * ```
 */
export function createLibc(): Libc {
  const s = symbols();
  const errnoPtr = s.__errno_location();
  if (errnoPtr === null) throw new Error("nlroute: __errno_location() returned NULL");
  const errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(errnoPtr, 4));
  const raw = rawLibc(s);
  return bindLibc(raw, errno, (buf) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf))));
}

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
  const s = symbols();
  const r = await s.poll_nb(fds, BigInt(fds.byteLength / 8), pollTimeout(timeoutMs));
  if (r !== -1) return r;
  const errnoPtr = s.__errno_location();
  const errno = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(errnoPtr!, 4));
  const again = s.poll(fds, BigInt(fds.byteLength / 8), 0);
  if (again === -1) throw new SyscallError("poll", errno[0]);
  return 0;
}
