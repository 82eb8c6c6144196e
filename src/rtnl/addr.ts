/**
 * Addresses: struct ifaddrmsg and the IFA_* attributes (linux/if_addr.h).
 * @module
 */

import { asciiz, fixedStruct, ip, s32, struct, u32, u8 } from "../marshal/codecs.ts";
import type { MessageSchema } from "../marshal/message.ts";
import { type AttrTable, attrs } from "../marshal/schema.ts";

// struct ifaddrmsg { __u8 ifa_family; __u8 ifa_prefixlen; __u8 ifa_flags; __u8 ifa_scope; __u32 ifa_index; };
const ifaddrmsgFields = fixedStruct({ family: u8, prefixlen: u8, flags: u8, scope: u8, index: u32 }, "ifaddrmsg");

// struct ifa_cacheinfo {
//   __u32 ifa_prefered;
//   __u32 ifa_valid;
//   __u32 cstamp; /* created timestamp, hundredths of seconds */
//   __u32 tstamp; /* updated timestamp, hundredths of seconds */
// };
const ifaCacheinfo = struct({ ifa_prefered: u32, ifa_valid: u32, cstamp: u32, tstamp: u32 }, "ifa_cacheinfo");

/**
 * IFA_* (linux/if_addr.h). Lifetimes in `cacheinfo` are seconds, 0xffffffff meaning forever.
 *
 * @example
 * ```ts
 * addrAttrs.row("IFA_CACHEINFO")?.type; // 6
 * ```
 */
export const addrAttrs = attrs("IFA", {
  address: [1, "IFA_ADDRESS", ip],
  local: [2, "IFA_LOCAL", ip],
  label: [3, "IFA_LABEL", asciiz],
  broadcast: [4, "IFA_BROADCAST", ip],
  anycast: [5, "IFA_ANYCAST", ip],
  cacheinfo: [6, "IFA_CACHEINFO", ifaCacheinfo],
  multicast: [7, "IFA_MULTICAST", ip],
  flags: [8, "IFA_FLAGS", u32],
  rt_priority: [9, "IFA_RT_PRIORITY", u32],
  target_netnsid: [10, "IFA_TARGET_NETNSID", s32],
  proto: [11, "IFA_PROTO", u8],
});

/**
 * struct ifaddrmsg + IFA_* attributes (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR).
 *
 * @example
 * ```ts
 * encodeMessage(ifaddrmsg, { type: RTM.RTM_GETADDR, flags: NLM_F.REQUEST | NLM_F.DUMP });
 * ```
 */
export const ifaddrmsg = { name: "ifaddrmsg", fields: ifaddrmsgFields, attrs: addrAttrs, widened: ["flags"] } satisfies MessageSchema;

/**
 * Address flags (linux/if_addr.h, IFA_F_*): the low 8 bits travel in ifa_flags, all 32 in
 * IFA_FLAGS.
 *
 * @example
 * ```ts
 * IFA_F.IFA_F_NODAD | IFA_F.IFA_F_NOPREFIXROUTE; // 0x202
 * ```
 */
export const IFA_F = {
  IFA_F_SECONDARY: 0x01,
  IFA_F_NODAD: 0x02,
  IFA_F_OPTIMISTIC: 0x04,
  IFA_F_DADFAILED: 0x08,
  IFA_F_HOMEADDRESS: 0x10,
  IFA_F_DEPRECATED: 0x20,
  IFA_F_TENTATIVE: 0x40,
  IFA_F_PERMANENT: 0x80,
  IFA_F_MANAGETEMPADDR: 0x100,
  IFA_F_NOPREFIXROUTE: 0x200,
  IFA_F_MCAUTOJOIN: 0x400,
  IFA_F_STABLE_PRIVACY: 0x800,
} as const;

/** Every attribute table declared in this file. */
export const addrTables: readonly AttrTable[] = [addrAttrs];
