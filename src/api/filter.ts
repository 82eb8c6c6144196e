/**
 * pyroute2's filter semantics for dumps: match on any field or attribute by short or kernel
 * name, on nested sets with nested objects, or with predicate functions.
 * @module
 */

import { Attrs, type NlMsg } from "../marshal/mod.ts";

/** A predicate on one value. */
export type Predicate = (value: any) => boolean;

/**
 * What a dump is filtered with: `{ ifname: "v0" }`, `{ linkinfo: { kind: "veth" } }`,
 * `{ priority: (p) => p > 100 }`, or a function of the whole message.
 */
export type Match = Readonly<Record<string, unknown>> | ((msg: NlMsg) => boolean);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Attrs);
}

/** Whether `actual` satisfies `expected` (equality, predicate, or nested object). */
export function matchValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === "function") return !!(expected as Predicate)(actual);
  if (isPlainObject(expected)) {
    if (actual instanceof Attrs) {
      return Object.entries(expected).every(([k, v]) => matchValue(actual.get(k), v));
    }
    if (isPlainObject(actual)) return Object.entries(expected).every(([k, v]) => matchValue(actual[k], v));
    return false;
  }
  if (typeof expected === "bigint" || typeof actual === "bigint") {
    try {
      return BigInt(actual as number) === BigInt(expected as number);
    } catch {
      return false;
    }
  }
  return actual === expected;
}

/** Whether a message matches a filter; an empty or missing filter matches everything. */
export function matches(msg: NlMsg, match: Match | undefined): boolean {
  if (match === undefined) return true;
  if (typeof match === "function") return match(msg);
  for (const k in match) {
    const v = match[k];
    if (v === undefined) continue;
    if (!matchValue(msg.get(k), v)) return false;
  }
  return true;
}
