/**
 * Address verbs: `addr(command, spec)`, `getAddr`.
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { ifaddrmsg } from "../rtnl/addr.ts";
import { RTM } from "../rtnl/constants.ts";
import type { OpContext } from "./_context.ts";
import { canonicalAddress, mergeMatch, parsePrefix, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.addr`. */
export type AddrCommand = "dump" | "show";

/** `addr(command, spec)`. */
export async function addr(ctx: OpContext, command: AddrCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command !== "dump" && command !== "show") throw new TypeError(`addr(): unknown command ${show(command)} (known: dump, show)`);
  const { match, ...f } = spec as Record<string, unknown>;
  const filter: Record<string, unknown> = { ...f };
  if (typeof filter.address === "string") {
    const p = parsePrefix(filter.address, "address");
    filter.address = p.address === undefined ? undefined : canonicalAddress(p.address);
    if (p.prefixlen !== undefined) filter.prefixlen ??= p.prefixlen;
    filter.family ??= p.family;
  }
  const family = takeFamily(filter);
  const fields: Record<string, unknown> = { family };
  if (ctx.strict && typeof filter.index === "number") fields.index = filter.index;
  return await ctx.dump(ifaddrmsg, RTM.RTM_GETADDR, { fields }, mergeMatch(filter, match as Match | undefined));
}
