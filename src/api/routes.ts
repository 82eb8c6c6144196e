/**
 * Route verbs: `route(command, spec)`, `getRoutes`, `getDefaultRoutes`.
 * @module
 */

import { type NlMsg, show } from "../marshal/mod.ts";
import { AF, RTM } from "../rtnl/constants.ts";
import { rtmsg } from "../rtnl/route.ts";
import type { OpContext } from "./_context.ts";
import { addressFilter, canonicalAddress, familyValue, mergeMatch, parsePrefix, splitSpec, takeFamily } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.route`. */
export type RouteCommand = "get" | "dump" | "show";

/** `route(command, spec)`. */
export async function route(ctx: OpContext, command: RouteCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  switch (command) {
    case "get": {
      const { dst, ...rest } = spec as Record<string, unknown>;
      if (dst === undefined) throw new TypeError(`route("get"): dst is required`);
      const p = parsePrefix(dst, "dst");
      if (p.address === undefined) throw new TypeError(`route("get"): dst must be an address, got ${show(dst)}`);
      const family = familyValue(rest.family) ?? p.family!;
      const s = splitSpec(rtmsg, { dst_len: p.prefixlen ?? (family === AF.AF_INET ? 32 : 128), ...rest, family, dst: p.address }, `route("get")`);
      return await ctx.request(rtmsg, RTM.RTM_GETROUTE, s);
    }
    case "dump":
    case "show": {
      const { match, ...f } = spec as Record<string, unknown>;
      const filter: Record<string, unknown> = { ...f };
      addressFilter(filter, "dst", "dst_len");
      addressFilter(filter, "src", "src_len");
      if (typeof filter.gateway === "string") filter.gateway = canonicalAddress(filter.gateway);
      const family = takeFamily(filter);
      const fields: Record<string, unknown> = { family };
      const attrs: [string, unknown][] = [];
      if (ctx.strict) {
        if (typeof filter.table === "number") {
          fields.table = filter.table < 256 ? filter.table : 252;
          attrs.push(["table", filter.table]);
        }
        if (typeof filter.oif === "number") attrs.push(["oif", filter.oif]);
      }
      return await ctx.dump(rtmsg, RTM.RTM_GETROUTE, { fields, attrs }, mergeMatch(filter, match as Match | undefined));
    }
    default:
      throw new TypeError(`route(): unknown command ${show(command)} (known: get, dump, show)`);
  }
}
