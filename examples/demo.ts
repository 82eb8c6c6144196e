/**
 * The walkthrough of the Linux Format article "pyroute2 – python manages networks" (Administeria),
 * with nlroute, end to end: a veth pair, one end moved into a "sandbox" namespace, addresses,
 * routes, links up, and a ping across that succeeds — then everything is removed.
 *
 * It never touches this machine's own network namespace: the "main" side of the article is a
 * throwaway namespace too. Addresses are documentation ranges instead of the article's
 * 192.168.1.0/24 and 172.16.0.0/12. Needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and `ping`.
 *
 *   npm run demo                       (Deno)
 *   npx bun examples/demo.ts           (Bun)
 * @module
 */

import { IPRoute, NetlinkError, NetNS, netns } from "../mod.ts";

const pid = (globalThis as { process?: { pid: number } }).process?.pid ?? 0;
const MAIN = `demo-main-${pid}`; // stands in for the article's main namespace
const SANDBOX = `sandbox-${pid}`; // the article's 'sandbox'
const LOCAL = { ifname: "veth0p0", address: "192.0.2.2", prefixlen: 24 }; // article: 192.168.1.2/24
const PEER = { ifname: "veth0p1", address: "198.51.100.2" }; // article: 172.16.0.2
const REMOTE_NET = "198.51.100.0/24"; // article: 172.16.0.0/12
const LOCAL_NET = "192.0.2.0/24"; // article: 192.168.1.0/24

let step = 0;
function say(title: string, ...lines: string[]): void {
  console.log(`\n${++step}. ${title}`);
  for (const line of lines) console.log(`   ${line}`);
}
const decoder = new TextDecoder();

/** Run `ping` in a namespace (the article runs it in the main one) and show what it said. */
async function ping(ns: string, address: string, count: number): Promise<boolean> {
  const { code, stdout, stderr } = await netns.spawn(ns, ["ping", "-c", String(count), "-W", "1", "-i", "0.2", address]).output();
  const text = decoder.decode(stdout).trim().split("\n");
  for (const line of [...text.slice(-2), ...decoder.decode(stderr).trim().split("\n")].filter(Boolean)) console.log(`   | ${line}`);
  return code === 0;
}

async function main(): Promise<void> {
  say(
    "Namespaces first",
    "A container is a set of namespaces; a network namespace alone keeps interfaces, routes and",
    "addresses apart. The article creates 'sandbox'; here the 'main' side is a namespace too, so",
    "this machine's own network is never touched.",
    `await netns.create(${JSON.stringify(MAIN)}); await netns.create(${JSON.stringify(SANDBOX)})`,
  );
  await netns.create(MAIN);
  await netns.create(SANDBOX);
  console.log(`   ip netns list now has: ${netns.list().filter((n) => n === MAIN || n === SANDBOX).join(", ")}`);

  // IPRoute({ netns }) opens its socket inside MAIN from this thread: no helper process.
  using ip = new IPRoute({ netns: MAIN });

  say(
    "A veth pair, the local end up with an address and a route",
    "ip.link('add', ifname='veth0p0', peer='veth0p1', kind='veth') and friends, in TypeScript:",
    `await ip.link("add", { ifname: "${LOCAL.ifname}", peer: "${PEER.ifname}", kind: "veth" })`,
  );
  await ip.link("add", { ifname: LOCAL.ifname, peer: PEER.ifname, kind: "veth" });
  // link_lookup returns a list, not one value: take the first (and only) index.
  const [ifindex] = await ip.linkLookup({ ifname: LOCAL.ifname });
  console.log(`   const [ifindex] = await ip.linkLookup({ ifname: "${LOCAL.ifname}" })  // ${ifindex}`);
  await ip.link("set", { index: ifindex, state: "up" });
  console.log(`   await ip.link("set", { index: ${ifindex}, state: "up" })`);
  await ip.addr("add", { index: ifindex, address: LOCAL.address, prefixlen: LOCAL.prefixlen });
  console.log(`   await ip.addr("add", { index: ${ifindex}, address: "${LOCAL.address}", prefixlen: ${LOCAL.prefixlen} })`);
  await ip.route("add", { dst: REMOTE_NET, oif: ifindex });
  console.log(`   await ip.route("add", { dst: "${REMOTE_NET}", oif: ${ifindex} })`);
  const [peerIndex] = await ip.linkLookup({ ifname: PEER.ifname });
  await ip.link("set", { index: peerIndex, state: "up" });
  console.log(`   await ip.link("set", { index: ${peerIndex}, state: "up" })  // the peer end, ${PEER.ifname}`);

  say(
    "The kernel says no when something is wrong",
    "Errors are NetlinkError with the errno name and the kernel's own explanation:",
  );
  try {
    await ip.link("add", { ifname: LOCAL.ifname, peer: "veth0p9", kind: "veth" });
  } catch (e) {
    if (!(e instanceof NetlinkError)) throw e;
    console.log(`   adding ${LOCAL.ifname} again → ${e.code}${e.extack ? ` ("${e.extack}")` : ""}`);
  }

  say(
    `Ping ${PEER.address}: no answer yet`,
    "Nothing owns that address, so the pings go unanswered — the route sends them into the veth",
    "pair (tcpdump would show ARP requests), but nobody is there to reply. A failed ping does not",
    "mean the thing is broken: we just haven't finished it yet.",
  );
  const early = await ping(MAIN, PEER.address, 1);
  console.log(`   → ${early ? "answered (unexpected!)" : "no reply, as expected"}`);
  if (early) throw new Error(`${PEER.address} answered before the sandbox was configured`);

  say(
    "Move the peer end into the sandbox",
    "Moving a link to another namespace clears its settings, so it is a standalone operation",
    "done first; afterwards the link is gone from the main side.",
    `await ip.link("set", { index: ${peerIndex}, net_ns_fd: "${SANDBOX}" })`,
  );
  await ip.link("set", { index: peerIndex, net_ns_fd: SANDBOX });
  console.log(`   still visible on the main side: ${(await ip.linkLookup({ ifname: PEER.ifname })).length > 0}`);

  say(
    "Configure the sandbox end through NetNS",
    "NetNS is an IPRoute inside the namespace. pyroute2 forks a helper process for it; nlroute",
    "opens the socket from this thread (setns → socket → setns back).",
  );
  {
    using ns = new NetNS(SANDBOX, { flags: 0 });
    const [inside] = await ns.linkLookup({ ifname: PEER.ifname });
    console.log(`   ${PEER.ifname} has index ${inside} in ${SANDBOX}`);
    await ns.link("set", { index: inside, state: "up" });
    console.log(`   await ns.link("set", { index: ${inside}, state: "up" })`);
    await ns.addr("add", { index: inside, address: PEER.address, prefixlen: 32 });
    console.log(`   await ns.addr("add", { index: ${inside}, address: "${PEER.address}", prefixlen: 32 })`);
    await ns.route("add", { dst: LOCAL_NET, oif: inside });
    console.log(`   await ns.route("add", { dst: "${LOCAL_NET}", oif: ${inside} })  // the reverse route`);
    const addrs = (await ns.getAddr({ index: inside, family: 2 })).map((a) => `${a.get("address")}/${a.get("prefixlen")}`);
    console.log(`   addresses of ${PEER.ifname} in the sandbox: ${addrs.join(", ")}`);
  }

  say(
    `Ping ${PEER.address} again`,
    "With addresses and routes on both ends, traffic flows through the veth pair:",
  );
  const ok = await ping(MAIN, PEER.address, 3);
  console.log(`   → ${ok ? "replies: it works end to end" : "no replies"}`);
  if (!ok) throw new Error(`ping ${PEER.address} failed`);
}

const started = performance.now();
try {
  await main();
} finally {
  say("Clean up", "Removing the namespaces also destroys the veth pair and everything on it.");
  for (const name of [SANDBOX, MAIN]) {
    if (netns.exists(name)) await netns.remove(name);
  }
  const left = netns.list().filter((n) => n === MAIN || n === SANDBOX);
  console.log(`   namespaces left behind: ${left.length ? left.join(", ") : "none"}`);
}
console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
