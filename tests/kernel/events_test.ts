import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FfiTransport, IPRoute, NetlinkError, type NlMsg, SyscallError, openFdReader, openNetnsFd } from "../../mod.ts";
import { libc } from "../../ffi/load.ts";
import type { EventStream } from "../../src/api/events.ts";
import { assertNoFdGrowth, fdCount, ipJson, ipn, kernelTest, sh, withNetns } from "./_netns.ts";

/**
 * Read `stream` until `done(seen)` holds; fails (and closes the stream) after `ms`. Returns
 * every message read.
 */
async function readUntil(stream: EventStream, done: (seen: NlMsg[]) => boolean, ms = 10_000): Promise<NlMsg[]> {
  const seen: NlMsg[] = [];
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    stream.close();
  }, ms);
  try {
    for await (const m of stream) {
      seen.push(m);
      if (done(seen)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  assert.ok(!expired, `timed out after ${ms} ms; got ${seen.map((m) => `${m.event} ${m.get("ifname") ?? m.get("dst") ?? ""}`).join(", ")}`);
  return seen;
}

const has = (seen: NlMsg[], event: string, key: string, value: unknown) => seen.some((m) => m.event === event && m.get(key) === value);

test("events: creating and deleting a veth yields RTM_NEWLINK and RTM_DELLINK for both ends", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await using stream = ipr.events({ groups: ["link"] });
    ipn(ns, "link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
    // the request socket keeps working while the event socket is open
    const [index0] = await ipr.linkLookup({ ifname: "ev0" });
    const [index1] = await ipr.linkLookup({ ifname: "ev1" });
    ipn(ns, "link", "del", "ev0");
    const seen = await readUntil(stream, (s) => has(s, "RTM_DELLINK", "ifname", "ev0") && has(s, "RTM_DELLINK", "ifname", "ev1"));
    for (const [name, index] of [["ev0", index0], ["ev1", index1]] as const) {
      const created = seen.find((m) => m.event === "RTM_NEWLINK" && m.get("ifname") === name);
      assert.ok(created, `RTM_NEWLINK for ${name}`);
      assert.equal(created.get("index"), index);
      assert.equal(created.get(["linkinfo", "kind"]), "veth");
      const deleted = seen.find((m) => m.event === "RTM_DELLINK" && m.get("ifname") === name);
      assert.equal(deleted!.get("index"), index);
    }
    assert.ok(seen.every((m) => m.event === "RTM_NEWLINK" || m.event === "RTM_DELLINK"), "only link events were subscribed");
  });
});

test("events: address and route events arrive with decoded fields (IPv4 and IPv6)", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
    ipn(ns, "link", "set", "ev0", "up");
    ipn(ns, "link", "set", "ev1", "up");
    using ipr = new IPRoute({ netns: ns });
    const [index] = await ipr.linkLookup({ ifname: "ev0" });
    await using stream = ipr.events({ groups: ["ipv4_ifaddr", "ipv6_ifaddr", "ipv4_route", "ipv6_route"] });
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "ev0");
    ipn(ns, "addr", "add", "2001:db8::1/64", "dev", "ev0", "nodad");
    ipn(ns, "route", "add", "198.51.100.0/24", "via", "192.0.2.2", "table", "100");
    ipn(ns, "route", "add", "2001:db8:1::/48", "via", "2001:db8::2");
    ipn(ns, "route", "del", "198.51.100.0/24", "table", "100");
    const seen = await readUntil(stream, (s) => has(s, "RTM_DELROUTE", "dst", "198.51.100.0"));
    const addr4 = seen.find((m) => m.event === "RTM_NEWADDR" && m.get("family") === 2)!;
    assert.equal(addr4.get("address"), "192.0.2.1");
    assert.equal(addr4.get("prefixlen"), 24);
    assert.equal(addr4.get("index"), index);
    assert.equal(addr4.get("label"), "ev0");
    const addr6 = seen.find((m) => m.event === "RTM_NEWADDR" && m.get("family") === 10)!;
    assert.equal(addr6.get("address"), "2001:db8::1");
    assert.equal(addr6.get("prefixlen"), 64);
    const route4 = seen.find((m) => m.event === "RTM_NEWROUTE" && m.get("dst") === "198.51.100.0")!;
    assert.equal(route4.get("dst_len"), 24);
    assert.equal(route4.get("gateway"), "192.0.2.2");
    assert.equal(route4.get("table"), 100);
    assert.equal(route4.get("oif"), index);
    const route6 = seen.find((m) => m.event === "RTM_NEWROUTE" && m.get("dst") === "2001:db8:1::")!;
    assert.equal(route6.get("dst_len"), 48);
    assert.equal(route6.get("gateway"), "2001:db8::2");
    const deleted = seen.find((m) => m.event === "RTM_DELROUTE" && m.get("dst") === "198.51.100.0")!;
    assert.equal(deleted.get("table"), 100);
  });
});

test("events: an aborted signal ends a waiting loop; the fd count is back where it was", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    const before = fdCount();
    const ac = new AbortController();
    const stream = ipr.events({ groups: ["link", "ipv4_route"], signal: ac.signal });
    assert.ok(fdCount() > before, "the event socket is open");
    setTimeout(() => ac.abort(), 50);
    let n = 0;
    for await (const _ of stream) n++;
    assert.equal(n, 0);
    assert.ok(stream.closed);
    assertNoFdGrowth(before);
  });
});

test("events: break closes the event socket; the fd count is back where it was", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    // no child process between the two counts: Bun's spawnSync keeps fds of its own for a while
    const before = fdCount();
    for (let round = 0; round < 3; round++) {
      const stream = ipr.events({ groups: ["link"] });
      await ipr.link("set", { index: 1, state: round % 2 ? "up" : "down" });
      for await (const m of stream) {
        assert.equal(m.event, "RTM_NEWLINK");
        break;
      }
      assert.ok(stream.closed);
      assertNoFdGrowth(before, `round ${round}`);
    }
  });
});

test("events: with a 1 KiB receive buffer a burst yields OVERFLOW, then a resync equal to ip -json", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
    ipn(ns, "addr", "add", "10.255.0.1/16", "dev", "ev0");
    ipn(ns, "link", "set", "ev0", "up");
    ipn(ns, "link", "set", "ev1", "up");
    using ipr = new IPRoute({ netns: ns });
    await using stream = ipr.events({ groups: ["ipv4_route"], rcvbuf: 1024 });
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(`route add 10.9.${i >> 8}.${i & 255}/32 via 10.255.0.2 dev ev0`);
    // synchronous on purpose: nothing reads the socket until the burst is over
    sh("ip", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
    ipn(ns, "route", "add", "203.0.113.77/32", "via", "10.255.0.2");
    const main = new Map<string, NlMsg>();
    const key = (m: NlMsg) => (m.get("dst_len") === 32 ? String(m.get("dst")) : m.get("dst_len") === 0 ? "default" : `${m.get("dst")}/${m.get("dst_len")}`);
    let overflows = 0;
    let resynced = false;
    await readUntil(stream, (seen) => {
      const m = seen[seen.length - 1];
      if (m.event === "OVERFLOW") {
        overflows++;
        resynced = true;
        main.clear();
      } else if (m.get("table") === 254) {
        if (m.event === "RTM_NEWROUTE") main.set(key(m), m);
        else if (m.event === "RTM_DELROUTE") main.delete(key(m));
      }
      return resynced && main.has("203.0.113.77");
    }, 30_000);
    assert.ok(overflows >= 1, "the burst overflowed the 1 KiB buffer");
    assert.ok(stream.stats.resynced >= 2001, `the resync dumped the routes (${stream.stats.resynced})`);
    const ip = ipJson<{ dst: string }[]>(ns, "-4", "route", "show", "table", "main").map((r) => r.dst).sort();
    assert.equal(ip.length, 2002);
    assert.deepEqual([...main.keys()].sort(), ip);
  });
});

test("events: onOverflow throw raises NetlinkError ENOBUFS", kernelTest, async () => {
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "ev0", "type", "veth", "peer", "name", "ev1");
    ipn(ns, "addr", "add", "10.255.0.1/16", "dev", "ev0");
    ipn(ns, "link", "set", "ev0", "up");
    using ipr = new IPRoute({ netns: ns });
    const stream = ipr.events({ groups: ["ipv4_route"], rcvbuf: 1024, onOverflow: "throw" });
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) lines.push(`route add 10.9.${i >> 8}.${i & 255}/32 via 10.255.0.2 dev ev0`);
    sh("ip", ["-n", ns, "-batch", "-"], lines.join("\n") + "\n");
    await assert.rejects(
      async () => {
        for await (const _ of stream);
      },
      (e: unknown) => e instanceof NetlinkError && e.code === "ENOBUFS",
    );
    assert.ok(stream.closed);
  });
});

test("events: requests run on the same IPRoute while a loop waits", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    await using stream = ipr.events({ groups: ["link"] });
    const waiting = stream.next();
    await ipr.link("add", { ifname: "ev0", kind: "veth", peer: "ev1" });
    const links = await ipr.getLinks();
    assert.deepEqual(links.map((l) => l.get("ifname")).sort(), ["ev0", "ev1", "lo"]);
    const first = await waiting;
    assert.equal(first.value?.event, "RTM_NEWLINK");
  });
});

test("events: a process whose only work is a finished event loop exits by itself", kernelTest, async () => {
  await withNetns(async (ns) => {
    const dir = mkdtempSync(join(tmpdir(), "nlroute-events-"));
    try {
      const script = join(dir, "loop.ts");
      const mod = new URL("../../mod.ts", import.meta.url).pathname;
      writeFileSync(script, [
        `import { IPRoute } from ${JSON.stringify(mod)};`,
        `import { execFileSync } from "node:child_process";`,
        `const ns = ${JSON.stringify(ns)};`,
        `const ipr = new IPRoute({ netns: ns });`,
        `const ac = new AbortController();`,
        `let n = 0;`,
        `const stream = ipr.events({ groups: ["link"], signal: ac.signal });`,
        `execFileSync("ip", ["-n", ns, "link", "set", "lo", "down"]);`,
        `for await (const m of stream) { n++; break; }`,
        `const second = ipr.events({ groups: ["link"], signal: ac.signal });`,
        `setTimeout(() => ac.abort(), 20);`,
        `for await (const m of second) n++;`,
        `console.log("finished", n);`,
      ].join("\n"));
      const deno = "Deno" in globalThis;
      const args = deno ? ["run", "-A", "--no-check", script] : [script];
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
      assert.equal(r.signal, null, `the child was killed after ${Math.round(performance.now() - t0)} ms: it did not exit by itself`);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /finished 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test("events: pyroute2's bind() and get() return batches of events", kernelTest, async () => {
  await withNetns(async (ns) => {
    using ipr = new IPRoute({ netns: ns });
    ipr.bind(0x1); // RTMGRP_LINK
    execFileSync("ip", ["-n", ns, "link", "add", "ev0", "type", "veth", "peer", "name", "ev1"]);
    const names = new Set<unknown>();
    for (let i = 0; i < 10 && !(names.has("ev0") && names.has("ev1")); i++) {
      for (const m of await ipr.get()) if (m.event === "RTM_NEWLINK") names.add(m.get("ifname"));
    }
    assert.ok(names.has("ev0") && names.has("ev1"), `got ${[...names].join(", ")}`);
  });
});

test("openFdReader: ENOBUFS from a netlink socket rejects next() with SyscallError, then reading goes on", kernelTest, async () => {
  await withNetns(async (ns) => {
    const nsfd = openNetnsFd(ns);
    let t: FfiTransport;
    try {
      t = FfiTransport.open({ netnsFd: nsfd, groups: 1, rcvbuf: 1024 }); // RTMGRP_LINK
    } finally {
      libc.close(nsfd);
    }
    try {
      await using reader = openFdReader(t.fd);
      sh("ip", ["-n", ns, "-batch", "-"], Array.from({ length: 1000 }, (_, i) => `link set lo ${i % 2 ? "up" : "down"}`).join("\n") + "\n");
      let error: unknown;
      for (let i = 0; i < 100 && error === undefined; i++) {
        try {
          await reader.next();
        } catch (e) {
          error = e;
        }
      }
      assert.ok(error instanceof SyscallError && error.code === "ENOBUFS", `expected ENOBUFS, got ${error}`);
      ipn(ns, "link", "set", "lo", "up");
      const batch = await reader.next();
      assert.ok(batch && batch.length >= 1, "the reader still delivers after the error");
    } finally {
      t.close();
    }
  });
});

test("openFdReader: a datagram larger than bufferSize rejects with EMSGSIZE, the next one fits", kernelTest, async () => {
  await withNetns(async (ns) => {
    const nsfd = openNetnsFd(ns);
    let t: FfiTransport;
    try {
      t = FfiTransport.open({ netnsFd: nsfd, groups: 1 });
    } finally {
      libc.close(nsfd);
    }
    try {
      await using reader = openFdReader(t.fd, { bufferSize: 64 });
      ipn(ns, "link", "set", "lo", "down");
      await assert.rejects(reader.next(), (e: unknown) => e instanceof SyscallError && e.code === "EMSGSIZE");
      ipn(ns, "link", "set", "lo", "up");
      const [datagram] = (await reader.next())!;
      assert.ok(datagram.length > 64, `a whole RTM_NEWLINK (${datagram.length} bytes)`);
    } finally {
      t.close();
    }
  });
});

test("openFdReader: a non-socket fd (eventfd, blocking and nonblocking) is read with read()", kernelTest, async () => {
  for (const flags of [0o2000000, 0o2000000 | 0o4000]) {
    const efd = libc.eventfd(0, flags);
    try {
      await using reader = openFdReader(efd);
      const waiting = reader.next();
      libc.write(efd, new Uint8Array(BigUint64Array.of(5n).buffer));
      const batch = (await waiting)!;
      assert.equal(batch.length, 1);
      assert.equal(new DataView(batch[0].buffer, batch[0].byteOffset, 8).getBigUint64(0, true), 5n);
      reader.close();
      assert.equal(await reader.next(), null, "closed: next() resolves null");
    } finally {
      libc.close(efd);
    }
  }
});
