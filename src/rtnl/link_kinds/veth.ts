/**
 * veth pairs: IFLA_INFO_DATA for kind "veth" (VETH_INFO_*, linux/veth.h). The kernel only reads
 * it (RTM_NEWLINK); dumps of a veth carry no IFLA_INFO_DATA.
 * @module
 */

import type { Codec, DecodeContext, EncodeContext, StructValue } from "../../marshal/codecs.ts";
import { NetlinkDecodeError } from "../../marshal/errors.ts";
import { show } from "../../marshal/codecs.ts";
import { Attrs, type PreparedAttrs, attrs, prepareAttrs, writeAttrs } from "../../marshal/schema.ts";
// link.ts imports this module through mod.ts: `ifinfomsg` is only touched inside codec calls,
// never at module evaluation, so the import cycle is harmless as long as link.ts loads first
// (every entry point — messages.ts, the api — imports link.ts, not the kinds).
import { ifinfomsg } from "../link.ts";

/** The decoded peer: struct ifinfomsg fields plus the peer's IFLA_* attributes. */
export type VethPeer = StructValue & { attrs: Attrs };

interface PreparedPeer {
  readonly h: StructValue;
  readonly a: PreparedAttrs;
}

function fieldsContext(h: Record<string, unknown>, parent: DecodeContext | EncodeContext | null): DecodeContext {
  // the peer's own family (for IFLA_AF_SPEC) is in its header, not in the outer message
  return { lookup: (k) => (k in h ? h[k] : parent?.lookup(k)) };
}

/**
 * VETH_INFO_PEER payload: `struct ifinfomsg` (16 bytes) followed by IFLA_* attributes, as
 * `ip link add v0 type veth peer name v1` sends it. Value: `{ family, index, flags, ...,
 * attrs }` where `attrs` takes anything an attribute set takes (`{ ifname: "v1" }`).
 *
 * @example
 * ```ts
 * encodeValue(vethPeer, { attrs: { ifname: "v1" } }).length; // 16 + 8
 * ```
 */
export const vethPeer: Codec<VethPeer, PreparedPeer> = {
  name: "veth_peer",
  decode(r, off, len, ctx) {
    const header = ifinfomsg.fields;
    if (len < header.size) {
      throw new NetlinkDecodeError(`Cannot decode VETH_INFO_PEER: expected at least ${header.size} bytes, got ${len}`);
    }
    const h = header.decode(r, off, header.size, ctx);
    const a = new Attrs(r, off + header.size, off + len, ifinfomsg.attrs, fieldsContext(h, ctx), "VETH_INFO_PEER");
    return { ...h, attrs: a };
  },
  prepare(value, key, ctx) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new TypeError(`Invalid ${key}: expected an object with ifinfomsg fields and attrs, got ${show(value)}`);
    }
    const { attrs: a, ...given } = value as Record<string, unknown>;
    const header = ifinfomsg.fields;
    const full: Record<string, unknown> = {};
    for (const f of header.layout) full[f.name] = given[f.name] ?? 0;
    for (const k of Object.keys(given)) {
      if (!(k in full)) throw new TypeError(`Invalid ${key}: unknown field ${show(k)} (known: ${Object.keys(full).join(", ")}, attrs)`);
    }
    const h = header.prepare(full, key, ctx);
    const pa = a === undefined ? { items: [], size: 0 } : prepareAttrs(ifinfomsg.attrs, a, `${key}.attrs`, fieldsContext(full, ctx));
    return { h, a: pa };
  },
  sizeOf: (p) => ifinfomsg.fields.size + p.a.size,
  write(w, off, p) {
    ifinfomsg.fields.write(w, off, p.h);
    writeAttrs(w, off + ifinfomsg.fields.size, p.a);
  },
  toJSON(v) {
    const { attrs: a, ...h } = v;
    return { ...(ifinfomsg.fields.toJSON(h) as Record<string, unknown>), attrs: a.toJSON().attrs };
  },
};

/**
 * VETH_INFO_* (linux/veth.h).
 *
 * @example
 * ```ts
 * vethData.row("peer")?.name; // "VETH_INFO_PEER"
 * ```
 */
export const vethData = attrs("VETH_INFO", {
  peer: [1, "VETH_INFO_PEER", vethPeer],
});
