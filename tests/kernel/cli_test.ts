/**
 * The `nlroute` CLI, compiled once here with the `build:cli` script of package.json (bun build
 * --compile), run in test namespaces with `ip` as the oracle: the same JSON and text as ip, the
 * changes it makes, ip's error texts and exit statuses, and `monitor -j` seeing a new veth.
 * @module
 */

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { main } from "../../bin/_cli.ts";
import { ipBatch, ipJson, ipn, isRoot, kernelTest, withNetns } from "./_netns.ts";

const root = new URL("../../", import.meta.url).pathname;
let dir = "";
let exe = "";

/** Build dist/nlroute's equivalent into a temporary file with the exact `build:cli` command. */
function build(): string {
  const script: string = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts["build:cli"];
  const argv = script.trim().split(/\s+/);
  assert.equal(argv[0], "bun");
  assert.ok(argv.includes("--compile"), "build:cli compiles a single executable");
  const out = argv.indexOf("--outfile");
  assert.ok(out > 0, "build:cli names its --outfile");
  dir = mkdtempSync(join(tmpdir(), "nlroute-cli-"));
  argv[out + 1] = join(dir, "nlroute");
  execFileSync(join(root, "node_modules/.bin/bun"), argv.slice(1), { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  return argv[out + 1];
}

before(() => {
  if (isRoot()) exe = build();
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run the executable; stdout, stderr and exit status. */
function cli(...args: string[]): { out: string; err: string; status: number } {
  const r = spawnSync(exe, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw r.error;
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

/** Run the executable and parse its JSON output; fails with its stderr when it fails. */
function cliJson<T = any>(...args: string[]): T {
  const r = cli(...args);
  assert.equal(r.status, 0, `nlroute ${args.join(" ")}: ${r.err}`);
  return JSON.parse(r.out) as T;
}

/**
 * A namespace with a veth pair (v0 up, with an altname and an alias), a bridge with v1 in it,
 * ifb, tun, tap and vxlan devices, addresses, routes, rules and neighbours.
 */
function populate(ns: string): void {
  ipBatch(ns, [
    "link add v0 type veth peer name v1",
    "link add br0 type bridge",
    "link set v1 master br0",
    "link set v0 up mtu 1400",
    "link add ifb0 type ifb",
    "tuntap add tun0 mode tun",
    "tuntap add tap0 mode tap",
    "link add vx1 type vxlan id 7 dstport 4789 local 192.0.2.1",
    "link property add dev v0 altname long-alternative-name",
    "link set dev v0 alias uplink-to-v1",
    "addr add 192.0.2.1/24 dev v0",
    "addr add 2001:db8::1/64 dev v0 nodad",
    "route add 198.51.100.0/24 via 192.0.2.2 metric 10",
    "route add 198.51.100.128/25 dev v0 src 192.0.2.1 metric 5",
    "route add 10.4.0.0/16 nexthop via 192.0.2.2 weight 2 nexthop via 192.0.2.3",
    "route add blackhole 203.0.113.128/25",
    "route add 2001:db8:1::/64 via 2001:db8::2 metric 50",
    "route add 203.0.113.0/24 dev v0 table 100",
    "rule add from 192.0.2.0/24 table 100 pref 100",
    "rule add fwmark 0x10 table 200 pref 200",
    "rule add iif v0 table 201 pref 201",
    "rule add to 198.51.100.0/24 table 202 pref 202",
    "rule add from 192.0.2.0/24 blackhole pref 203",
    "rule add oif v0 prohibit pref 204",
    "rule add from 10.0.0.0/8 goto 300 pref 205",
    "rule add from 10.0.0.0/8 lookup 10 pref 206 fwmark 0x5/0xff",
    "rule add not from 10.0.0.0/8 lookup 11 pref 207",
    "neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0",
    "neigh add 2001:db8::9 lladdr 02:00:00:00:00:0a dev v0 router nud permanent",
  ]);
}

interface IpLink {
  ifindex: number;
  ifname: string;
  mtu: number;
  flags: string[];
  [key: string]: unknown;
}

test("compiled nlroute: link show -j equals ip -json link show (indexes, names, mtu, flags and every other key)", kernelTest, async () => {
  await withNetns((ns) => {
    populate(ns);
    const ours = cliJson<IpLink[]>("-n", ns, "link", "show", "-j");
    const ip = ipJson<IpLink[]>(ns, "link", "show");
    assert.deepEqual(ours.map((l) => [l.ifindex, l.ifname, l.mtu, l.flags]), ip.map((l) => [l.ifindex, l.ifname, l.mtu, l.flags]));
    assert.deepEqual(ours.map((l) => l.ifname).sort(), ["br0", "ifb0", "lo", "tap0", "tun0", "v0", "v1", "vx1"]);
    assert.equal(ours.find((l) => l.ifname === "v0")?.mtu, 1400);
    assert.deepEqual(ours, ip);
    assert.deepEqual(cliJson("-n", ns, "-j", "link", "show", "dev", "v1"), ipJson(ns, "link", "show", "dev", "v1"));
  });
});

test("bin/nlroute.ts under deno run and bun prints what the executable prints", kernelTest, async () => {
  await withNetns((ns) => {
    populate(ns);
    const compiled = cli("-n", ns, "addr", "show");
    assert.equal(compiled.status, 0, compiled.err);
    const script = join(root, "bin/nlroute.ts");
    for (const [runtime, args] of [["deno", ["run", "--allow-ffi", "--allow-read", "--allow-env", script]], ["bun", [script]]] as const) {
      const r = spawnSync(join(root, "node_modules/.bin", runtime), [...args, "-n", ns, "addr", "show"], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      assert.equal(r.stdout, compiled.out, runtime);
    }
  });
});

test("main() in-process: the same output, errors and statuses as the executable", kernelTest, async () => {
  await withNetns(async (ns) => {
    populate(ns);
    const run = async (...args: string[]) => {
      let out = "";
      let err = "";
      const status = await main(args, { out: (s) => void (out += s), err: (s) => void (err += s) });
      return { out, err, status };
    };
    for (const args of [["-j", "link", "show"], ["addr", "show"], ["-j", "route", "show", "table", "all"], ["link", "add", "v0", "type", "veth", "peer", "name", "v9"], ["link", "del", "nope0"], ["link", "frobnicate"]]) {
      const inProcess = await run("-n", ns, ...args);
      const exec = cli("-n", ns, ...args);
      assert.deepEqual(inProcess, exec, `nlroute ${args.join(" ")}`);
    }
    const usage = await run();
    assert.equal(usage.status, 255);
    assert.match(usage.out, /^Usage: nlroute/);
  });
});

test("compiled nlroute: addr, route, rule and neigh show -j equal ip -json", kernelTest, async () => {
  await withNetns((ns) => {
    populate(ns);
    for (const args of [["addr", "show"], ["addr", "show", "dev", "v0"], ["-4", "addr", "show"], ["-6", "addr", "show"], ["-6", "addr", "show", "dev", "v0"], ["route", "show"], ["-6", "route", "show"], ["route", "show", "table", "all"], ["route", "show", "table", "100"], ["route", "show", "dev", "v0"], ["rule", "show"], ["neigh", "show"]]) {
      assert.deepEqual(cliJson("-n", ns, "-j", ...args), ipJson(ns, ...args), `nlroute -j ${args.join(" ")}`);
    }
  });
});

test("compiled nlroute: text output is ip's (link show's first line for lo, and whole listings)", kernelTest, async () => {
  await withNetns((ns) => {
    populate(ns);
    const ours = cli("-n", ns, "link", "show");
    assert.equal(ours.status, 0, ours.err);
    const ip = ipn(ns, "link", "show");
    const loLine = ours.out.split("\n")[0];
    assert.match(loLine, /^1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc \w+ state UNKNOWN mode DEFAULT group default qlen 1000$/);
    assert.equal(loLine, ip.split("\n")[0]);
    assert.equal(ours.out, ip);
    for (const args of [["addr", "show"], ["-4", "addr", "show"], ["-6", "addr", "show"], ["route", "show"], ["route", "show", "table", "all"], ["rule", "show"], ["neigh", "show"]]) {
      const r = cli("-n", ns, ...args);
      assert.equal(r.status, 0, r.err);
      assert.equal(r.out, ipn(ns, ...args), `nlroute ${args.join(" ")}`);
    }
  });
});

test("compiled nlroute: link add/set/del, addr add/del, route add/del change the namespace as ip sees it", kernelTest, async () => {
  await withNetns((ns) => {
    const ok = (...args: string[]) => {
      const r = cli("-n", ns, ...args);
      assert.equal(r.status, 0, `nlroute ${args.join(" ")}: ${r.err}`);
      assert.equal(r.out, "");
    };
    ok("link", "add", "c0", "type", "veth", "peer", "name", "c1");
    ok("link", "add", "br0", "type", "bridge", "stp_state", "1");
    ok("link", "set", "dev", "c0", "up", "mtu", "1400");
    ok("link", "set", "c1", "master", "br0");
    ok("link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "dev", "c0", "remote", "192.0.2.50");
    ok("addr", "add", "192.0.2.1/24", "dev", "c0");
    ok("route", "add", "198.51.100.0/24", "via", "192.0.2.2", "metric", "7");
    ok("route", "add", "default", "via", "192.0.2.2", "table", "200");
    const links = ipJson<any[]>(ns, "-details", "link", "show");
    const c0 = links.find((l) => l.ifname === "c0");
    assert.equal(c0.mtu, 1400);
    assert.ok(c0.flags.includes("UP"));
    assert.equal(links.find((l) => l.ifname === "c1").master, "br0");
    assert.equal(links.find((l) => l.ifname === "br0").linkinfo.info_data.stp_state, 1);
    const vx = links.find((l) => l.ifname === "vx0").linkinfo.info_data;
    assert.equal(vx.id, 42);
    assert.equal(vx.port, 4789);
    assert.equal(vx.remote, "192.0.2.50");
    assert.equal(vx.link, "c0");
    const addrs = ipJson<any[]>(ns, "addr", "show", "dev", "c0")[0].addr_info.filter((a: any) => a.family === "inet");
    assert.deepEqual(addrs.map((a: any) => `${a.local}/${a.prefixlen}`), ["192.0.2.1/24"]);
    assert.deepEqual(ipJson<any[]>(ns, "route", "show", "198.51.100.0/24").map((r) => [r.gateway, r.dev, r.metric]), [["192.0.2.2", "c0", 7]]);
    assert.deepEqual(ipJson<any[]>(ns, "route", "show", "table", "200").map((r) => [r.dst, r.gateway]), [["default", "192.0.2.2"]]);

    ok("route", "del", "198.51.100.0/24", "via", "192.0.2.2", "metric", "7");
    ok("addr", "del", "192.0.2.1/24", "dev", "c0");
    ok("link", "del", "vx0");
    ok("link", "del", "dev", "c0");
    assert.deepEqual(ipJson<any[]>(ns, "route", "show", "198.51.100.0/24"), []);
    assert.deepEqual(ipJson<any[]>(ns, "link", "show").map((l) => l.ifname).sort(), ["br0", "lo"]);
  });
});

test("compiled nlroute: links made in and moved to other namespaces by name, and ip's link-netns text", kernelTest, async () => {
  await withNetns((ns) =>
    withNetns((other) => {
      const ok = (...args: string[]) => {
        const r = cli("-n", ns, ...args);
        assert.equal(r.status, 0, `nlroute ${args.join(" ")}: ${r.err}`);
      };
      ok("link", "add", "a0", "type", "veth", "peer", "name", "a1", "netns", other);
      ok("link", "add", "b0", "netns", other, "type", "veth", "peer", "name", "b1");
      ok("link", "add", "c0", "type", "veth", "peer", "name", "c1");
      ok("link", "set", "dev", "c1", "netns", other);
      const names = (n: string) => ipJson<IpLink[]>(n, "link", "show").map((l) => l.ifname).sort();
      assert.deepEqual(names(ns), ["a0", "b1", "c0", "lo"]);
      assert.deepEqual(names(other), ["a1", "b0", "c1", "lo"]);
      for (const n of [ns, other]) {
        const r = cli("-n", n, "link", "show");
        assert.equal(r.out, ipn(n, "link", "show"));
        assert.deepEqual(cliJson("-n", n, "-j", "link", "show"), ipJson(n, "link", "show"));
      }
    })
  );
});

test("compiled nlroute: errors read like ip's, with ip's exit statuses", kernelTest, async () => {
  await withNetns((ns) => {
    ipn(ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ipn(ns, "addr", "add", "192.0.2.1/24", "dev", "v0");
    const cases: [string[], number, RegExp][] = [
      [["link", "add", "v0", "type", "veth", "peer", "name", "v9"], 2, /^RTNETLINK answers: File exists\n$/],
      [["link", "set", "dev", "v0", "mtu", "10"], 2, /^Error: mtu less than device minimum\.\n$/],
      [["addr", "add", "192.0.2.1/24", "dev", "v0"], 2, /^Error: ipv4: Address already assigned\.\n$/],
      [["link", "del", "dev", "nope0"], 1, /^Cannot find device "nope0"\n$/],
      [["link", "show", "dev", "nope0"], 1, /^Device "nope0" does not exist\.\n$/],
      [["link", "frobnicate"], 255, /^Command "frobnicate" is unknown/],
      [["link", "add", "a234567890123456", "type", "veth", "peer", "name", "x"], 255, /^Error: .*ifname/],
    ];
    for (const [args, status, err] of cases) {
      const r = cli("-n", ns, ...args);
      assert.equal(r.status, status, `nlroute ${args.join(" ")}: ${r.err}`);
      assert.match(r.err, err, `nlroute ${args.join(" ")}`);
      assert.equal(r.out, "");
    }
    const missing = cli("-n", `${ns}-missing`, "link", "show");
    assert.equal(missing.status, 255);
    assert.equal(missing.err, `Cannot open network namespace "${ns}-missing": No such file or directory\n`);
    // nothing was changed by the refused requests
    assert.deepEqual(ipJson<any[]>(ns, "link", "show").map((l) => [l.ifname, l.mtu]).sort(), [["lo", 65536], ["v0", 1500], ["v1", 1500]]);
  });
});

/** Lines of a child's stdout as they come. */
function lines(child: ChildProcess): { seen: string[]; wait(pred: (l: string) => boolean, ms: number): Promise<string | undefined> } {
  const seen: string[] = [];
  let buf = "";
  let notify: (() => void) | null = null;
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      seen.push(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    notify?.();
  });
  return {
    seen,
    async wait(pred, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = seen.find(pred);
        if (hit !== undefined || Date.now() >= deadline) return hit;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(0, deadline - Date.now()));
          notify = () => {
            clearTimeout(t);
            resolve();
          };
        });
        notify = null;
      }
    },
  };
}

test("compiled nlroute: monitor -j reports a veth created after it started", kernelTest, async () => {
  await withNetns(async (ns) => {
    const child = spawn(exe, ["-n", ns, "monitor", "-j", "link"], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (s: string) => (stderr += s));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const out = lines(child);
    try {
      // the monitor's subscription is up some time after the process starts: create veths until
      // one is reported (bounded), rather than guessing a start-up delay
      let hit: string | undefined;
      let name = "";
      for (let i = 0; i < 10 && hit === undefined && child.exitCode === null; i++) {
        name = `m${i}`;
        ipn(ns, "link", "add", name, "type", "veth", "peer", "name", `p${i}`);
        hit = await out.wait((l) => l.includes(`"ifname":"${name}"`), 1500);
      }
      assert.ok(hit, `monitor reported no veth; exit ${child.exitCode}, stderr: ${stderr}, stdout: ${out.seen.join("\n")}`);
      const ev = JSON.parse(hit);
      assert.equal(ev.event, "RTM_NEWLINK");
      const ip = ipJson<IpLink[]>(ns, "link", "show", "dev", name)[0];
      assert.equal(ev.ifindex, ip.ifindex);
      assert.equal(ev.ifname, name);
      assert.equal(ev.link_type, "ether");
      // every line is one JSON object
      for (const l of out.seen) assert.equal(typeof JSON.parse(l).event, "string");
      ipn(ns, "link", "del", name);
      const gone = await out.wait((l) => l.includes(`"event":"RTM_DELLINK"`) && l.includes(`"ifname":"${name}"`), 5000);
      assert.ok(gone, `monitor reported no deletion of ${name}: ${out.seen.join("\n")}`);
    } finally {
      child.kill("SIGTERM");
      const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 5000))]);
      if (code === "hung") child.kill("SIGKILL");
      assert.notEqual(code, "hung", "monitor exits on SIGTERM");
    }
  });
});

test("compiled nlroute: monitor's text is ip monitor's for the same events", kernelTest, async () => {
  await withNetns(async (ns) => {
    const groups = ["link", "address", "route"];
    const procs = [spawn(exe, ["-n", ns, "monitor", ...groups], { stdio: ["ignore", "pipe", "pipe"] }), spawn("ip", ["-n", ns, "monitor", ...groups], { stdio: ["ignore", "pipe", "pipe"] })];
    const outs = procs.map(lines);
    const exited = procs.map((p) => new Promise<void>((resolve) => p.on("exit", () => resolve())));
    try {
      // both subscribed: each has reported one of the warm-up veths
      let ready = false;
      for (let i = 0; i < 10 && !ready; i++) {
        ipn(ns, "link", "add", `w${i}`, "type", "veth", "peer", "name", `x${i}`);
        ready = (await Promise.all(outs.map((o) => o.wait((l) => l.includes(`: w${i}@`), 1500)))).every((l) => l !== undefined);
      }
      assert.ok(ready, `both monitors running: ${outs.map((o) => o.seen.join("\n")).join("\n---\n")}`);
      ipBatch(ns, ["link add s0 type veth peer name s1", "addr add 192.0.2.1/24 dev s0", "link set s0 up", "route add 198.51.100.0/24 via 192.0.2.2 dev s0 onlink", "link del s0"]);
      const last = (l: string) => l.startsWith("Deleted ") && l.includes(": s1@");
      for (const o of outs) assert.ok(await o.wait(last, 5000), `monitor saw the end of the sequence: ${o.seen.join("\n")}`);
      const from = (seen: string[]) => seen.slice(seen.findIndex((l) => /^\d+: s1@/.test(l)));
      const [ours, ip] = outs.map((o) => from(o.seen));
      assert.ok(ours.length > 6, ours.join("\n"));
      assert.deepEqual(ours, ip);
    } finally {
      for (const p of procs) p.kill("SIGTERM");
      await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 5000))]);
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    }
  });
});
