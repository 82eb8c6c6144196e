/**
 * {@link FfiTransport}: the {@link Transport} over a real netlink socket, through {@link libc}.
 * Also {@link openNetnsFd} for namespace handles.
 * @module
 */

import type { Transport } from "../src/socket/transport.ts";
import { SyscallError } from "../src/marshal/errors.ts";
import { libc } from "./load.ts";
import { CLONE_NEWNET, EAGAIN, ENOENT, MSG_DONTWAIT, MSG_TRUNC, O_CLOEXEC, O_RDONLY, POLLIN } from "./_linux.ts";

// <sys/socket.h>, <linux/netlink.h>, <linux/sched.h>, <fcntl.h>, <poll.h>
const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_SNDBUFFORCE = 32;
const SO_RCVBUFFORCE = 33;
const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
const NETLINK_DROP_MEMBERSHIP = 2;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const NETLINK_GET_STRICT_CHK = 12;
const EPERM = 1;

const SOCKADDR_NL_SIZE = 12;
// One recv per datagram: into a reused landing buffer big enough for any rtnetlink datagram
// (a dump datagram is ~32 KiB unless one message is bigger; every attribute is under 64 KiB),
// then copied into an arena and handed out as a view of it. Messages decode lazily from those
// bytes, so they must stay put: one allocation per ARENA_SIZE bytes instead of one per datagram.
// A datagram over ARENA_LARGE gets a buffer of its own. A retained message keeps its arena alive.
const LANDING_SIZE = 1 << 20;
const ARENA_SIZE = 256 * 1024;
const ARENA_LARGE = 64 * 1024;
const INT_MAX = 0x7fffffff;
// A short-lived socket (one dump in a namespace) must not pay for 1.25 MiB of fresh, zeroed
// memory: the landing buffer is shared by every transport of this thread (receive() copies out
// before it returns, and nothing else runs in between) and is `libc.scratch` memory (not
// zero-filled where the runtime allows, so only the pages replies land in are ever touched), and
// a transport's first arena is small, doubling up to ARENA_SIZE as it is filled.
const ARENA_FIRST = 16 * 1024;
let sharedLanding: Uint8Array<ArrayBuffer> | null = null;
// receiveMany: one recvmmsg reads up to MANY_SLOTS datagrams, each into its own MANY_SLOT-byte
// slot of the landing buffer (a datagram that does not fit is lost: an error). The mmsghdr and
// iovec arrays are built once per thread; their pointers are addresses of buffers kept here.
const MANY_SLOTS = 16;
const MANY_SLOT = LANDING_SIZE / MANY_SLOTS;
const MMSGHDR_SIZE = 64; // struct mmsghdr on 64-bit Linux: msghdr (56) + msg_len, padded
const IOVEC_SIZE = 16; // struct iovec { void *iov_base; size_t iov_len; }
let sharedMany: { msgvec: Uint8Array<ArrayBuffer>; view: DataView; iovecs: Uint8Array<ArrayBuffer> } | null = null;

function manyHeaders(landing: Uint8Array<ArrayBuffer>): NonNullable<typeof sharedMany> {
  const le = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  // kept in sharedMany so that its address stays valid; 1 KiB keeps it out of V8's heap objects
  const iovecs = new Uint8Array(Math.max(1024, MANY_SLOTS * IOVEC_SIZE));
  const iv = new DataView(iovecs.buffer);
  const base = libc.address(landing);
  for (let k = 0; k < MANY_SLOTS; k++) {
    iv.setBigUint64(k * IOVEC_SIZE, base + BigInt(k * MANY_SLOT), le);
    iv.setBigUint64(k * IOVEC_SIZE + 8, BigInt(MANY_SLOT), le);
  }
  const msgvec = new Uint8Array(MANY_SLOTS * MMSGHDR_SIZE);
  const view = new DataView(msgvec.buffer);
  const iovBase = libc.address(iovecs);
  for (let k = 0; k < MANY_SLOTS; k++) {
    // msg_name NULL, msg_namelen 0, msg_iov, msg_iovlen 1, no control data
    view.setBigUint64(k * MMSGHDR_SIZE + 16, iovBase + BigInt(k * IOVEC_SIZE), le);
    view.setBigUint64(k * MMSGHDR_SIZE + 24, 1n, le);
  }
  return { msgvec, view, iovecs };
}

/**
 * Options for {@link FfiTransport.open}.
 *
 * @example
 * ```ts
 * const opts: FfiTransportOptions = { groups: 1, rcvbuf: 8 << 20 }; // RTMGRP_LINK, 8 MiB
 * ```
 */
export interface FfiTransportOptions {
  /** Netlink protocol (family); default NETLINK_ROUTE (0). */
  protocol?: number;
  /** Multicast groups bitmask bound at `bind` (nl_groups, groups 1–32); default 0. */
  groups?: number;
  /** Receive buffer in bytes: SO_RCVBUFFORCE, falling back to SO_RCVBUF without CAP_NET_ADMIN. */
  rcvbuf?: number;
  /** Send buffer in bytes: SO_SNDBUFFORCE, falling back to SO_SNDBUF without CAP_NET_ADMIN. */
  sndbuf?: number;
  /** Open the socket inside the network namespace this fd refers to (see {@link openNetnsFd}). */
  netnsFd?: number;
  /** NETLINK_EXT_ACK: the kernel explains refusals in text; default true. */
  extAck?: boolean;
  /** NETLINK_CAP_ACK: errors do not echo the whole request; default true. */
  capAck?: boolean;
  /** NETLINK_GET_STRICT_CHK: dump requests are validated and filtered strictly; default false. */
  strictCheck?: boolean;
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${String(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${name} must be in ${min}..${max}, got ${value}`);
  return value | 0;
}

function intBytes(value: number): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Int32Array.of(value).buffer);
}

/** Set a buffer size, forcing past the sysctl limit when privileged (the `FORCE` variant). */
function setBufferSize(fd: number, force: number, plain: number, bytes: number): void {
  const value = intBytes(bytes);
  try {
    libc.setsockopt(fd, SOL_SOCKET, force, value);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === EPERM)) throw e;
    libc.setsockopt(fd, SOL_SOCKET, plain, value);
  }
}

/**
 * Open this thread's current network namespace, to come back to after `setns`.
 *
 * @returns an O_RDONLY | O_CLOEXEC fd; close it with `libc.close`
 * @example
 * ```ts
 * const back = openOwnNetns();
 * ```
 */
export function openOwnNetns(): number {
  try {
    return libc.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  } catch (e) {
    // /proc/thread-self is Linux ≥ 3.17; on the main thread /proc/self is the same namespace.
    if (!(e instanceof SyscallError && e.errno === ENOENT)) throw e;
    return libc.open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  }
}

/**
 * Run `create` with the calling thread switched into the namespace `netnsFd`, and switch back
 * before returning, also when `create` throws. Synchronous on purpose: nothing else may run on
 * this thread while it is switched.
 *
 * @param netnsFd an fd of the namespace to enter
 * @param create what to run there
 * @returns what `create` returns
 * @example
 * ```ts
 * const fd = inNetns(nsfd, () => libc.socket(16, 3, 0));
 * ```
 */
export function inNetns<T>(netnsFd: number, create: () => T): T {
  const back = openOwnNetns();
  try {
    libc.setns(netnsFd, CLONE_NEWNET);
    try {
      return create();
    } finally {
      libc.setns(back, CLONE_NEWNET);
    }
  } finally {
    libc.close(back);
  }
}

/**
 * Open a network namespace handle: a name means `/run/netns/<name>` (as `ip netns add` makes),
 * anything with a "/" is a path (`/proc/<pid>/ns/net`). Close it with `libc.close`.
 *
 * @param nameOrPath namespace name or path
 * @returns an O_RDONLY | O_CLOEXEC file descriptor
 * @example
 * ```ts
 * const nsfd = openNetnsFd("blue");
 * try { using t = FfiTransport.open({ netnsFd: nsfd }); } finally { libc.close(nsfd); }
 * ```
 */
export function openNetnsFd(nameOrPath: string): number {
  if (typeof nameOrPath !== "string") throw new TypeError(`netns must be a string, got ${typeof nameOrPath}`);
  if (nameOrPath === "" || nameOrPath === "." || nameOrPath === "..") {
    throw new RangeError(`netns name is not valid: ${JSON.stringify(nameOrPath)}`);
  }
  const path = nameOrPath.includes("/") ? nameOrPath : `/run/netns/${nameOrPath}`;
  return libc.open(path, O_RDONLY | O_CLOEXEC);
}

/**
 * A netlink socket as a {@link Transport}: SOCK_RAW | SOCK_CLOEXEC, bound by the kernel to a
 * unique port id, extended ACKs on. Calls are synchronous: the kernel has queued a request's
 * reply before `send` returns.
 *
 * @example
 * ```ts
 * using t = FfiTransport.open();
 * t.send(request);
 * for (let d = t.receive(1000); d !== null; d = t.receive(0)) handle(d);
 * ```
 */
export class FfiTransport implements Transport {
  #fd: number;
  readonly #portId: number;
  #arena = new Uint8Array(0);
  #used = 0;
  // struct pollfd { int fd; short events; short revents; }, native byte order.
  readonly #pollfd = new Uint8Array(8);
  readonly #pollView = new DataView(this.#pollfd.buffer);
  readonly #littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

  private constructor(fd: number, portId: number) {
    this.#fd = fd;
    this.#portId = portId;
    const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
    this.#pollView.setInt32(0, fd, littleEndian);
    this.#pollView.setInt16(4, POLLIN, littleEndian);
  }

  /**
   * Open and bind a netlink socket.
   *
   * @param options protocol, multicast groups, buffer sizes, namespace, ACK behaviour
   * @returns the bound transport; close it (or `using`) when done
   * @example
   * ```ts
   * using t = FfiTransport.open({ protocol: 0, rcvbuf: 1 << 20 });
   * console.log(t.portId);
   * ```
   */
  static open(options: FfiTransportOptions = {}): FfiTransport {
    const protocol = checkInt("protocol", options.protocol ?? 0, 0, INT_MAX);
    const groups = options.groups ?? 0;
    checkInt("groups", groups, 0, 0xffffffff);
    const create = () => libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    const fd = options.netnsFd === undefined
      ? create()
      : inNetns(checkInt("netnsFd", options.netnsFd, 0, INT_MAX), create);
    try {
      if (options.sndbuf !== undefined) {
        setBufferSize(fd, SO_SNDBUFFORCE, SO_SNDBUF, checkInt("sndbuf", options.sndbuf, 0, INT_MAX));
      }
      if (options.rcvbuf !== undefined) {
        setBufferSize(fd, SO_RCVBUFFORCE, SO_RCVBUF, checkInt("rcvbuf", options.rcvbuf, 0, INT_MAX));
      }
      if (options.extAck ?? true) libc.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, intBytes(1));
      if (options.capAck ?? true) libc.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, intBytes(1));
      if (options.strictCheck) libc.setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, intBytes(1));
      // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
      const addr = new Uint32Array(SOCKADDR_NL_SIZE / 4);
      new Uint16Array(addr.buffer)[0] = AF_NETLINK;
      addr[2] = groups;
      libc.bind(fd, new Uint8Array(addr.buffer));
      const bound = libc.getsockname(fd);
      if (bound.byteLength < SOCKADDR_NL_SIZE) {
        throw new Error(`getsockname() returned ${bound.byteLength} bytes, expected a sockaddr_nl`);
      }
      return new FfiTransport(fd, new Uint32Array(bound.buffer, 0, 3)[1]);
    } catch (e) {
      libc.close(fd);
      throw e;
    }
  }

  /** The socket's file descriptor; -1 once closed. */
  get fd(): number {
    return this.#fd;
  }

  /** The port id the kernel assigned at bind (nl_pid), used to check replies. */
  get portId(): number {
    return this.#portId;
  }

  /** The kernel's receive buffer size in bytes (SO_RCVBUF; the kernel reports double the set value). */
  get receiveBufferSize(): number {
    return libc.getsockoptInt(this.#open(), SOL_SOCKET, SO_RCVBUF);
  }

  #open(): number {
    if (this.#fd < 0) throw new Error("socket is closed");
    return this.#fd;
  }

  /**
   * Send one datagram to the kernel.
   *
   * @param data one or more netlink messages
   * @example
   * ```ts
   * t.send(getLinkDumpRequest);
   * ```
   */
  send(data: Uint8Array): void {
    const fd = this.#open();
    const buf = data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : data.slice();
    const sent = libc.send(fd, buf, 0);
    if (sent !== buf.byteLength) throw new Error(`send() sent ${sent} of ${buf.byteLength} bytes`);
  }

  /**
   * Receive one whole datagram, waiting at most `timeoutMs`.
   *
   * Throws `SyscallError` with code "ENOBUFS" when the kernel dropped messages because the
   * receive buffer overflowed; the socket stays usable.
   *
   * @param timeoutMs milliseconds to wait: 0 does not wait, `Infinity` waits forever
   * @returns the datagram (a view of a buffer no later receive writes to), or null if none
   *   arrived in time
   * @example
   * ```ts
   * const datagram = t.receive(1000);
   * ```
   */
  receive(timeoutMs: number): Uint8Array | null {
    const fd = this.#open();
    if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new RangeError(`timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
    }
    // Read first and poll only when nothing is queued: during a dump the kernel queues the next
    // datagram while the previous one is read, and a request's reply is queued before send returns.
    const landing = (sharedLanding ??= libc.scratch(LANDING_SIZE));
    let size: number;
    for (let polled = false; ; polled = true) {
      try {
        // MSG_TRUNC: the result is the datagram's real length, even when it did not fit
        size = libc.recv(fd, landing, MSG_TRUNC | MSG_DONTWAIT);
        break;
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === EAGAIN)) throw e;
        if (polled || timeoutMs === 0 || libc.poll(this.#pollfd, timeoutMs) === 0) return null;
      }
    }
    if (size > landing.byteLength) {
      throw new Error(`recv() truncated a ${size}-byte datagram to ${landing.byteLength} bytes; it is lost`);
    }
    return this.#keep(landing, 0, size);
  }

  /** Copy `size` bytes at `from` of the landing buffer to where no later receive writes. */
  #keep(landing: Uint8Array<ArrayBuffer>, from: number, size: number): Uint8Array {
    if (size > ARENA_LARGE) return landing.slice(from, from + size);
    if (this.#arena.byteLength - this.#used < size) {
      this.#arena = libc.scratch(Math.min(ARENA_SIZE, Math.max(this.#arena.byteLength * 2, ARENA_FIRST, size)));
      this.#used = 0;
    }
    const start = this.#used;
    this.#arena.set(landing.subarray(from, from + size), start);
    this.#used = start + ((size + 7) & ~7);
    return this.#arena.subarray(start, start + size);
  }

  /**
   * Receive up to `max` whole datagrams with one `recvmmsg` call, waiting at most `timeoutMs`
   * for the first. For many small datagrams (a batch's ACKs): one FFI call reads up to 16.
   * A datagram over 64 KiB is lost and throws (use {@link receive} when replies may be that big).
   *
   * Throws `SyscallError` with code "ENOBUFS" when the kernel dropped messages because the
   * receive buffer overflowed; the socket stays usable.
   *
   * @param max most datagrams to return, >= 1 (more than 16 reads 16)
   * @param timeoutMs milliseconds to wait for the first: 0 does not wait, `Infinity` waits forever
   * @returns 1..max datagrams in arrival order (views of buffers no later receive writes to), or
   *   null if none arrived in time
   * @example
   * ```ts
   * t.send(manyRequests);
   * const acks = t.receiveMany(100, 1000);
   * ```
   */
  receiveMany(max: number, timeoutMs: number): Uint8Array[] | null {
    const fd = this.#open();
    if (typeof max !== "number" || !(max >= 1)) throw new RangeError(`max must be a number >= 1, got ${String(max)}`);
    if (typeof timeoutMs !== "number" || Number.isNaN(timeoutMs) || timeoutMs < 0) {
      throw new RangeError(`timeoutMs must be a number >= 0, got ${String(timeoutMs)}`);
    }
    const landing = (sharedLanding ??= libc.scratch(LANDING_SIZE));
    const many = (sharedMany ??= manyHeaders(landing));
    const vlen = Math.min(MANY_SLOTS, Math.floor(max));
    let n: number;
    for (let polled = false; ; polled = true) {
      try {
        n = libc.recvmmsg(fd, many.msgvec, vlen, MSG_TRUNC | MSG_DONTWAIT);
        break;
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === EAGAIN)) throw e;
        if (polled || timeoutMs === 0 || libc.poll(this.#pollfd, timeoutMs) === 0) return null;
      }
    }
    const le = this.#littleEndian;
    const out: Uint8Array[] = new Array(n);
    for (let k = 0; k < n; k++) {
      const size = many.view.getUint32(k * MMSGHDR_SIZE + 56, le);
      if (size > MANY_SLOT || (many.view.getInt32(k * MMSGHDR_SIZE + 48, le) & MSG_TRUNC) !== 0) {
        throw new Error(`recvmmsg() truncated a ${size}-byte datagram to ${MANY_SLOT} bytes; it is lost`);
      }
      out[k] = this.#keep(landing, k * MANY_SLOT, size);
    }
    return out;
  }

  /**
   * Turn NETLINK_GET_STRICT_CHK on or off: strict validation and kernel-side filtering of dumps.
   *
   * @param on whether to enable it
   * @example
   * ```ts
   * t.setStrictCheck(true);
   * ```
   */
  setStrictCheck(on: boolean): void {
    libc.setsockopt(this.#open(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, intBytes(on ? 1 : 0));
  }

  /**
   * Join a multicast group by number (any group, including those above 32 that `groups` cannot
   * express), e.g. RTNLGRP_LINK (1), RTNLGRP_NSID (28), RTNLGRP_NEXTHOP (32).
   *
   * @param group group number (not a bitmask)
   * @example
   * ```ts
   * t.addMembership(32); // RTNLGRP_NEXTHOP
   * ```
   */
  addMembership(group: number): void {
    const g = checkInt("group", group, 1, INT_MAX);
    libc.setsockopt(this.#open(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, intBytes(g));
  }

  /**
   * Leave a multicast group joined with {@link addMembership} or `groups`.
   *
   * @param group group number (not a bitmask)
   * @example
   * ```ts
   * t.dropMembership(32);
   * ```
   */
  dropMembership(group: number): void {
    const g = checkInt("group", group, 1, INT_MAX);
    libc.setsockopt(this.#open(), SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, intBytes(g));
  }

  /**
   * Close the socket. Idempotent; afterwards every other method throws "socket is closed".
   *
   * @example
   * ```ts
   * t.close(); t.close(); // fine
   * ```
   */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    libc.close(fd);
  }

  /** Same as {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
