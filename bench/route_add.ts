/**
 * Route-add benchmark for nlroute, the counterpart of the peers' `add` mode
 * (shared/peers/iproute2_bench.sh, pyroute2_bench.py, gonl/main.go): N sequential, acknowledged
 * `route("add", { dst: "10.201.x.y/32", gateway: "10.255.0.2", oif })` requests, each awaited
 * before the next, as `ip -batch` sends them.
 *
 *   deno run -A bench/route_add.ts [N] [--here]
 *   bun bench/route_add.ts [N] [--here]
 *
 * Without `--here` it creates a fresh network namespace (`ip netns add`), sets it up as
 * shared/peers/setup_routes.sh does (veth bv0/bv1 up, 10.255.0.1/16 on bv0), runs there and
 * removes it. With `--here` it runs in the current namespace, which must already be set up
 * that way (bench/route_add.sh uses `unshare -n` + setup_routes.sh 0) and must not be the
 * host's (HOST_NETNS=<readlink /proc/self/ns/net of the host> tells which one that is). Set NLROUTE_PROFILE=1 to also print where the time goes (encode, send, receive, decode).
 *
 * The last stdout line is `impl=deno|bun seconds=S count=N` (seconds: the N adds, socket open).
 * @module
 */

import { execFileSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { IPRoute } from "../mod.ts";

declare const Bun: unknown;

const runtime = typeof Bun !== "undefined" ? "bun" : typeof Deno !== "undefined" ? "deno" : "node";
const argv = typeof Deno !== "undefined" ? Deno.args : (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(2);
const here = argv.includes("--here");
const count = Number.parseInt(argv.find((a) => /^\d+$/.test(a)) ?? "5000", 10);
const profile = ((globalThis as unknown as { process?: { env: Record<string, string | undefined> } }).process?.env.NLROUTE_PROFILE ?? "") === "1";

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "inherit"] });
}

async function run(netns: string | undefined): Promise<number> {
  using ipr = new IPRoute(netns === undefined ? {} : { netns });
  const [oif] = await ipr.linkLookup({ ifname: "bv0" });
  if (oif === undefined) throw new Error("no bv0 in this namespace: set it up as shared/peers/setup_routes.sh does");
  // the same destinations as iproute2_bench.sh: 10.201.<i/256>.<i%256>/32 via 10.255.0.2 dev bv0
  const dsts = Array.from({ length: count }, (_, i) => `10.201.${(i >> 8) & 255}.${i & 255}/32`);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await ipr.route("add", { dst: dsts[i], gateway: "10.255.0.2", oif });
  }
  const seconds = (performance.now() - t0) / 1000;
  const n = (await ipr.getRoutes({ family: 2, table: 254, dst: (d: unknown) => typeof d === "string" && d.startsWith("10.201.") })).length;
  if (n !== count) throw new Error(`expected ${count} routes in 10.201.0.0/16, found ${n}`);
  if (profile) await profileAdds(ipr, oif, netns);
  return seconds;
}

/**
 * Where the time of one add goes, measured after the timed run (warm) on two samples of 1,000
 * routes (10.202/16 and 10.203/16, deleted afterwards), printed to stderr: building the request
 * from the spec, encoding it, the send + receive syscalls through FFI (including the kernel's
 * work), decoding the ACK, and what is left for the connection (sequence, promise queue).
 */
async function profileAdds(ipr: IPRoute, oif: number, netns: string | undefined): Promise<void> {
  const { buildRouteRequest } = await import("../src/api/routes.ts");
  const { prepareMessage, decodeDatagram, NLM_F, FfiTransport, openNetnsFd, rtnl } = await import("../mod.ts");
  const { rtmsg } = await import("../src/rtnl/route.ts");
  const n = 1000;
  const spec = (b: number, i: number) => ({ dst: `10.${b}.${(i >> 8) & 255}.${i & 255}/32`, gateway: "10.255.0.2", oif });
  let t = performance.now();
  for (let i = 0; i < n; i++) await ipr.route("add", spec(202, i));
  const tWhole = performance.now() - t;
  const specs = Array.from({ length: n }, (_, i) => spec(203, i));
  t = performance.now();
  const built = specs.map((x) => buildRouteRequest("add", x));
  const tBuild = performance.now() - t;
  t = performance.now();
  const bufs = built.map((b, i) => {
    const p = prepareMessage(rtmsg, { type: b.type, flags: b.flags | NLM_F.REQUEST | NLM_F.ACK, fields: b.fields, attrs: b.attrs });
    const buf = new Uint8Array(p.length);
    p.write(buf, new DataView(buf.buffer), 0, i + 1);
    return buf;
  });
  const tEncode = performance.now() - t;
  const { platform } = await import("../src/api/_context.ts");
  const fd = netns === undefined ? undefined : openNetnsFd(netns);
  let raw: ReturnType<typeof FfiTransport.open>;
  try {
    raw = FfiTransport.open(fd === undefined ? {} : { netnsFd: fd });
  } finally {
    if (fd !== undefined) platform().closeFd!(fd);
  }
  const acks: Uint8Array[] = [];
  t = performance.now();
  for (const buf of bufs) {
    raw.send(buf);
    acks.push(raw.receive(1000)!.slice());
  }
  const tSyscalls = performance.now() - t;
  raw.close();
  t = performance.now();
  for (const a of acks) if (decodeDatagram(a, rtnl)[0].get("error") !== 0) throw new Error("a raw add failed");
  const tDecode = performance.now() - t;
  await ipr.flushRoutes({ family: 2, table: 254, dst: (d: unknown) => typeof d === "string" && /^10\.20[23]\./.test(d) });
  const us = (ms: number) => ((ms * 1000) / n).toFixed(1);
  console.error(
    `profile, µs per add (warm, ${n} adds): whole=${us(tWhole)} build=${us(tBuild)} encode=${us(tEncode)} ` +
      `send+recv(ffi+kernel)=${us(tSyscalls)} decode-ack=${us(tDecode)} ` +
      `connection+queue=${us(tWhole - tBuild - tEncode - tSyscalls - tDecode)}`,
  );
}

let seconds: number;
if (here) {
  // the host's namespace: HOST_NETNS (set by bench/route_add.sh), else init's
  const env = (globalThis as unknown as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
  let host = env.HOST_NETNS;
  try {
    host ??= readlinkSync("/proc/1/ns/net");
  } catch {
    throw new Error("--here: cannot tell the host network namespace (set HOST_NETNS=$(readlink /proc/self/ns/net) outside)");
  }
  if (readlinkSync("/proc/self/ns/net") === host) throw new Error("refusing to add routes in the host network namespace: run inside unshare -n, or without --here");
  seconds = await run(undefined);
} else {
  const ns = `nlbench-add-${(globalThis as unknown as { process?: { pid: number } }).process?.pid ?? 0}`;
  ip("netns", "add", ns);
  try {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "add", "bv0", "type", "veth", "peer", "name", "bv1");
    ip("-n", ns, "addr", "add", "10.255.0.1/16", "dev", "bv0");
    ip("-n", ns, "link", "set", "bv0", "up");
    ip("-n", ns, "link", "set", "bv1", "up");
    seconds = await run(ns);
  } finally {
    ip("netns", "del", ns);
  }
}
console.log(`impl=${runtime} seconds=${seconds.toFixed(4)} count=${count}`);
