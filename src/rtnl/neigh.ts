/**
 * Neighbours and fdb entries: struct ndmsg and the NDA_* attributes (linux/neighbour.h).
 * @module
 */

import { be16, fixedStruct, flag, ip, mac, s32, struct, u16, u32, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs, nested } from "../marshal/schema.ts";

// struct ndmsg { __u8 ndm_family; __u8 ndm_pad1; __u16 ndm_pad2; __s32 ndm_ifindex;
//                __u16 ndm_state; __u8 ndm_flags; __u8 ndm_type; };
const ndmsgFields = fixedStruct({
  family: u8,
  __pad1: u8,
  __pad2: u16,
  ifindex: s32,
  state: u16,
  flags: u8,
  ndm_type: u8,
}, "ndmsg");

// struct nda_cacheinfo { __u32 ndm_confirmed; __u32 ndm_used; __u32 ndm_updated; __u32 ndm_refcnt; };
const ndaCacheinfo = struct({ ndm_confirmed: u32, ndm_used: u32, ndm_updated: u32, ndm_refcnt: u32 }, "nda_cacheinfo");

/** NFEA_* (linux/neighbour.h): nested in NDA_FDB_EXT_ATTRS. */
export const fdbExtAttrs: AttrTable = attrs("NFEA", {
  // FDB_NOTIFY_BIT | FDB_NOTIFY_INACTIVE_BIT
  activity_notify: [1, "NFEA_ACTIVITY_NOTIFY", u8],
  dont_refresh: [2, "NFEA_DONT_REFRESH", flag],
});

/**
 * NDA_* (linux/neighbour.h).
 *
 * @example
 * ```ts
 * neighAttrs.row("lladdr")?.name; // "NDA_LLADDR"
 * ```
 */
export const neighAttrs = attrs("NDA", {
  dst: [1, "NDA_DST", ip],
  lladdr: [2, "NDA_LLADDR", mac],
  cacheinfo: [3, "NDA_CACHEINFO", ndaCacheinfo],
  probes: [4, "NDA_PROBES", u32],
  vlan: [5, "NDA_VLAN", u16],
  port: [6, "NDA_PORT", be16],
  vni: [7, "NDA_VNI", u32],
  ifindex: [8, "NDA_IFINDEX", u32],
  master: [9, "NDA_MASTER", u32],
  link_netnsid: [10, "NDA_LINK_NETNSID", s32],
  src_vni: [11, "NDA_SRC_VNI", u32],
  protocol: [12, "NDA_PROTOCOL", u8],
  nh_id: [13, "NDA_NH_ID", u32],
  fdb_ext_attrs: [14, "NDA_FDB_EXT_ATTRS", nested(fdbExtAttrs, { flag: true })],
  flags_ext: [15, "NDA_FLAGS_EXT", u32],
  ndm_state_mask: [16, "NDA_NDM_STATE_MASK", u16],
  ndm_flags_mask: [17, "NDA_NDM_FLAGS_MASK", u8],
});

/**
 * struct ndmsg + NDA_* attributes (RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH).
 *
 * @example
 * ```ts
 * encodeMessage(ndmsg, { type: RTM.RTM_GETNEIGH, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const ndmsg = { name: "ndmsg", fields: ndmsgFields, attrs: neighAttrs } satisfies MessageSchema;

/** Every attribute table declared in this file. */
export const neighTables: readonly AttrTable[] = [neighAttrs, fdbExtAttrs];
