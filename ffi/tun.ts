/**
 * tun/tap devices (linux/if_tun.h): persistent devices made with ioctl — the `tuntap` service
 * behind `ipr.link("add", { kind: "tuntap", ... })`, as pyroute2 does it — and {@link openTun},
 * a device whose packets this process reads and writes: the base of a userspace VPN or a virtual
 * switch. Reading never blocks the event loop (`openFdReader` from poller.ts). Both work inside a
 * network namespace: /dev/net/tun is opened while the thread is switched into it, and the device
 * is born there.
 * @module
 */

import { NetlinkError, SyscallError } from "../src/marshal/errors.ts";
import { libc } from "./load.ts";
import { type NetnsTarget, runInNetns } from "./netns.ts";
import { type FdReader, openFdReader } from "./poller.ts";
import { EEXIST, EINVAL, O_CLOEXEC, O_NONBLOCK } from "./_linux.ts";

// linux/if_tun.h: _IOW('T', nr, int) = 1 << 30 | 4 << 16 | 'T' << 8 | nr; _IOR has 2 << 30
const TUNSETIFF = 0x400454ca;
const TUNSETPERSIST = 0x400454cb;
const TUNSETOWNER = 0x400454cc;
const TUNSETGROUP = 0x400454ce;
const TUNGETIFF = 0x800454d2;
const IFF_TUN = 0x0001;
const IFF_TAP = 0x0002;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_PERSIST = 0x0800;
const IFF_NO_PI = 0x1000;
const IFF_VNET_HDR = 0x4000;
const IFF_TUN_EXCL = 0x8000;
// <fcntl.h>, <errno.h>
const O_RDWR = 2;
const EBUSY = 16;
const ENODEV = 19;
const IFNAMSIZ = 16;
// struct ifreq { char ifr_name[IFNAMSIZ]; union { ... short ifr_flags; ... } } — 40 bytes on 64-bit
const IFREQ_SIZE = 40;
const TUN_PATH = "/dev/net/tun";
// the largest frame read: 64 KiB packet + Ethernet header + struct tun_pi + virtio_net_hdr
const DEFAULT_BUFFER_SIZE = 65536 + 64;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** "tun" (IP packets, IFF_TUN) or "tap" (Ethernet frames, IFF_TAP). */
export type TunMode = "tun" | "tap";

/** The keys of a `link("add" | "del", { kind: "tuntap", ... })` spec. */
const TUNTAP_KEYS = ["ifname", "kind", "mode", "uid", "gid", "multi_queue", "vnet_hdr", "pi"] as const;

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : String(v);
}

function checkIfname(where: string, name: unknown, required: boolean): string {
  if (name === undefined && !required) return "";
  if (typeof name !== "string" || name === "") throw new TypeError(`${where}: ifname must be a non-empty string, got ${show(name)}`);
  if (encoder.encode(name).length >= IFNAMSIZ) throw new RangeError(`${where}: ifname ${show(name)} is longer than 15 bytes`);
  if (/[\s/:\0]/.test(name)) throw new RangeError(`${where}: ifname ${show(name)} contains a character interface names cannot have`);
  return name;
}

function checkMode(where: string, mode: unknown, fallback?: TunMode): TunMode {
  if (mode === undefined && fallback) return fallback;
  if (mode !== "tun" && mode !== "tap") throw new TypeError(`${where}: mode must be "tun" or "tap", got ${show(mode)}`);
  return mode;
}

function checkBool(where: string, key: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== "boolean") throw new TypeError(`${where}: ${key} must be a boolean, got ${show(v)}`);
  return v;
}

function checkId(where: string, key: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${where}: ${key} must be an integer, got ${show(v)}`);
  if (v < 0 || v > 0xfffffffe) throw new RangeError(`${where}: ${key} must be in 0..4294967294, got ${v}`);
  return v;
}

/** struct ifreq with a name and ifr_flags. */
function ifreq(name: string, flags: number): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(IFREQ_SIZE);
  encoder.encodeInto(name, buf.subarray(0, IFNAMSIZ - 1));
  new DataView(buf.buffer).setUint16(IFNAMSIZ, flags, true);
  return buf;
}

function ifreqName(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return decoder.decode(buf.subarray(0, end < 0 || end > IFNAMSIZ ? IFNAMSIZ : end));
}

function ifreqFlags(buf: Uint8Array<ArrayBuffer>): number {
  return new DataView(buf.buffer).getUint16(IFNAMSIZ, true);
}

/** Open /dev/net/tun (inside `netns` when given) and TUNSETIFF; the fd is closed if that fails. */
function attach(name: string, flags: number, netns: NetnsTarget | undefined, nonblocking: boolean): { fd: number; req: Uint8Array<ArrayBuffer> } {
  const open = () => {
    const fd = libc.open(TUN_PATH, O_RDWR | O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
    const req = ifreq(name, flags);
    try {
      libc.ioctlPtr(fd, TUNSETIFF, req);
    } catch (e) {
      libc.close(fd);
      throw e;
    }
    return { fd, req };
  };
  return netns === undefined ? open() : runInNetns(netns, open);
}

/** ioctl failures of the tuntap service surface as NetlinkError, like every other link change. */
function asLinkError(e: unknown, op: string, what: string): unknown {
  if (!(e instanceof SyscallError)) return e;
  return new NetlinkError(e.errno, op, `${what}: ${e.syscall}() failed with ${e.code}`);
}

/** Flags for a tuntap spec. */
function specFlags(mode: TunMode, spec: { pi: boolean; vnet_hdr: boolean; multi_queue: boolean }): number {
  return (mode === "tap" ? IFF_TAP : IFF_TUN) | (spec.pi ? 0 : IFF_NO_PI) | (spec.vnet_hdr ? IFF_VNET_HDR : 0) |
    (spec.multi_queue ? IFF_MULTI_QUEUE : 0);
}

/**
 * The `tuntap` Platform service: create (`add`) or delete (`del`) a persistent tun/tap device,
 * inside `netns` when given — what `ipr.link("add", { kind: "tuntap", ifname, mode, uid, gid,
 * multi_queue, vnet_hdr, pi })` calls. Bad input is a TypeError/RangeError before any syscall;
 * the kernel's refusals are `NetlinkError` (op "TUNSETIFF", "TUNSETOWNER"...): an existing name
 * is "EEXIST", deleting a missing device "ENODEV".
 *
 * Equivalent to: `ip tuntap add dev tap0 mode tap user 1000` / `ip tuntap del dev tap0 mode tap`
 *
 * @param command "add" or "del"
 * @param spec the link spec: `ifname` and `mode` ("tun" | "tap") required for add; `uid`, `gid`
 *   (owner), `pi` (keep the 4-byte packet information header, default false), `vnet_hdr`,
 *   `multi_queue`
 * @param netns namespace name, path or fd; default this thread's
 * @example
 * ```ts
 * tuntap("add", { ifname: "tap0", mode: "tap", uid: 1000 }, "blue");
 * tuntap("del", { ifname: "tap0" }, "blue");
 * ```
 */
export function tuntap(command: "add" | "del", spec: Readonly<Record<string, unknown>>, netns: NetnsTarget | undefined): void {
  const where = `link(${show(command)}, { kind: "tuntap" })`;
  if (command !== "add" && command !== "del") throw new TypeError(`link(${show(command)}): kind "tuntap" supports only add and del`);
  for (const key of Object.keys(spec)) {
    if (!(TUNTAP_KEYS as readonly string[]).includes(key) && spec[key] !== undefined) {
      throw new TypeError(`${where}: unknown keyword ${show(key)} (known: ${TUNTAP_KEYS.join(", ")})`);
    }
  }
  if (spec.kind !== undefined && spec.kind !== "tuntap") throw new TypeError(`${where}: kind must be "tuntap", got ${show(spec.kind)}`);
  const name = checkIfname(where, spec.ifname, true);
  const opts = {
    pi: checkBool(where, "pi", spec.pi),
    vnet_hdr: checkBool(where, "vnet_hdr", spec.vnet_hdr),
    multi_queue: checkBool(where, "multi_queue", spec.multi_queue),
  };
  if (command === "add") {
    const mode = checkMode(where, spec.mode);
    const uid = checkId(where, "uid", spec.uid);
    const gid = checkId(where, "gid", spec.gid);
    let dev: { fd: number };
    try {
      // IFF_TUN_EXCL: EBUSY instead of attaching to an existing device of that name
      dev = attach(name, specFlags(mode, opts) | IFF_TUN_EXCL, netns, false);
    } catch (e) {
      if (e instanceof SyscallError && e.errno === EBUSY) throw new NetlinkError(EEXIST, "TUNSETIFF", `an interface named ${show(name)} exists`);
      throw asLinkError(e, "TUNSETIFF", `cannot create ${mode} device ${show(name)}`);
    }
    let op = "TUNSETOWNER";
    try {
      if (uid !== undefined) libc.ioctlInt(dev.fd, TUNSETOWNER, uid);
      op = "TUNSETGROUP";
      if (gid !== undefined) libc.ioctlInt(dev.fd, TUNSETGROUP, gid);
      op = "TUNSETPERSIST";
      libc.ioctlInt(dev.fd, TUNSETPERSIST, 1);
    } catch (e) {
      // not persistent yet: closing the fd removes the half-made device
      throw asLinkError(e, op, `cannot set up ${mode} device ${show(name)}`);
    } finally {
      libc.close(dev.fd);
    }
    return;
  }
  // del: attach with the device's own type, clear persistence, close — the device goes away
  const modes: TunMode[] = spec.mode === undefined ? ["tap", "tun"] : [checkMode(where, spec.mode)];
  const queues = spec.multi_queue === undefined ? [false, true] : [opts.multi_queue];
  let last: unknown = null;
  for (const mode of modes) {
    for (const multi_queue of queues) {
      let dev: { fd: number; req: Uint8Array<ArrayBuffer> };
      try {
        dev = attach(name, specFlags(mode, { ...opts, multi_queue }), netns, false);
      } catch (e) {
        // EINVAL: the device has another type or queue mode (or is not a tun/tap device)
        if (e instanceof SyscallError && e.errno === EINVAL) {
          last = e;
          continue;
        }
        throw asLinkError(e, "TUNSETIFF", `cannot open tun/tap device ${show(name)}`);
      }
      try {
        const got = ifreq("", 0);
        libc.ioctlPtr(dev.fd, TUNGETIFF, got);
        // TUNSETIFF made a fresh device: there was none; closing the fd removes it again
        if (!(ifreqFlags(got) & IFF_PERSIST)) throw new NetlinkError(ENODEV, "TUNSETIFF", `no tun/tap device named ${show(name)}`);
        libc.ioctlInt(dev.fd, TUNSETPERSIST, 0);
      } catch (e) {
        throw asLinkError(e, "TUNSETPERSIST", `cannot delete tun/tap device ${show(name)}`);
      } finally {
        libc.close(dev.fd);
      }
      return;
    }
  }
  throw asLinkError(last, "TUNSETIFF", `${show(name)} is not a tun/tap device of the given mode`);
}

/**
 * Options for {@link openTun}.
 *
 * @example
 * ```ts
 * const opts: TunOptions = { name: "tun0", mode: "tun", netns: "blue" };
 * ```
 */
export interface TunOptions {
  /** Interface name; attaches to an existing (persistent) device of that name. Default: the kernel picks tunN/tapN. */
  readonly name?: string;
  /** "tun" (IP packets, the default) or "tap" (Ethernet frames). */
  readonly mode?: TunMode;
  /** Namespace (name, path or fd) the device lives in; default this thread's. */
  readonly netns?: NetnsTarget;
  /** Keep the 4-byte `struct tun_pi` before each packet (default false: IFF_NO_PI). */
  readonly pi?: boolean;
  /** Prefix packets with a `struct virtio_net_hdr` (IFF_VNET_HDR). */
  readonly vnet_hdr?: boolean;
  /** IFF_MULTI_QUEUE: several fds may attach to one device. */
  readonly multi_queue?: boolean;
  /** Keep the device after this fd closes (TUNSETPERSIST); default false: it disappears with it. */
  readonly persist?: boolean;
  /** Largest packet read, in bytes (default 65,600); longer packets are cut to it. */
  readonly bufferSize?: number;
}

/**
 * An open tun/tap device: an async iterator of packets (each a Uint8Array of one IP packet, or one
 * Ethernet frame for tap), `write`, and `close` / `await using`.
 *
 * @example
 * ```ts
 * await using tun = openTun({ name: "tun0", netns: "blue" });
 * for await (const packet of tun) tun.write(reply(packet));
 * ```
 */
export interface TunDevice extends AsyncIterable<Uint8Array>, AsyncDisposable {
  /** The interface name (the kernel's choice when none was given). */
  readonly name: string;
  /** "tun" or "tap". */
  readonly mode: TunMode;
  /** The file descriptor; -1 once closed. */
  readonly fd: number;
  /** The next packet, or null once the device is closed. Never blocks the event loop. */
  read(): Promise<Uint8Array | null>;
  /** Send one packet (tun) or frame (tap) into the kernel, as if received on the interface; returns bytes written. */
  write(packet: Uint8Array): number;
  /** Stop reading and close the fd (a non-persistent device disappears). Idempotent. */
  close(): Promise<void>;
}

class Tun implements TunDevice {
  readonly name: string;
  readonly mode: TunMode;
  #fd: number;
  readonly #bufferSize: number;
  #reader: FdReader | null = null;
  #queue: Uint8Array[] = [];
  #head = 0;
  #closing: Promise<void> | null = null;
  #filling: Promise<void> | null = null;
  #ended = false;

  constructor(fd: number, name: string, mode: TunMode, bufferSize: number) {
    this.#fd = fd;
    this.name = name;
    this.mode = mode;
    this.#bufferSize = bufferSize;
  }

  get fd(): number {
    return this.#fd;
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#head < this.#queue.length) {
        const packet = this.#queue[this.#head++];
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        return packet;
      }
      if (this.#closing || this.#fd < 0 || this.#ended) return null;
      // one batch request at a time, shared by concurrent read() calls, so that no caller waits
      // for a new batch while packets of the last one are still queued
      this.#filling ??= this.#fill().finally(() => (this.#filling = null));
      await this.#filling;
    }
  }

  async #fill(): Promise<void> {
    // opened on first read, so a write-only device costs no poller
    this.#reader ??= openFdReader(this.#fd, { bufferSize: this.#bufferSize });
    const batch = await this.#reader.next();
    if (batch === null) {
      this.#ended = true;
      return;
    }
    if (this.#head < this.#queue.length) {
      for (const packet of batch) this.#queue.push(packet);
    } else {
      this.#queue = batch;
      this.#head = 0;
    }
  }

  write(packet: Uint8Array): number {
    if (this.#fd < 0 || this.#closing) throw new Error(`tun device ${this.name} is closed`);
    if (!(packet instanceof Uint8Array)) throw new TypeError(`write(): packet must be a Uint8Array, got ${show(packet)}`);
    const buf = packet.buffer instanceof ArrayBuffer ? (packet as Uint8Array<ArrayBuffer>) : packet.slice();
    return libc.write(this.#fd, buf);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      const reader = this.#reader;
      this.#reader = null;
      // the reader must have let go of the fd before it is closed (and its number reused)
      if (reader) await reader[Symbol.asyncDispose]();
      const fd = this.#fd;
      this.#fd = -1;
      this.#queue = [];
      this.#head = 0;
      if (fd >= 0) libc.close(fd);
    })();
    return this.#closing;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (let p = await this.read(); p !== null; p = await this.read()) yield p;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Open a tun/tap device for packet I/O: a new one (gone when closed, unless `persist`), or an
 * existing persistent one by `name` (e.g. made with `ipr.link("add", { kind: "tuntap" })`).
 * Inside `netns` when given. Bad options throw TypeError/RangeError before anything is opened;
 * the kernel's refusals throw `SyscallError`.
 *
 * Equivalent to: `ip tuntap add dev tun0 mode tun` plus a program holding /dev/net/tun open
 *
 * @param options name, mode, namespace, header flags, persistence
 * @returns the open device
 * @example
 * ```ts
 * await using tun = openTun({ name: "tun0", mode: "tun", netns: "blue" });
 * for await (const packet of tun) console.log(packet.byteLength);
 * ```
 */
export function openTun(options: TunOptions = {}): TunDevice {
  const where = "openTun()";
  const known = ["name", "mode", "netns", "pi", "vnet_hdr", "multi_queue", "persist", "bufferSize"];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option ${show(key)} (known: ${known.join(", ")})`);
  }
  const name = checkIfname(where, options.name, false);
  const mode = checkMode(where, options.mode, "tun");
  const flags = specFlags(mode, {
    pi: checkBool(where, "pi", options.pi),
    vnet_hdr: checkBool(where, "vnet_hdr", options.vnet_hdr),
    multi_queue: checkBool(where, "multi_queue", options.multi_queue),
  });
  const persist = checkBool(where, "persist", options.persist);
  const bufferSize = options.bufferSize ?? DEFAULT_BUFFER_SIZE;
  if (!Number.isInteger(bufferSize) || bufferSize < 64 || bufferSize > 1 << 20) {
    throw new RangeError(`${where}: bufferSize must be an integer in 64..1048576, got ${show(bufferSize)}`);
  }
  const netns = options.netns;
  if (netns !== undefined && typeof netns !== "string" && typeof netns !== "number") {
    throw new TypeError(`${where}: netns must be a name, path or fd, got ${show(netns)}`);
  }
  const { fd, req } = attach(name, flags, netns, true);
  try {
    if (persist) libc.ioctlInt(fd, TUNSETPERSIST, 1);
  } catch (e) {
    libc.close(fd);
    throw e;
  }
  return new Tun(fd, ifreqName(req), mode, bufferSize);
}
