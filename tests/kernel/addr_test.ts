/**
 * Addresses on the real kernel (conformance 17-19), each test in its own namespace, checked
 * against `ip -json addr` there.
 * @module
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, NetlinkError } from "../../mod.ts";
import { fdCount, ipJson, ipn, kernelTest, withNetns, waitOperUp } from "./_netns.ts";

interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  broadcast?: string;
  label?: string;
  scope: string;
  nodad?: boolean;
  noprefixroute?: boolean;
  valid_life_time: number;
  preferred_life_time: number;
}

function ipAddrs(ns: string, dev: string): IpAddrInfo[] {
  return ipJson<{ addr_info: IpAddrInfo[] }[]>(ns, "addr", "show", "dev", dev)[0].addr_info;
}

/** A namespace with veth v0/v1 up; `fn` gets an IPRoute in it and v0's index. */
async function withVeth(fn: (ns: string, ipr: IPRoute, v0: number) => Promise<void>): Promise<void> {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ipn(ns, "link", "set", "v0", "up");
    ipn(ns, "link", "set", "v1", "up");
    await waitOperUp(ns, "v0");
    using ipr = new IPRoute({ netns: ns });
    const [v0] = await ipr.linkLookup({ ifname: "v0" });
    await fn(ns, ipr, v0);
  });
}

test("addr add IPv4 with address + prefixlen: present, IFA_LOCAL == IFA_ADDRESS, dump by index and label (conformance 17)", kernelTest, async () => {
  await withVeth(async (ns, ipr, v0) => {
    await ipr.addr("add", { index: v0, address: "192.168.145.150", prefixlen: 24 });
    const ip = ipAddrs(ns, "v0").filter((a) => a.family === "inet");
    assert.deepEqual(ip.map((a) => [a.local, a.prefixlen, a.label]), [["192.168.145.150", 24, "v0"]]);
    const [mine] = await ipr.getAddr({ index: v0, family: 2 });
    assert.equal(mine.get("local"), "192.168.145.150");
    assert.equal(mine.get("address"), mine.get("local"));
    assert.equal(mine.get("prefixlen"), 24);
    assert.equal((await ipr.getAddr({ label: "v0", family: 2 })).length, 1);
    assert.equal((await ipr.addr("dump", { index: "v0", address: "192.168.145.150/24" })).length, 1);
    // adding it again: EEXIST; replace: fine
    await assert.rejects(ipr.addr("add", { index: v0, address: "192.168.145.150/24" }), (e: unknown) => e instanceof NetlinkError && e.code === "EEXIST");
    // replace updates what the kernel lets change in place (lifetimes, metric)
    await ipr.addr("replace", { index: "v0", address: "192.168.145.150/24", valid: 100, preferred: 50 });
    const [r] = ipAddrs(ns, "v0").filter((a) => a.family === "inet");
    assert.ok(r.valid_life_time <= 100 && r.preferred_life_time <= 50, JSON.stringify(r));
    // replace of an absent address adds it
    await ipr.addr("replace", { index: v0, address: "192.168.146.1/24" });
    assert.equal(ipAddrs(ns, "v0").filter((a) => a.family === "inet").length, 2);
    await ipr.addr("del", { index: v0, address: "192.168.145.150/24" });
    assert.deepEqual(ipAddrs(ns, "v0").filter((a) => a.family === "inet").map((a) => a.local), ["192.168.146.1"]);
  });
});

test("broadcast computed and explicit; IPv6 lifetimes and flags read back; preferred > valid refused (conformance 18)", kernelTest, async () => {
  await withVeth(async (ns, ipr, v0) => {
    await ipr.addr("add", { index: v0, address: "10.0.0.1/24", broadcast: true });
    await ipr.addr("add", { index: "v0", address: "10.0.1.1/24", broadcast: "10.0.1.128" });
    await ipr.addr("add", { ifname: "v0", address: "2001:db8::5/64", flags: ["nodad", "noprefixroute"], preferred: 100, valid: 200 });
    await ipr.addr("add", { index: v0, address: "2001:db8::6/64", flags: "nodad", preferred_lft: 50, valid_lft: 60 });
    const ip = ipAddrs(ns, "v0");
    const by = (local: string) => ip.find((a) => a.local === local)!;
    assert.equal(by("10.0.0.1").broadcast, "10.0.0.255");
    assert.equal(by("10.0.1.1").broadcast, "10.0.1.128");
    const six = by("2001:db8::5");
    assert.equal(six.nodad, true);
    assert.equal(six.noprefixroute, true);
    assert.ok(six.valid_life_time <= 200 && six.valid_life_time > 150, `valid ${six.valid_life_time}`);
    assert.ok(six.preferred_life_time <= 100 && six.preferred_life_time > 50, `preferred ${six.preferred_life_time}`);
    assert.ok(by("2001:db8::6").valid_life_time <= 60);
    // the library's own dump agrees
    const [mine] = await ipr.getAddr({ address: "2001:db8::5" });
    const ci = mine.get("cacheinfo") as { ifa_prefered: number; ifa_valid: number };
    assert.ok(ci.ifa_valid <= 200 && ci.ifa_prefered <= 100);
    // refused before sending: nothing changed
    await assert.rejects(ipr.addr("add", { index: v0, address: "2001:db8::7/64", preferred: 300, valid: 200 }), RangeError);
    await assert.rejects(ipr.addr("add", { index: v0, address: "10.0.2.1", prefixlen: 33 }), RangeError);
    assert.equal(ipAddrs(ns, "v0").length, ip.length);
  });
});

test("flushAddr(index) leaves no addresses; an address on a missing index is ENODEV (conformance 19)", kernelTest, async () => {
  await withVeth(async (ns, ipr, v0) => {
    const fds = fdCount();
    for (let i = 1; i <= 5; i++) await ipr.addr("add", { index: v0, address: `198.51.100.${i}/24` });
    await ipr.addr("add", { index: v0, address: "203.0.113.1/24", label: "v0:x" });
    await ipr.addr("add", { index: v0, address: "2001:db8::1/64", flags: "nodad" });
    // another link keeps its address
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "v1");
    // by label first: only that one
    assert.deepEqual((await ipr.flushAddr({ label: "v0:x" })).map((a) => a.get("local")), ["203.0.113.1"]);
    const flushed = await ipr.flushAddr({ index: v0 });
    assert.ok(flushed.length >= 6, `flushed ${flushed.length}`);
    assert.deepEqual(ipAddrs(ns, "v0"), []);
    assert.deepEqual((await ipr.getAddr({ index: v0 })).length, 0);
    assert.deepEqual(ipAddrs(ns, "v1").filter((a) => a.family === "inet").map((a) => a.local), ["192.0.2.1"]);
    await assert.rejects(ipr.addr("add", { index: 4242, address: "192.0.2.9/24" }), (e: unknown) => {
      assert.ok(e instanceof NetlinkError, String(e));
      assert.equal(e.code, "ENODEV");
      assert.equal(e.op, "RTM_NEWADDR");
      return true;
    });
    await assert.rejects(ipr.addr("add", { index: "nosuch0", address: "192.0.2.9/24" }), (e: unknown) => e instanceof NetlinkError && e.code === "ENODEV");
    assert.ok(fdCount() <= fds, `fds ${fdCount()} > ${fds}`);
  });
});

test("an IPv4 peer address: IFA_LOCAL and IFA_ADDRESS differ as with ip addr add ... peer", kernelTest, async () => {
  await withVeth(async (ns, ipr, v0) => {
    await ipr.addr("add", { index: v0, local: "192.0.2.9", address: "192.0.2.10", prefixlen: 32 });
    const [a] = ipAddrs(ns, "v0").filter((x) => x.family === "inet");
    assert.equal(a.local, "192.0.2.9");
    assert.equal(a.address, "192.0.2.10");
  });
});
