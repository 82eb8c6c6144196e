/**
 * Nexthop objects: struct nhmsg and the NHA_* attributes (linux/nexthop.h).
 * @module
 */

import { array, bytes, fixedStruct, flag, ip, u16, u32, u64, u8, uint } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs, nested, switchOn } from "../marshal/schema.ts";
import { lwtEncapKinds } from "./route.ts";

// struct nhmsg {
//   unsigned char nh_family;
//   unsigned char nh_scope;     /* return only */
//   unsigned char nh_protocol;  /* Routing protocol that installed nh */
//   unsigned char resvd;
//   unsigned int  nh_flags;     /* RTNH_F flags */
// };
const nhmsgFields = fixedStruct({ family: u8, scope: u8, protocol: u8, resvd: u8, flags: u32 }, "nhmsg");

// struct nexthop_grp {
//   __u32 id;          /* nexthop id - must exist */
//   __u8  weight;      /* weight of this nexthop */
//   __u8  weight_high; /* high order bits of weight (resvd1 before Linux 6.12) */
//   __u16 resvd2;
// };
const nexthopGrp = fixedStruct({ id: u32, weight: u8, weight_high: u8, resvd2: u16 }, "nexthop_grp");

/** NHA_RES_GROUP_* (linux/nexthop.h): resilient group parameters. */
export const resGroupAttrs: AttrTable = attrs("NHA_RES_GROUP", {
  // NHA_RES_GROUP_PAD = NHA_RES_GROUP_UNSPEC: 64-bit alignment padding
  pad: [0, "NHA_RES_GROUP_PAD", bytes],
  buckets: [1, "NHA_RES_GROUP_BUCKETS", u16],
  idle_timer: [2, "NHA_RES_GROUP_IDLE_TIMER", u32],
  unbalanced_timer: [3, "NHA_RES_GROUP_UNBALANCED_TIMER", u32],
  unbalanced_time: [4, "NHA_RES_GROUP_UNBALANCED_TIME", u64],
});

/** NHA_RES_BUCKET_* (linux/nexthop.h): one bucket of a resilient group. */
export const resBucketAttrs: AttrTable = attrs("NHA_RES_BUCKET", {
  // NHA_RES_BUCKET_PAD = NHA_RES_BUCKET_UNSPEC
  pad: [0, "NHA_RES_BUCKET_PAD", bytes],
  index: [1, "NHA_RES_BUCKET_INDEX", u16],
  idle_time: [2, "NHA_RES_BUCKET_IDLE_TIME", u64],
  nh_id: [3, "NHA_RES_BUCKET_NH_ID", u32],
});

/** NHA_GROUP_STATS_ENTRY_* (linux/nexthop.h, Linux 6.7+): statistics of one group member. */
export const groupStatsEntryAttrs: AttrTable = attrs("NHA_GROUP_STATS_ENTRY", {
  id: [1, "NHA_GROUP_STATS_ENTRY_ID", u32],
  packets: [2, "NHA_GROUP_STATS_ENTRY_PACKETS", uint],
  packets_hw: [3, "NHA_GROUP_STATS_ENTRY_PACKETS_HW", uint],
});

/** NHA_GROUP_STATS_* (linux/nexthop.h, Linux 6.7+). */
export const groupStatsAttrs: AttrTable = attrs("NHA_GROUP_STATS", {
  entry: [1, "NHA_GROUP_STATS_ENTRY", nested(groupStatsEntryAttrs, { flag: true })],
});

/**
 * NHA_* (linux/nexthop.h). NHA_OP_FLAGS and later (14..17) are newer than the installed 6.1
 * headers; the uapi test pins their numbers in its allow-list.
 *
 * @example
 * ```ts
 * nexthopAttrs.row("NHA_GROUP")?.type; // 2
 * ```
 */
export const nexthopAttrs: AttrTable = attrs("NHA", {
  id: [1, "NHA_ID", u32],
  group: [2, "NHA_GROUP", array(nexthopGrp)],
  // NEXTHOP_GRP_TYPE_MPATH, NEXTHOP_GRP_TYPE_RES
  group_type: [3, "NHA_GROUP_TYPE", u16],
  blackhole: [4, "NHA_BLACKHOLE", flag],
  oif: [5, "NHA_OIF", u32],
  gateway: [6, "NHA_GATEWAY", ip],
  encap_type: [7, "NHA_ENCAP_TYPE", u16],
  encap: [8, "NHA_ENCAP", switchOn("encap_type", lwtEncapKinds)],
  groups: [9, "NHA_GROUPS", flag],
  master: [10, "NHA_MASTER", u32],
  fdb: [11, "NHA_FDB", flag],
  res_group: [12, "NHA_RES_GROUP", nested(resGroupAttrs, { flag: true })],
  res_bucket: [13, "NHA_RES_BUCKET", nested(resBucketAttrs, { flag: true })],
  op_flags: [14, "NHA_OP_FLAGS", u32],
  group_stats: [15, "NHA_GROUP_STATS", nested(groupStatsAttrs, { flag: true })],
  hw_stats_enable: [16, "NHA_HW_STATS_ENABLE", u32],
  hw_stats_used: [17, "NHA_HW_STATS_USED", u32],
});

/**
 * struct nhmsg + NHA_* attributes (RTM_NEWNEXTHOP, RTM_DELNEXTHOP, RTM_GETNEXTHOP and the
 * RTM_*NEXTHOPBUCKET messages).
 *
 * @example
 * ```ts
 * encodeMessage(nhmsg, { type: RTM.RTM_GETNEXTHOP, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const nhmsg: MessageSchema = { name: "nhmsg", fields: nhmsgFields, attrs: nexthopAttrs };

/** Every attribute table declared in this file. */
export const nexthopTables: readonly AttrTable[] = [nexthopAttrs, resGroupAttrs, resBucketAttrs, groupStatsAttrs, groupStatsEntryAttrs];
