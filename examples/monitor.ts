/**
 * Watch the kernel's network changes, like `ip monitor` — and with `--json`, one JSON object
 * per line (pyroute2's message shape), which `ip monitor` cannot do.
 *
 *   npx deno run -A examples/monitor.ts [--json] [--netns NAME] [--count N] [OBJECT...]
 *   npx bun examples/monitor.ts [--json] [--netns NAME] [--count N] [OBJECT...]
 *
 * OBJECT: link, address, route, neigh, rule, nsid, nexthop, netconf, all (default: all).
 * Ctrl-C stops it. When the kernel drops events (receive buffer overflow) it prints an OVERFLOW
 * line followed by the current state, so nothing is silently missed.
 * @module
 */

import { IFF, IPRoute, type NlMsg } from "../mod.ts";

const OBJECTS: Readonly<Record<string, readonly string[]>> = {
  link: ["link"],
  address: ["ipv4_ifaddr", "ipv6_ifaddr"],
  route: ["ipv4_route", "ipv6_route"],
  neigh: ["neigh"],
  rule: ["ipv4_rule", "ipv6_rule"],
  nsid: ["nsid"],
  nexthop: ["nexthop"],
  netconf: ["ipv4_netconf", "ipv6_netconf"],
};
const ALIASES: Readonly<Record<string, string>> = { addr: "address", a: "address", l: "link", r: "route", n: "neigh", ru: "rule" };

function usage(message: string): never {
  console.error(`${message}\nusage: monitor.ts [--json] [--netns NAME] [--count N] [${[...Object.keys(OBJECTS), "all"].join("|")}]...`);
  process.exit(2);
}

let json = false;
let netns: string | undefined;
let count = Infinity;
const groups = new Set<string>();
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--json" || a === "-j") json = true;
  else if (a === "--netns" || a === "-n") netns = argv[++i] ?? usage("--netns needs a name");
  else if (a === "--count") {
    count = Number(argv[++i]);
    if (!Number.isInteger(count) || count < 1) usage("--count needs a positive integer");
  } else if (a === "all") Object.values(OBJECTS).flat().forEach((g) => groups.add(g));
  else if (OBJECTS[ALIASES[a] ?? a]) OBJECTS[ALIASES[a] ?? a].forEach((g) => groups.add(g));
  else usage(`unknown argument ${JSON.stringify(a)}`);
}
if (groups.size === 0) Object.values(OBJECTS).flat().forEach((g) => groups.add(g));

using ipr = new IPRoute({ netns });
const ac = new AbortController();
process.on("SIGINT", () => ac.abort());
process.on("SIGTERM", () => ac.abort());
const events = ipr.events({ groups: [...groups], signal: ac.signal });

// interface names for the text output, kept current from link events
const names = new Map<number, string>();
for (const l of await ipr.getLinks()) names.set(l.get("index") as number, l.get("ifname") as string);
const dev = (index: unknown) => (typeof index === "number" && index > 0 ? ` dev ${names.get(index) ?? `if${index}`}` : "");

const FLAG_NAMES = Object.entries(IFF).map(([k, v]) => [k.slice(4), v] as const);
function linkFlags(flags: number): string {
  return FLAG_NAMES.filter(([, v]) => flags & v).map(([k]) => k).join(",");
}

// enum IF_OPER_* (linux/if.h)
const OPERSTATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

function prefix(m: NlMsg, addrKey: string, lenKey: string): string {
  const len = m.get(lenKey) as number;
  const addr = m.get(addrKey);
  if (addr === undefined) return len === 0 ? "default" : `?/${len}`;
  return `${addr}/${len}`;
}

/** One line in `ip monitor`'s spirit. */
function text(m: NlMsg): string {
  const del = m.event.startsWith("RTM_DEL") ? "Deleted " : "";
  switch (m.event) {
    case "OVERFLOW":
      return "OVERFLOW: the kernel dropped events; the current state follows";
    case "RTM_NEWLINK":
    case "RTM_DELLINK": {
      const index = m.get("index") as number;
      const name = m.get("ifname") as string;
      if (m.event === "RTM_NEWLINK") names.set(index, name);
      const kind = m.get(["linkinfo", "kind"]);
      return `${del}${index}: ${name}: <${linkFlags(m.get("flags") as number)}> mtu ${m.get("mtu")} state ${OPERSTATES[m.get("operstate") as number] ?? "UNKNOWN"}${kind ? ` ${kind}` : ""}`;
    }
    case "RTM_NEWADDR":
    case "RTM_DELADDR": {
      const family = m.get("family") === 10 ? "inet6" : "inet";
      return `${del}${m.get("index")}: ${names.get(m.get("index") as number) ?? "?"}    ${family} ${m.get("address") ?? m.get("local")}/${m.get("prefixlen")}`;
    }
    case "RTM_NEWROUTE":
    case "RTM_DELROUTE": {
      const gw = m.get("gateway");
      const table = m.get("table");
      return `${del}${prefix(m, "dst", "dst_len")}${gw ? ` via ${gw}` : ""}${dev(m.get("oif"))}${table !== 254 ? ` table ${table}` : ""}`;
    }
    case "RTM_NEWNEIGH":
    case "RTM_DELNEIGH": {
      const ll = m.get("lladdr");
      return `${del}${m.get("dst") ?? ""}${dev(m.get("ifindex"))}${ll ? ` lladdr ${ll}` : ""} state 0x${(m.get("state") as number).toString(16)}`;
    }
    case "RTM_NEWRULE":
    case "RTM_DELRULE":
      return `${del}${m.get("priority") ?? 0}: from ${m.get("src") ? prefix(m, "src", "src_len") : "all"} lookup ${m.get("table")}`;
    case "RTM_NEWNETCONF":
    case "RTM_DELNETCONF": {
      const index = m.get("ifindex") as number;
      const where = index === -1 ? "all" : index === -2 ? "default" : names.get(index) ?? `if${index}`;
      const fwd = m.get("forwarding");
      return `${del}${m.get("family") === 10 ? "ipv6" : "ipv4"} dev ${where}${fwd === undefined ? "" : ` forwarding ${fwd ? "on" : "off"}`}`;
    }
    default:
      return `${m.event} ${JSON.stringify(m, jsonValue)}`;
  }
}

/** JSON.stringify replacer: 64-bit counters (bigint) as numbers when exact, else strings. */
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === "bigint") return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  return value;
}

let seen = 0;
for await (const m of events) {
  console.log(json ? JSON.stringify(m, jsonValue) : text(m));
  if (++seen >= count) break;
}
