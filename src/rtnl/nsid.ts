/**
 * Network namespace ids: struct rtgenmsg and the NETNSA_* attributes (linux/net_namespace.h,
 * linux/rtnetlink.h).
 * @module
 */

import { fixedStruct, s32, u16, u32, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs } from "../marshal/schema.ts";

// struct rtgenmsg { unsigned char rtgen_family; };
// padded to 4 bytes (NLMSG_ALIGN) before the attributes: the kernel's rtnl_net_fill() and
// iproute2 both reserve sizeof(struct rtgenmsg) aligned, as a capture of `ip netns list-id` shows.
const rtgenmsgFields = fixedStruct({ family: u8, __pad1: u8, __pad2: u16 }, "rtgenmsg");

/**
 * NETNSA_* (linux/net_namespace.h). NETNSA_NSID is -1 (NETNSA_NSID_NOT_ASSIGNED) when the peer
 * namespace has no id.
 *
 * @example
 * ```ts
 * nsidAttrs.row("nsid")?.name; // "NETNSA_NSID"
 * ```
 */
export const nsidAttrs: AttrTable = attrs("NETNSA", {
  nsid: [1, "NETNSA_NSID", s32],
  pid: [2, "NETNSA_PID", u32],
  fd: [3, "NETNSA_FD", u32],
  target_nsid: [4, "NETNSA_TARGET_NSID", s32],
  current_nsid: [5, "NETNSA_CURRENT_NSID", s32],
});

/**
 * struct rtgenmsg + NETNSA_* attributes (RTM_NEWNSID, RTM_DELNSID, RTM_GETNSID).
 *
 * @example
 * ```ts
 * encodeMessage(nsidmsg, { type: RTM.RTM_GETNSID, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const nsidmsg: MessageSchema = { name: "rtgenmsg", fields: rtgenmsgFields, attrs: nsidAttrs };

/** Every attribute table declared in this file. */
export const nsidTables: readonly AttrTable[] = [nsidAttrs];
