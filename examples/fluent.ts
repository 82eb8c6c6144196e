/**
 * The fluent layer: a veth pair with an address, its peer moved into a second namespace, a
 * route and a rule — in two namespaces this script creates and removes (the host's network is
 * never touched). Needs root.
 *
 *   deno run --allow-all examples/fluent.ts
 *   bun examples/fluent.ts
 */
import { ChainError, IPRoute, netns } from "../mod.ts";

const tag = `nlx-${Math.floor(Math.random() * 1e6)}`;
const red = `${tag}-red`;
const blue = `${tag}-blue`;
await netns.create(red);
await netns.create(blue);
try {
  using ipr = new IPRoute({ netns: red });
  // each step runs in order when awaited; the result is the interface after the last step
  const v0 = await ipr.interfaces.create({ ifname: "v0", kind: "veth", peer: "v1" }).up().addIp("192.0.2.1/24");
  console.log(`created ${v0.ifname} (index ${v0.index}, ${v0.kind}, mtu ${v0.mtu}, ${v0.state})`);

  await ipr.interface("v1").setNetns(blue);
  const v0small = await ipr.interface("v0").set({ mtu: 1400 }).down().up();
  console.log(`v0 mtu is now ${v0small.mtu}`);

  await ipr.routes.create({ dst: "198.51.100.0/24", gateway: "192.0.2.2" });
  await ipr.rules.create({ priority: 100, table: 100, src: "203.0.113.0/24" });
  for (const r of await ipr.routes.list({ family: 2, table: 254 })) console.log(`route ${r.dst} via ${r.gateway ?? "-"} dev ${r.oif}`);
  for (const r of await ipr.rules.list({ family: 2 })) console.log(`rule ${r.priority}: from ${r.src ?? "all"} lookup ${r.table}`);
  for (const a of await ipr.addresses.list({ family: 2 })) console.log(`address ${a.cidr} on ${a.index}`);

  using inBlue = new IPRoute({ netns: blue });
  console.log(`in ${blue}: ${(await inBlue.interfaces.list()).map((i) => i.ifname).join(", ")}`);

  // a failing step names itself and the steps that completed before it
  try {
    await ipr.interface("v0").set({ mtu: 1500 }).addIp("192.0.2.1/24");
  } catch (e) {
    if (!(e instanceof ChainError)) throw e;
    console.log(`${e.code} at ${e.step}; done before it: ${e.completed.join(", ")}`);
  }
} finally {
  await netns.remove(red);
  await netns.remove(blue);
}
