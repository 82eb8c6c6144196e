/**
 * Differential test against iproute2: in one namespace holding veth, a bridge with a port,
 * vxlan, tap, ifb, IPv4/IPv6 addresses, 1,000+ routes (multipath, blackhole, other tables),
 * rules and permanent neighbours, every key `ip -json -details link/addr/route/rule/neigh show`
 * prints must equal what nlroute decodes (through the tables of _ipjson.ts), on Deno and Bun.
 *
 * `NLROUTE_DIFF_VERBOSE=1` prints the compared and skipped keys per object type.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import { IPRoute, type NlMsg } from "../../mod.ts";
import {
  type Ctx,
  formatMismatches,
  LINK,
  NEIGH,
  newReport,
  type Report,
  ROUTE,
  RULE,
  type Source,
  type Table,
  addrShowTable,
  compareObject,
  rowValue,
} from "./_ipjson.ts";
import { ipBatch, ipJson, ipn, kernelTest, withNetns } from "./_netns.ts";

const env: Record<string, string | undefined> = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};

/** Every prefix of 198.51.100.0/24 and 203.0.113.0/24 from /25 to /32: 2 × 510 routes. */
function manyRoutes(): string[] {
  const out: string[] = [];
  for (const [net, gw, extra] of [["198.51.100", "192.0.2.2", ""], ["203.0.113", "192.0.2.3", " proto static"]] as const) {
    for (let len = 25; len <= 32; len++) {
      const step = 2 ** (32 - len);
      for (let a = 0; a < 256; a += step) {
        // a little variety in what the kernel reports: metrics on the /25s, a metric on the /26s
        const more = len === 25 ? " mtu 1400 advmss 1360" : len === 26 ? " metric 20" : "";
        out.push(`route add ${net}.${a}/${len} via ${gw}${extra}${more}`);
      }
    }
  }
  return out;
}

/** The namespace of the acceptance criterion. */
function setup(ns: string): void {
  ipBatch(ns, [
    "link add v0 type veth peer name v1",
    "link set v0 up",
    "link add br0 type bridge",
    "link set v1 master br0",
    "link set v1 up",
    "link set br0 up",
    "link add vx0 type vxlan id 101 dev v0 dstport 4789 group 239.1.1.1 ttl 16",
    "tuntap add t0 mode tap user 0 group 0",
    "link add ifb0 type ifb",
    "link set dev ifb0 alias differential-test",
    "link property add dev v0 altname v0-uplink",
    "addr add 192.0.2.1/24 brd + dev v0",
    "addr add 192.0.2.10/24 dev v0 label v0:lbl",
    "addr add 192.0.2.100 peer 192.0.2.200/32 dev v0",
    "addr add 2001:db8::1/64 dev v0 nodad",
    "addr add 2001:db8::100/64 dev v0 nodad noprefixroute valid_lft 1000 preferred_lft 500",
    "addr add 203.0.113.1/24 dev ifb0 metric 20",
    ...manyRoutes(),
    "route add 198.51.100.0/24 nexthop via 192.0.2.2 weight 1 nexthop via 192.0.2.3 weight 2",
    "route add blackhole 203.0.113.0/24",
    "route add 198.51.100.0/24 via 192.0.2.2 table 10101",
    "route add prohibit 203.0.113.0/25 table 100",
    "route add 2001:db8:1::/48 via 2001:db8::2 dev v0",
    "route add blackhole 2001:db8:dead::/48",
    "route add 2001:db8:2::/48 nexthop via 2001:db8::2 dev v0 weight 3 nexthop via 2001:db8::3 dev v0",
    "rule add priority 1000 fwmark 0x10/0xff table 10101",
    "rule add priority 1001 from 192.0.2.0/24 to 198.51.100.0/24 table 100",
    "rule add priority 1002 iif v0 table 101",
    "rule add priority 1003 to 203.0.113.0/24 unreachable",
    "neigh add 192.0.2.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent",
    "neigh add 192.0.2.3 lladdr 02:00:00:00:00:03 dev v0 nud permanent",
    "neigh add 2001:db8::2 lladdr 02:00:00:00:00:12 dev v0 nud permanent",
    "neigh add 2001:db8::3 lladdr 02:00:00:00:00:13 dev v0 nud permanent",
  ]);
  ipn(ns, "-6", "rule", "add", "priority", "1004", "from", "2001:db8::/64", "table", "10101");
}

/** ifindex → name and flags, from nlroute's link dump (the link test compares those keys). */
function contextOf(links: readonly NlMsg[]): Ctx {
  return {
    names: new Map(links.map((l) => [l.get("index") as number, l.get("ifname") as string])),
    flags: new Map(links.map((l) => [l.get("index") as number, l.get("flags") as number])),
  };
}

type IpObject = Record<string, unknown>;

interface Round {
  readonly ip: IpObject[];
  readonly nl: Source[];
  readonly ctx: Ctx;
  /** This round's table, when it depends on the dump (addr_info of each link). */
  readonly table?: Table;
}

/**
 * Dump with ip and with nlroute, pair the objects by key and compare each. The two dumps are a
 * few milliseconds apart and the namespace is live (IPv6 DAD ends, the kernel adds a multicast
 * neighbour, a port changes state): when the rounds differ, dump again, at most three times; a
 * decoding difference shows in every round.
 */
async function differential(
  what: string,
  table: Table,
  dump: () => Promise<Round>,
  ipKey: (o: IpObject) => string,
  nlKey: (s: Source, ctx: Ctx) => string,
): Promise<{ report: Report; count: number }> {
  let last = "";
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 300));
    const { ip, nl, ctx, table: roundTable } = await dump();
    const ipByKey = new Map<string, IpObject>();
    for (const o of ip) {
      const k = ipKey(o);
      assert.ok(!ipByKey.has(k), `${what}: two ip objects with key ${k}`);
      ipByKey.set(k, o);
    }
    const nlByKey = new Map<string, Source>();
    for (const s of nl) {
      const k = nlKey(s, ctx);
      assert.ok(!nlByKey.has(k), `${what}: two nlroute objects with key ${k}`);
      nlByKey.set(k, s);
    }
    const onlyIp = [...ipByKey.keys()].filter((k) => !nlByKey.has(k));
    const onlyNl = [...nlByKey.keys()].filter((k) => !ipByKey.has(k));
    if (onlyIp.length || onlyNl.length) {
      last = `${what}: only in ip: ${JSON.stringify(onlyIp.slice(0, 20))}; only in nlroute: ${JSON.stringify(onlyNl.slice(0, 20))}`;
      continue;
    }
    const report = newReport();
    for (const [k, o] of ipByKey) compareObject(o, nlByKey.get(k)!, roundTable ?? table, ctx, report, `${what} ${k}`);
    if (env.NLROUTE_DIFF_VERBOSE) {
      console.log(`${what}: ${ip.length} objects, ${report.compared.size} keys compared: ${[...report.compared].sort().join(" ")}`);
      console.log(`${what}: not comparable (skipped): ${[...report.skipped].sort().join(" ") || "none"}`);
    }
    if (report.mismatches.length) {
      last = `${what}: ${report.mismatches.length} differences from ip -json -details\n${formatMismatches(report.mismatches)}`;
      continue;
    }
    return { report, count: ip.length };
  }
  assert.fail(last);
}

test("links equal ip -json -details link show", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const { report, count } = await differential("link", LINK, async () => {
      const ip = ipJson<IpObject[]>(ns, "-details", "link", "show");
      const links = await ipr.getLinks();
      return { ip, nl: links, ctx: contextOf(links) };
    }, (o) => String(o.ifindex), (s) => String(s.get("index")));
    assert.equal(count, 7, "lo, v0, v1, br0, vx0, t0, ifb0");
    for (const k of ["linkinfo.info_data(vxlan).id", "linkinfo.info_data(bridge).stp_state", "linkinfo.info_slave_data(bridge).state", "linkinfo.info_data(tun).type", "altnames", "master", "ifalias"]) {
      assert.ok(report.compared.has(k), `${k} was compared`);
    }
  });
});

test("addresses equal ip -json -details addr show", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    let addrCount = 0;
    const { report } = await differential("addr", LINK, async () => {
      const ip = ipJson<IpObject[]>(ns, "-details", "addr", "show");
      const links = await ipr.getLinks();
      const addrs = await ipr.getAddr();
      addrCount = addrs.length;
      const table = addrShowTable((index) => addrs.filter((a) => a.get("index") === index));
      return { ip, nl: links, ctx: contextOf(links), table };
    }, (o) => String(o.ifindex), (s) => String(s.get("index")));
    assert.ok(addrCount >= 8, `${addrCount} addresses`);
    for (const k of ["addr_info", "addr_info[].local", "addr_info[].label", "addr_info[].nodad", "addr_info[].broadcast", "addr_info[].address", "addr_info[].metric", "addr_info[].dynamic"]) {
      assert.ok(report.compared.has(k), `${k} was compared`);
    }
  });
});

test("routes equal ip -json -details route show table all (IPv4 and IPv6)", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const keys = ["table", "type", "dst", "from", "dev", "metric"];
    const ipKey = (o: IpObject) => keys.map((k) => o[k] ?? "").join("|");
    const nlKey = (s: Source, ctx: Ctx) => keys.map((k) => rowValue(ROUTE, k, s, ctx) ?? "").join("|");
    const counts: number[] = [];
    for (const family of [4, 6]) {
      const { report, count } = await differential(`route -${family}`, ROUTE, async () => {
        const ip = ipJson<IpObject[]>(ns, `-${family}`, "-details", "route", "show", "table", "all");
        const links = await ipr.getLinks();
        const routes = (await ipr.getRoutes()).filter((r) => r.get("family") === (family === 4 ? 2 : 10));
        return { ip, nl: routes, ctx: contextOf(links) };
      }, ipKey, nlKey);
      counts.push(count);
      for (const k of ["dst", "gateway", "dev", "table", "protocol", "scope", "type", "nexthops", "nexthops[].weight", "nexthops[].gateway"]) {
        assert.ok(report.compared.has(k), `${k} was compared (IPv${family})`);
      }
      if (family === 4) assert.ok(report.compared.has("metrics[].mtu") && report.compared.has("prefsrc"), "metrics and prefsrc compared");
    }
    const main4 = (await ipr.getRoutes({ family: 2, table: 254 })).length;
    assert.ok(main4 >= 1000, `${main4} IPv4 routes in main`);
    assert.ok(counts[0] >= 1000, `${counts[0]} IPv4 routes compared`);
  });
});

test("rules equal ip -json -details rule show (IPv4 and IPv6)", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const counts: number[] = [];
    const compared = new Set<string>();
    for (const family of [4, 6]) {
      const { report, count } = await differential(`rule -${family}`, RULE, async () => {
        const ip = ipJson<IpObject[]>(ns, `-${family}`, "-details", "rule", "show");
        const links = await ipr.getLinks();
        const rules = (await ipr.getRules()).filter((r) => r.get("family") === (family === 4 ? 2 : 10));
        return { ip, nl: rules, ctx: contextOf(links) };
      }, (o) => `${o.priority}|${o.table ?? ""}`, (s, ctx) => `${rowValue(RULE, "priority", s, ctx)}|${rowValue(RULE, "table", s, ctx) ?? ""}`);
      counts.push(count);
      for (const k of report.compared) compared.add(k);
    }
    assert.deepEqual(counts, [3 + 4, 2 + 1], "IPv4: 3 default + 4 added; IPv6: 2 default + 1 added");
    for (const k of ["priority", "src", "srclen", "dst", "dstlen", "fwmark", "fwmask", "iif", "table", "action", "protocol"]) {
      assert.ok(compared.has(k), `${k} was compared`);
    }
  });
});

test("neighbours equal ip -json -details neigh show nud all", kernelTest, async () => {
  await withNetns(async (ns) => {
    setup(ns);
    using ipr = new IPRoute({ netns: ns });
    const { report } = await differential("neigh", NEIGH, async () => {
      const ip = ipJson<IpObject[]>(ns, "-details", "neigh", "show", "nud", "all");
      const links = await ipr.getLinks();
      return { ip, nl: await ipr.getNeighbours(), ctx: contextOf(links) };
    }, (o) => `${o.dev}|${o.dst}`, (s, ctx) => `${rowValue(NEIGH, "dev", s, ctx)}|${s.get("dst")}`);
    const permanent = (await ipr.getNeighbours()).filter((n) => (n.fields.state as number) & 0x80);
    assert.equal(permanent.length, 4, "4 permanent neighbours");
    for (const k of ["dst", "dev", "lladdr", "state"]) assert.ok(report.compared.has(k), `${k} was compared`);
  });
});
