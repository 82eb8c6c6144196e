/**
 * Link verbs: `link(command, spec)`, `getLinks`, `linkLookup`.
 * @module
 */

import { NetlinkError, type NlMsg, show } from "../marshal/mod.ts";
import { RTM } from "../rtnl/constants.ts";
import { ifinfomsg } from "../rtnl/link.ts";
import type { OpContext } from "./_context.ts";
import { mergeMatch, splitSpec } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.link`. */
export type LinkCommand = "get" | "dump" | "show";

/** `link(command, spec)`. */
export async function link(ctx: OpContext, command: LinkCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  switch (command) {
    case "get": {
      const { index, ifname, altname, ...rest } = spec as Record<string, unknown>;
      if (index === undefined && ifname === undefined && altname === undefined) {
        throw new TypeError(`link("get"): give index, ifname or altname`);
      }
      const s = splitSpec(ifinfomsg, { index, ifname, alt_ifname: altname, ...rest }, `link("get")`);
      s.attrs.push(["ext_mask", 1]);
      return await ctx.request(ifinfomsg, RTM.RTM_GETLINK, s);
    }
    case "dump":
    case "show": {
      const { match, ...filter } = spec as Record<string, unknown>;
      const attrs: [string, unknown][] = [["ext_mask", 1]];
      if (ctx.strict && typeof filter.master === "number") attrs.push(["master", filter.master]);
      return await ctx.dump(ifinfomsg, RTM.RTM_GETLINK, { attrs }, mergeMatch(filter, match as Match | undefined));
    }
    default:
      throw new TypeError(`link(): unknown command ${show(command)} (known: get, dump, show)`);
  }
}

/** `getLinks(...indexes | filters)`. */
export function getLinks(ctx: OpContext, args: readonly (number | Readonly<Record<string, unknown>>)[]): Promise<NlMsg[]> {
  const indexes = args.filter((a): a is number => typeof a === "number");
  const filter: Record<string, unknown> = Object.assign({}, ...args.filter((a) => typeof a !== "number"));
  if (indexes.length) filter.index = (i: number) => indexes.includes(i);
  return link(ctx, "dump", filter);
}

/** `linkLookup(filter)`: a single ifname/altname is a kernel get, anything else a filtered dump. */
export async function linkLookup(ctx: OpContext, filter: Readonly<Record<string, unknown>>): Promise<number[]> {
  const keys = Object.keys(filter).filter((k) => filter[k] !== undefined);
  if (keys.length === 1 && (keys[0] === "ifname" || keys[0] === "altname")) {
    try {
      const msgs = await link(ctx, "get", filter);
      return msgs.map((m) => m.get("index") as number);
    } catch (e) {
      if (e instanceof NetlinkError && (e.code === "ENODEV" || e.code === "ENOENT")) return [];
      throw e;
    }
  }
  const msgs = await link(ctx, "dump", filter);
  return msgs.map((m) => m.get("index") as number);
}
