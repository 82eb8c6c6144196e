/**
 * Turns the raw, runtime-normalised symbols into the typed {@link Libc}: errno → SyscallError,
 * EINTR retried, strings encoded as C strings. Shared by `deno.ts` and `bun.ts`, so both runtimes
 * have one implementation of the error contract.
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import type { Libc } from "./libc.ts";
import type { RawLibc } from "./symbols.ts";

const EINTR = 4;
const SOCKADDR_STORAGE_SIZE = 128;
// struct mmsghdr { struct msghdr msg_hdr (56 bytes); unsigned int msg_len; } on 64-bit Linux
const MMSGHDR_SIZE = 64;
const encoder = new TextEncoder();

/**
 * Encode a string as a NUL-terminated C string.
 *
 * @param s the string; must not contain NUL
 * @returns UTF-8 bytes followed by one 0 byte
 * @example
 * ```ts
 * cString("lo"); // Uint8Array [108, 111, 0]
 * ```
 */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new TypeError(`C string must not contain NUL: ${JSON.stringify(s)}`);
  const out = new Uint8Array(encoder.encode(s).length + 1);
  encoder.encodeInto(s, out);
  return out;
}

/**
 * A poll() timeout as a C int: `Infinity` or any negative value waits forever (-1), fractions
 * round up, and anything beyond INT_MAX is clamped.
 *
 * @param timeoutMs milliseconds
 * @returns the `int timeout` argument
 * @example
 * ```ts
 * pollTimeout(Infinity); // -1
 * pollTimeout(0.5); // 1
 * ```
 */
export function pollTimeout(timeoutMs: number): number {
  if (Number.isNaN(timeoutMs)) throw new RangeError("poll() timeout must be a number, got NaN");
  return timeoutMs < 0 || timeoutMs === Infinity ? -1 : Math.min(Math.ceil(timeoutMs), 0x7fffffff) | 0;
}

/**
 * Build a {@link Libc} over raw symbols.
 *
 * @param raw the adapter's symbols, results already numbers
 * @param errno a view of the calling thread's errno (`__errno_location()`), read right after a
 *   call returns -1
 * @param address the runtime's way to read a buffer's address (see {@link Libc.address})
 * @param scratch the runtime's way to make a buffer it need not zero-fill (see {@link Libc.scratch});
 *   a plain zero-filled `Uint8Array` by default
 * @returns the typed libc
 * @example
 * ```ts
 * const libc = bindLibc(raw, new Int32Array(errnoBuffer), (buf) => BigInt(ptr(buf)));
 * ```
 */
export function bindLibc(
  raw: RawLibc,
  errno: Int32Array,
  address: (buf: Uint8Array<ArrayBuffer>) => bigint,
  scratch: (size: number) => Uint8Array<ArrayBuffer> = (size) => new Uint8Array(size),
): Libc {
  /** Run `call` until it does not fail with EINTR; -1 with any other errno throws. */
  const sys = (syscall: string, call: () => number, detail?: string): number => {
    for (;;) {
      const r = call();
      if (r !== -1) return r;
      const e = errno[0];
      if (e !== EINTR) throw new SyscallError(syscall, e, detail);
    }
  };
  const ulong = (value: number): bigint => BigInt.asUintN(64, BigInt(value));
  // Deno rejects -0 for an i32 parameter; `| 0` turns it into 0 (and is free for integers).

  return {
    socket: (domain, type, protocol) => sys("socket", () => raw.socket(domain | 0, type | 0, protocol | 0)),
    bind(fd, sockaddr) {
      sys("bind", () => raw.bind(fd | 0, sockaddr, sockaddr.byteLength));
    },
    getsockname(fd) {
      const addr = new Uint8Array(SOCKADDR_STORAGE_SIZE);
      const len = Uint32Array.of(SOCKADDR_STORAGE_SIZE);
      const lenBytes = new Uint8Array(len.buffer);
      sys("getsockname", () => raw.getsockname(fd | 0, addr, lenBytes));
      return addr.slice(0, Math.min(len[0], SOCKADDR_STORAGE_SIZE));
    },
    setsockopt(fd, level, name, value) {
      sys("setsockopt", () => raw.setsockopt(fd | 0, level | 0, name | 0, value, value.byteLength));
    },
    getsockoptInt(fd, level, name) {
      const value = new Int32Array(1);
      const valueBytes = new Uint8Array(value.buffer);
      const len = Uint32Array.of(4);
      const lenBytes = new Uint8Array(len.buffer);
      sys("getsockopt", () => raw.getsockopt(fd | 0, level | 0, name | 0, valueBytes, lenBytes));
      return value[0];
    },
    send: (fd, buf, flags) => sys("send", () => raw.send(fd | 0, buf, BigInt(buf.byteLength), flags | 0)),
    recv: (fd, buf, flags) => sys("recv", () => raw.recv(fd | 0, buf, BigInt(buf.byteLength), flags | 0)),
    recvmmsg(fd, msgvec, vlen, flags) {
      if (vlen < 1 || vlen * MMSGHDR_SIZE > msgvec.byteLength) {
        throw new RangeError(`recvmmsg() needs 1..${Math.floor(msgvec.byteLength / MMSGHDR_SIZE)} entries, got ${vlen}`);
      }
      return sys("recvmmsg", () => raw.recvmmsg(fd | 0, msgvec, vlen >>> 0, flags | 0, null));
    },
    address,
    scratch,
    poll(fds, timeoutMs) {
      if (fds.byteLength % 8 !== 0) {
        throw new RangeError(`poll() needs whole 8-byte pollfd entries, got ${fds.byteLength} bytes`);
      }
      const nfds = BigInt(fds.byteLength / 8);
      // An interrupted wait resumes with the time left, so EINTR never stretches the timeout.
      let wait = pollTimeout(timeoutMs);
      const deadline = wait > 0 ? performance.now() + wait : 0;
      return sys("poll", () => {
        const r = raw.poll(fds, nfds, wait);
        if (deadline) wait = Math.max(0, Math.ceil(deadline - performance.now())) | 0;
        return r;
      });
    },
    close(fd) {
      const r = raw.close(fd | 0);
      if (r === -1) {
        const e = errno[0];
        if (e !== EINTR) throw new SyscallError("close", e);
      }
    },
    open(path, flags, mode = 0) {
      const cpath = cString(path);
      return sys("open", () => raw.open(cpath, flags | 0, mode >>> 0), path);
    },
    read: (fd, buf) => sys("read", () => raw.read(fd | 0, buf, BigInt(buf.byteLength))),
    write: (fd, buf) => sys("write", () => raw.write(fd | 0, buf, BigInt(buf.byteLength))),
    eventfd: (initval, flags) => sys("eventfd", () => raw.eventfd(initval >>> 0, flags | 0)),
    ioctlPtr: (fd, request, buf) => sys("ioctl", () => raw.ioctl_ptr(fd | 0, ulong(request), buf)),
    ioctlInt(fd, request, value) {
      return sys("ioctl", () => raw.ioctl_int(fd | 0, ulong(request), ulong(value)));
    },
    setns(fd, nstype) {
      sys("setns", () => raw.setns(fd | 0, nstype | 0));
    },
    unshare(flags) {
      sys("unshare", () => raw.unshare(flags | 0));
    },
    mount(source, target, fstype, flags, data) {
      const args = [source, target, fstype, data].map((s) => (s === null ? null : cString(s)));
      sys("mount", () => raw.mount(args[0], args[1], args[2], ulong(flags), args[3]), target);
    },
    umount2(target, flags) {
      const ctarget = cString(target);
      sys("umount2", () => raw.umount2(ctarget, flags | 0), target);
    },
    unlink(path) {
      const cpath = cString(path);
      sys("unlink", () => raw.unlink(cpath), path);
    },
    mkdir(path, mode) {
      const cpath = cString(path);
      sys("mkdir", () => raw.mkdir(cpath, mode >>> 0), path);
    },
    fcntl: (fd, cmd, arg = 0) => sys("fcntl", () => raw.fcntl(fd | 0, cmd | 0, arg | 0)),
    dup3: (oldfd, newfd, flags) => sys("dup3", () => raw.dup3(oldfd | 0, newfd | 0, flags | 0)),
    getpid: () => raw.getpid(),
    gettid: () => raw.gettid(),
  };
}
