/**
 * Link verbs: `link(command, spec)` (add / set / del / get / dump / show / property_add /
 * property_del), `getLinks`, `linkLookup`.
 *
 * A spec is pyroute2's keyword set: ifinfomsg fields (`index`, `flags`, `change`, `family`),
 * shortcuts (`state`, `arp`, `noarp`, `master`, `alias`, symbolic `flags`), IFLA_* attributes by
 * short or kernel name, and the kind with its options either flat (`{ kind: "vxlan", vxlan_id:
 * 101 }`) or nested (`{ linkinfo: { kind: "vxlan", data: { vxlan_id: 101 } } }`). The request
 * is built and checked in full before anything is sent; interface names where an index is
 * expected (`master: "br0"`, `link`, `vxlan_link`) are then resolved once per call.
 * @module
 */

import { NLM_F, NetlinkError, type NlMsg, type AttrRow, type AttrTable, prepareMessage, show } from "../marshal/mod.ts";
import { IFF, RTM } from "../rtnl/constants.ts";
import { ifinfomsg, ifinfomsgRequest, linkAttrs } from "../rtnl/link.ts";
import { linkKinds, slaveKinds } from "../rtnl/link_kinds/mod.ts";
import { IndexResolver, type OpContext, platform } from "./_context.ts";
import { checkUint, mergeMatch, splitSpec } from "./_spec.ts";
import type { Match } from "./filter.ts";

/** Commands of `IPRoute.link`. */
export type LinkCommand = "add" | "set" | "update" | "del" | "get" | "dump" | "show" | "property_add" | "property_del";

const COMMANDS: readonly LinkCommand[] = ["add", "set", "update", "del", "get", "dump", "show", "property_add", "property_del"];

/** Kinds `link("add")` knows: every IFLA_INFO_KIND table, plus tuntap (created with ioctl). */
export const LINK_KINDS: readonly string[] = [...Object.keys(linkKinds), "tuntap"].sort();

/** Port kinds for `kind: "<master kind>_slave"` (what `ip link set X type bond_slave` sends). */
const SLAVE_KINDS: readonly string[] = Object.keys(slaveKinds).map((k) => `${k}_slave`);

// attributes (of IFLA_* or a kind's table) that hold an ifindex: a name is resolved there too
const INDEX_KEYS = new Set(["link", "master", "vxlan_link", "gre_link", "iptun_link", "xfrm_link", "bond_active_slave", "bond_primary", "backup_port"]);

// keywords that always mean the link itself, even when a kind's table has a row of that name
// (IFLA_BRPORT_STATE is `state` in the bridge port table)
const GENERIC_KEYS = new Set(["index", "ifname", "state", "flags", "change", "family", "ifi_type", "arp", "noarp", "master", "alias", "link", "net_ns_fd", "net_ns_pid", "mtu", "address", "broadcast", "txqlen", "ifalias", "group", "vf"]);

// names for enumerated kind options, as `ip` spells them (linux/if_link.h, linux/if_ether.h)
const VALUE_NAMES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  macvlan_mode: { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 },
  ipvlan_mode: { l2: 0, l3: 1, l3s: 2 },
  vlan_protocol: { "802.1q": 0x8100, "802.1Q": 0x8100, "802.1ad": 0x88a8 },
  bond_mode: { "balance-rr": 0, "active-backup": 1, "balance-xor": 2, broadcast: 3, "802.3ad": 4, "balance-tlb": 5, "balance-alb": 6 },
  bond_xmit_hash_policy: { layer2: 0, "layer3+4": 1, "layer2+3": 2, "encap2+3": 3, "encap3+4": 4, "vlan+srcmac": 5 },
  bond_ad_lacp_rate: { slow: 0, fast: 1 },
  bond_ad_select: { stable: 0, bandwidth: 1, count: 2 },
};

type Pairs = [string, unknown][];

/** The ifinfomsg header and attributes of one request, before it is encoded. */
export interface LinkRequest {
  /** RTM_NEWLINK, RTM_DELLINK, RTM_NEWLINKPROP or RTM_DELLINKPROP. */
  type: number;
  /** NLM_F_* flags besides REQUEST and ACK (CREATE | EXCL for add). */
  flags: number;
  /** ifinfomsg fields (index, flags, change, family). */
  fields: Record<string, unknown>;
  /** IFLA_* attributes in the order `ip` sends them. */
  attrs: [string, unknown][];
}

/** Turns values that need I/O (names → ifindex, namespace names → fd) into numbers. */
interface Resolve {
  index(value: unknown, key: string): number;
  netnsFd(value: unknown, key: string): number;
}

function iffBit(name: string): number | undefined {
  const upper = name.toUpperCase();
  return (IFF as Record<string, number>)[upper.startsWith("IFF_") ? upper : `IFF_${upper}`];
}

/** ifi_flags / ifi_change from `state`, `flags` (number or symbolic list), `arp`, `noarp`. */
class FlagState {
  flags = 0;
  change = 0;
  raw: number | undefined;

  set(bit: number, on: boolean): void {
    this.change |= bit;
    if (on) this.flags |= bit;
    else this.flags &= ~bit;
  }

  apply(key: string, v: unknown): void {
    switch (key) {
      case "state":
        if (v !== "up" && v !== "down") throw new TypeError(`Invalid state: expected "up" or "down", got ${show(v)}`);
        this.set(IFF.IFF_UP, v === "up");
        return;
      case "arp":
      case "noarp":
        if (typeof v !== "boolean") throw new TypeError(`Invalid ${key}: expected true or false, got ${show(v)}`);
        this.set(IFF.IFF_NOARP, key === "arp" ? !v : v);
        return;
      case "flags":
        if (typeof v === "number") {
          if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`Invalid flags: ${v} is out of range for u32`);
          this.raw = v;
          return;
        }
        if (!Array.isArray(v)) throw new TypeError(`Invalid flags: expected a number or a list like ["IFF_UP", "!IFF_NOARP"], got ${show(v)}`);
        for (const f of v) {
          const name = typeof f === "string" ? f.replace(/^!/, "") : "";
          const bit = iffBit(name);
          if (bit === undefined) throw new TypeError(`Invalid flags: unknown flag ${show(f)} (known: ${Object.keys(IFF).join(", ")}, each optionally prefixed with "!")`);
          this.set(bit, !(f as string).startsWith("!"));
        }
        return;
    }
  }

  fields(): { flags?: number; change?: number } {
    if (this.raw === undefined && this.change === 0) return {};
    return { flags: ((this.raw ?? 0) & ~this.change) | this.flags, change: this.change };
  }
}

/** The row of a kind table for `key`: short or kernel name, or pyroute2's `<kind>_` prefix (ipip_local, macvtap_mode). */
function kindRow(table: AttrTable, kind: string, key: string): AttrRow | undefined {
  const row = table.row(key);
  if (row) return row;
  const first = table.rows[0]?.key ?? "";
  const cut = first.indexOf("_");
  if (cut < 0 || !key.startsWith(`${kind}_`)) return undefined;
  return table.row(first.slice(0, cut + 1) + key.slice(kind.length + 1));
}

function kindValue(row: AttrRow, v: unknown, r: Resolve): unknown {
  if (INDEX_KEYS.has(row.key)) return r.index(v, row.key);
  const names = VALUE_NAMES[row.key];
  if (names && typeof v === "string") {
    if (!(v in names)) throw new TypeError(`Invalid ${row.key}: unknown value ${show(v)} (known: ${Object.keys(names).join(", ")})`);
    return names[v];
  }
  return v;
}

function unknownKeyword(verb: string, key: string, kindKeys: readonly string[]): TypeError {
  const special = ["index", "ifname", "state", "flags", "change", "family", "arp", "noarp", "master", "alias", "link", "net_ns_fd", "net_ns_pid", "kind", "linkinfo", "peer"];
  const rest = linkAttrs.rows.map((r) => r.key).filter((k) => !special.includes(k));
  return new TypeError(`${verb}: unknown keyword ${show(key)} (known: ${[...special, ...kindKeys, ...rest].join(", ")})`);
}

/** Canonical key of a generic keyword: IFLA_MTU → mtu; anything else unchanged. */
function generic(key: string): string {
  if (key === "alias" || key === "IFLA_IFALIAS") return "ifalias";
  return linkAttrs.row(key)?.key ?? key;
}

// ---------------------------------------------------------------------------------------------
// SR-IOV virtual functions: `vf: { vf: 0, mac, vlan, qos, proto, rate, ... }` (or a list of them)

const VF_LINK_STATES: Readonly<Record<string, number>> = { auto: 0, enable: 1, disable: 2 };
const VF_SETTINGS: Readonly<Record<string, string>> = { spoofchk: "spoofchk", trust: "trust", rss_query_en: "rss_query_en", query_rss: "rss_query_en" };
const VF_KEYS = ["vf", "mac", "vlan", "qos", "proto", "vlan_proto", "tx_rate", "rate", "min_tx_rate", "max_tx_rate", "spoofchk", "trust", "rss_query_en", "query_rss", "link_state", "state", "ib_node_guid", "node_guid", "ib_port_guid", "port_guid"];
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;

function vfBool(key: string, v: unknown): number {
  if (v === true || v === "on" || v === 1) return 1;
  if (v === false || v === "off" || v === 0) return 0;
  throw new TypeError(`Invalid ${key}: expected true / false ("on" / "off"), got ${show(v)}`);
}

function vfProto(key: string, v: unknown): number {
  if (v === "802.1Q" || v === "802.1q") return ETH_P_8021Q;
  if (v === "802.1ad" || v === "802.1AD") return ETH_P_8021AD;
  if (v === ETH_P_8021Q || v === ETH_P_8021AD) return v;
  throw new TypeError(`Invalid ${key}: expected "802.1Q" or "802.1ad" (0x8100 / 0x88a8), got ${show(v)}`);
}

/** A node / port GUID: a bigint, or 8 bytes as "00:11:22:33:44:55:66:77" (most significant first, as `ip` reads it). */
function vfGuid(key: string, v: unknown): bigint {
  if (typeof v === "bigint" && v >= 0n && v <= 0xffffffffffffffffn) return v;
  if (typeof v === "string" && /^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){7}$/i.test(v)) return v.split(":").reduce((g, h) => (g << 8n) | BigInt(parseInt(h, 16)), 0n);
  throw new TypeError(`Invalid ${key}: expected a GUID like "00:11:22:33:44:55:66:77" or a bigint, got ${show(v)}`);
}

/** One IFLA_VF_INFO: the VF's settings in the order given, as `ip link set ... vf N ...` sends them. */
function vfInfo(key: string, spec: Readonly<Record<string, unknown>>): Pairs {
  if (spec.vf === undefined) throw new TypeError(`Invalid ${key}: vf (the virtual function's number) is required`);
  const vf = checkUint(`${key}.vf`, spec.vf);
  const out: Pairs = [];
  let rateDone = false;
  for (const [k, v] of Object.entries(spec)) {
    if (v === undefined || k === "vf" || k === "qos" || k === "proto" || k === "vlan_proto") continue;
    const at = `${key}.${k}`;
    switch (k) {
      case "mac":
        out.push(["mac", { vf, mac: v }]);
        break;
      case "vlan": {
        // a number (with flat qos / proto), an object { vlan, qos, proto }, or a list of them
        const one = (e: unknown, where: string): { vlan: number; qos: number; proto?: unknown } => {
          if (typeof e === "number") {
            return { vlan: checkUint(where, e, 4095), qos: spec.qos === undefined ? 0 : checkUint(`${key}.qos`, spec.qos, 7), proto: spec.proto ?? spec.vlan_proto };
          }
          const o = objectOf(e, where);
          for (const ok of Object.keys(o)) {
            if (ok !== "vlan" && ok !== "qos" && ok !== "proto" && ok !== "vlan_proto") throw new TypeError(`Invalid ${where}: unknown key ${show(ok)} (known: vlan, qos, proto)`);
          }
          return { vlan: checkUint(`${where}.vlan`, o.vlan, 4095), qos: o.qos === undefined ? 0 : checkUint(`${where}.qos`, o.qos, 7), proto: o.proto ?? o.vlan_proto };
        };
        const list = Array.isArray(v) ? v.map((e, i) => one(e, `${at}[${i}]`)) : [one(v, at)];
        if (list.length === 0) throw new TypeError(`Invalid ${at}: expected at least one VLAN`);
        if (!Array.isArray(v) && list[0].proto === undefined) {
          out.push(["vlan", { vf, vlan: list[0].vlan, qos: list[0].qos }]);
        } else {
          // with a protocol (802.1ad) or as a list: IFLA_VF_VLAN_LIST, as ip sends for "proto"
          out.push(["vlan_list", list.map((e) => ["vlan_info", { vf, vlan: e.vlan, qos: e.qos, vlan_proto: e.proto === undefined ? ETH_P_8021Q : vfProto(`${at}.proto`, e.proto), __pad: 0 }])]);
        }
        break;
      }
      case "tx_rate":
        out.push(["tx_rate", { vf, rate: checkUint(at, v) }]);
        break;
      case "rate":
      case "min_tx_rate":
      case "max_tx_rate": {
        if (rateDone) break;
        rateDone = true;
        const r = k === "rate" ? objectOf(v, at) : spec;
        if (k === "rate") {
          for (const rk of Object.keys(r)) if (rk !== "min_tx_rate" && rk !== "max_tx_rate") throw new TypeError(`Invalid ${at}: unknown key ${show(rk)} (known: min_tx_rate, max_tx_rate)`);
        }
        if (r.min_tx_rate === undefined || r.max_tx_rate === undefined) {
          throw new TypeError(`Invalid ${k === "rate" ? at : key}: give both min_tx_rate and max_tx_rate (Mbit/s; 0 is no limit)`);
        }
        out.push(["rate", { vf, min_tx_rate: checkUint(`${key}.min_tx_rate`, r.min_tx_rate), max_tx_rate: checkUint(`${key}.max_tx_rate`, r.max_tx_rate) }]);
        break;
      }
      case "spoofchk":
      case "trust":
      case "rss_query_en":
      case "query_rss":
        out.push([VF_SETTINGS[k], { vf, setting: vfBool(at, v) }]);
        break;
      case "link_state":
      case "state": {
        const state = typeof v === "string" ? VF_LINK_STATES[v] : v;
        if (state !== 0 && state !== 1 && state !== 2) throw new TypeError(`Invalid ${at}: expected "auto", "enable" or "disable" (0..2), got ${show(v)}`);
        out.push(["link_state", { vf, link_state: state }]);
        break;
      }
      case "ib_node_guid":
      case "node_guid":
        out.push(["ib_node_guid", { vf, __pad: 0, guid: vfGuid(at, v) }]);
        break;
      case "ib_port_guid":
      case "port_guid":
        out.push(["ib_port_guid", { vf, __pad: 0, guid: vfGuid(at, v) }]);
        break;
      default:
        throw new TypeError(`Invalid ${key}: unknown key ${show(k)} (known: ${VF_KEYS.join(", ")})`);
    }
  }
  if ((spec.qos !== undefined || spec.proto !== undefined || spec.vlan_proto !== undefined) && spec.vlan === undefined) {
    throw new TypeError(`Invalid ${key}: qos and proto go with vlan`);
  }
  if (out.length === 0) throw new TypeError(`Invalid ${key}: nothing to set for vf ${vf}`);
  return out;
}

/** IFLA_VFINFO_LIST from `vf: { vf: 0, ... }` or a list of such. */
function vfList(v: unknown): Pairs {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new TypeError(`Invalid vf: expected a virtual function's settings, got an empty list`);
  return list.map((e, i) => ["info", vfInfo(Array.isArray(v) ? `vf[${i}]` : "vf", objectOf(e, Array.isArray(v) ? `vf[${i}]` : "vf"))]);
}

/**
 * The fields and attributes of the ifinfomsg part of a spec (no kind): used for the link itself
 * and for a veth peer. `link` and `ifname` go after the others, as `ip` puts them.
 */
function linkPart(verb: string, spec: Readonly<Record<string, unknown>>, r: Resolve, onKind: (key: string, v: unknown) => boolean, kindKeys: readonly string[] = []): { fields: Record<string, unknown>; attrs: Pairs } {
  const fields: Record<string, unknown> = {};
  const attrs: Pairs = [];
  const flags = new FlagState();
  let link: number | undefined;
  let ifname: unknown;
  for (const [k0, v] of Object.entries(spec)) {
    if (v === undefined) continue;
    if (onKind(k0, v)) continue;
    const k = generic(k0);
    switch (k) {
      case "index":
        fields.index = r.index(v, "index");
        break;
      case "family":
      case "change":
      case "ifi_type":
        fields[k] = v;
        break;
      case "state":
      case "arp":
      case "noarp":
      case "flags":
        flags.apply(k, v);
        break;
      case "master":
        attrs.push(["master", v === null || v === 0 || v === "nomaster" ? 0 : r.index(v, "master")]);
        break;
      case "link":
        link = r.index(v, "link");
        break;
      case "ifname":
        ifname = v;
        break;
      case "net_ns_fd":
        attrs.push(["net_ns_fd", r.netnsFd(v, "net_ns_fd")]);
        break;
      case "vf":
        attrs.push(["vfinfo_list", vfList(v)]);
        break;
      default:
        if (!linkAttrs.row(k)) throw unknownKeyword(verb, k0, kindKeys);
        attrs.push([k, v]);
    }
  }
  const f = flags.fields();
  if (f.flags !== undefined) fields.flags = f.flags;
  if (f.change !== undefined && fields.change === undefined) fields.change = f.change;
  if (link !== undefined) attrs.push(["link", link]);
  if (ifname !== undefined) attrs.push(["ifname", ifname]);
  return { fields, attrs };
}

function objectOf(v: unknown, key: string): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TypeError(`Invalid ${key}: expected an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

/** The kind of a spec: `kind`, `IFLA_INFO_KIND`, or `linkinfo.kind`. */
function kindOf(spec: Readonly<Record<string, unknown>>): string | undefined {
  const li = spec.linkinfo ?? spec.IFLA_LINKINFO;
  const nestedKind = li !== null && typeof li === "object" && !Array.isArray(li) ? ((li as Record<string, unknown>).kind ?? (li as Record<string, unknown>).IFLA_INFO_KIND) : undefined;
  const flat = spec.kind ?? spec.IFLA_INFO_KIND;
  if (flat !== undefined && nestedKind !== undefined && flat !== nestedKind) {
    throw new TypeError(`Invalid kind: ${show(flat)} disagrees with linkinfo.kind ${show(nestedKind)}`);
  }
  const kind = flat ?? nestedKind;
  if (kind === undefined) return undefined;
  if (typeof kind !== "string" || !(LINK_KINDS.includes(kind) || SLAVE_KINDS.includes(kind))) {
    throw new TypeError(`Invalid kind: unknown link kind ${show(kind)} (known: ${[...LINK_KINDS, ...SLAVE_KINDS].join(", ")})`);
  }
  return kind;
}

/** RTM_NEWLINK for add / set: ifinfomsg part, then IFLA_LINKINFO with the kind's options. */
function newLink(verb: string, spec: Readonly<Record<string, unknown>>, r: Resolve): { fields: Record<string, unknown>; attrs: Pairs } {
  const kind = kindOf(spec);
  const slave = kind?.endsWith("_slave") ? kind.slice(0, -"_slave".length) : undefined;
  const table = slave !== undefined ? (slaveKinds[slave] as AttrTable) : kind !== undefined ? (linkKinds[kind] as AttrTable | undefined) : undefined;
  const data: Pairs = [];
  let linkinfoRaw: unknown;
  const addData = (key: string, v: unknown): void => {
    const row = table ? kindRow(table, kind!, key) : undefined;
    if (!row) {
      throw new TypeError(`${verb}: unknown option ${show(key)} for kind ${show(kind)} (known: ${table ? table.rows.map((x) => x.key).join(", ") : "none"})`);
    }
    data.push([row.key, kindValue(row, v, r)]);
  };
  const part = linkPart(verb, spec, r, (k, v) => {
    if (k === "kind" || k === "IFLA_INFO_KIND") return true;
    if (k === "peer" && kind === "veth") {
      data.push(["peer", vethPeer(verb, v, r)]);
      return true;
    }
    if (k === "linkinfo" || k === "IFLA_LINKINFO") {
      const li = v as Record<string, unknown>;
      // pyroute2's raw form ({ attrs: [["IFLA_INFO_KIND", "dummy"]] }) or pairs: passed through
      if (Array.isArray(v) || (li !== null && typeof li === "object" && "attrs" in li)) {
        linkinfoRaw = v;
        return true;
      }
      for (const [lk, lv] of Object.entries(objectOf(v, "linkinfo"))) {
        if (lv === undefined || lk === "kind" || lk === "IFLA_INFO_KIND") continue;
        if (lk !== "data" && lk !== "IFLA_INFO_DATA" && lk !== "slave_data" && lk !== "IFLA_INFO_SLAVE_DATA") {
          throw new TypeError(`Invalid linkinfo: unknown key ${show(lk)} (known: kind, data, slave_data)`);
        }
        for (const [dk, dv] of Object.entries(objectOf(lv, `linkinfo.${lk}`))) {
          if (dv === undefined) continue;
          if (dk === "peer" && kind === "veth") data.push(["peer", vethPeer(verb, dv, r)]);
          else addData(dk, dv);
        }
      }
      return true;
    }
    // a kind's option wins over an IFLA_* row of the same short name, except for the link's own keywords
    if (table && !GENERIC_KEYS.has(generic(k)) && kindRow(table, kind!, k)) {
      addData(k, v);
      return true;
    }
    return false;
  }, table ? table.rows.map((x) => x.key) : []);
  if (linkinfoRaw !== undefined) {
    if (kind !== undefined && spec.kind !== undefined) throw new TypeError(`Invalid linkinfo: give the kind either flat or inside a raw linkinfo, not both`);
    part.attrs.push(["linkinfo", linkinfoRaw]);
  } else if (kind !== undefined) {
    const li: Pairs = [["kind", kind]];
    if (data.length) li.push([slave !== undefined ? "slave_data" : "data", data]);
    part.attrs.push(["linkinfo", li]);
  }
  return part;
}

/** VETH_INFO_PEER from `"v1"` or `{ ifname, address, net_ns_fd, ... }`. */
function vethPeer(verb: string, v: unknown, r: Resolve): Record<string, unknown> {
  const spec = typeof v === "string" ? { ifname: v } : objectOf(v, "peer");
  const part = linkPart(`${verb} peer`, spec, r, (k) => {
    if (k === "kind" || k === "linkinfo" || k === "peer") throw new TypeError(`Invalid peer: ${show(k)} is not allowed in a veth peer`);
    return false;
  });
  return { ...part.fields, attrs: part.attrs };
}

function altnames(v: unknown): string[] {
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : null;
  if (!list || list.length === 0 || !list.every((a) => typeof a === "string")) {
    throw new TypeError(`Invalid altname: expected a name or a non-empty list of names, got ${show(v)}`);
  }
  return list as string[];
}

/** The request for add / set / del / property_add / property_del. */
function buildRequest(command: LinkCommand, spec: Readonly<Record<string, unknown>>, r: Resolve): LinkRequest {
  const verb = `link(${show(command)})`;
  switch (command) {
    case "add": {
      const p = newLink(verb, spec, r);
      if (!p.attrs.some(([k]) => k === "linkinfo")) throw new TypeError(`${verb}: kind is required (known: ${LINK_KINDS.join(", ")})`);
      return { type: RTM.RTM_NEWLINK, flags: NLM_F.CREATE | NLM_F.EXCL, ...p };
    }
    case "set": {
      const p = newLink(verb, spec, r);
      if (p.fields.index === undefined && !p.attrs.some(([k]) => k === "ifname")) throw new TypeError(`${verb}: give index or ifname`);
      return { type: RTM.RTM_NEWLINK, flags: 0, ...p };
    }
    case "update": {
      // pyroute2's "update": RTM_SETLINK with NLM_F_CREATE | NLM_F_EXCL. The kernel's setlink
      // never reads IFLA_LINKINFO, so kind options would be dropped without a word: refused here
      const p = newLink(verb, spec, r);
      if (p.attrs.some(([k]) => k === "linkinfo")) {
        throw new TypeError(`${verb}: kind and its options are not applied by RTM_SETLINK; use link("set") to change them`);
      }
      if (p.fields.index === undefined && !p.attrs.some(([k]) => k === "ifname")) throw new TypeError(`${verb}: give index or ifname`);
      return { type: RTM.RTM_SETLINK, flags: NLM_F.CREATE | NLM_F.EXCL, ...p };
    }
    case "del": {
      const fields: Record<string, unknown> = {};
      const attrs: Pairs = [];
      for (const [k0, v] of Object.entries(spec)) {
        if (v === undefined) continue;
        const k = generic(k0);
        if (k === "index") fields.index = r.index(v, "index");
        else if (k === "ifname" || k === "alt_ifname" || k === "altname") attrs.push([k === "altname" ? "alt_ifname" : k, v]);
        else if (k !== "kind" && k !== "IFLA_INFO_KIND") throw new TypeError(`${verb}: unknown keyword ${show(k0)} (known: index, ifname, altname, kind)`);
      }
      if (fields.index === undefined && attrs.length === 0) throw new TypeError(`${verb}: give index, ifname or altname`);
      return { type: RTM.RTM_DELLINK, flags: 0, fields, attrs };
    }
    case "property_add":
    case "property_del": {
      const { altname, ...rest } = spec as Record<string, unknown>;
      const names = altnames(altname);
      const fields: Record<string, unknown> = {};
      const attrs: Pairs = [];
      for (const [k0, v] of Object.entries(rest)) {
        if (v === undefined) continue;
        const k = generic(k0);
        if (k === "index") fields.index = r.index(v, "index");
        else if (k === "ifname") attrs.push(["ifname", v]);
        else throw new TypeError(`${verb}: unknown keyword ${show(k0)} (known: index, ifname, altname)`);
      }
      if (fields.index === undefined && attrs.length === 0) throw new TypeError(`${verb}: give index or ifname`);
      attrs.push(["prop_list", names.map((a) => ["alt_ifname", a])]);
      return command === "property_add"
        ? { type: RTM.RTM_NEWLINKPROP, flags: NLM_F.CREATE | NLM_F.EXCL | NLM_F.APPEND, fields, attrs }
        : { type: RTM.RTM_DELLINKPROP, flags: 0, fields, attrs };
    }
    default:
      throw new TypeError(`${verb}: not a change command`);
  }
}

/**
 * Build and check the request of `link(command, spec)` without any I/O: names where an ifindex
 * is expected become `names.get(name)`, namespace names `netnsFds.get(name)` (0 when absent, for
 * the validation pass). Exposed for the byte-exact tests against `ip`.
 */
export function linkRequest(command: LinkCommand, spec: Readonly<Record<string, unknown>>, names: ReadonlyMap<string, number> = new Map(), netnsFds: ReadonlyMap<string, number> = new Map()): LinkRequest {
  const req = buildRequest(command, spec, {
    index(v, key) {
      IndexResolver.check(v, key);
      return typeof v === "number" ? v : (names.get(v as string) ?? 0);
    },
    netnsFd(v, key) {
      if (typeof v === "number") {
        if (!Number.isInteger(v) || v < 0) throw new RangeError(`Invalid ${key}: ${v} is not a file descriptor`);
        return v;
      }
      if (typeof v !== "string" || v === "") throw new TypeError(`Invalid ${key}: expected an fd or a namespace name or path, got ${show(v)}`);
      return netnsFds.get(v) ?? 0;
    },
  });
  // encoding errors (ifname too long, vlan id 4096, bad MAC...) surface here, before any I/O
  prepareMessage(ifinfomsgRequest, { type: req.type, flags: req.flags, fields: req.fields, attrs: req.attrs });
  return req;
}

/** Names (for an ifindex) and namespace names (for an fd) a spec refers to, in order. */
function collectRefs(command: LinkCommand, spec: Readonly<Record<string, unknown>>): { names: Map<string, string>; netns: Set<string> } {
  const names = new Map<string, string>();
  const netns = new Set<string>();
  buildRequest(command, spec, {
    index(v, key) {
      IndexResolver.check(v, key);
      if (typeof v === "string" && !names.has(v)) names.set(v, key);
      return 0;
    },
    netnsFd(v) {
      if (typeof v === "string") netns.add(v);
      return 0;
    },
  });
  return { names, netns };
}

async function change(ctx: OpContext, command: LinkCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  const kind = command === "add" || command === "set" || command === "update" || command === "del" ? kindOf(spec) : undefined;
  if (kind === "tuntap") {
    if (command === "set" || command === "update") {
      throw new TypeError(`link(${show(command)}): kind "tuntap" cannot be changed over netlink; set the link without kind`);
    }
    const tuntap = platform().tuntap;
    if (!tuntap) throw new Error(`link(${show(command)}): kind "tuntap" needs the tun/tap service (ioctl), which is not installed: import nlroute from mod.ts under Deno or Bun`);
    tuntap(command as "add" | "del", spec, ctx.netns);
    return [];
  }
  linkRequest(command, spec);
  const refs = collectRefs(command, spec);
  const resolver = ctx.resolver();
  const names = new Map<string, number>();
  for (const [name, key] of refs.names) names.set(name, await resolver.index(name, key));
  const fds = new Map<string, number>();
  const p = platform();
  try {
    if (refs.netns.size) {
      if (!p.openNetnsFd || !p.closeFd) throw new Error(`link(${show(command)}): a namespace name for net_ns_fd needs the netns service, which is not installed: pass an fd, or import nlroute from mod.ts under Deno or Bun`);
      for (const ns of refs.netns) fds.set(ns, p.openNetnsFd(ns));
    }
    const req = linkRequest(command, spec, names, fds);
    return await ctx.request(ifinfomsgRequest, req.type, req);
  } finally {
    for (const fd of fds.values()) p.closeFd!(fd);
  }
}

/**
 * `link(command, spec)`: see `IPRoute.link` for the commands and keywords.
 */
export async function link(ctx: OpContext, command: LinkCommand, spec: Readonly<Record<string, unknown>>): Promise<NlMsg[]> {
  switch (command) {
    case "add":
    case "set":
    case "update":
    case "del":
    case "property_add":
    case "property_del":
      return await change(ctx, command, spec);
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
      throw new TypeError(`link(): unknown command ${show(command)} (known: ${COMMANDS.join(", ")})`);
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
