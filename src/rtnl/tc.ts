/**
 * Traffic control: struct tcmsg and the TCA_* attributes of qdiscs (linux/rtnetlink.h,
 * linux/pkt_sched.h, linux/gen_stats.h), with the options of the queueing disciplines this
 * library encodes (pfifo, bfifo, pfifo_fast, htb, mq); other kinds keep their options as bytes.
 * @module
 */

import { type Codec, array, asciiz, be16, be32, bytes, fixedStruct, flag, s16, s32, struct, u16, u32, u64, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs, nested, switchOn } from "../marshal/schema.ts";

// struct tcmsg { unsigned char tcm_family; tcm__pad1; unsigned short tcm__pad2; int tcm_ifindex;
// __u32 tcm_handle; __u32 tcm_parent; __u32 tcm_info; }
const tcmsgFields = fixedStruct({ family: u8, __pad1: u8, __pad2: u16, index: s32, handle: u32, parent: u32, info: u32 }, "tcmsg");

/** TC_H_* (linux/pkt_sched.h): special handles and parents. */
export const TC_H = {
  TC_H_UNSPEC: 0,
  TC_H_ROOT: 0xffffffff,
  TC_H_INGRESS: 0xfffffff1,
  TC_H_CLSACT: 0xfffffff1,
} as const;

// struct tc_stats (the kernel copies sizeof, 40 bytes with the u64's padding), and the
// gnet_stats_* structs of TCA_STATS2 (linux/gen_stats.h); `struct` keeps a longer version's tail
const tcStats = struct({ bytes: u64, packets: u32, drops: u32, overlimits: u32, bps: u32, pps: u32, qlen: u32, backlog: u32, __pad: u32 }, "tc_stats");
const gnetStatsBasic = struct({ bytes: u64, packets: u32, __pad: u32 }, "gnet_stats_basic");
const gnetStatsRateEst = struct({ bps: u32, pps: u32 }, "gnet_stats_rate_est");
const gnetStatsRateEst64 = struct({ bps: u64, pps: u64 }, "gnet_stats_rate_est64");
const gnetStatsQueue = struct({ qlen: u32, backlog: u32, drops: u32, requeues: u32, overlimits: u32 }, "gnet_stats_queue");

/**
 * TCA_STATS_* (linux/gen_stats.h): the statistics nested in TCA_STATS2.
 *
 * @example
 * ```ts
 * tcStatsAttrs.row("queue")?.name; // "TCA_STATS_QUEUE"
 * ```
 */
export const tcStatsAttrs: AttrTable = attrs("TCA_STATS", {
  basic: [1, "TCA_STATS_BASIC", gnetStatsBasic],
  rate_est: [2, "TCA_STATS_RATE_EST", gnetStatsRateEst],
  queue: [3, "TCA_STATS_QUEUE", gnetStatsQueue],
  app: [4, "TCA_STATS_APP", bytes],
  rate_est64: [5, "TCA_STATS_RATE_EST64", gnetStatsRateEst64],
  pad: [6, "TCA_STATS_PAD", bytes],
  basic_hw: [7, "TCA_STATS_BASIC_HW", gnetStatsBasic],
  pkt64: [8, "TCA_STATS_PKT64", u64],
});

/**
 * struct tc_ratespec (linux/pkt_sched.h): a rate in bytes per second and how packet sizes are
 * rounded into the rate table's cells.
 */
export const tcRatespec = fixedStruct({ cell_log: u8, linklayer: u8, overhead: u16, cell_align: s16, mpu: u16, rate: u32 }, "tc_ratespec");

// struct tc_htb_opt: an htb class's rate and ceil, their buffers in scheduler ticks, quantum,
// level (read only) and priority
const htbOpt = fixedStruct({ rate: tcRatespec, ceil: tcRatespec, buffer: u32, cbuffer: u32, quantum: u32, level: u32, prio: u32 }, "tc_htb_opt");

/**
 * TCA_HTB_* (linux/pkt_sched.h): the options of an htb qdisc (`init`: struct tc_htb_glob) and
 * of its classes (`parms`: struct tc_htb_opt; `rtab` / `ctab`: the 256-cell rate tables).
 *
 * @example
 * ```ts
 * htbAttrs.row("init")?.name; // "TCA_HTB_INIT"
 * ```
 */
export const htbAttrs: AttrTable = attrs("TCA_HTB", {
  parms: [1, "TCA_HTB_PARMS", htbOpt],
  init: [2, "TCA_HTB_INIT", fixedStruct({ version: u32, rate2quantum: u32, defcls: u32, debug: u32, direct_pkts: u32 }, "tc_htb_glob")],
  ctab: [3, "TCA_HTB_CTAB", bytes],
  rtab: [4, "TCA_HTB_RTAB", bytes],
  direct_qlen: [5, "TCA_HTB_DIRECT_QLEN", u32],
  rate64: [6, "TCA_HTB_RATE64", u64],
  ceil64: [7, "TCA_HTB_CEIL64", u64],
  pad: [8, "TCA_HTB_PAD", bytes],
  offload: [9, "TCA_HTB_OFFLOAD", flag],
});

// struct tc_fifo_qopt { __u32 limit; } (pfifo: packets, bfifo: bytes) and struct tc_prio_qopt
// { int bands; __u8 priomap[TC_PRIO_MAX + 1]; } (pfifo_fast, read only)
const fifoQopt = fixedStruct({ limit: u32 }, "tc_fifo_qopt");
const prioQopt = struct({ bands: s32, priomap: bytesOf(16) }, "tc_prio_qopt");

/** A fixed-size byte field inside a struct. */
function bytesOf(size: number) {
  return { ...bytes, name: `bytes(${size})`, fixed: size, sizeOf: () => size };
}

// struct tc_u32_sel (linux/pkt_cls.h): flags, offsets, the hash mask, then `nkeys` struct
// tc_u32_key { __be32 mask; __be32 val; int off; int offmask; } in one attribute
const u32SelHeader = fixedStruct({ flags: u8, offshift: u8, nkeys: u8, __pad: u8, offmask: be16, off: u16, offoff: s16, hoff: s16, hmask: be32 }, "tc_u32_sel");
const u32Key = fixedStruct({ mask: be32, val: be32, off: s32, offmask: s32 }, "tc_u32_key");
const u32Keys = array(u32Key);

/** struct tc_u32_sel with its keys: `{ flags, nkeys, ..., keys: [{ mask, val, off, offmask }] }`. */
const u32Sel: Codec<Record<string, unknown>, { h: unknown; k: unknown }> = {
  name: "tc_u32_sel",
  decode(r, off, len, ctx) {
    const h = u32SelHeader.decode(r, off, Math.min(len, u32SelHeader.size), ctx) as Record<string, unknown>;
    return { ...h, keys: len > u32SelHeader.size ? u32Keys.decode(r, off + u32SelHeader.size, len - u32SelHeader.size, ctx) : [] };
  },
  prepare(value, key, ctx) {
    if (value === null || typeof value !== "object") throw new TypeError(`Invalid ${key}: expected a tc_u32_sel object, got ${typeof value}`);
    const { keys = [], ...header } = value as Record<string, unknown>;
    return { h: u32SelHeader.prepare(header, key, ctx), k: u32Keys.prepare(keys, `${key}.keys`, ctx) };
  },
  sizeOf: (p) => u32SelHeader.sizeOf(p.h as never) + u32Keys.sizeOf(p.k as never),
  write(w, off, p) {
    u32SelHeader.write(w, off, p.h as never);
    u32Keys.write(w, off + u32SelHeader.size, p.k as never);
  },
  toJSON(v) {
    return { ...(u32SelHeader.toJSON(v as never) as object), keys: u32Keys.toJSON(v.keys as never) };
  },
};

/**
 * TCA_U32_* (linux/pkt_cls.h): a u32 classifier's options; `sel` is the selector with its keys,
 * `classid` the class a match goes to.
 *
 * @example
 * ```ts
 * u32Attrs.row("classid")?.name; // "TCA_U32_CLASSID"
 * ```
 */
export const u32Attrs: AttrTable = attrs("TCA_U32", {
  classid: [1, "TCA_U32_CLASSID", u32],
  hash: [2, "TCA_U32_HASH", u32],
  link: [3, "TCA_U32_LINK", u32],
  divisor: [4, "TCA_U32_DIVISOR", u32],
  sel: [5, "TCA_U32_SEL", u32Sel],
  police: [6, "TCA_U32_POLICE", bytes],
  act: [7, "TCA_U32_ACT", bytes],
  indev: [8, "TCA_U32_INDEV", asciiz],
  pcnt: [9, "TCA_U32_PCNT", bytes],
  mark: [10, "TCA_U32_MARK", bytes],
  flags: [11, "TCA_U32_FLAGS", u32],
  pad: [12, "TCA_U32_PAD", bytes],
});

/** TCA_OPTIONS by TCA_KIND: a struct or a nested set for the kinds known here, bytes otherwise. */
const qdiscOptions = switchOn("kind", {
  pfifo: fifoQopt,
  bfifo: fifoQopt,
  pfifo_head_drop: fifoQopt,
  pfifo_fast: prioQopt,
  htb: nested(htbAttrs),
  u32: nested(u32Attrs),
});

/**
 * TCA_* (linux/rtnetlink.h): a qdisc (class, filter) message's attributes; TCA_OPTIONS is decoded
 * by TCA_KIND.
 *
 * @example
 * ```ts
 * tcAttrs.row("kind")?.name; // "TCA_KIND"
 * ```
 */
export const tcAttrs = attrs("TCA", {
  kind: [1, "TCA_KIND", asciiz],
  options: [2, "TCA_OPTIONS", qdiscOptions],
  stats: [3, "TCA_STATS", tcStats],
  xstats: [4, "TCA_XSTATS", bytes],
  rate: [5, "TCA_RATE", bytes],
  fcnt: [6, "TCA_FCNT", u32],
  stats2: [7, "TCA_STATS2", nested(tcStatsAttrs)],
  stab: [8, "TCA_STAB", bytes],
  pad: [9, "TCA_PAD", bytes],
  dump_invisible: [10, "TCA_DUMP_INVISIBLE", flag],
  chain: [11, "TCA_CHAIN", u32],
  hw_offload: [12, "TCA_HW_OFFLOAD", u8],
  ingress_block: [13, "TCA_INGRESS_BLOCK", u32],
  egress_block: [14, "TCA_EGRESS_BLOCK", u32],
  dump_flags: [15, "TCA_DUMP_FLAGS", bytes],
  ext_warn_msg: [16, "TCA_EXT_WARN_MSG", asciiz],
});

/**
 * struct tcmsg + TCA_* attributes (RTM_*QDISC, RTM_*TCLASS, RTM_*TFILTER). `index` is
 * tcm_ifindex; `handle` (a class's classid) and `parent` are 32-bit major:minor handles (`TC_H`);
 * a filter's `prio` and `protocol` (an ETH_P_* number) come from tcm_info.
 *
 * @example
 * ```ts
 * encodeMessage(tcmsg, { type: RTM.RTM_GETQDISC, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const tcmsg = {
  name: "tcmsg",
  fields: tcmsgFields,
  attrs: tcAttrs,
  // a filter's tcm_info: its priority (preference) above, its protocol (network order) below
  derived: {
    prio: (m): number => (m.get("info") as number) >>> 16,
    protocol: (m): number => {
      const p = (m.get("info") as number) & 0xffff;
      return ((p & 0xff) << 8) | (p >>> 8);
    },
  },
} satisfies MessageSchema;

/** Every attribute table declared in this file. */
export const tcTables: readonly AttrTable[] = [tcAttrs, tcStatsAttrs, htbAttrs, u32Attrs];
