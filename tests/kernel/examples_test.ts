/**
 * The runnable examples, run as a user runs them (a child process of this runtime): the demo
 * walkthrough (`npm run demo`) ends well and leaves nothing behind; the README quick start runs
 * inside `unshare -n`; monitor.ts --json prints a veth created after it starts.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ipn, kernelTest, sh, withNetns } from "./_netns.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const isBun = "Bun" in globalThis;
const runtime = (globalThis as { process: { execPath: string } }).process.execPath;

/** argv that runs `file` with the runtime running this test. */
function argv(file: string, ...args: string[]): string[] {
  return isBun ? [join(root, file), ...args] : ["run", "-A", join(root, file), ...args];
}

/** Named namespaces of the kinds the examples make (other processes may add their own meanwhile). */
const netnsNames = (): string[] => {
  try {
    return readdirSync("/run/netns").filter((n) => /^(demo-main-|sandbox-|blue$)/.test(n)).sort();
  } catch {
    return [];
  }
};
/** The host's links named like the demo's (it must never create any there). */
const demoLinksOnHost = (): string[] => (JSON.parse(sh("ip", ["-j", "link", "show"])) as { ifname: string }[]).map((l) => l.ifname).filter((n) => n.startsWith("veth0p"));

test("examples/demo.ts (npm run demo) pings across its veth pair and leaves nothing behind", kernelTest, () => {
  const nsBefore = netnsNames();
  assert.deepEqual(demoLinksOnHost(), []);
  const r = spawnSync(runtime, argv("examples/demo.ts"), { encoding: "utf8", timeout: 90_000, env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, `demo failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /3 packets transmitted, 3 received/);
  assert.deepEqual(netnsNames(), nsBefore, "namespaces left behind");
  assert.deepEqual(demoLinksOnHost(), [], "the demo made links in the host namespace");
});

test("examples/quickstart.ts (the README quick start) runs inside unshare -n", kernelTest, () => {
  const nsBefore = netnsNames();
  const r = spawnSync("unshare", ["-n", runtime, ...argv("examples/quickstart.ts")], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, 0, `quickstart failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^2 v0 up veth$/m);
  assert.match(r.stdout, /^EEXIST RTM_NEWLINK$/m);
  assert.match(r.stdout, /^RTM_NEWLINK v0 1300$/m);
  assert.deepEqual(netnsNames(), nsBefore, "namespaces left behind");
});

test("examples/monitor.ts --json prints one JSON object per line for a veth made after it starts", kernelTest, async () => {
  await withNetns(async (ns) => {
    let child: ChildProcess | undefined;
    try {
      child = spawn(runtime, argv("examples/monitor.ts", "--json", "--netns", ns, "--count", "2", "link"), { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout!.on("data", (d) => (out += d));
      child.stderr!.on("data", (d) => (err += d));
      const exited = new Promise<number | null>((resolve) => child!.on("exit", (code) => resolve(code)));
      // the listener is up once a change made now is reported; retry the change until it is
      const deadline = Date.now() + 30_000;
      let made = false;
      while (!out.includes('"mx0"') && Date.now() < deadline) {
        if (!made) {
          ipn(ns, "link", "add", "mx0", "type", "veth", "peer", "name", "mx1");
          made = true;
        } else {
          ipn(ns, "link", "del", "mx0");
          made = false;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 30_000))]);
      assert.equal(code, 0, `monitor did not end after --count 2: ${err}`);
      const lines = out.trim().split("\n");
      assert.equal(lines.length, 2, out);
      const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.ok(events.every((e) => e.event === "RTM_NEWLINK" || e.event === "RTM_DELLINK"), out);
      assert.ok(events.some((e) => JSON.stringify(e).includes('"mx0"') || JSON.stringify(e).includes('"mx1"')), out);
    } finally {
      child?.kill();
    }
  });
});
