/**
 * Neighbour verbs: `neigh(command, spec)`, `getNeighbours`.
 * @module
 */

import { type NlMsg, parseIp4, show } from "../marshal/mod.ts";
import { AF, RTM } from "../rtnl/constants.ts";
import { ndmsg } from "../rtnl/neigh.ts";
import type { OpContext } from "./_context.ts";
import { canonicalAddress, mergeMatch, parsePrefix, splitSpec, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.neigh`. */
export type NeighCommand = "dump" | "show" | "get";

/** `neigh(command, spec)`. */
export async function neigh(ctx: OpContext, command: NeighCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command === "get") {
    const { dst, ...rest } = spec as Record<string, unknown>;
    if (dst === undefined) throw new TypeError(`neigh("get"): dst is required`);
    const p = parsePrefix(dst, "dst");
    const s = splitSpec(ndmsg, { family: p.family, ...rest, dst: p.address }, `neigh("get")`);
    return await ctx.request(ndmsg, RTM.RTM_GETNEIGH, s);
  }
  if (command !== "dump" && command !== "show") throw new TypeError(`neigh(): unknown command ${show(command)} (known: dump, show, get)`);
  const { match, ...f } = spec as Record<string, unknown>;
  const filter: Record<string, unknown> = { ...f };
  if (typeof filter.dst === "string") {
    filter.dst = canonicalAddress(filter.dst);
    filter.family ??= parseIp4(filter.dst as string) ? AF.AF_INET : AF.AF_INET6;
  }
  const family = takeFamily(filter);
  const fields: Record<string, unknown> = { family };
  if (ctx.strict && typeof filter.ifindex === "number") fields.ifindex = filter.ifindex;
  return await ctx.dump(ndmsg, RTM.RTM_GETNEIGH, { fields }, mergeMatch(filter, match as Match | undefined));
}
