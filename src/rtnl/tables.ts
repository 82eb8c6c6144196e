/**
 * Every RTNL attribute table, for checks that cover them all (the uapi number test, fuzzing).
 * Tables are found by walking each message type's attributes and following every codec that
 * exposes a `table` (nested sets); tables held only by `switchOn` registries are added from the
 * lists each file exports.
 * @module
 */

import { AttrTable } from "../marshal/schema.ts";
import { addrTables } from "./addr.ts";
import * as link from "./link.ts";
import { linkKinds, slaveKinds } from "./link_kinds/mod.ts";
import { rtnl } from "./messages.ts";
import { neighTables } from "./neigh.ts";
import { netconfTables } from "./netconf.ts";
import { nexthopTables } from "./nexthop.ts";
import { nsidTables } from "./nsid.ts";
import { routeTables } from "./route.ts";
import { ruleTables } from "./rule.ts";
import { tcTables } from "./tc.ts";

/**
 * The tables reachable from `roots`, each once, in walk order: a table, then the tables its rows'
 * codecs expose through a `table` property, depth first.
 *
 * @param roots tables to start from
 * @returns every table reachable from them
 * @example
 * ```ts
 * collectTables([routeAttrs]).map((t) => t.name); // ["RTA", "RTAX"]
 * ```
 */
export function collectTables(roots: Iterable<AttrTable>): AttrTable[] {
  const seen = new Set<AttrTable>();
  const visit = (t: AttrTable): void => {
    if (seen.has(t)) return;
    seen.add(t);
    for (const row of t.rows) {
      const inner = (row.codec as { table?: unknown }).table;
      if (inner instanceof AttrTable) visit(inner);
    }
  };
  for (const t of roots) visit(t);
  return [...seen];
}

/** The tables a registry entry is or exposes (a table, or a codec with a `table`). */
function registryTables(registry: Readonly<Record<string, unknown>>): AttrTable[] {
  return Object.values(registry).flatMap((v) => {
    if (v instanceof AttrTable) return [v];
    const inner = (v as { table?: unknown } | null)?.table;
    return inner instanceof AttrTable ? [inner] : [];
  });
}

/**
 * Every attribute table reachable from `rtnl` (messages.ts) plus those only reachable through
 * `switchOn` registries (link kinds, IFLA_AF_SPEC families, RTA_ENCAP's lightweight tunnels).
 *
 * @example
 * ```ts
 * allTables.some((t) => t.name === "LWTUNNEL_IP"); // true
 * ```
 */
export const allTables: readonly AttrTable[] = collectTables([
  ...[...rtnl.byType.values()].map((k) => k.schema.attrs),
  ...registryTables(link),
  ...registryTables(linkKinds),
  ...registryTables(slaveKinds),
  ...addrTables,
  ...routeTables,
  ...ruleTables,
  ...neighTables,
  ...nexthopTables,
  ...nsidTables,
  ...netconfTables,
  ...tcTables,
]);
