/**
 * Namespace ids (RTM_GETNSID / RTM_NEWNSID): the number by which the socket's namespace knows
 * another namespace — what `IFLA_LINK_NETNSID` of a veth whose peer lives elsewhere refers to.
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { nsidmsg } from "../rtnl/nsid.ts";
import { type OpContext, platform } from "./_context.ts";
import type { Match } from "./filter.ts";
import { mergeMatch } from "./_spec.ts";

/** NETNSA_NSID_NOT_ASSIGNED (linux/net_namespace.h): the namespace has no id (yet). */
export const NSID_NOT_ASSIGNED: number = -1;

/**
 * Which namespace `getNetnsid` asks about: exactly one of `fd` (an fd, or a name or path opened
 * for the call), `pid` (the namespace of that process) or `nsid`; optionally `target_nsid`
 * (answer as seen from that namespace, kernel ≥ 4.20).
 */
export interface GetNetnsidSpec {
  /** Namespace fd, or a name (/run/netns/NAME) or path opened for the call. */
  readonly fd?: number | string;
  /** A process whose namespace is meant. */
  readonly pid?: number;
  /** An id, to learn whether it is assigned (and, with `target_nsid`, its id elsewhere). */
  readonly nsid?: number;
  /** Ask as seen from the namespace with this id. */
  readonly target_nsid?: number;
}

/** `setNetnsid` spec: the namespace (`fd` or `pid`) and the id to give it (`"auto"`: the kernel picks). */
export interface SetNetnsidSpec {
  /** Namespace fd, or a name (/run/netns/NAME) or path opened for the call. */
  readonly fd?: number | string;
  /** A process whose namespace is meant. */
  readonly pid?: number;
  /** The id: 0..2^31-1, or "auto". */
  readonly nsid: number | "auto";
}

/** What `getNetnsid` answers: pyroute2's `{ nsid, current_nsid }`. */
export interface Netnsid {
  /** The id, or -1 (NETNSA_NSID_NOT_ASSIGNED) when the namespace has none. */
  readonly nsid: number;
  /** With `target_nsid`: the id of the socket's own namespace as seen from the target. */
  readonly current_nsid?: number;
}

function checkInt(verb: string, key: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw new TypeError(`${verb}: ${key} must be an integer, got ${show(value)}`);
  if (value < min || value > max) throw new RangeError(`${verb}: ${key} must be in ${min}..${max}, got ${value}`);
  return value;
}

function checkKeys(verb: string, spec: object, known: readonly string[]): void {
  if (spec === null || typeof spec !== "object") throw new TypeError(`${verb}: expected a spec object, got ${show(spec)}`);
  for (const key of Object.keys(spec)) {
    if (!known.includes(key)) throw new TypeError(`${verb}: unknown keyword ${show(key)} (known: ${known.join(", ")})`);
  }
}

/** Validate `fd` (a number, or a non-empty name/path string). */
function checkFd(verb: string, fd: unknown): void {
  if (typeof fd === "string") {
    if (fd === "") throw new RangeError(`${verb}: fd must not be an empty namespace name`);
    return;
  }
  checkInt(verb, "fd", fd, 0, 0x7fffffff);
}

/** Run `fn` with a numeric fd for `fd` (a name/path is opened, then closed afterwards). */
async function withFd<T>(fd: number | string | undefined, fn: (fd: number | undefined) => Promise<T>): Promise<T> {
  if (typeof fd !== "string") return await fn(fd);
  const p = platform();
  if (!p.openNetnsFd || !p.closeFd) throw new Error("nlroute: opening a namespace by name needs the runtime entry point (mod.ts)");
  const opened = p.openNetnsFd(fd);
  try {
    return await fn(opened);
  } finally {
    p.closeFd(opened);
  }
}

/** `getNetnsid(spec)`: RTM_GETNSID for one namespace. */
export async function getNetnsid(ctx: OpContext, spec: GetNetnsidSpec): Promise<Netnsid> {
  const verb = "getNetnsid()";
  checkKeys(verb, spec, ["fd", "pid", "nsid", "target_nsid"]);
  const given = (["fd", "pid", "nsid"] as const).filter((k) => spec[k] !== undefined);
  if (given.length !== 1) throw new TypeError(`${verb}: give exactly one of fd, pid, nsid (got ${given.length ? given.join(", ") : "none"})`);
  if (spec.fd !== undefined) checkFd(verb, spec.fd);
  if (spec.pid !== undefined) checkInt(verb, "pid", spec.pid, 1, 0x7fffffff);
  if (spec.nsid !== undefined) checkInt(verb, "nsid", spec.nsid, 0, 0x7fffffff);
  if (spec.target_nsid !== undefined) checkInt(verb, "target_nsid", spec.target_nsid, 0, 0x7fffffff);
  return await withFd(spec.fd, async (fd) => {
    const attrs: [string, unknown][] = [];
    if (fd !== undefined) attrs.push(["fd", fd]);
    if (spec.pid !== undefined) attrs.push(["pid", spec.pid]);
    if (spec.nsid !== undefined) attrs.push(["nsid", spec.nsid]);
    if (spec.target_nsid !== undefined) attrs.push(["target_nsid", spec.target_nsid]);
    const [reply] = await ctx.request(nsidmsg, RTM.RTM_GETNSID, { fields: { family: 0 }, attrs });
    if (reply === undefined) throw new Error(`${verb}: the kernel sent no RTM_NEWNSID`);
    const nsid = reply.get("nsid") as number | undefined;
    const current = reply.get("current_nsid") as number | undefined;
    return current === undefined ? { nsid: nsid ?? NSID_NOT_ASSIGNED } : { nsid: nsid ?? NSID_NOT_ASSIGNED, current_nsid: current };
  });
}

/** `setNetnsid(spec)`: RTM_NEWNSID, giving a namespace an id. */
export async function setNetnsid(ctx: OpContext, spec: SetNetnsidSpec): Promise<void> {
  const verb = "setNetnsid()";
  checkKeys(verb, spec, ["fd", "pid", "nsid"]);
  if ((spec.fd === undefined) === (spec.pid === undefined)) throw new TypeError(`${verb}: give exactly one of fd, pid`);
  if (spec.fd !== undefined) checkFd(verb, spec.fd);
  if (spec.pid !== undefined) checkInt(verb, "pid", spec.pid, 1, 0x7fffffff);
  const nsid = spec.nsid === "auto" ? NSID_NOT_ASSIGNED : checkInt(verb, "nsid", spec.nsid, 0, 0x7fffffff);
  await withFd(spec.fd, async (fd) => {
    const attrs: [string, unknown][] = fd !== undefined ? [["fd", fd]] : [["pid", spec.pid]];
    attrs.push(["nsid", nsid]);
    await ctx.request(nsidmsg, RTM.RTM_NEWNSID, { fields: { family: 0 }, attrs });
  });
}

/**
 * Every id the socket's namespace has given to other namespaces: one RTM_NEWNSID message each
 * (`nsid`), filtered like the other dumps (`{ nsid: 3 }`, a predicate, or `match`).
 */
export async function getNetnsids(ctx: OpContext, filter: Readonly<Record<string, unknown>> = {}): Promise<NlMsg[]> {
  if (filter === null || typeof filter !== "object") throw new TypeError(`getNetnsids(): expected a filter object, got ${show(filter)}`);
  const { match, ...rest } = filter as Record<string, unknown>;
  for (const key of Object.keys(rest)) {
    if (key !== "nsid" && key !== "current_nsid" && key !== "NETNSA_NSID" && key !== "NETNSA_CURRENT_NSID") {
      throw new TypeError(`getNetnsids(): unknown filter key ${show(key)} (known: nsid, current_nsid, match)`);
    }
  }
  return await ctx.dump(nsidmsg, RTM.RTM_GETNSID, { fields: { family: 0 } }, mergeMatch(rest, match as Match | undefined));
}
