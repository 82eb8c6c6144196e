import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError, netns, openTun } from "../../mod.ts";
import { assertNoFdGrowth, fdCount, ipJson, ipn, kernelTest, sh, withNetns } from "./_netns.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

interface IpLink {
  ifname: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data?: Record<string, unknown> };
}

/** The Internet checksum (RFC 1071) of `bytes`. */
function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length % 2) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** For an IPv4 ICMP echo request: the echo reply (addresses swapped, type 0, both checksums); otherwise null. */
function echoReply(packet: Uint8Array): Uint8Array | null {
  if (packet.length < 20 || packet[0] >> 4 !== 4 || packet[9] !== 1) return null;
  const ihl = (packet[0] & 0x0f) * 4;
  if (packet.length < ihl + 8 || packet[ihl] !== 8) return null;
  const reply = packet.slice();
  const view = new DataView(reply.buffer);
  reply.set(packet.subarray(16, 20), 12);
  reply.set(packet.subarray(12, 16), 16);
  reply[8] = 64; // TTL
  view.setUint16(10, 0);
  view.setUint16(10, checksum(reply.subarray(0, ihl)));
  reply[ihl] = 0; // echo reply
  view.setUint16(ihl + 2, 0);
  view.setUint16(ihl + 2, checksum(reply.subarray(ihl)));
  return reply;
}

test("checksum and echoReply build a valid reply (RFC 1071 example, header checks to 0)", () => {
  assert.equal(checksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7)), ~0xddf2 & 0xffff);
  // an echo request 192.0.2.1 -> 192.0.2.2, id 0x1234 seq 1, payload "abc"
  const req = Uint8Array.of(0x45, 0, 0, 31, 0, 1, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 8, 0, 0, 0, 0x12, 0x34, 0, 1, 97, 98, 99);
  new DataView(req.buffer).setUint16(10, checksum(req.subarray(0, 20)));
  new DataView(req.buffer).setUint16(22, checksum(req.subarray(20)));
  const reply = echoReply(req)!;
  assert.deepEqual([...reply.subarray(12, 20)], [192, 0, 2, 2, 192, 0, 2, 1]);
  assert.equal(reply[20], 0);
  assert.equal(checksum(reply.subarray(0, 20)), 0, "IPv4 header checksum verifies");
  assert.equal(checksum(reply.subarray(20)), 0, "ICMP checksum verifies");
  assert.equal(echoReply(reply), null, "a reply is not answered");
});

test("link add kind tuntap: persistent tun/tap devices inside a namespace, as ip -d -json shows them; del removes them (conformance 16)", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.link("add", { ifname: "nlttap0", kind: "tuntap", mode: "tap", uid: 1234, gid: 2345 });
    await ipr.link("add", { ifname: "nlttun0", kind: "tuntap", mode: "tun", pi: true, vnet_hdr: true, multi_queue: true });
    const links = ipJson<IpLink[]>(ns, "-d", "link", "show");
    const tap = links.find((l) => l.ifname === "nlttap0");
    const tun = links.find((l) => l.ifname === "nlttun0");
    assert.ok(tap && tun, JSON.stringify(links.map((l) => l.ifname)));
    assert.equal(tap.linkinfo?.info_kind, "tun");
    assert.equal(tap.linkinfo?.info_data?.type, "tap");
    assert.equal(tap.linkinfo?.info_data?.pi, false);
    assert.equal(tap.linkinfo?.info_data?.persist, true);
    assert.equal(tap.linkinfo?.info_data?.user, 1234);
    assert.equal(tap.linkinfo?.info_data?.group, 2345);
    assert.equal(tun.linkinfo?.info_data?.type, "tun");
    assert.equal(tun.linkinfo?.info_data?.pi, true);
    assert.equal(tun.linkinfo?.info_data?.vnet_hdr, true);
    assert.equal(tun.linkinfo?.info_data?.multi_queue, true);
    // nlroute's own dump decodes the same IFLA_TUN_* attributes
    const [mine] = await ipr.link("get", { ifname: "nlttap0" });
    assert.equal(mine.get(["linkinfo", "kind"]), "tun");
    assert.equal(mine.get(["linkinfo", "data", "tun_type"]), 2);
    assert.equal(mine.get(["linkinfo", "data", "tun_owner"]), 1234);

    await assert.rejects(ipr.link("add", { ifname: "nlttap0", kind: "tuntap", mode: "tap" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    await assert.rejects(ipr.link("add", { ifname: "lo", kind: "tuntap", mode: "tun" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    await assert.rejects(ipr.link("add", { ifname: "nlttap1", kind: "tuntap", mode: "tap", colour: 1 } as never), /unknown keyword "colour"/);
    await assert.rejects(ipr.link("add", { ifname: "nlttap1", kind: "tuntap", mode: "ether" } as never), TypeError);
    await assert.rejects(ipr.link("add", { ifname: "nlttap1", kind: "tuntap" }), TypeError);
    await assert.rejects(ipr.link("add", { ifname: "nlt-way-too-long-name", kind: "tuntap", mode: "tun" }), RangeError);
    await assert.rejects(ipr.link("add", { ifname: "nlttap1", kind: "tuntap", mode: "tap", uid: -1 }), RangeError);
    assert.ok(!ipJson<IpLink[]>(ns, "link", "show").some((l) => l.ifname === "nlttap1"), "nothing made by bad input");

    await ipr.link("del", { ifname: "nlttap0", kind: "tuntap" });
    await ipr.link("del", { ifname: "nlttun0", kind: "tuntap", mode: "tun" });
    const left = ipJson<IpLink[]>(ns, "link", "show").map((l) => l.ifname);
    assert.deepEqual(left, ["lo"]);
    await assert.rejects(ipr.link("del", { ifname: "nlttap0", kind: "tuntap" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV");
    assert.deepEqual(ipJson<IpLink[]>(ns, "link", "show").map((l) => l.ifname), ["lo"], "a failed del leaves nothing behind");
  });
});

test("openTun in a namespace: ping -c 3 192.0.2.2 succeeds because the test answers each echo request", kernelTest, async () => {
  await withNetns(async (ns) => {
    await using tun = openTun({ name: "nlttun0", mode: "tun", netns: ns });
    assert.equal(tun.name, "nlttun0");
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "nlttun0");
    ipn(ns, "link", "set", "nlttun0", "up");
    let answered = 0;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10); // the event loop keeps running while we wait for packets
    const responder = (async () => {
      for await (const packet of tun) {
        const reply = echoReply(packet);
        if (reply === null || packet[16] !== 192 || packet[19] !== 2) continue;
        assert.equal(tun.write(reply), reply.length);
        answered++;
      }
    })();
    try {
      const ping = await netns.spawn(ns, ["ping", "-c", "3", "-i", "0.2", "-W", "2", "192.0.2.2"]).output();
      assert.equal(ping.code, 0, decode(ping.stdout) + decode(ping.stderr));
      assert.match(decode(ping.stdout), /3 packets transmitted, 3 received/);
    } finally {
      clearInterval(timer);
      await tun.close();
      await responder;
    }
    assert.equal(answered, 3);
    assert.ok(ticks >= 20, `timer ticked ${ticks} times while packets were awaited`);
    assert.equal(tun.fd, -1);
    assert.equal(await tun.read(), null);
    assert.throws(() => tun.write(new Uint8Array(20)), /closed/);
    // not persistent: gone with its fd
    assert.ok(!ipJson<IpLink[]>(ns, "link", "show").some((l) => l.ifname === "nlttun0"));
  });
});

test("openTun: concurrent read() calls each get their own packet", kernelTest, async () => {
  await withNetns(async (ns) => {
    // IPv4 only, so the four echo requests are the only packets the device sees
    sh("ip", ["netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"]);
    await using tun = openTun({ name: "nlttun1", netns: ns });
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "nlttun1");
    ipn(ns, "link", "set", "nlttun1", "up");
    const reads = [tun.read(), tun.read(), tun.read(), tun.read()];
    const ping = netns.spawn(ns, ["ping", "-c", "4", "-i", "0.01", "-W", "1", "192.0.2.2"]).output();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("a read() never got its packet")), 10_000);
    });
    try {
      const packets = await Promise.race([Promise.all(reads), timeout]);
      const seqs = packets.map((p) => {
        assert.ok(p !== null && echoReply(p) !== null, "an ICMP echo request");
        const ihl = (p[0] & 0x0f) * 4;
        return (p[ihl + 6] << 8) | p[ihl + 7];
      });
      assert.deepEqual(seqs.sort(), [1, 2, 3, 4]);
    } finally {
      clearTimeout(timer);
      await ping;
    }
  });
});

test("openTun: tap frames, persistent devices made by link add, kernel-chosen names, bad options, no fd leaks", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await ipr.link("add", { ifname: "nlttap0", kind: "tuntap", mode: "tap" });
    {
      await using tap = openTun({ name: "nlttap0", mode: "tap", netns: ns });
      ipn(ns, "link", "set", "nlttap0", "up");
      ipn(ns, "addr", "add", "198.51.100.1/24", "dev", "nlttap0");
      // an IPv4 packet for 198.51.100.2 leaves as an Ethernet frame after an ARP request
      const pinging = netns.spawn(ns, ["ping", "-c", "1", "-W", "1", "198.51.100.2"]).output();
      let arp: Uint8Array | null = null;
      for await (const frame of tap) {
        if (frame.length >= 42 && frame[12] === 0x08 && frame[13] === 0x06) {
          arp = frame;
          break;
        }
      }
      assert.ok(arp);
      assert.deepEqual([...arp.subarray(0, 6)], [255, 255, 255, 255, 255, 255], "broadcast");
      assert.deepEqual([...arp.subarray(38, 42)], [198, 51, 100, 2], "who-has 198.51.100.2");
      assert.equal((await pinging).code, 1, "nobody answered the ARP request");
    }
    assert.ok(ipJson<IpLink[]>(ns, "link", "show").some((l) => l.ifname === "nlttap0"), "persistent device outlives the fd");
    assert.throws(() => openTun({ name: "nlttap0", mode: "tun", netns: ns }), (e: unknown) => (e as { code?: string }).code === "EINVAL");
    await ipr.link("del", { ifname: "nlttap0", kind: "tuntap" });

    const fds = fdCount();
    for (let i = 0; i < 50; i++) {
      await using t = openTun({ netns: ns, mode: i % 2 ? "tap" : "tun", persist: i === 0 });
      assert.match(t.name, i % 2 ? /^tap\d+$/ : /^tun\d+$/);
      if (i < 3) {
        // a reader was started: closing must stop it too
        const pending = t.read();
        await t.close();
        assert.equal(await pending, null);
      }
    }
    assertNoFdGrowth(fds, "fds");
    const persisted = ipJson<IpLink[]>(ns, "link", "show").filter((l) => l.ifname.startsWith("tun"));
    assert.deepEqual(persisted.map((l) => l.ifname), ["tun0"], "persist: true keeps the device");

    assert.throws(() => openTun({ mode: "ether" as "tun" }), TypeError);
    assert.throws(() => openTun({ name: "x".repeat(16) }), RangeError);
    assert.throws(() => openTun({ nmae: "tun9" } as never), /unknown option "nmae"/);
    assert.throws(() => openTun({ bufferSize: 1 }), RangeError);
    assert.throws(() => openTun({ netns: `${ns}-missing` }), (e: unknown) => (e as { code?: string }).code === "ENOENT");
    assertNoFdGrowth(fds, "fds after errors");
  });
});
