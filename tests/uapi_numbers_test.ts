/**
 * Every attribute number and constant checked against the installed uapi headers
 * (/usr/include/linux/*.h, bits/socket.h): each row's kernel name must be defined there with the
 * same number, and the main attribute enums must be complete.
 * @module
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { test } from "node:test";
import type { AttrTable } from "../src/marshal/schema.ts";
import { AF, IFF, NTF, NUD, RT_SCOPE, RT_TABLE, RTM, RTN, RTNLGRP, RTPROT } from "../src/rtnl/constants.ts";
import { allTables } from "../src/rtnl/tables.ts";

const LINUX = "/usr/include/linux";
/** Headers the tables are declared from; looked up first. */
const PRIMARY = [
  "if_link", "rtnetlink", "if_addr", "neighbour", "fib_rules", "nexthop", "net_namespace", "netconf",
  "lwtunnel", "mpls_iptunnel", "ila", "seg6_iptunnel", "seg6_local", "rpl_iptunnel", "ioam6_iptunnel",
  "if_bridge", "if_tunnel", "veth", "if_arp", "if", "netlink", "pkt_sched", "pkt_cls", "gen_stats",
].map((h) => `${LINUX}/${h}.h`);
const SOCKET_H = "/usr/include/x86_64-linux-gnu/bits/socket.h";

/**
 * Newer than the installed headers (linux-libc-dev 6.1) but sent by the kernels we run on (6.18):
 * name → number from upstream include/uapi, with the version that added it.
 */
const NOT_IN_HEADERS: Readonly<Record<string, { number: number; why: string }>> = {
  IFLA_DEVLINK_PORT: { number: 62, why: "if_link.h, Linux 6.2" },
  IFLA_GSO_IPV4_MAX_SIZE: { number: 63, why: "if_link.h, Linux 6.3" },
  IFLA_GRO_IPV4_MAX_SIZE: { number: 64, why: "if_link.h, Linux 6.3" },
  IFLA_DPLL_PIN: { number: 65, why: "if_link.h, Linux 6.8" },
  IFLA_MAX_PACING_OFFLOAD_HORIZON: { number: 66, why: "if_link.h, Linux 6.13" },
  IFLA_NETNS_IMMUTABLE: { number: 67, why: "if_link.h, Linux 6.13" },
  IFLA_HEADROOM: { number: 68, why: "if_link.h, Linux 6.14" },
  IFLA_TAILROOM: { number: 69, why: "if_link.h, Linux 6.14" },
  IFLA_BR_FDB_N_LEARNED: { number: 48, why: "if_link.h, Linux 6.8" },
  IFLA_BR_FDB_MAX_LEARNED: { number: 49, why: "if_link.h, Linux 6.8" },
  IFLA_VXLAN_LOCALBYPASS: { number: 31, why: "if_link.h, Linux 6.7" },
  IFLA_VXLAN_LABEL_POLICY: { number: 32, why: "if_link.h, Linux 6.8" },
  IFLA_VXLAN_RESERVED_BITS: { number: 33, why: "if_link.h, Linux 6.12" },
  IFLA_BRPORT_MAB: { number: 40, why: "if_link.h, Linux 6.2" },
  IFLA_BRPORT_MCAST_N_GROUPS: { number: 41, why: "if_link.h, Linux 6.3" },
  IFLA_BRPORT_MCAST_MAX_GROUPS: { number: 42, why: "if_link.h, Linux 6.3" },
  IFLA_BRPORT_NEIGH_VLAN_SUPPRESS: { number: 43, why: "if_link.h, Linux 6.6" },
  IFLA_BRPORT_BACKUP_NHID: { number: 44, why: "if_link.h, Linux 6.7" },
  FRA_DSCP: { number: 25, why: "fib_rules.h, Linux 6.13" },
  FRA_FLOWLABEL: { number: 26, why: "fib_rules.h, Linux 6.14" },
  FRA_FLOWLABEL_MASK: { number: 27, why: "fib_rules.h, Linux 6.14" },
  FRA_SPORT_MASK: { number: 28, why: "fib_rules.h, Linux 6.15" },
  FRA_DPORT_MASK: { number: 29, why: "fib_rules.h, Linux 6.15" },
  FRA_DSCP_MASK: { number: 30, why: "fib_rules.h, Linux 6.15" },
  NHA_OP_FLAGS: { number: 14, why: "nexthop.h, Linux 6.7" },
  NHA_GROUP_STATS: { number: 15, why: "nexthop.h, Linux 6.7" },
  NHA_HW_STATS_ENABLE: { number: 16, why: "nexthop.h, Linux 6.7" },
  NHA_HW_STATS_USED: { number: 17, why: "nexthop.h, Linux 6.7" },
  NHA_GROUP_STATS_ENTRY: { number: 1, why: "nexthop.h, Linux 6.7" },
  NHA_GROUP_STATS_ENTRY_ID: { number: 1, why: "nexthop.h, Linux 6.7" },
  NHA_GROUP_STATS_ENTRY_PACKETS: { number: 2, why: "nexthop.h, Linux 6.7" },
  NHA_GROUP_STATS_ENTRY_PACKETS_HW: { number: 3, why: "nexthop.h, Linux 6.7" },
};

// ---------------------------------------------------------------------------------------------
// a small C header reader: enums (implicit numbering, expressions) and `#define NAME expr`

interface Symbols {
  /** name → unevaluated definition */
  defs: Map<string, { expr: string | null; prev: string | null }>;
  /** enum members in declaration order, per enum */
  enums: string[][];
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, "");
}

function readHeader(path: string, into: Symbols): void {
  const text = stripComments(readFileSync(path, "utf8")).replace(/\\\n/g, " ");
  const defs = into.defs;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+([^\n]+)$/gm)) {
    const [, name, expr] = m;
    if (expr.trim() !== name && !defs.has(name)) defs.set(name, { expr: expr.trim(), prev: null });
  }
  for (const m of text.matchAll(/\benum\b[^{;()]*\{([^}]*)\}/g)) {
    const body = m[1].split("\n").filter((l) => !/^\s*#/.test(l)).join("\n");
    const members: string[] = [];
    let prev: string | null = null;
    for (const part of body.split(",")) {
      const mm = /^\s*([A-Za-z_]\w*)\s*(?:=\s*([\s\S]+?))?\s*$/.exec(part);
      if (!mm) continue;
      const [, name, expr] = mm;
      if (!defs.has(name) || defs.get(name)!.expr === name) defs.set(name, { expr: expr ?? null, prev });
      members.push(name);
      prev = name;
    }
    into.enums.push(members);
  }
}

function evaluator(sym: Symbols): (name: string) => number | undefined {
  const memo = new Map<string, number | undefined>();
  const busy = new Set<string>();
  const evalExpr = (expr: string): number | undefined => {
    let ok = true;
    const js = expr
      .replace(/\b(0x[0-9a-fA-F]+|\d+)[uUlL]*\b/g, "$1")
      .replace(/\([a-z_ ]*(?:int|long|short|char|__u\d+|__s\d+)\s*\)/g, "")
      .replace(/\b[A-Za-z_]\w*\b/g, (n) => {
        if (/^0x/.test(n)) return n;
        const v = value(n);
        if (v === undefined) ok = false;
        return `(${v})`;
      });
    if (!ok || !/^[\s\d()+\-*/<>|&~^xa-fA-F]*$/.test(js)) return undefined;
    try {
      const v = Function(`"use strict"; return (${js});`)() as unknown;
      return typeof v === "number" && Number.isInteger(v) ? v : undefined;
    } catch {
      return undefined;
    }
  };
  const value = (name: string): number | undefined => {
    if (memo.has(name)) return memo.get(name);
    const d = sym.defs.get(name);
    if (!d || busy.has(name)) return undefined;
    busy.add(name);
    let v: number | undefined;
    if (d.expr !== null) v = evalExpr(d.expr);
    else if (d.prev === null) v = 0;
    else {
      const p = value(d.prev);
      v = p === undefined ? undefined : p + 1;
    }
    busy.delete(name);
    memo.set(name, v);
    return v;
  };
  return value;
}

function headersUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = `${dir}/${e}`;
    if (statSync(p).isDirectory()) out.push(...headersUnder(p));
    else if (e.endsWith(".h")) out.push(p);
  }
  return out;
}

const primary: Symbols = { defs: new Map(), enums: [] };
for (const h of [...PRIMARY, SOCKET_H]) readHeader(h, primary);
const primaryValue = evaluator(primary);

// Other headers (tc, tunnels...) answer for names the primary ones do not define; each is read
// on its own so that equal names in unrelated headers cannot mix.
const others = headersUnder(LINUX).filter((h) => !PRIMARY.includes(h)).map((h) => {
  const s: Symbols = { defs: new Map(), enums: [] };
  readHeader(h, s);
  return { s, value: evaluator(s) };
});

/** Numbers a name has in the headers: the primary headers' one, else every other header's. */
function headerValues(name: string): number[] {
  const p = primaryValue(name);
  if (p !== undefined) return [p];
  const vs = new Set<number>();
  for (const o of others) {
    if (!o.s.defs.has(name)) continue;
    const v = o.value(name);
    if (v !== undefined) vs.add(v);
  }
  return [...vs];
}

// ---------------------------------------------------------------------------------------------

interface Check {
  readonly where: string;
  readonly name: string;
  readonly number: number;
}

function tableChecks(tables: readonly AttrTable[]): Check[] {
  return tables.flatMap((t) => t.rows.map((r) => ({ where: t.name, name: r.name, number: r.type })));
}

function constantChecks(): Check[] {
  const groups = { RTM, RTNLGRP, IFF, RTN, RT_TABLE, RTPROT, RT_SCOPE, NUD, NTF, AF } as const;
  return Object.entries(groups).flatMap(([where, obj]) => Object.entries(obj).map(([name, number]) => ({ where, name, number })));
}

function verify(checks: readonly Check[]): { missing: string[]; wrong: string[] } {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const c of checks) {
    const allowed = NOT_IN_HEADERS[c.name];
    const vs = headerValues(c.name);
    if (vs.length === 0) {
      if (!allowed) missing.push(`${c.where}: ${c.name}`);
      else if (allowed.number !== c.number) wrong.push(`${c.where}: ${c.name} is ${c.number}, upstream says ${allowed.number}`);
    } else if (!vs.includes(c.number)) {
      wrong.push(`${c.where}: ${c.name} is ${c.number}, the headers say ${vs.join(" or ")}`);
    }
  }
  return { missing, wrong };
}

test("the header reader follows implicit numbering, expressions and aliases", () => {
  assert.equal(primaryValue("RTA_NH_ID"), 30);
  assert.equal(primaryValue("RTAX_CC_ALGO"), 16);
  assert.equal(primaryValue("NHA_RES_GROUP_BUCKETS"), 1);
  assert.equal(primaryValue("IFF_ECHO"), 1 << 18);
  assert.equal(primaryValue("NTF_ROUTER"), 1 << 7);
  assert.equal(primaryValue("AF_INET6"), 10);
  assert.equal(primaryValue("FRA_IFNAME"), 3);
  assert.equal(primaryValue("RTM_GETNEXTHOPBUCKET"), 118);
  assert.equal(primaryValue("NETNSA_NSID_NOT_ASSIGNED"), -1);
});

test("every attribute row of every RTNL table has its kernel name and number", () => {
  const checks = tableChecks(allTables);
  assert.ok(checks.length > 200, `only ${checks.length} rows found`);
  const { missing, wrong } = verify(checks);
  assert.deepEqual(wrong, [], "numbers differ from the uapi headers");
  assert.deepEqual(missing, [], "names found in no uapi header");
});

test("every constant in constants.ts has its kernel name and number", () => {
  const checks = constantChecks();
  assert.ok(checks.length > 120, `only ${checks.length} constants found`);
  const { missing, wrong } = verify(checks);
  assert.deepEqual(wrong, [], "numbers differ from the uapi headers");
  assert.deepEqual(missing, [], "names found in no uapi header");
});

test("allow-listed names are still absent from the installed headers", () => {
  // once the headers catch up, the entry must go so the header check takes over
  assert.deepEqual(Object.keys(NOT_IN_HEADERS).filter((n) => headerValues(n).length > 0), []);
});

/** Header enum members that are not attributes: sentinels, placeholders and aliases. */
function notAnAttribute(name: string): boolean {
  return /^__|_UNSPEC$|_PAD$|^NETNSA_NONE$/.test(name);
}

/** Table name → an enum member that identifies the enum it declares. */
const COMPLETE: Readonly<Record<string, string>> = {
  IFLA: "IFLA_IFNAME",
  IFA: "IFA_ADDRESS",
  RTA: "RTA_DST",
  RTAX: "RTAX_MTU",
  FRA: "FRA_FWMARK",
  NDA: "NDA_LLADDR",
  NFEA: "NFEA_ACTIVITY_NOTIFY",
  NHA: "NHA_ID",
  NHA_RES_GROUP: "NHA_RES_GROUP_BUCKETS",
  NHA_RES_BUCKET: "NHA_RES_BUCKET_INDEX",
  NETNSA: "NETNSA_NSID",
  NETCONFA: "NETCONFA_FORWARDING",
  MPLS_IPTUNNEL: "MPLS_IPTUNNEL_DST",
  LWTUNNEL_IP: "LWTUNNEL_IP_DST",
  LWTUNNEL_IP6: "LWTUNNEL_IP6_DST",
  LWTUNNEL_IP_OPTS: "LWTUNNEL_IP_OPTS_GENEVE",
  LWTUNNEL_IP_OPT_GENEVE: "LWTUNNEL_IP_OPT_GENEVE_CLASS",
  LWTUNNEL_IP_OPT_VXLAN: "LWTUNNEL_IP_OPT_VXLAN_GBP",
  LWTUNNEL_IP_OPT_ERSPAN: "LWTUNNEL_IP_OPT_ERSPAN_VER",
  ILA_ATTR: "ILA_ATTR_LOCATOR",
  SEG6_IPTUNNEL: "SEG6_IPTUNNEL_SRH",
  SEG6_LOCAL: "SEG6_LOCAL_ACTION",
  SEG6_LOCAL_BPF_PROG: "SEG6_LOCAL_BPF_PROG_NAME",
  SEG6_LOCAL_CNT: "SEG6_LOCAL_CNT_PACKETS",
  SEG6_LOCAL_FLV: "SEG6_LOCAL_FLV_OPERATION",
  LWT_BPF: "LWT_BPF_IN",
  LWT_BPF_PROG: "LWT_BPF_PROG_FD",
  RPL_IPTUNNEL: "RPL_IPTUNNEL_SRH",
  IOAM6_IPTUNNEL: "IOAM6_IPTUNNEL_MODE",
  LWT_XFRM: "LWT_XFRM_IF_ID",
};

for (const [tableName, anchor] of Object.entries(COMPLETE)) {
  test(`${tableName}: every attribute of the header's enum has a row`, () => {
    const table = allTables.find((t) => t.name === tableName);
    assert.ok(table, `no table named ${tableName} in allTables`);
    const members = primary.enums.find((e) => e.includes(anchor));
    assert.ok(members, `no enum holds ${anchor}`);
    // an alias (IFLA_TARGET_NETNSID = IFLA_IF_NETNSID) is covered by a row for either name
    const covered = (n: string): boolean => !!table.row(n) || table.rows.some((r) => members.includes(r.name) && r.type === primaryValue(n));
    const absent = members.filter((n) => !notAnAttribute(n) && !covered(n));
    assert.deepEqual(absent, []);
  });
}
