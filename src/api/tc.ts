/**
 * Queueing disciplines (RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC): `tc qdisc add | replace |
 * change | del | show` for the kinds whose options this library encodes (pfifo, bfifo,
 * pfifo_head_drop, pfifo_fast, htb, mq); every kind decodes in dumps.
 * @module
 */

import { NLM_F, type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { TC_H, tcmsg } from "../rtnl/tc.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { mergeMatch } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.tc`. */
export type TcCommand = "add" | "replace" | "change" | "del" | "delete" | "dump" | "show";

const COMMANDS: Readonly<Record<string, { type: number; flags: number }>> = {
  add: { type: RTM.RTM_NEWQDISC, flags: NLM_F.CREATE | NLM_F.EXCL },
  replace: { type: RTM.RTM_NEWQDISC, flags: NLM_F.CREATE | NLM_F.REPLACE },
  change: { type: RTM.RTM_NEWQDISC, flags: 0 },
  del: { type: RTM.RTM_DELQDISC, flags: 0 },
  delete: { type: RTM.RTM_DELQDISC, flags: 0 },
};

/** The kinds `tc("add")` encodes, with their option keys. */
const KINDS: Readonly<Record<string, readonly string[]>> = {
  pfifo: ["limit"],
  bfifo: ["limit"],
  pfifo_head_drop: ["limit"],
  pfifo_fast: [],
  htb: ["default", "r2q", "direct_qlen"],
  mq: [],
};

/** Qdisc kinds `tc()` can add: the others are decoded in dumps but not encoded. */
export const QDISC_KINDS: readonly string[] = Object.keys(KINDS);

const OWN_KEYS = ["index", "kind", "handle", "parent"];

/**
 * A handle or parent as `tc` writes it: "1:" (major 1), "1:10" (major 1, minor 0x10: both hex),
 * "root", "ingress", "none", or the 32-bit number.
 */
export function parseHandle(value: unknown, key: string): number {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`Invalid ${key}: ${value} is not a 32-bit handle`);
    return value;
  }
  if (typeof value !== "string") throw new TypeError(`Invalid ${key}: expected "1:", "1:10", "root" or a number, got ${show(value)}`);
  if (value === "root") return TC_H.TC_H_ROOT;
  if (value === "ingress" || value === "clsact") return TC_H.TC_H_INGRESS;
  if (value === "none") return TC_H.TC_H_UNSPEC;
  const m = /^([0-9a-f]{1,4})?:([0-9a-f]{1,4})?$/i.exec(value);
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    throw new TypeError(`Invalid ${key}: expected "major:", "major:minor" (hex, at most ffff each), "root", "ingress" or a number, got ${show(value)}`);
  }
  return ((parseInt(m[1] ?? "0", 16) << 16) >>> 0) + parseInt(m[2] ?? "0", 16);
}

/** `handle` as `tc` prints it: "1:", "1:10", "root", "ingress", "none". */
export function formatHandle(handle: number): string {
  if (handle === TC_H.TC_H_ROOT) return "root";
  if (handle === TC_H.TC_H_INGRESS) return "ingress";
  if (handle === TC_H.TC_H_UNSPEC) return "none";
  const major = handle >>> 16;
  const minor = handle & 0xffff;
  return `${major.toString(16)}:${minor ? minor.toString(16) : ""}`;
}

function uint32(key: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`Invalid ${key}: expected an integer in 0..4294967295, got ${show(v)}`);
  return v;
}

/** TCA_OPTIONS of a qdisc `kind` from the spec's option keys (undefined: none sent). */
function qdiscOptions(verb: string, kind: string, opts: Readonly<Record<string, unknown>>): unknown {
  switch (kind) {
    case "pfifo":
    case "bfifo":
    case "pfifo_head_drop":
      // as tc: the limit is sent only when given (the kernel then uses the device's queue length)
      return opts.limit === undefined ? undefined : { limit: uint32(`${verb}: limit`, opts.limit) };
    case "htb": {
      // tc sends TCA_HTB_INIT (version 3, r2q 10 unless given, the default class), then the direct queue length
      const def = opts.default === undefined ? 0 : typeof opts.default === "string" ? parseHandle(`0:${opts.default}`, `${verb}: default`) : uint32(`${verb}: default`, opts.default);
      const init = { version: 3, rate2quantum: opts.r2q === undefined ? 10 : uint32(`${verb}: r2q`, opts.r2q), defcls: def, debug: 0, direct_pkts: 0 };
      const attrs: [string, unknown][] = [["init", init]];
      if (opts.direct_qlen !== undefined) attrs.push(["direct_qlen", uint32(`${verb}: direct_qlen`, opts.direct_qlen)]);
      return attrs;
    }
    default:
      return undefined;
  }
}

/**
 * `tc(command, spec)`: a qdisc change (`add`, `replace`, `change`, `del`) or a dump (`dump` /
 * `show`, filtered like the other dumps).
 */
export async function tc(ctx: OpContext, command: TcCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command === "dump" || command === "show") return await getQdiscs(ctx, spec);
  const cmd = COMMANDS[command];
  const verb = `tc(${show(command)})`;
  if (!cmd) throw new TypeError(`tc(): unknown command ${show(command)} (known: add, replace, change, del, dump, show)`);
  if (spec === null || typeof spec !== "object") throw new TypeError(`${verb}: expected a spec object, got ${show(spec)}`);
  const isDel = cmd.type === RTM.RTM_DELQDISC;
  const kind = spec.kind;
  if (kind !== undefined && (typeof kind !== "string" || !(kind in KINDS))) {
    throw new TypeError(`${verb}: unknown qdisc kind ${show(kind)} (known: ${QDISC_KINDS.join(", ")})`);
  }
  if (kind === undefined && !isDel) throw new TypeError(`${verb}: kind is required (known: ${QDISC_KINDS.join(", ")})`);
  const known = kind === undefined ? OWN_KEYS : [...OWN_KEYS, ...KINDS[kind]];
  for (const k of Object.keys(spec)) {
    if (spec[k] !== undefined && !known.includes(k)) {
      throw new TypeError(`${verb}: unknown keyword ${show(k)} (known: ${known.join(", ")})`);
    }
  }
  if (spec.index === undefined) throw new TypeError(`${verb}: index (the interface: an index or a name) is required`);
  IndexResolver.check(spec.index, "index");
  const fields = {
    family: 0,
    index: 0,
    handle: spec.handle === undefined ? 0 : parseHandle(spec.handle, "handle"),
    parent: spec.parent === undefined ? TC_H.TC_H_ROOT : parseHandle(spec.parent, "parent"),
  };
  const attrs: [string, unknown][] = [];
  if (kind !== undefined) {
    attrs.push(["kind", kind]);
    const options = isDel ? undefined : qdiscOptions(verb, kind, spec);
    if (options !== undefined) attrs.push(["options", options]);
  }
  fields.index = await ctx.resolver().index(spec.index as number | string, "index");
  return await ctx.request(tcmsg, cmd.type, { flags: cmd.flags, fields, attrs });
}

/**
 * Every qdisc, filtered: `index` (an index or a name), `kind`, `handle` / `parent` (as `tc`
 * writes them or numbers), or any TCA_* key, a predicate, or `match`.
 */
export async function getQdiscs(ctx: OpContext, filter: Readonly<Record<string, unknown>> = {}): Promise<NlMsg[]> {
  if (filter === null || typeof filter !== "object") throw new TypeError(`getQdiscs(): expected a filter object, got ${show(filter)}`);
  const { match, ...rest } = filter as Record<string, unknown>;
  const f: Record<string, unknown> = { ...rest };
  if (typeof f.handle === "string") f.handle = parseHandle(f.handle, "handle");
  if (typeof f.parent === "string") f.parent = parseHandle(f.parent, "parent");
  if (typeof f.index === "string") f.index = await ctx.resolver().index(f.index, "index");
  return await ctx.dump(tcmsg, RTM.RTM_GETQDISC, { fields: { family: 0 } }, mergeMatch(f, match as Match | undefined));
}
