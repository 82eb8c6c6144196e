import assert from "node:assert/strict";
import { readFileSync, readlinkSync, statSync } from "node:fs";
import { test } from "node:test";
import v8 from "node:v8";
import vm from "node:vm";
import { IPRoute, NetNS, netns, O_CREAT, O_EXCL, SyscallError } from "../../mod.ts";
import { libc } from "../../ffi/load.ts";
import { openNetnsFd } from "../../ffi/transport.ts";
import { assertNoFdGrowth, fdCount, ipJson, ipn, kernelTest, sh, withNetns } from "./_netns.ts";

const ownNetns = () => readlinkSync("/proc/thread-self/ns/net");
const processNetns = () => readlinkSync("/proc/self/ns/net");
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
let counter = 0;
/** A unique namespace name for this test process (removed by the test in finally). */
const uniqueName = () => `nlt-${process.pid}-n${++counter}-${Math.floor(Math.random() * 1e6)}`;
/** The inode of a namespace file: what `readlink /proc/PID/ns/net` prints as net:[INODE]. */
const nsInode = (path: string) => `net:[${statSync(path).ino}]`;
const mountLines = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter(Boolean);
const ipNetnsList = () => sh("ip", ["netns", "list"]).split("\n").map((l) => l.split(" ")[0]).filter(Boolean);

/** A full garbage collection: Bun.gc, or V8's gc exposed at run time (Deno). */
function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return bun.gc(true);
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

/** Remove a namespace left behind by a failed test; quiet when it is gone already. */
function cleanup(name: string): void {
  if (netns.exists(name)) netns.remove(name).catch(() => {});
}

test("netns.create is seen by ip netns list and ip netns exec; remove unmounts and unlinks", kernelTest, async () => {
  const name = uniqueName();
  const before = ownNetns();
  try {
    await netns.create(name);
    assert.ok(ipNetnsList().includes(name), "ip netns list shows it");
    assert.ok(netns.list().includes(name));
    assert.equal(netns.exists(name), true);
    // a real namespace of its own: only lo, down
    const links = ipJson<{ ifname: string; operstate: string }[]>(name, "link", "show");
    assert.deepEqual(links.map((l) => l.ifname), ["lo"]);
    assert.notEqual(nsInode(`/run/netns/${name}`), before);
    assert.equal(sh("ip", ["netns", "exec", name, "readlink", "/proc/self/ns/net"]).trim(), nsInode(`/run/netns/${name}`));
    // an nsfs mount on /run/netns/NAME; /run/netns itself is a shared mount point
    const lines = mountLines();
    assert.ok(lines.some((l) => l.split(" ")[4] === `/run/netns/${name}` && l.includes(" - nsfs ")), "nsfs bind mount");
    const runDir = lines.filter((l) => l.split(" ")[4] === "/run/netns");
    assert.ok(runDir.length >= 1 && runDir.every((l) => / shared:\d+/.test(l)), `/run/netns is shared: ${runDir.join("; ")}`);
    assert.equal(ownNetns(), before, "the thread is back in its namespace");
    await netns.remove(name);
    assert.ok(!ipNetnsList().includes(name));
    assert.equal(netns.exists(name), false);
    assert.ok(!mountLines().some((l) => l.split(" ")[4] === `/run/netns/${name}`), "unmounted");
  } finally {
    cleanup(name);
  }
  assert.equal(ownNetns(), before);
});

test("namespaces made by ip netns add are listed, opened and removed by nlroute", kernelTest, async () => {
  const name = uniqueName();
  sh("ip", ["netns", "add", name]);
  try {
    assert.ok(netns.list().includes(name));
    ipn(name, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    using ns = new NetNS(name, { flags: 0 });
    assert.deepEqual((await ns.getLinks()).map((l) => l.get("ifname")).sort(), ["lo", "v0", "v1"]);
    ns.close();
    await netns.remove(name);
    assert.ok(!ipNetnsList().includes(name));
  } finally {
    cleanup(name);
  }
});

test("create/remove errors: EEXIST, ENOENT, bad names refused before anything is made", kernelTest, async () => {
  const name = uniqueName();
  try {
    await netns.create(name);
    await assert.rejects(netns.create(name), (e: unknown) => e instanceof SyscallError && e.code === "EEXIST");
    assert.ok(netns.exists(name), "the existing namespace is untouched");
    await netns.remove(name);
    await assert.rejects(netns.remove(name), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
  } finally {
    cleanup(name);
  }
  const entries = netns.list();
  for (const bad of ["", ".", "..", "a/b", "x".repeat(256)]) {
    await assert.rejects(netns.create(bad), RangeError, JSON.stringify(bad));
    await assert.rejects(netns.remove(bad), RangeError);
  }
  await assert.rejects(netns.create(42 as unknown as string), TypeError);
  assert.deepEqual(netns.list(), entries, "nothing was created by bad names");
});

test("NetNS flags: 0 needs an existing namespace (ENOENT), O_CREAT creates, O_CREAT|O_EXCL refuses an existing one", kernelTest, async () => {
  const name = uniqueName();
  try {
    assert.throws(() => new NetNS(name, { flags: 0 }), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
    assert.equal(netns.exists(name), false);
    using a = new NetNS(name, { flags: O_CREAT });
    assert.ok(ipNetnsList().includes(name));
    assert.deepEqual((await a.getLinks()).map((l) => l.get("ifname")), ["lo"]);
    using b = new NetNS(name); // default O_CREAT: opens the existing one
    await b.link("dump");
    assert.throws(() => new NetNS(name, { flags: O_CREAT | O_EXCL }), (e: unknown) => e instanceof SyscallError && e.code === "EEXIST");
    assert.throws(() => new NetNS(name, { flags: 1 }), RangeError);
    b.close();
    await a.remove();
    assert.equal(netns.exists(name), false);
  } finally {
    cleanup(name);
  }
});

test("IPRoute({ netns }) by name, path and fd dumps that namespace only; our namespace is unchanged, also after errors", kernelTest, async () => {
  const before = ownNetns();
  const beforeProcess = processNetns();
  await withNetns(async (ns) => {
    ipn(ns, "link", "add", "nlt0", "type", "veth", "peer", "name", "nlt1");
    const expected = ipJson<{ ifname: string }[]>(ns, "link", "show").map((l) => l.ifname).sort();
    const fd = openNetnsFd(ns);
    try {
      for (const target of [ns, `/run/netns/${ns}`, fd]) {
        using ipr = new IPRoute({ netns: target });
        assert.deepEqual((await ipr.getLinks()).map((l) => l.get("ifname")).sort(), expected, String(target));
        assert.equal(ownNetns(), before);
      }
    } finally {
      libc.close(fd);
    }
    // errors thrown between the two setns calls leave the thread where it was
    assert.throws(() => netns.runInNetns(ns, () => {
      assert.equal(ownNetns(), nsInode(`/run/netns/${ns}`), "inside while switched");
      throw new Error("boom");
    }), /boom/);
    assert.equal(ownNetns(), before);
    assert.throws(() => netns.spawn(ns, ["/nonexistent/nlroute-no-such-program"]));
    assert.equal(ownNetns(), before);
    assert.throws(() => new IPRoute({ netns: `${ns}-missing` }), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
    assert.throws(() => new IPRoute({ netns: "/proc/self/ns/uts" }), (e: unknown) => e instanceof SyscallError && e.code === "EINVAL");
    assert.equal(ownNetns(), before);
  });
  assert.equal(ownNetns(), before);
  assert.equal(processNetns(), beforeProcess);
});

test("veth ends moved by namespace name (net_ns_fd) appear in ip -n NAME -json link; peers created straight into a namespace", kernelTest, async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      using ipr = new IPRoute({ netns: a });
      await ipr.link("add", { ifname: "nlt0", kind: "veth", peer: "nlt1" });
      const [peer] = await ipr.linkLookup({ ifname: "nlt1" });
      await ipr.link("set", { index: peer, net_ns_fd: b });
      const inB = ipJson<{ ifname: string; link_netnsid?: number }[]>(b, "link", "show");
      assert.ok(inB.some((l) => l.ifname === "nlt1"), `nlt1 in ${b}: ${JSON.stringify(inB.map((l) => l.ifname))}`);
      assert.deepEqual(await ipr.linkLookup({ ifname: "nlt1" }), []);
      // the peer given as { ifname, net_ns_fd: name }: born in b, never seen in a
      await ipr.link("add", { ifname: "nlt2", kind: "veth", peer: { ifname: "nlt3", net_ns_fd: b } });
      assert.ok(ipJson<{ ifname: string }[]>(b, "link", "show").some((l) => l.ifname === "nlt3"));
      assert.deepEqual(await ipr.linkLookup({ ifname: "nlt3" }), []);
      // a's side refers to b by the nsid a has for it (conformance 5)
      const [nlt2] = await ipr.link("get", { ifname: "nlt2" });
      const { nsid } = await ipr.getNetnsid({ fd: b });
      assert.ok(nsid >= 0);
      assert.equal(nlt2.get("link_netnsid"), nsid);
    });
  });
});

test("pushns/popns and setns switch the thread and back", kernelTest, async () => {
  const before = ownNetns();
  await withNetns(async (ns) => {
    const inside = nsInode(`/run/netns/${ns}`);
    netns.pushns(ns);
    try {
      assert.equal(ownNetns(), inside);
      await withNetns((other) => {
        netns.pushns(`/run/netns/${other}`);
        try {
          assert.equal(ownNetns(), nsInode(`/run/netns/${other}`));
        } finally {
          netns.popns();
        }
      });
      assert.equal(ownNetns(), inside);
    } finally {
      netns.popns();
    }
    assert.equal(ownNetns(), before);
    assert.throws(() => netns.popns(), /without a matching pushns/);
    netns.pushns();
    try {
      netns.setns(ns);
      assert.equal(ownNetns(), inside);
    } finally {
      netns.popns();
    }
    assert.equal(ownNetns(), before);
    assert.throws(() => netns.pushns(`${ns}-missing`), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
    assert.throws(() => netns.popns(), /without a matching pushns/, "a failed pushns leaves nothing on the stack");
  });
});

test("spawn runs a command in the namespace: output, exit status, stdin, signals", kernelTest, async () => {
  const before = ownNetns();
  await withNetns(async (ns) => {
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "lo");
    const ping = await netns.spawn(ns, ["ping", "-c", "1", "-W", "2", "192.0.2.1"]).output();
    assert.equal(ping.code, 0, decode(ping.stderr));
    assert.equal(ping.success, true);
    assert.match(decode(ping.stdout), /1 received/);
    const who = await netns.spawn(ns, ["sh", "-c", "readlink /proc/self/ns/net; echo oops >&2; exit 7"]).output();
    assert.equal(decode(who.stdout).trim(), nsInode(`/run/netns/${ns}`));
    assert.equal(decode(who.stderr), "oops\n");
    assert.equal(who.code, 7);
    assert.equal(who.success, false);
    assert.equal(who.signal, null);

    const cat = netns.spawn(ns, ["cat"], { stdin: "piped" });
    const w = cat.stdin!.getWriter();
    await w.write(new TextEncoder().encode("hello namespace"));
    await w.close();
    const echoed = await cat.output();
    assert.equal(decode(echoed.stdout), "hello namespace");

    const env = await netns.spawn(ns, ["sh", "-c", "echo $NLT_X"], { env: { NLT_X: "y42" } }).output();
    assert.equal(decode(env.stdout), "y42\n");

    const sleeper = netns.spawn(ns, ["sleep", "30"]);
    sleeper.kill("SIGTERM");
    const st = await sleeper.status;
    assert.equal(st.signal, "SIGTERM");
    assert.equal(st.code, 143);
    assert.equal(st.success, false);

    const ac = new AbortController();
    const aborted = netns.spawn(ns, ["sleep", "30"], { signal: ac.signal });
    ac.abort();
    assert.equal((await aborted.status).success, false);

    assert.throws(() => netns.spawn(ns, []), TypeError);
    assert.throws(() => netns.spawn(ns, ["true"], { stdout: "pipe" as "piped" }), TypeError);
    await assert.rejects(async () => netns.spawn(`${ns}-missing`, ["true"]), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
  });
  assert.equal(ownNetns(), before);
});

test("attach names the namespace of a process; ip netns exec NAME runs in it", kernelTest, async () => {
  const name = uniqueName();
  await withNetns(async (ns) => {
    await using sleeper = netns.spawn(ns, ["sleep", "30"], { stdout: "null", stderr: "null" });
    try {
      await netns.attach(name, sleeper.pid);
      assert.equal(nsInode(`/run/netns/${name}`), nsInode(`/run/netns/${ns}`));
      const seen = sh("ip", ["netns", "exec", name, "readlink", "/proc/self/ns/net"]).trim();
      assert.equal(seen, readlinkSync(`/proc/${sleeper.pid}/ns/net`));
      await assert.rejects(netns.attach(name, sleeper.pid), (e: unknown) => e instanceof SyscallError && e.code === "EEXIST");
      await netns.remove(name);
      assert.ok(netns.exists(ns), "removing the alias keeps the original");
    } finally {
      cleanup(name);
    }
  });
});

test("getNetnsid/setNetnsid agree with ip netns list-id", kernelTest, async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      using ipr = new IPRoute({ netns: a });
      const bPath = `/run/netns/${b}`;
      assert.deepEqual(await ipr.getNetnsid({ fd: b }), { nsid: -1 });
      await ipr.setNetnsid({ fd: b, nsid: 42 });
      assert.match(sh("ip", ["-n", a, "netns", "list-id"]), /nsid 42 /);
      assert.deepEqual(await ipr.getNetnsid({ fd: bPath }), { nsid: 42 });
      assert.deepEqual(await ipr.getNetnsid({ nsid: 42 }), { nsid: 42 });
      await assert.rejects(ipr.setNetnsid({ fd: b, nsid: 43 }), (e: unknown) => (e as { code?: string }).code === "EEXIST");
      // "auto": the kernel picks one
      using ipr2 = new IPRoute({ netns: b });
      await ipr2.setNetnsid({ fd: a, nsid: "auto" });
      const { nsid } = await ipr2.getNetnsid({ fd: a });
      assert.ok(nsid >= 0, `auto nsid ${nsid}`);
      const fdBefore = fdCount();
      await assert.rejects(ipr.getNetnsid({ fd: `${b}-missing` }), (e: unknown) => e instanceof SyscallError && e.code === "ENOENT");
      assertNoFdGrowth(fdBefore);
      await assert.rejects(ipr.getNetnsid({}), TypeError);
      await assert.rejects(ipr.getNetnsid({ fd: b, pid: 1 }), TypeError);
      await assert.rejects(ipr.getNetnsid({ pid: -1 }), RangeError);
      await assert.rejects(ipr.setNetnsid({ fd: b, nsid: -5 }), RangeError);
      await assert.rejects(ipr.setNetnsid({ fd: b, nsid: 1, bogus: 1 } as never), /unknown keyword "bogus"/);
    });
  });
});

test("getNetnsids lists the ids ip netns list-id lists", kernelTest, async () => {
  await withNetns(async (a) => {
    await withNetns(async (b) => {
      await withNetns(async (c) => {
        using ipr = new IPRoute({ netns: a });
        assert.deepEqual(await ipr.getNetnsids(), []);
        await ipr.setNetnsid({ fd: b, nsid: 7 });
        await ipr.setNetnsid({ fd: c, nsid: 9 });
        const ids = (await ipr.getNetnsids()).map((m) => m.get("nsid")).sort();
        assert.deepEqual(ids, [7, 9]);
        const listed = ipJson<{ nsid: number }[]>(a, "netns", "list-id").map((x) => x.nsid).sort();
        assert.deepEqual(ids, listed);
        assert.deepEqual((await ipr.getNetnsids({ nsid: 9 })).map((m) => m.get("nsid")), [9]);
        assert.deepEqual(await ipr.getNetnsids({ nsid: (n: number) => n > 100 }), []);
        await assert.rejects(ipr.getNetnsids({ fd: b }), /unknown filter key "fd"/);
      });
    });
  });
});

test("1,000 create / open IPRoute / dump / remove cycles: no growth in fds, mounts or memory", kernelTest, async () => {
  const before = ownNetns();
  const base = uniqueName();
  const cycle = async (i: number) => {
    const name = `${base}-${i}`;
    await netns.create(name);
    try {
      using ipr = new IPRoute({ netns: name });
      const links = await ipr.getLinks();
      assert.equal(links.length, 1);
    } finally {
      await netns.remove(name);
    }
  };
  for (let i = 0; i < 200; i++) await cycle(i); // warm-up: JIT, allocator, lazily opened fds
  collectGarbage();
  const fds = fdCount();
  // other processes add and remove their namespaces meanwhile: count ours, and mounts elsewhere
  const ourMounts = () => mountLines().filter((l) => l.split(" ")[4].startsWith(`/run/netns/${base}-`)).length;
  const otherMounts = () => mountLines().filter((l) => !l.split(" ")[4].startsWith("/run/netns/")).length;
  const mounts = otherMounts();
  const mem = process.memoryUsage();
  for (let i = 200; i < 1200; i++) {
    await cycle(i);
    // garbage collected as it goes, so RSS measures what is kept, not what awaits collection
    if (i % 100 === 0) collectGarbage();
  }
  collectGarbage();
  assertNoFdGrowth(fds, "fds");
  assert.equal(ourMounts(), 0, "no /run/netns mount left behind");
  assert.equal(otherMounts(), mounts, "mountinfo lines outside /run/netns");
  const after = process.memoryUsage();
  const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
  const kept = after.heapUsed + after.external - mem.heapUsed - mem.external;
  assert.ok(kept < 2 << 20, `JS heap + external grew by ${mib(kept)}`);
  assert.ok(after.rss - mem.rss < 8 << 20, `rss grew by ${mib(after.rss - mem.rss)}`);
  assert.ok(!netns.list().some((n) => n.startsWith(`${base}-`)), "every namespace removed");
  assert.equal(ownNetns(), before);
});
