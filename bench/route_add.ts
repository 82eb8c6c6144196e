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

import { IPRoute } from "../mod.ts";
import { args, env, inRouteNamespace, runtime } from "./_common.ts";

const here = args.includes("--here");
const count = Number.parseInt(args.find((a) => /^\d+$/.test(a)) ?? "5000", 10);
const profile = (env("NLROUTE_PROFILE") ?? "") === "1";

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

// the host's namespace is told by HOST_NETNS (set by bench/route_add.sh), else init's
const seconds = await inRouteNamespace(here, "nlbench-add", run);
console.log(`impl=${runtime} seconds=${seconds.toFixed(4)} count=${count}`);
