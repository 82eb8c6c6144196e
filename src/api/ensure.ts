/**
 * pyroute2's `ensure` and `poll`: make an object present (or absent) without failing when it
 * already is, and wait until a dump matches. Both work through the verb modules.
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { AF } from "../rtnl/constants.ts";
import { IndexResolver, type OpContext } from "./_context.ts";
import { canonicalAddress, checkPrefixlen, familyValue, parsePrefix } from "./_spec.ts";
import * as addresses from "./addresses.ts";
import * as bridge from "./bridge.ts";
import * as links from "./links.ts";
import * as neighbours from "./neighbours.ts";
import * as routes from "./routes.ts";
import * as rules from "./rules.ts";

/** Verbs `ensure` manages. */
export type EnsureVerb = "link" | "addr" | "route" | "rule" | "neigh";

/** Verbs `poll` can wait on (each with its `dump` filter). */
export type PollVerb = EnsureVerb | "fdb" | "brport" | "vlandb";

/** How long `poll` (and `ensure` after a change) waits, and how often it dumps. */
export interface PollOptions {
  /** Give up after this many ms (default 10,000; 0: dump once). */
  readonly timeoutMs?: number;
  /** Dump every this many ms (default 200). */
  readonly intervalMs?: number;
}

/** `poll` found no match in time. */
export class PollTimeoutError extends Error {
  /** The verb that was polled. */
  readonly verb: string;
  /** How long it waited, in ms. */
  readonly timeoutMs: number;

  /**
   * The error for a poll of `verb` with `filter` that gave up after `timeoutMs`.
   *
   * @param verb the polled verb
   * @param filter the filter that never matched (shown in the message)
   * @param timeoutMs how long it waited
   */
  constructor(verb: string, filter: Readonly<Record<string, unknown>>, timeoutMs: number) {
    const keys = Object.entries(filter).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${typeof v === "function" ? "(predicate)" : show(v)}`);
    super(`poll(${show(verb)}): nothing matched { ${keys.join(", ")} } within ${timeoutMs} ms`);
    this.name = "PollTimeoutError";
    this.verb = verb;
    this.timeoutMs = timeoutMs;
  }
}

type VerbFn = (ctx: OpContext, command: string, spec: Readonly<Record<string, unknown>>) => Promise<NlMsg[]>;

const VERBS: Readonly<Record<PollVerb, VerbFn>> = {
  link: links.link as VerbFn,
  addr: addresses.addr as VerbFn,
  route: routes.route as VerbFn,
  rule: rules.rule as VerbFn,
  neigh: neighbours.neigh as VerbFn,
  fdb: bridge.fdb as VerbFn,
  brport: bridge.brport as VerbFn,
  vlandb: bridge.vlandb as VerbFn,
};

function verbFn(verb: unknown, known: readonly string[], name: string): VerbFn {
  if (typeof verb !== "string" || !known.includes(verb)) throw new TypeError(`${name}(): unknown verb ${show(verb)} (known: ${known.join(", ")})`);
  return VERBS[verb as PollVerb];
}

function checkOptions(options: PollOptions, name: string): { timeoutMs: number; intervalMs: number } {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 200;
  for (const [k, v] of [["timeoutMs", timeoutMs], ["intervalMs", intervalMs]] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`${name}(): invalid ${k}: expected a number of ms, got ${show(v)}`);
    if (v < 0) throw new RangeError(`${name}(): invalid ${k}: ${v} is negative`);
  }
  return { timeoutMs, intervalMs };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Dump `verb` with `filter` until something matches; resolves with the matches, rejects with
 * `PollTimeoutError` after `timeoutMs`. Kernel errors reject at once.
 */
export async function poll(ctx: OpContext, verb: PollVerb, filter: Readonly<Record<string, unknown>>, options: PollOptions = {}): Promise<NlMsg[]> {
  const fn = verbFn(verb, Object.keys(VERBS), "poll");
  const { timeoutMs, intervalMs } = checkOptions(options, "poll");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await fn(ctx, "dump", filter);
    if (found.length > 0) return found;
    const left = deadline - Date.now();
    if (left <= 0) throw new PollTimeoutError(verb, filter, timeoutMs);
    await sleep(Math.min(intervalMs, left));
  }
}

/** The dump filter that finds the object a spec describes (its identity, not every option). */
function identity(verb: EnsureVerb, spec: Readonly<Record<string, unknown>>): Record<string, unknown> {
  switch (verb) {
    case "link": {
      if (spec.ifname !== undefined) {
        if (typeof spec.ifname !== "string") throw new TypeError(`Invalid ifname: expected a string, got ${show(spec.ifname)}`);
        return { ifname: spec.ifname };
      }
      if (spec.index !== undefined) {
        IndexResolver.check(spec.index, "index");
        return typeof spec.index === "number" ? { index: spec.index } : { ifname: spec.index };
      }
      throw new TypeError(`ensure("link"): ifname or index is required`);
    }
    case "addr": {
      const dev = spec.index ?? spec.ifname;
      if (dev === undefined) throw new TypeError(`ensure("addr"): index (or ifname) is required`);
      IndexResolver.check(dev, spec.index !== undefined ? "index" : "ifname");
      const p = parsePrefix(spec.address ?? spec.local, spec.address !== undefined ? "address" : "local");
      if (p.address === undefined) throw new TypeError(`ensure("addr"): address is required`);
      const len = spec.prefixlen ?? spec.mask ?? p.prefixlen ?? (p.family === AF.AF_INET ? 32 : 128);
      checkPrefixlen(len, p.family, "prefixlen");
      return { index: dev, family: p.family, address: canonicalAddress(p.address), prefixlen: len };
    }
    case "route": {
      const filter: Record<string, unknown> = { table: spec.table ?? 254 };
      const dst = spec.dst ?? "default";
      const p = parsePrefix(dst, "dst");
      const family = familyValue(spec.family) ?? p.family ?? familyOf(spec.gateway) ?? AF.AF_INET;
      if (p.address === undefined) filter.dst = "default";
      else {
        const len = spec.dst_len ?? p.prefixlen ?? (p.family === AF.AF_INET ? 32 : 128);
        checkPrefixlen(len, p.family, "dst_len");
        filter.dst = `${p.address}/${len}`;
      }
      filter.family = family;
      for (const k of ["priority", "tos"]) if (spec[k] !== undefined) filter[k] = spec[k];
      return filter;
    }
    case "rule": {
      const req = rules.ruleRequest("add", spec);
      const filter: Record<string, unknown> = {};
      for (const k of ["family", "dst_len", "src_len", "tos", "action"]) filter[k] = req.fields[k];
      if (spec.flags !== undefined) filter.flags = req.fields.flags;
      // a table ≤ 255 travels in the header; the kernel reports every table in FRA_TABLE
      if (req.fields.table) filter.table = req.fields.table;
      for (const [k, v] of req.attrs) filter[k] = v;
      return filter;
    }
    case "neigh": {
      if (spec.dst === undefined || spec.ifindex === undefined) throw new TypeError(`ensure("neigh"): dst and ifindex are required`);
      const filter: Record<string, unknown> = { dst: spec.dst, ifindex: spec.ifindex };
      if (spec.family !== undefined) filter.family = spec.family;
      if (spec.proxy !== undefined) filter.proxy = spec.proxy;
      return filter;
    }
  }
}

function familyOf(v: unknown): number | undefined {
  return typeof v === "string" ? parsePrefix(v, "gateway").family : undefined;
}

/**
 * pyroute2's `ensure`: with `present` (the default) add the object unless one with the same
 * identity exists (link: ifname; addr: index + address/prefixlen; route: table + dst + family
 * (+ priority, tos); rule: every selector and the action; neigh: ifindex + dst); with
 * `present: false` delete it if it exists. Returns the object as dumped afterwards (`[]` when
 * absent). An existing object is left as it is.
 */
export async function ensure(ctx: OpContext, verb: EnsureVerb, spec: Readonly<Record<string, unknown>>, options: PollOptions = {}): Promise<NlMsg[]> {
  const fn = verbFn(verb, ["link", "addr", "route", "rule", "neigh"], "ensure");
  const { present = true, ...rest } = spec as Record<string, unknown>;
  if (typeof present !== "boolean") throw new TypeError(`ensure(): invalid present: expected a boolean, got ${show(present)}`);
  checkOptions(options, "ensure");
  const filter = identity(verb, rest);
  const found = await fn(ctx, "dump", filter);
  if (present) {
    if (found.length > 0) return found;
    await fn(ctx, "add", rest);
    return await poll(ctx, verb, filter, options);
  }
  for (const m of found) {
    if (verb === "link") await fn(ctx, "del", { index: m.get("index") });
    else if (verb === "rule") await rules.deleteRule(ctx, m);
    else await fn(ctx, "del", rest);
  }
  return [];
}
