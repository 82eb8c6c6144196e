// Captured from Linux 6.18 with `strace -e trace=recvmsg -e read=all ip -n rt-x -d route show table all`
// in a throwaway namespace (veth d0/d1, 192.0.2.1/24, 198.51.100.1/24, 2001:db8::1/64); direction
// kernel → user. Expected values are `ip -json` output for the same routes.

import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeDatagram, encodeMessage } from "../marshal/message.ts";
import { Attrs } from "../marshal/schema.ts";
import { replay } from "./_replay.ts";
import { rtnl } from "./messages.ts";


test("route: multipath 203.0.113.0/24 via two nexthops decodes RTA_MULTIPATH records", () => {
  // ip route add 203.0.113.0/24 nexthop via 192.0.2.2 dev d0 weight 1 nexthop via 198.51.100.2 dev d1 weight 3
  const m = replay("5000000018002200a23b0c6b5030000002180000fe0300010000000008000f00fe00000008000100cb00710024000900100000000300000008000500c0000202100000020500000008000500c6336402");
  assert.equal(m.get("dst"), "203.0.113.0");
  assert.equal(m.get("dst_len"), 24);
  const hops = m.get("multipath") as { oif: number; hops: number; attrs: Attrs }[];
  // ip -json: nexthops [{gateway 192.0.2.2, dev d0 (3), weight 1}, {gateway 198.51.100.2, dev d1 (5), weight 3}]
  assert.deepEqual(hops.map((h) => [h.attrs.get("gateway"), h.oif, h.hops + 1]), [["192.0.2.2", 3, 1], ["198.51.100.2", 5, 3]]);
});

test("route: blackhole in table 100", () => {
  // ip route add blackhole 203.0.113.128/25 table 100
  const m = replay("2c00000018002200a23b0c6b5030000002190000640300060000000008000f006400000008000100cb007180");
  assert.equal(m.get("type"), 6); // RTN_BLACKHOLE
  assert.equal(m.get("table"), 100);
  assert.equal(m.get("dst"), "203.0.113.128");
});

test("route: nhid route carries RTA_NH_ID and the group's expansion", () => {
  // ip route add 198.51.100.128/25 nhid 10
  const m = replay("5800000018002200a23b0c6b5030000002190000fe0300010000000008000f00fe00000008000100c633648008001e000a00000024000900100000000300000008000500c0000202100000020500000008000500c6336402");
  assert.equal(m.get("nh_id"), 10);
  assert.equal((m.get("multipath") as unknown[]).length, 2);
});

test("route: IPv4 lightweight tunnel encap (RTA_ENCAP before RTA_ENCAP_TYPE on the wire)", () => {
  // ip route add 203.0.113.64/26 encap ip id 5 dst 192.0.2.9 ttl 10 dev d0
  const m = replay("7400000018002200a23b0c6b50300000021a0000fe03fd010000000008000f00fe00000008000100cb0071400800040003000000380016000c000100000000000000000508000200c000020908000300000000000500050000000000050004000a00000006000600000000000600150002000000");
  assert.equal(m.get("encap_type"), 2); // LWTUNNEL_ENCAP_IP
  assert.equal(m.get(["encap", "id"]), 5n);
  assert.equal(m.get(["encap", "dst"]), "192.0.2.9");
  assert.equal(m.get(["encap", "ttl"]), 10);
});

test("route: IPv6 route with RTA_METRICS mtu and metric 512", () => {
  // ip -6 route add 2001:db8:1::/64 via 2001:db8::2 dev d0 metric 512 mtu 1400
  const m = replay("9400000018002200a33b0c6b923000000a400000fe0300010000000008000f00fe0000001400010020010db80001000000000000000000000c000800080002007805000008000600000200001400050020010db8000000000000000000000002080004000300000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000");
  assert.equal(m.get("dst"), "2001:db8:1::");
  assert.equal(m.get("gateway"), "2001:db8::2");
  assert.equal(m.get("priority"), 512);
  assert.equal(m.get(["metrics", "mtu"]), 1400);
  assert.equal(m.get("pref"), 0);
  assert.equal((m.get("cacheinfo") as Record<string, number>).rta_expires, 0);
});

test("route: IPv6 lightweight tunnel encap ip6", () => {
  // ip -6 route add 2001:db8:2::/64 encap ip6 id 7 dst 2001:db8::9 hoplimit 5 dev d0
  const m = replay("cc00000018002200a23b0c6b503000000a400000fe0300010000000008000f00fe0000001400010020010db800020000000000000000000008000600000400000800040003000000500016000c00010000000000000000071400020020010db80000000000000000000000091400030000000000000000000000000000000000050005000000000005000400050000000600060000000000060015000400000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000");
  assert.equal(m.get("encap_type"), 4); // LWTUNNEL_ENCAP_IP6
  assert.equal(m.get(["encap", "dst"]), "2001:db8::9");
  assert.equal(m.get(["encap", "hoplimit"]), 5);
});

test("route: RTA_VIA encodes family and address", () => {
  const bytes = encodeMessage(rtnl.byName.get("RTM_NEWROUTE")!.schema, { type: 24, fields: { family: 28 }, attrs: { via: { addr: "192.0.2.2" } } });
  const [m] = decodeDatagram(bytes, rtnl);
  assert.deepEqual(m.get("via"), { family: 2, addr: "192.0.2.2" });
});
