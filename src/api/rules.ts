/**
 * Policy routing rule verbs: `rule(command, spec)`, `getRules`.
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { fibmsg } from "../rtnl/rule.ts";
import type { OpContext } from "./_context.ts";
import { addressFilter, mergeMatch, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.rule`. */
export type RuleCommand = "dump" | "show";

/** `rule(command, spec)`. */
export async function rule(ctx: OpContext, command: RuleCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  if (command !== "dump" && command !== "show") throw new TypeError(`rule(): unknown command ${show(command)} (known: dump, show)`);
  const { match, ...f } = spec as Record<string, unknown>;
  const filter: Record<string, unknown> = { ...f };
  addressFilter(filter, "src", "src_len");
  addressFilter(filter, "dst", "dst_len");
  const family = takeFamily(filter);
  return await ctx.dump(fibmsg, RTM.RTM_GETRULE, { fields: { family } }, mergeMatch(filter, match as Match | undefined));
}
