/**
 * What the nlroute benchmark scripts share: the runtime's name and arguments, medians, the
 * timing loop of the dump workloads, and the namespace the add workloads run in (never the
 * host's).
 * @module
 */

declare const Bun: unknown;

type Proc = { argv: string[]; env: Record<string, string | undefined>; pid: number };
const proc = (globalThis as unknown as { process?: Proc }).process;

/** "deno", "bun" or "node". */
export const runtime: string = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";

/** The script's arguments. */
export const args: readonly string[] = typeof Deno !== "undefined" ? Deno.args : proc?.argv.slice(2) ?? [];

/** An environment variable (through node:process, which both runtimes have). */
export function env(name: string): string | undefined {
  return proc?.env[name];
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * One cold run, then `reps` timed runs of `once` (each returns its seconds): the dump workloads'
 * loop. The numbers are formatted to 4 decimals, as the peers print them.
 */
export async function coldThenWarm<R extends { seconds: number }>(reps: number, once: () => Promise<R>): Promise<{ cold: R; last: R; summary: string }> {
  const cold = await once();
  const times: number[] = [];
  let last = cold;
  for (let i = 0; i < reps; i++) {
    last = await once();
    times.push(last.seconds);
  }
  const f = (s: number) => s.toFixed(4);
  const summary = `seconds=${f(median(times))} min=${f(Math.min(...times))} max=${f(Math.max(...times))} cold=${f(cold.seconds)} runs=${reps} times=${times.map(f).join(",")}`;
  return { cold, last, summary };
}

/**
 * Run `work` in a namespace set up as shared/peers/setup_routes.sh does (veth bv0/bv1 up,
 * 10.255.0.1/16 on bv0): with `here`, the current one, which must not be the host's (HOST_NETNS,
 * set by bench/run.sh, else init's); otherwise a new `ip netns` namespace named
 * `<prefix>-<pid>`, removed afterwards.
 */
export async function inRouteNamespace<T>(here: boolean, prefix: string, work: (netns: string | undefined) => Promise<T>): Promise<T> {
  // loaded here, not at the top: the dump scripts must not pay for Deno's node:fs layer
  const { readlinkSync } = await import("node:fs");
  const { execFileSync } = await import("node:child_process");
  const ip = (...argv: string[]) => execFileSync("ip", argv, { stdio: ["ignore", "ignore", "inherit"] });
  if (here) {
    // /proc/1/ns/net cannot be read from inside unshare -n: bench/run.sh exports HOST_NETNS
    let host = env("HOST_NETNS");
    try {
      host ??= readlinkSync("/proc/1/ns/net");
    } catch {
      throw new Error("--here: cannot tell the host network namespace (set HOST_NETNS=$(readlink /proc/self/ns/net) outside)");
    }
    if (readlinkSync("/proc/self/ns/net") === host) throw new Error("refusing to add routes in the host network namespace: run inside unshare -n, or without --here");
    return await work(undefined);
  }
  const ns = `${prefix}-${proc?.pid ?? 0}`;
  ip("netns", "add", ns);
  try {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "add", "bv0", "type", "veth", "peer", "name", "bv1");
    ip("-n", ns, "addr", "add", "10.255.0.1/16", "dev", "bv0");
    ip("-n", ns, "link", "set", "bv0", "up");
    ip("-n", ns, "link", "set", "bv1", "up");
    return await work(ns);
  } finally {
    ip("netns", "del", ns);
  }
}
