/**
 * Network namespaces by name, compatible with `ip netns`: a namespace NAME is a bind mount of a
 * namespace file on `/run/netns/NAME`, so `ip netns exec NAME` sees ours and we see its.
 *
 * Everything happens on the calling (main) thread, without a helper process: a namespace is made
 * by `unshare(CLONE_NEWNET)` on this thread, bind-mounting `/proc/thread-self/ns/net` on its
 * file, and `setns` back to where the thread was — synchronously, so nothing else runs on the
 * thread while it is switched. Also {@link NetNS}: an `IPRoute` inside a namespace (pyroute2's
 * `NetNS`, without its helper process).
 * @module
 */

import { SyscallError } from "../src/marshal/errors.ts";
import { IPRoute, type IPRouteOptions } from "../src/api/iproute.ts";
import { libc } from "./load.ts";
import { inNetns, openOwnNetns } from "./transport.ts";
import { spawn, type NetnsProcess, type SpawnOptions } from "./spawn.ts";
import { CLONE_NEWNET, EEXIST, EINVAL, ENOENT, O_CLOEXEC, O_RDONLY } from "./_linux.ts";

// <sched.h>, <sys/mount.h>, <fcntl.h>, <errno.h>
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;
const NAME_MAX = 255;

/** `open()` flag: create the namespace when it does not exist (pyroute2's `os.O_CREAT`). */
export const O_CREAT = 0o100;
/** `open()` flag: with {@link O_CREAT}, fail with EEXIST when the namespace exists. */
export const O_EXCL = 0o200;

/** Where `ip netns` keeps its namespaces (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = "/run/netns";

/** A namespace: a name (`/run/netns/NAME`), a path (`/proc/1234/ns/net`), or an open fd. */
export type NetnsTarget = string | number;

/** Refuse names `ip netns` refuses (empty, ".", "..", with "/", longer than NAME_MAX), before any syscall. */
function checkName(name: unknown, what = "netns name"): string {
  if (typeof name !== "string") throw new TypeError(`${what} must be a string, got ${typeof name}`);
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) {
    throw new RangeError(`${what} is not valid: ${JSON.stringify(name)}`);
  }
  if (new TextEncoder().encode(name).length > NAME_MAX) {
    throw new RangeError(`${what} is longer than ${NAME_MAX} bytes: ${JSON.stringify(name.slice(0, 32))}...`);
  }
  return name;
}

/** The path of a target given as a name or a path. */
function targetPath(target: string): string {
  if (typeof target !== "string") throw new TypeError(`netns must be a name, path or fd, got ${typeof target}`);
  return target.includes("/") ? target : `${NETNS_RUN_DIR}/${checkName(target)}`;
}

function checkFd(fd: number): number {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) throw new RangeError(`netns fd must be a non-negative integer, got ${fd}`);
  return fd;
}

/**
 * Open a namespace target: a name or path is opened (and must be closed: `owned`), an fd is used
 * as it is.
 */
function openTarget(target: NetnsTarget): { fd: number; owned: boolean } {
  if (typeof target === "number") return { fd: checkFd(target), owned: false };
  return { fd: libc.open(targetPath(target), O_RDONLY | O_CLOEXEC), owned: true };
}

/**
 * Run `fn` with the calling thread switched into the namespace `target`, and switch back before
 * returning — also when `fn` throws. Synchronous on purpose: nothing else may run on the thread
 * while it is switched, so `fn` must not return a promise it expects to run inside. Sockets,
 * tun devices and child processes created inside `fn` belong to (or start in) the namespace.
 *
 * @param target namespace name, path or fd
 * @param fn what to do inside
 * @returns what `fn` returned
 * @example
 * ```ts
 * const fd = runInNetns("blue", () => libc.socket(16, 3 | 0o2000000, 0));
 * ```
 */
export function runInNetns<T>(target: NetnsTarget, fn: () => T): T {
  const ns = openTarget(target);
  try {
    return inNetns(ns.fd, fn);
  } finally {
    if (ns.owned) libc.close(ns.fd);
  }
}

let runDirShared = false;

/**
 * Make /run/netns exist and be a shared mount point (MS_SHARED | MS_REC), binding it on itself
 * first if it is not a mount point — as iproute2 does — so namespace mounts made here propagate
 * to mount namespaces that copied it later (`ip netns exec`, containers), and unmounts too.
 */
function prepareRunDir(): void {
  if (runDirShared) return;
  try {
    libc.mkdir(NETNS_RUN_DIR, 0o755);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === EEXIST)) throw e;
  }
  try {
    libc.mount("none", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, null);
  } catch (e) {
    // EINVAL: not a mount point yet
    if (!(e instanceof SyscallError && e.errno === EINVAL)) throw e;
    libc.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, null);
    libc.mount("none", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, null);
  }
  runDirShared = true;
}

/** Create the mount point file /run/netns/NAME; EEXIST when it exists. */
function createMountPoint(path: string): void {
  libc.close(libc.open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
}

/**
 * Create a namespace synchronously (see {@link create}).
 *
 * @param name namespace name
 * @example
 * ```ts
 * createSync("blue");
 * ```
 */
export function createSync(name: string): void {
  const path = `${NETNS_RUN_DIR}/${checkName(name)}`;
  prepareRunDir();
  createMountPoint(path);
  try {
    const back = openOwnNetns();
    try {
      libc.unshare(CLONE_NEWNET);
      try {
        libc.mount("/proc/thread-self/ns/net", path, "none", MS_BIND, null);
      } finally {
        libc.setns(back, CLONE_NEWNET);
      }
    } finally {
      libc.close(back);
    }
  } catch (e) {
    libc.unlink(path);
    throw e;
  }
}

/**
 * Remove a namespace synchronously (see {@link remove}).
 *
 * @param name namespace name
 * @example
 * ```ts
 * removeSync("blue");
 * ```
 */
export function removeSync(name: string): void {
  const path = `${NETNS_RUN_DIR}/${checkName(name)}`;
  try {
    libc.umount2(path, MNT_DETACH);
  } catch (e) {
    // EINVAL: not a mount point (a left-over file); ENOENT is reported by unlink below
    if (!(e instanceof SyscallError && (e.errno === EINVAL || e.errno === ENOENT))) throw e;
  }
  libc.unlink(path);
}

/**
 * Names of the namespaces in /run/netns, sorted.
 *
 * @example
 * ```ts
 * list(); // ["blue", "red"]
 * ```
 */
export function list(): string[] {
  try {
    // Deno's own call: its node:fs layer costs ~40 ms to load, which no program should pay at start-up.
    if ("Deno" in globalThis) return Array.from(Deno.readDirSync(NETNS_RUN_DIR), (e) => e.name).sort();
    return process.getBuiltinModule("node:fs").readdirSync(NETNS_RUN_DIR).sort();
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return [];
    throw e;
  }
}

/**
 * Whether /run/netns/NAME exists.
 *
 * @param name namespace name
 * @example
 * ```ts
 * if (!exists("blue")) await create("blue");
 * ```
 */
export function exists(name: string): boolean {
  try {
    libc.close(libc.open(`${NETNS_RUN_DIR}/${checkName(name)}`, O_RDONLY | O_CLOEXEC));
    return true;
  } catch (e) {
    if (e instanceof SyscallError && e.errno === ENOENT) return false;
    throw e;
  }
}

/**
 * Create a network namespace named `name`, as `ip netns add NAME` does. Rejects with a
 * `SyscallError` code "EEXIST" when it exists. The new namespace's `lo` is down.
 *
 * Equivalent to: `ip netns add NAME`
 *
 * @param name namespace name (no "/", not "." or "..")
 * @example
 * ```ts
 * await netns.create("blue");
 * ```
 */
export function create(name: string): Promise<void> {
  return new Promise((resolve) => resolve(createSync(name)));
}

/**
 * Remove a network namespace created by {@link create} or `ip netns add` (unmount, unlink).
 * The namespace itself lives on while a process, socket or fd still uses it. Rejects with code
 * "ENOENT" when there is no such name.
 *
 * Equivalent to: `ip netns del NAME`
 *
 * @param name namespace name
 * @example
 * ```ts
 * await netns.remove("blue");
 * ```
 */
export function remove(name: string): Promise<void> {
  return new Promise((resolve) => resolve(removeSync(name)));
}

/**
 * Give the network namespace of process `pid` the name `name`.
 *
 * Equivalent to: `ip netns attach NAME PID`
 *
 * @param name namespace name to create
 * @param pid process whose namespace it names
 * @example
 * ```ts
 * await netns.attach("child", child.pid);
 * ```
 */
export function attach(name: string, pid: number): Promise<void> {
  return new Promise((resolve) => {
    const path = `${NETNS_RUN_DIR}/${checkName(name)}`;
    if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`pid must be a positive integer, got ${pid}`);
    prepareRunDir();
    createMountPoint(path);
    try {
      libc.mount(`/proc/${pid}/ns/net`, path, "none", MS_BIND, null);
    } catch (e) {
      libc.unlink(path);
      throw e;
    }
    resolve();
  });
}

/**
 * Move the calling thread — in Deno and Bun, the main JavaScript thread — into a namespace for
 * good: sockets, tun devices and processes it creates afterwards belong to it. Prefer
 * `new IPRoute({ netns })`, {@link spawn} or {@link pushns}/{@link popns}, which switch back.
 *
 * Equivalent to: `ip netns exec NAME …` (for what follows)
 *
 * @param target namespace name, path or fd
 * @example
 * ```ts
 * netns.setns("blue");
 * ```
 */
export function setns(target: NetnsTarget): void {
  const ns = openTarget(target);
  try {
    libc.setns(ns.fd, CLONE_NEWNET);
  } finally {
    if (ns.owned) libc.close(ns.fd);
  }
}

const stack: number[] = [];

/**
 * Remember the current namespace on a stack, then (when `target` is given) switch into
 * `target`; {@link popns} goes back.
 *
 * @param target namespace name, path or fd to switch to
 * @example
 * ```ts
 * netns.pushns("blue");
 * try { using ipr = new IPRoute(); } finally { netns.popns(); }
 * ```
 */
export function pushns(target?: NetnsTarget): void {
  const back = openOwnNetns();
  try {
    if (target !== undefined) setns(target);
  } catch (e) {
    libc.close(back);
    throw e;
  }
  stack.push(back);
}

/**
 * Go back to the namespace saved by the matching {@link pushns}.
 *
 * @example
 * ```ts
 * netns.popns();
 * ```
 */
export function popns(): void {
  const back = stack.pop();
  if (back === undefined) throw new Error("popns() without a matching pushns()");
  try {
    libc.setns(back, CLONE_NEWNET);
  } finally {
    libc.close(back);
  }
}

/**
 * The namespace verbs, as `netns` in pyroute2 (`netns.create`, `netns.remove`,
 * `netns.listnetns` → `netns.list`, `netns.setns`, `pushns`, `popns`, NSPopen → `spawn`).
 *
 * @example
 * ```ts
 * import { netns } from "nlroute";
 * await netns.create("blue");
 * console.log(netns.list());
 * await netns.remove("blue");
 * ```
 */
export interface NetnsApi {
  /** Create a namespace: `ip netns add NAME`. */
  create(name: string): Promise<void>;
  /** Remove a namespace: `ip netns del NAME`. */
  remove(name: string): Promise<void>;
  /** Names in /run/netns, sorted: `ip netns list`. */
  list(): string[];
  /** Whether /run/netns/NAME exists. */
  exists(name: string): boolean;
  /** Name the namespace of process `pid`: `ip netns attach NAME PID`. */
  attach(name: string, pid: number): Promise<void>;
  /** Move the calling thread into a namespace for good. */
  setns(target: NetnsTarget): void;
  /** Save the current namespace, then switch to `target` when given. */
  pushns(target?: NetnsTarget): void;
  /** Switch back to the namespace saved by the last `pushns`. */
  popns(): void;
  /** Run `fn` synchronously inside a namespace and switch back. */
  runInNetns<T>(target: NetnsTarget, fn: () => T): T;
  /** Start a process inside a namespace: `ip netns exec NAME cmd args...`. */
  spawn(target: NetnsTarget, command: readonly string[], options?: SpawnOptions): NetnsProcess;
  /** The flag that makes `NetNS` create a missing namespace. */
  readonly O_CREAT: number;
  /** With O_CREAT: fail when the namespace exists. */
  readonly O_EXCL: number;
}

/**
 * Namespace management; see {@link NetnsApi}.
 *
 * @example
 * ```ts
 * await netns.create("blue");
 * const p = netns.spawn("blue", ["ip", "link"]);
 * console.log(new TextDecoder().decode((await p.output()).stdout));
 * await netns.remove("blue");
 * ```
 */
export const netns: NetnsApi = {
  create,
  remove,
  list,
  exists,
  attach,
  setns,
  pushns,
  popns,
  runInNetns,
  spawn,
  O_CREAT,
  O_EXCL,
};

/** Options for `new NetNS(name, options)`: IPRoute's, plus pyroute2's `flags`. */
export interface NetNSOptions extends Omit<IPRouteOptions, "netns" | "transport"> {
  /**
   * {@link O_CREAT} (the default, as in pyroute2): create the namespace when missing;
   * `O_CREAT | O_EXCL`: it must not exist yet; 0: it must exist (else `SyscallError` "ENOENT").
   */
  readonly flags?: number;
}

/** Create the namespace as `flags` say, then hand IPRoute its name. */
function prepare(target: string, flags: number): string {
  if (!Number.isInteger(flags) || (flags & ~(O_CREAT | O_EXCL)) !== 0) {
    throw new RangeError(`NetNS flags must combine O_CREAT (0o100) and O_EXCL (0o200), got ${flags}`);
  }
  targetPath(target);
  if ((flags & O_CREAT) && !target.includes("/")) {
    try {
      createSync(target);
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === EEXIST) || (flags & O_EXCL)) throw e;
    }
  }
  return target;
}

/**
 * An `IPRoute` whose socket lives in another network namespace, as pyroute2's `NetNS` — but
 * opened from this thread (setns → socket → setns back), with no helper process. By default
 * (flags `O_CREAT`) a missing namespace is created first.
 *
 * Equivalent to: `ip -n NAME ...`
 *
 * @example
 * ```ts
 * using ns = new NetNS("blue");
 * await ns.link("set", { index: 1, state: "up" });
 * ns.close();
 * await netns.remove("blue");
 * ```
 */
export class NetNS extends IPRoute {
  /** The namespace's name (or path), as given. */
  readonly netns: string;

  /**
   * Open an RTNL socket in namespace `name` (or a path), creating it as `options.flags` say.
   *
   * @param name namespace name or path
   * @param options IPRoute options and `flags` (default O_CREAT)
   * @example
   * ```ts
   * const ns = new NetNS("blue", { flags: 0 }); // must exist
   * ```
   */
  constructor(name: string, options: NetNSOptions = {}) {
    super({ ...options, netns: prepare(name, options.flags ?? O_CREAT) });
    this.netns = name;
  }

  /**
   * Close the socket and remove the namespace (pyroute2 `NetNS.remove()`).
   *
   * Equivalent to: `ip netns del NAME`
   *
   * @example
   * ```ts
   * await ns.remove();
   * ```
   */
  async remove(): Promise<void> {
    this.close();
    await remove(this.netns);
  }
}
