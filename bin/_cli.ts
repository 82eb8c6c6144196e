/**
 * The `nlroute` command line: `ip`'s grammar and output (text and `-j`) over the library.
 * `main()` takes the arguments and an output sink and returns the exit status, so it runs the
 * same under Deno, Bun and a compiled executable (bin/nlroute.ts is the entry point).
 * @module
 */

import { readdirSync } from "node:fs";
import { errnoName, IFF, IPRoute, NetlinkError, type NlMsg, SyscallError } from "../mod.ts";
import {
  addrObject,
  addrText,
  type IpObject,
  linkObject,
  LinkTable,
  linkText,
  neighObject,
  neighShownByDefault,
  neighText,
  parseInteger,
  parseProto,
  parseScope,
  parseTable,
  parseU32,
  routeObject,
  routeText,
  routeType,
  ruleObject,
  ruleText,
} from "./_format.ts";

/** Where the CLI writes. */
export interface CliIO {
  /** Standard output; `text` carries its own newlines. */
  out(text: string): void;
  /** Standard error; `text` carries its own newlines. */
  err(text: string): void;
  /** Stops `monitor` when aborted (the entry point aborts it on SIGINT / SIGTERM). */
  stopSignal?: AbortSignal;
}

/** Global options, as `ip` takes them before the object. */
interface Options {
  json: boolean;
  pretty: boolean;
  details: boolean;
  family: 0 | 2 | 10;
  netns?: string;
}

/** A usage error: printed as is, exit status 255 (ip's -1). */
class UsageError extends Error {}

/** The device named on the command line does not exist: exit status 1, as ip. */
class NoDevice extends Error {}

const USAGE = `Usage: nlroute [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { link | address | route | rule | neigh | monitor }
       OPTIONS := { -j[son] | -p[retty] | -d[etails] | -4 | -6 | -n[etns] NAME | -V[ersion] }

  nlroute link show [dev NAME]
  nlroute link add [name] NAME [mtu N] [address LLADDR] [txqueuelen N] [netns NS] type veth peer [name] PEER [netns NS]
  nlroute link add NAME type bridge [stp_state N] [forward_delay N] [vlan_filtering N] ...
  nlroute link add NAME type vxlan id VNI [remote|group ADDR] [local ADDR] [dev NAME] [dstport PORT] [ttl N]
  nlroute link set [dev] NAME { up | down | mtu N | master BRIDGE | nomaster | netns NS | name NEW | address LLADDR | txqueuelen N } ...
  nlroute link del [dev] NAME
  nlroute addr show [dev NAME]
  nlroute addr { add | del } ADDR[/PLEN] dev NAME [label LABEL] [broadcast ADDR] [scope SCOPE]
  nlroute route show [table TABLE|all] [dev NAME]
  nlroute route { add | del | replace } [TYPE] PREFIX [via GW] [dev NAME] [table TABLE] [metric N] [src ADDR] [proto PROTO] [scope SCOPE]
  nlroute rule show
  nlroute neigh show [dev NAME]
  nlroute monitor [all | link | address | route | rule | neigh]...
`;

// strerror(3) of the errnos netlink answers with, for "RTNETLINK answers: ..."
const STRERROR: Record<string, string> = {
  EPERM: "Operation not permitted", ENOENT: "No such file or directory", ESRCH: "No such process",
  EINTR: "Interrupted system call", EIO: "Input/output error", ENXIO: "No such device or address",
  E2BIG: "Argument list too long", EBADF: "Bad file descriptor", EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Cannot allocate memory", EACCES: "Permission denied", EFAULT: "Bad address",
  EBUSY: "Device or resource busy", EEXIST: "File exists", EXDEV: "Invalid cross-device link",
  ENODEV: "No such device", ENOTDIR: "Not a directory", EINVAL: "Invalid argument",
  ENFILE: "Too many open files in system", EMFILE: "Too many open files", ENOSPC: "No space left on device",
  ERANGE: "Numerical result out of range", ENOTEMPTY: "Directory not empty", ENOMSG: "No message of desired type",
  ENODATA: "No data available", ENOTSUP: "Operation not supported", EOPNOTSUPP: "Operation not supported",
  EMSGSIZE: "Message too long", EPROTONOSUPPORT: "Protocol not supported", EAFNOSUPPORT: "Address family not supported by protocol",
  EADDRINUSE: "Address already in use", EADDRNOTAVAIL: "Cannot assign requested address", ENETDOWN: "Network is down",
  ENETUNREACH: "Network is unreachable", ENOBUFS: "No buffer space available", ETIMEDOUT: "Connection timed out",
  EHOSTUNREACH: "No route to host", EALREADY: "Operation already in progress", ELOOP: "Too many levels of symbolic links",
  ENOTSOCK: "Socket operation on non-socket", EPROTO: "Protocol error", ENOTCONN: "Transport endpoint is not connected",
};

function strerror(code: string): string {
  return STRERROR[code] ?? code;
}

/** `cmd` is an abbreviation of `word`, as ip's matches(). */
function matches(cmd: string, word: string): boolean {
  return cmd.length > 0 && word.startsWith(cmd);
}

/**
 * Run one command line. Returns the exit status: 0, 1 (no such device), 2 (the kernel refused),
 * 255 (usage).
 *
 * @example
 * ```ts
 * const status = await main(["-n", "blue", "link", "show", "-j"], { out: (s) => console.log(s), err: (s) => console.error(s) });
 * ```
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const opts: Options = { json: false, pretty: false, details: false, family: 0 };
  const args = [...argv];
  try {
    while (args.length && args[0].startsWith("-") && args[0].length > 1) {
      const a = args.shift()!.replace(/^--?/, "-");
      if (a === "-j" || a === "-json") opts.json = true;
      else if (a === "-p" || a === "-pretty") opts.pretty = true;
      else if (a === "-d" || a === "-details") opts.details = true;
      else if (a === "-4") opts.family = 2;
      else if (a === "-6") opts.family = 10;
      else if (a === "-n" || a === "-netns") {
        opts.netns = args.shift();
        if (!opts.netns) throw new UsageError(`Option "${a}" needs a namespace name`);
      } else if (a === "-V" || a === "-Version") {
        io.out("nlroute, netlink over libc FFI\n");
        return 0;
      } else if (a === "-h" || a === "-help") {
        io.out(USAGE);
        return 0;
      } else throw new UsageError(`Option "${a}" is unknown, try "nlroute -help".`);
    }
    // ip also takes -j / -d after the object and command; so does nlroute
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === "-j" || a === "-json") opts.json = true;
      else if (a === "-d" || a === "-details") opts.details = true;
      else if (a === "-p" || a === "-pretty") opts.pretty = true;
      else continue;
      args.splice(i--, 1);
    }
    const object = args.shift();
    if (object === undefined || matches(object, "help")) {
      io.out(USAGE);
      return object === undefined ? 255 : 0;
    }
    const run = dispatch(object);
    if (!run) throw new UsageError(`Object "${object}" is unknown, try "nlroute help".`);
    let ipr: IPRoute;
    try {
      ipr = new IPRoute(opts.netns !== undefined ? { netns: opts.netns } : {});
    } catch (e) {
      if (e instanceof SyscallError && opts.netns !== undefined) {
        io.err(`Cannot open network namespace "${opts.netns}": ${strerror(e.code)}\n`);
        return 255;
      }
      throw e;
    }
    try {
      return await run(ipr, args, opts, io);
    } finally {
      ipr.close();
    }
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: CliIO): number {
  if (e instanceof UsageError) {
    io.err(e.message + "\n");
    return 255;
  }
  if (e instanceof NoDevice) {
    io.err(e.message + "\n");
    return 1;
  }
  if (e instanceof NetlinkError) {
    if (e.extack) io.err(`Error: ${e.extack}${e.extack.endsWith(".") ? "" : "."}\n`);
    else io.err(`RTNETLINK answers: ${strerror(e.code)}\n`);
    return 2;
  }
  if (e instanceof SyscallError) {
    io.err(`Cannot talk to rtnetlink: ${e.syscall}: ${strerror(e.code)}\n`);
    return 2;
  }
  if (e instanceof TypeError || e instanceof RangeError) {
    io.err(`Error: ${e.message}\n`);
    return 255;
  }
  io.err(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

type Handler = (ipr: IPRoute, args: string[], opts: Options, io: CliIO) => Promise<number>;

function dispatch(object: string): Handler | undefined {
  if (matches(object, "address")) return addrCmd;
  if (matches(object, "route")) return routeCmd;
  if (matches(object, "rule")) return ruleCmd;
  if (matches(object, "neighbour") || matches(object, "neighbor")) return neighCmd;
  if (matches(object, "link")) return linkCmd;
  if (matches(object, "monitor")) return monitorCmd;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// helpers

function emit(objects: readonly IpObject[], text: (o: IpObject) => string, opts: Options, io: CliIO): void {
  if (opts.json) io.out(JSON.stringify(objects, null, opts.pretty ? 4 : undefined) + "\n");
  else if (objects.length) io.out(objects.map(text).join("\n") + "\n");
}

function next(args: string[], what: string): string {
  const v = args.shift();
  if (v === undefined) throw new UsageError(`Command line is not complete: "${what}" needs an argument. Try "nlroute help".`);
  return v;
}

function isShow(cmd: string | undefined): boolean {
  return cmd === undefined || matches(cmd, "show") || matches(cmd, "list") || cmd === "lst";
}

function unknownCommand(object: string, cmd: string): never {
  throw new UsageError(`Command "${cmd}" is unknown, try "nlroute ${object} help".`);
}

/** A link's index by name; NoDevice with ip's text when there is none. */
async function indexOf(ipr: IPRoute, name: string): Promise<number> {
  const [index] = await ipr.linkLookup({ ifname: name });
  if (index === undefined) throw new NoDevice(`Cannot find device "${name}"`);
  return index;
}

type Verb = (command: string, spec: Record<string, unknown>) => Promise<NlMsg[]>;

/**
 * A change verb of the library (`link("add", ...)`) taking a spec built from the command line:
 * the keys are known only at run time, so the typed overloads are bypassed and the library
 * checks the spec (unknown key → TypeError naming it) before anything is sent.
 */
function verb(ipr: IPRoute, name: "link" | "addr" | "route"): Verb {
  return (ipr[name] as unknown as Verb).bind(ipr);
}

// ---------------------------------------------------------------------------------------------
// link

async function linkCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const cmd = args.shift();
  if (isShow(cmd)) return await linkShow(ipr, args, opts, io);
  if (cmd === "help") {
    io.out(USAGE);
    return 0;
  }
  if (matches(cmd!, "add")) return await linkAdd(ipr, args);
  if (matches(cmd!, "set") || matches(cmd!, "change")) return await linkSet(ipr, args);
  if (matches(cmd!, "delete") || cmd === "del") return await linkDel(ipr, args);
  return unknownCommand("link", cmd!);
}

async function linkShow(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  let dev: string | undefined;
  let upOnly = false;
  let kind: string | undefined;
  let master: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "dev") dev = next(args, "dev");
    else if (a === "up") upOnly = true;
    else if (a === "type") kind = next(args, "type");
    else if (a === "master") master = next(args, "master");
    else if (dev === undefined) dev = a;
    else throw new UsageError(`Either "dev" is duplicate, or "${a}" is a garbage.`);
  }
  const all = await ipr.getLinks();
  const names = new LinkTable(all);
  let links = all;
  if (dev !== undefined) {
    links = all.filter((l) => l.get("ifname") === dev);
    if (!links.length) throw new NoDevice(`Device "${dev}" does not exist.`);
  }
  if (upOnly) links = links.filter((l) => (l.get("flags") as number) & IFF.IFF_UP);
  if (kind !== undefined) links = links.filter((l) => l.get(["linkinfo", "kind"]) === kind);
  if (master !== undefined) {
    const m = names.index(master);
    if (m === undefined) throw new NoDevice(`Device "${master}" does not exist.`);
    links = links.filter((l) => l.get("master") === m);
  }
  const objects = links.map((l) => linkObject(l, names, { details: opts.details }));
  const netnsNames = opts.json ? undefined : await peerNetnsNames(ipr, objects);
  emit(objects, (o) => linkText(o, netnsNames), opts, io);
  return 0;
}

/**
 * Names of the namespaces that links' peers live in, by nsid: ip's text output says
 * `link-netns blue` rather than `link-netnsid 0`. Looked up (one RTM_GETNSID per name in
 * /run/netns) only when some link has a peer elsewhere.
 */
async function peerNetnsNames(ipr: IPRoute, links: readonly IpObject[]): Promise<Map<number, string> | undefined> {
  const wanted = new Set(links.map((o) => o.link_netnsid).filter((id) => typeof id === "number"));
  if (!wanted.size) return undefined;
  const map = new Map<number, string>();
  let entries: string[];
  try {
    entries = readdirSync("/run/netns");
  } catch {
    return map;
  }
  for (const name of entries) {
    try {
      const { nsid } = await ipr.getNetnsid({ fd: name });
      if (wanted.has(nsid)) map.set(nsid, name);
    } catch {
      // a stale or foreign entry in /run/netns: ip skips those as well
    }
  }
  return map;
}

const LINK_COMMON: Record<string, (v: string) => [string, unknown]> = {
  mtu: (v) => ["mtu", parseU32(v, "mtu")],
  address: (v) => ["address", v],
  txqueuelen: (v) => ["txqlen", parseU32(v, "txqueuelen")],
  txqlen: (v) => ["txqlen", parseU32(v, "txqlen")],
  qlen: (v) => ["txqlen", parseU32(v, "qlen")],
  numtxqueues: (v) => ["num_tx_queues", parseU32(v, "numtxqueues")],
  numrxqueues: (v) => ["num_rx_queues", parseU32(v, "numrxqueues")],
  alias: (v) => ["ifalias", v],
};

async function linkAdd(ipr: IPRoute, args: string[]): Promise<number> {
  const spec: Record<string, unknown> = {};
  let kind: string | undefined;
  let master: string | undefined;
  let lower: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "type") {
      kind = next(args, "type");
      break;
    }
    if (a === "name") spec.ifname = next(args, "name");
    else if (a === "link") lower = next(args, "link");
    else if (a === "master") master = next(args, "master");
    else if (a === "netns") spec.net_ns_fd = next(args, "netns");
    else if (LINK_COMMON[a]) {
      const [k, v] = LINK_COMMON[a](next(args, a));
      spec[k] = v;
    } else if (spec.ifname === undefined) spec.ifname = a;
    else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute link help".`);
  }
  if (spec.ifname === undefined) throw new UsageError(`Not enough information: "dev" argument is required.`);
  if (kind === undefined) throw new UsageError(`Not enough information: "type" argument is required.`);
  spec.kind = kind;
  if (lower !== undefined) spec.link = await indexOf(ipr, lower);
  if (master !== undefined) spec.master = await indexOf(ipr, master);
  if (kind === "veth") {
    if (args.length) {
      if (args.shift() !== "peer") throw new UsageError(`veth: expected "peer [name] NAME"`);
      if (args[0] === "name") args.shift();
      const peer = next(args, "peer name");
      if (args[0] === "netns") {
        args.shift();
        spec.peer = { ifname: peer, net_ns_fd: next(args, "netns") };
      } else spec.peer = peer;
    }
  } else if (kind === "bridge") {
    while (args.length) {
      const key = args.shift()!;
      spec[`br_${key}`] = parseU32(next(args, key), key);
    }
  } else if (kind === "vxlan") {
    await vxlanArgs(ipr, args, spec);
  }
  if (args.length) throw new UsageError(`Garbage instead of arguments "${args.join(" ")}". Try "nlroute link help".`);
  await verb(ipr, "link")("add", spec);
  return 0;
}

async function vxlanArgs(ipr: IPRoute, args: string[], spec: Record<string, unknown>): Promise<void> {
  const v6 = (a: string) => a.includes(":");
  while (args.length) {
    const a = args.shift()!;
    switch (a) {
      case "id":
      case "vni":
        spec.vxlan_id = parseInteger(next(args, a), "id", 0xffffff);
        break;
      case "remote":
      case "group": {
        const g = next(args, a);
        spec[v6(g) ? "vxlan_group6" : "vxlan_group"] = g;
        break;
      }
      case "local": {
        const l = next(args, a);
        spec[v6(l) ? "vxlan_local6" : "vxlan_local"] = l;
        break;
      }
      case "dev":
        spec.vxlan_link = await indexOf(ipr, next(args, a));
        break;
      case "dstport":
        spec.vxlan_port = parseInteger(next(args, a), "dstport", 0xffff);
        break;
      case "ttl":
      case "hoplimit":
        spec.vxlan_ttl = parseInteger(next(args, a), a, 255);
        break;
      case "tos":
        spec.vxlan_tos = parseInteger(next(args, a), a, 255);
        break;
      case "ageing":
        spec.vxlan_ageing = parseU32(next(args, a), a);
        break;
      case "learning":
      case "nolearning":
        spec.vxlan_learning = a === "learning" ? 1 : 0;
        break;
      default:
        throw new UsageError(`vxlan: unknown option "${a}" (known: id, remote, group, local, dev, dstport, ttl, tos, ageing, [no]learning)`);
    }
  }
  if (spec.vxlan_id === undefined) throw new UsageError(`vxlan: missing virtual network identifier ("id VNI")`);
}

async function linkSet(ipr: IPRoute, args: string[]): Promise<number> {
  if (args[0] === "dev") args.shift();
  const dev = next(args, "dev");
  const spec: Record<string, unknown> = { index: await indexOf(ipr, dev) };
  if (!args.length) throw new UsageError(`Not enough information: nothing to set on "${dev}".`);
  while (args.length) {
    const a = args.shift()!;
    if (a === "up" || a === "down") spec.state = a;
    else if (a === "master") spec.master = await indexOf(ipr, next(args, a));
    else if (a === "nomaster") spec.master = 0;
    else if (a === "netns") {
      const ns = next(args, a);
      spec.net_ns_fd = ns;
    } else if (a === "name") spec.ifname = next(args, a);
    else if (LINK_COMMON[a]) {
      const [k, v] = LINK_COMMON[a](next(args, a));
      spec[k] = v;
    } else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute link help".`);
  }
  await verb(ipr, "link")("set", spec);
  return 0;
}

async function linkDel(ipr: IPRoute, args: string[]): Promise<number> {
  if (args[0] === "dev") args.shift();
  const dev = next(args, "dev");
  if (args[0] === "type") args.splice(0, 2);
  if (args.length) throw new UsageError(`Garbage instead of arguments "${args.join(" ")}". Try "nlroute link help".`);
  await verb(ipr, "link")("del", { index: await indexOf(ipr, dev) });
  return 0;
}

// ---------------------------------------------------------------------------------------------
// addresses

async function addrCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const cmd = args.shift();
  if (isShow(cmd)) return await addrShow(ipr, args, opts, io);
  if (cmd === "help") {
    io.out(USAGE);
    return 0;
  }
  if (matches(cmd!, "add") || matches(cmd!, "delete") || cmd === "del" || cmd === "replace" || cmd === "change") {
    const command = matches(cmd!, "add") ? "add" : cmd === "replace" || cmd === "change" ? cmd : "del";
    return await addrChange(ipr, command, args);
  }
  return unknownCommand("address", cmd!);
}

async function addrShow(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  let dev: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "dev") dev = next(args, "dev");
    else if (dev === undefined) dev = a;
    else throw new UsageError(`Either "dev" is duplicate, or "${a}" is a garbage.`);
  }
  const links = await ipr.getLinks();
  const names = new LinkTable(links);
  let shown = links;
  if (dev !== undefined) {
    shown = links.filter((l) => l.get("ifname") === dev);
    if (!shown.length) throw new NoDevice(`Device "${dev}" does not exist.`);
  }
  const filter: Record<string, unknown> = {};
  if (opts.family) filter.family = opts.family;
  const byIndex = new Map<number, IpObject[]>();
  for (const a of await ipr.getAddr(filter)) {
    const i = a.get("index") as number;
    if (!byIndex.has(i)) byIndex.set(i, []);
    byIndex.get(i)!.push(addrObject(a));
  }
  // ip addr show leaves out the interface alias
  let objects = shown.map((l) => {
    const { ifalias: _, ...link } = linkObject(l, names, { details: opts.details, linkmode: false });
    return { ...link, addr_info: byIndex.get(l.get("index") as number) ?? [] };
  });
  if (opts.family) {
    // like ip -4 / -6: only links with such addresses, without their link-layer line; ip -6
    // without a device dumps the kernel's IPv6 view of links, which has no qdisc, group,
    // master or altnames
    const drop = ["link_type", "address", "broadcast", "permaddr", "link_netnsid", ...(opts.family === 10 && dev === undefined ? ["qdisc", "group", "master", "altnames"] : [])];
    objects = objects.filter((o) => o.addr_info.length).map((o) => {
      for (const k of drop) delete (o as IpObject)[k];
      return o;
    });
  }
  const netnsNames = opts.json ? undefined : await peerNetnsNames(ipr, objects);
  emit(objects, (o) => [linkText(o, netnsNames), ...(o.addr_info as IpObject[]).map(addrText)].join("\n"), opts, io);
  return 0;
}

async function addrChange(ipr: IPRoute, command: string, args: string[]): Promise<number> {
  let prefix: string | undefined;
  let dev: string | undefined;
  const spec: Record<string, unknown> = {};
  while (args.length) {
    const a = args.shift()!;
    if (a === "dev") dev = next(args, a);
    else if (a === "label") spec.label = next(args, a);
    else if (a === "broadcast" || a === "brd") spec.broadcast = next(args, a);
    else if (a === "scope") spec.scope = parseScope(next(args, a));
    else if (a === "local") prefix = next(args, a);
    else if (prefix === undefined) prefix = a;
    else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute address help".`);
  }
  if (prefix === undefined) throw new UsageError(`Not enough information: an address is required.`);
  if (dev === undefined) throw new UsageError(`Not enough information: "dev" argument is required.`);
  const [address, plen] = prefix.split("/");
  const full = address.includes(":") ? 128 : 32;
  const index = await indexOf(ipr, dev);
  await verb(ipr, "addr")(command, { index, address, prefixlen: plen === undefined ? full : parseInteger(plen, "prefix length", full), ...spec });
  return 0;
}

// ---------------------------------------------------------------------------------------------
// routes

async function routeCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const cmd = args.shift();
  if (isShow(cmd)) return await routeShow(ipr, args, opts, io);
  if (cmd === "help") {
    io.out(USAGE);
    return 0;
  }
  if (matches(cmd!, "add") || matches(cmd!, "delete") || cmd === "del" || matches(cmd!, "replace") || matches(cmd!, "append") || matches(cmd!, "change")) {
    const command = matches(cmd!, "delete") || cmd === "del" ? "del" : ["add", "replace", "append", "change"].find((c) => matches(cmd!, c))!;
    return await routeChange(ipr, command, args, opts);
  }
  return unknownCommand("route", cmd!);
}

async function routeShow(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  let table: number | "all" = 254;
  let dev: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "table") {
      const t = next(args, a);
      table = t === "all" ? "all" : parseTable(t);
    } else if (a === "dev" || a === "oif") dev = next(args, a);
    else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute route help".`);
  }
  const links = await ipr.getLinks();
  const names = new LinkTable(links);
  // like ip: the main table shows IPv4 unless -6; "table all" shows every family unless -4/-6
  const filter: Record<string, unknown> = {};
  if (opts.family || table !== "all") filter.family = opts.family || 2;
  if (table !== "all") filter.table = table;
  if (dev !== undefined) {
    const i = names.index(dev);
    if (i === undefined) throw new NoDevice(`Cannot find device "${dev}"`);
    filter.oif = i;
  }
  const routes = (await ipr.getRoutes(filter)).filter((r) => table !== "all" || r.get("family") !== 10 || r.get("type") !== 0);
  const shape = { omitTable: table !== "all", omitDev: dev !== undefined };
  emit(routes.map((r) => routeObject(r, names, shape)), routeText, opts, io);
  return 0;
}

function familyOf(address: string): 2 | 10 {
  return address.includes(":") ? 10 : 2;
}

async function routeChange(ipr: IPRoute, command: string, args: string[], opts: Options): Promise<number> {
  const spec: Record<string, unknown> = {};
  let dst: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    switch (a) {
      case "via":
        spec.gateway = next(args, a);
        break;
      case "dev":
      case "oif":
        spec.oif = await indexOf(ipr, next(args, a));
        break;
      case "table":
        spec.table = parseTable(next(args, a));
        break;
      case "metric":
      case "priority":
      case "preference":
        spec.priority = parseU32(next(args, a), a);
        break;
      case "src":
        spec.prefsrc = next(args, a);
        break;
      case "proto":
      case "protocol":
        spec.proto = parseProto(next(args, a));
        break;
      case "scope":
        spec.scope = parseScope(next(args, a));
        break;
      case "to":
        dst = next(args, a);
        break;
      default: {
        const type = routeType(a);
        if (type !== undefined && dst === undefined) spec.type = type;
        else if (dst === undefined) dst = a;
        else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute route help".`);
      }
    }
  }
  if (dst === undefined) throw new UsageError(`Not enough information: a destination prefix is required.`);
  spec.dst = dst;
  const hint = dst !== "default" ? dst : (spec.gateway as string | undefined) ?? (spec.prefsrc as string | undefined);
  spec.family = hint !== undefined ? familyOf(hint) : opts.family || 2;
  await verb(ipr, "route")(command, spec);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// rules, neighbours

async function ruleCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const cmd = args.shift();
  if (!isShow(cmd)) return unknownCommand("rule", cmd!);
  if (args.length) throw new UsageError(`Garbage instead of arguments "${args.join(" ")}". Try "nlroute rule help".`);
  const rules = await ipr.getRules({ family: opts.family || 2 });
  emit(rules.map((r) => ruleObject(r)), ruleText, opts, io);
  return 0;
}

async function neighCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const cmd = args.shift();
  if (!isShow(cmd)) return unknownCommand("neigh", cmd!);
  let dev: string | undefined;
  while (args.length) {
    const a = args.shift()!;
    if (a === "dev") dev = next(args, a);
    else throw new UsageError(`Garbage instead of arguments "${a} ...". Try "nlroute neigh help".`);
  }
  const names = new LinkTable(await ipr.getLinks());
  let neighs = (await ipr.getNeighbours(opts.family ? { family: opts.family } : {})).filter((n) => {
    const f = n.get("family");
    return (f === 2 || f === 10) && neighShownByDefault(n);
  });
  if (dev !== undefined) {
    const i = names.index(dev);
    if (i === undefined) throw new NoDevice(`Cannot find device "${dev}"`);
    neighs = neighs.filter((n) => n.get("ifindex") === i);
  }
  emit(neighs.map((n) => neighObject(n, names)), neighText, opts, io);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// monitor

const MONITOR_GROUPS: Record<string, string[]> = {
  link: ["link"],
  address: ["ipv4_ifaddr", "ipv6_ifaddr"],
  route: ["ipv4_route", "ipv6_route"],
  rule: ["ipv4_rule", "ipv6_rule"],
  neigh: ["neigh"],
};

interface Events {
  events(options: { groups: string[]; signal?: AbortSignal }): AsyncIterable<NlMsg>;
}

async function monitorCmd(ipr: IPRoute, args: string[], opts: Options, io: CliIO): Promise<number> {
  const groups = new Set<string>();
  for (const a of args) {
    if (a === "all") Object.values(MONITOR_GROUPS).flat().forEach((g) => groups.add(g));
    else {
      const key = Object.keys(MONITOR_GROUPS).find((k) => matches(a, k) || (k === "neigh" && matches(a, "neighbour")));
      if (!key) throw new UsageError(`Argument "${a}" is unknown, try "nlroute monitor help".`);
      MONITOR_GROUPS[key].forEach((g) => groups.add(g));
    }
  }
  if (!groups.size) Object.values(MONITOR_GROUPS).flat().forEach((g) => groups.add(g));
  const events = (ipr as unknown as Partial<Events>).events;
  if (typeof events !== "function") {
    throw new Error("monitor: this build of the nlroute library has no events() yet (IPRoute.events is missing)");
  }
  const names = new LinkTable(await ipr.getLinks());
  for await (const msg of events.call(ipr, { groups: [...groups], signal: io.stopSignal })) {
    const line = monitorLine(msg, names, opts);
    if (line !== undefined) io.out(line + "\n");
  }
  return 0;
}

function monitorLine(msg: NlMsg, names: LinkTable, opts: Options): string | undefined {
  const event = msg.event;
  const deleted = event.startsWith("RTM_DEL");
  let obj: IpObject;
  let text: string;
  switch (event) {
    case "RTM_NEWLINK":
    case "RTM_DELLINK": {
      if (!deleted) names.update(msg);
      obj = linkObject(msg, names, { details: opts.details, linkmode: false });
      text = linkText(obj, undefined, true);
      if (deleted) names.update(msg);
      break;
    }
    case "RTM_NEWADDR":
    case "RTM_DELADDR": {
      const index = msg.get("index") as number;
      const ifname = names.name(index) ?? `if${index}`;
      obj = { ifindex: index, ifname, ...addrObject(msg) };
      text = `${index}: ${ifname}${addrText(obj)}`;
      break;
    }
    case "RTM_NEWROUTE":
    case "RTM_DELROUTE":
      obj = routeObject(msg, names);
      text = routeText(obj);
      break;
    case "RTM_NEWRULE":
    case "RTM_DELRULE":
      obj = ruleObject(msg);
      text = ruleText(obj);
      break;
    case "RTM_NEWNEIGH":
    case "RTM_DELNEIGH":
      obj = neighObject(msg, names);
      text = neighText(obj);
      break;
    case "OVERFLOW": {
      // the kernel dropped events; events() re-dumps the subscribed objects right after this
      const error = msg.get("error") as number;
      obj = { error };
      text = `Overflow: events were lost (${strerror(errnoName(-error))}); the current state follows`;
      break;
    }
    default:
      obj = {};
      text = `[${event}]`;
  }
  if (opts.json) return JSON.stringify({ event, ...obj });
  return (deleted ? "Deleted " : "") + text;
}
