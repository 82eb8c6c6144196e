/**
 * Kernel-test support: every test works in a network namespace it creates and removes in
 * `finally`; `ip -json` inside that namespace is the oracle. Tests need root: without it they
 * skip, except under CI=true where they fail loudly.
 * @module
 */

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

const env: Record<string, string | undefined> = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/** Whether this process is root. */
export function isRoot(): boolean {
  const p = (globalThis as { process?: { getuid?: () => number } }).process;
  return p?.getuid?.() === 0;
}

/**
 * Options for node:test's `test()` in kernel tests: skipped when not root, unless CI=true,
 * where the test runs and fails.
 */
export const kernelTest: { skip: string | false; timeout: number } = {
  skip: isRoot() || env.CI === "true" ? false : "needs root (CAP_NET_ADMIN)",
  timeout: 120_000,
};

interface BunSpawn {
  spawnSync(cmd: string[], options: { stdin: "ignore" | Uint8Array; stdout: "pipe"; stderr: "pipe" }): { exitCode: number | null; stdout: { toString(): string }; stderr: { toString(): string } };
}

/** Run a command and return its stdout; throws with stderr on failure. */
export function sh(cmd: string, args: readonly string[], input?: string): string {
  const bun = (globalThis as { Bun?: BunSpawn }).Bun;
  if (bun) {
    // Bun's own spawnSync closes the child's stdio before returning; node:child_process under
    // Bun leaves socketpairs open for a while, which fd-leak checks would count
    const r = bun.spawnSync([cmd, ...args], { stdin: input === undefined ? "ignore" : new TextEncoder().encode(input), stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.toString() || `exit ${r.exitCode}`}`);
    return r.stdout.toString();
  }
  try {
    return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err.stderr || err.message}`);
  }
}

/** `ip -n NS args...` */
export function ipn(ns: string, ...args: string[]): string {
  return sh("ip", ["-n", ns, ...args]);
}

/** `ip -n NS -json args...`, parsed. */
export function ipJson<T = any>(ns: string, ...args: string[]): T {
  const out = sh("ip", ["-n", ns, "-json", ...args]);
  return (out.trim() ? JSON.parse(out) : []) as T;
}

/** Run `ip -n NS -batch -` with these lines. */
export function ipBatch(ns: string, lines: readonly string[]): void {
  sh("ip", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
}

let counter = 0;

/**
 * Create a fresh namespace (lo up), run `fn` with its name, remove it afterwards whatever
 * happens.
 */
export async function withNetns<T>(fn: (ns: string) => T | Promise<T>): Promise<T> {
  if (!isRoot()) throw new Error("kernel tests need root (CAP_NET_ADMIN); CI=true makes this a failure instead of a skip");
  const pid = (globalThis as { process?: { pid: number } }).process?.pid ?? 0;
  const ns = `nlt-${pid}-${++counter}-${Math.floor(Math.random() * 1e6)}`;
  sh("ip", ["netns", "add", ns]);
  try {
    ipn(ns, "link", "set", "lo", "up");
    return await fn(ns);
  } finally {
    sh("ip", ["netns", "del", ns]);
  }
}

/**
 * What nlroute opens: sockets, namespace fds, tun/tap queues, and eventfds. Under Bun eventfds
 * are left out: its spawnSync (behind `sh()`) opens an eventpoll + eventfd pair per call and
 * closes them later at a time of its choosing; nlroute's eventfds there live in its reader
 * beside a socket or tun fd, which are still counted.
 */
const OURS = "Bun" in globalThis ? /^(socket:|net:|\/dev\/net\/tun)/ : /^(socket:|net:|anon_inode:\[eventfd\]|\/dev\/net\/tun)/;

/**
 * Number of open file descriptors of this process of the kinds nlroute opens (see `OURS`).
 * Pipes, pidfds, Unix sockets and the runtimes' own loop fds are left out: they come and go with
 * the runtimes' child-process plumbing, which made whole-table counts flaky.
 */
export function fdCount(): number {
  const targets: [fd: string, target: string][] = [];
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      targets.push([fd, readlinkSync(`/proc/self/fd/${fd}`)]);
    } catch {
      // closed meanwhile (the directory's own fd)
    }
  }
  // Unix sockets are the runtimes' child-process plumbing (Bun's spawn uses socketpairs and
  // closes them a little later, from another thread), never nlroute's: read their inodes after
  // the fd table, so every socket seen above that is still open is listed here
  const unix = new Set(readFileSync("/proc/self/net/unix", "utf8").split("\n").slice(1).map((l) => l.trim().split(/\s+/)[6]).filter(Boolean));
  const stillOpen = (fd: string, target: string): boolean => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false;
    }
  };
  let n = 0;
  for (const [fd, t] of targets) {
    if (!OURS.test(t)) continue;
    // a socket closed between the two reads (a socketpair Bun just let go) is not counted
    if (t.startsWith("socket:[") && (unix.has(t.slice(8, -1)) || !stillOpen(fd, t))) continue;
    n++;
  }
  return n;
}

/**
 * Throw when more nlroute-kind fds are open than `before` (a leak). Fewer is fine: the runtimes
 * close fds of their own (child-process socketpairs under Bun) at times of their choosing.
 */
export function assertNoFdGrowth(before: number, what = "fd count"): void {
  const now = fdCount();
  if (now > before) throw new Error(`${what}: ${now} open, ${before} before (leak)`);
}

/**
 * Wait until `dev` in `ns` reports operstate UP. A veth's carrier comes up through the kernel's
 * linkwatch, asynchronously and up to a second after `ip link set up`; until then its routes carry
 * `linkdown`, which `ip route restore` refuses and dumps show.
 */
export async function waitOperUp(ns: string, dev: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [link] = ipJson<{ operstate?: string }[]>(ns, "link", "show", "dev", dev);
    if (link?.operstate === "UP") return;
    if (Date.now() > deadline) throw new Error(`${dev} in ${ns} is not UP after ${timeoutMs} ms (operstate ${link?.operstate})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
