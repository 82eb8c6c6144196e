/**
 * {@link FfiTransport}: the {@link Transport} over a real netlink socket, through {@link libc}.
 * Also {@link openNetnsFd} for namespace handles.
 * @module
 */

import type { Transport } from "../src/socket/transport.ts";
import { SyscallError } from "../src/marshal/errors.ts";
import { libc } from "./load.ts";

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
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const POLLIN = 0x1;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const CLONE_NEWNET = 0x40000000;
const EPERM = 1;
const ENOENT = 2;
const EAGAIN = 11;

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
// before it returns, and nothing else runs in between), and a transport's first arena is small,
// doubling up to ARENA_SIZE as it is filled.
const ARENA_FIRST = 16 * 1024;
let sharedLanding: Uint8Array<ArrayBuffer> | null = null;

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

/** Open this thread's current network namespace, to come back to after `setns`. */
function openOwnNetns(): number {
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
 */
function inNetns<T>(netnsFd: number, create: () => T): T {
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
    const landing = (sharedLanding ??= new Uint8Array(LANDING_SIZE));
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
    if (size > ARENA_LARGE) return landing.slice(0, size);
    if (this.#arena.byteLength - this.#used < size) {
      this.#arena = new Uint8Array(Math.min(ARENA_SIZE, Math.max(this.#arena.byteLength * 2, ARENA_FIRST, size)));
      this.#used = 0;
    }
    const start = this.#used;
    this.#arena.set(landing.subarray(0, size), start);
    this.#used = start + ((size + 7) & ~7);
    return this.#arena.subarray(start, start + size);
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
