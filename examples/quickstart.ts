/**
 * The README quick start: a veth pair across two namespaces, addresses, a route, a refused add,
 * link events. Changes the network namespace it runs in: run it inside `unshare -n`, as root.
 * @module
 */
import { IPRoute, NetlinkError, netns } from "../mod.ts";   // "nlroute" once installed

await netns.create("blue");
using ipr = new IPRoute();                                   // NETLINK_ROUTE socket of this namespace
using blue = new IPRoute({ netns: "blue" });                 // a socket inside "blue"; the thread stays home
await ipr.link("add", { ifname: "v0", kind: "veth", peer: { ifname: "v1", net_ns_fd: "blue" } });
const [index] = await ipr.linkLookup({ ifname: "v0" });
await ipr.link("set", { index, state: "up", mtu: 1400 });
await ipr.addr("add", { index, address: "192.0.2.1/24" });
await blue.interface("v1").set({ mtu: 1400 }).up().addIp("192.0.2.2/24"); // fluent: steps run in order
await ipr.route("add", { dst: "198.51.100.0/24", gateway: "192.0.2.2" });

for (const link of await ipr.getLinks()) {
  console.log(link.get("index"), link.get("ifname"), link.get("state"), link.get("linkinfo")?.get("kind"));
}
try {
  await ipr.link("add", { ifname: "v0", kind: "veth", peer: "v2" });
} catch (e) {
  if (e instanceof NetlinkError) console.log(e.code, e.op);   // EEXIST RTM_NEWLINK
}

const ac = new AbortController();
setTimeout(() => ipr.link("set", { index, mtu: 1300 }), 50);
setTimeout(() => ac.abort(), 500);
for await (const msg of ipr.events({ groups: ["link"], signal: ac.signal })) {
  console.log(msg.event, msg.get("ifname"), msg.get("mtu"));  // RTM_NEWLINK v0 1300
}

await ipr.link("del", { ifname: "v0" });                     // removes v1 too
await netns.remove("blue");
