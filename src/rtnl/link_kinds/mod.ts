/**
 * The link kind registries: IFLA_INFO_KIND → IFLA_INFO_DATA table and IFLA_INFO_SLAVE_KIND →
 * IFLA_INFO_SLAVE_DATA table, one line per kind. link.ts plugs them into `switchOn`; kinds not
 * listed decode to raw bytes and re-encode byte-exact.
 * @module
 */

import type { Codec } from "../../marshal/codecs.ts";
import type { AttrTable } from "../../marshal/schema.ts";
import { bondData, bondSlaveData } from "./bond.ts";
import { bridgeData } from "./bridge.ts";
import { bridgeSlaveData } from "./bridge_slave.ts";
import { dummyData } from "./dummy.ts";
import { geneveData } from "./geneve.ts";
import { greData } from "./gre.ts";
import { ifbData } from "./ifb.ts";
import { ip6tnlData, iptunData } from "./iptun.ts";
import { ipvlanData } from "./ipvlan.ts";
import { macsecData } from "./macsec.ts";
import { macvlanData } from "./macvlan.ts";
import { tunData } from "./tun.ts";
import { vethData } from "./veth.ts";
import { vlanData } from "./vlan.ts";
import { vrfData, vrfSlaveData } from "./vrf.ts";
import { vxlanData } from "./vxlan.ts";
import { wireguardData } from "./wireguard.ts";
import { xfrmData } from "./xfrm.ts";

/**
 * IFLA_INFO_KIND → IFLA_INFO_DATA, with each kind's table type kept (the typed link specs are
 * derived from it).
 *
 * @example
 * ```ts
 * linkKindTables.vxlan === vxlanData; // true
 * ```
 */
export const linkKindTables = {
  bond: bondData,
  bridge: bridgeData,
  dummy: dummyData,
  erspan: greData,
  geneve: geneveData,
  gre: greData,
  gretap: greData,
  ifb: ifbData,
  ip6erspan: greData,
  ip6gre: greData,
  ip6gretap: greData,
  ip6tnl: ip6tnlData,
  ipip: iptunData,
  ipvlan: ipvlanData,
  ipvtap: ipvlanData,
  macsec: macsecData,
  macvlan: macvlanData,
  macvtap: macvlanData,
  sit: iptunData,
  tun: tunData,
  veth: vethData,
  vlan: vlanData,
  vrf: vrfData,
  vxlan: vxlanData,
  wireguard: wireguardData,
  xfrm: xfrmData,
} satisfies Readonly<Record<string, AttrTable | Codec<any, any>>>;

/**
 * IFLA_INFO_KIND → IFLA_INFO_DATA.
 *
 * @example
 * ```ts
 * linkKinds.vxlan === vxlanData; // true
 * ```
 */
export const linkKinds: Readonly<Record<string, AttrTable | Codec<any, any>>> = linkKindTables;

/**
 * IFLA_INFO_SLAVE_KIND → IFLA_INFO_SLAVE_DATA, with each port kind's table type kept (the typed
 * `kind: "bridge_slave"` specs of `link("set")` are derived from it).
 *
 * @example
 * ```ts
 * slaveKindTables.bridge === bridgeSlaveData; // true
 * ```
 */
export const slaveKindTables = {
  bond: bondSlaveData,
  bridge: bridgeSlaveData,
  vrf: vrfSlaveData,
} satisfies Readonly<Record<string, AttrTable | Codec<any, any>>>;

/**
 * IFLA_INFO_SLAVE_KIND → IFLA_INFO_SLAVE_DATA.
 *
 * @example
 * ```ts
 * slaveKinds.bridge === bridgeSlaveData; // true
 * ```
 */
export const slaveKinds: Readonly<Record<string, AttrTable | Codec<any, any>>> = slaveKindTables;
