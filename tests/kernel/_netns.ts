/**
 * Kernel-test support: every test works in a network namespace it creates and removes in
 * `finally`; `ip -json` inside that namespace is the oracle. Tests need root: without it they
 * skip, except under CI=true where they fail loudly.
 * @module
 */

import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";

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

/** Run a command and return its stdout; throws with stderr on failure. */
export function sh(cmd: string, args: readonly string[], input?: string): string {
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

/** Number of open file descriptors of this process. */
export function fdCount(): number {
  return readdirSync("/proc/self/fd").length;
}
