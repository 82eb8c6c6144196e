/**
 * Netlink framing: message header, attribute header, alignment, and the flag and control-message
 * constants of linux/netlink.h.
 * @module
 */

/** Message alignment (NLMSG_ALIGNTO). */
export const NLMSG_ALIGNTO = 4;
/** Round a message length up to NLMSG_ALIGNTO. */
export const NLMSG_ALIGN = (len: number): number => (len + 3) & ~3;
/** Size of struct nlmsghdr. */
export const NLMSG_HDRLEN = 16;
/** Round an attribute length up to NLA_ALIGNTO (4). */
export const NLA_ALIGN = (len: number): number => (len + 3) & ~3;
/** Size of struct nlattr. */
export const NLA_HDRLEN = 4;
/** Attribute type flag: payload is a nested attribute set. */
export const NLA_F_NESTED = 0x8000;
/** Attribute type flag: payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** Mask of the attribute number within nla_type. */
export const NLA_TYPE_MASK = 0x3fff;

/** nlmsg_flags bits (linux/netlink.h). */
export const NLM_F = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  // GET requests
  ROOT: 0x100,
  MATCH: 0x200,
  ATOMIC: 0x400,
  DUMP: 0x300,
  // NEW requests
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // DELETE requests
  NONREC: 0x100,
  BULK: 0x200,
  // ACK messages
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

/** Control message types (linux/netlink.h). */
export const NLMSG_NOOP = 0x1;
/** An error or an acknowledgement (error 0). */
export const NLMSG_ERROR = 0x2;
/** End of a multipart dump. */
export const NLMSG_DONE = 0x3;
/** Data lost. */
export const NLMSG_OVERRUN = 0x4;
/** First type that carries protocol data. */
export const NLMSG_MIN_TYPE = 0x10;

/** Extended-ACK attributes of an NLMSG_ERROR / NLMSG_DONE (enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR = {
  MSG: 1,
  OFFS: 2,
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5,
  MISS_NEST: 6,
} as const;

/** Socket options at SOL_NETLINK (linux/netlink.h). */
export const NETLINK_SOCKOPT = {
  ADD_MEMBERSHIP: 1,
  DROP_MEMBERSHIP: 2,
  PKTINFO: 3,
  BROADCAST_ERROR: 4,
  NO_ENOBUFS: 5,
  LISTEN_ALL_NSID: 8,
  CAP_ACK: 10,
  EXT_ACK: 11,
  GET_STRICT_CHK: 12,
} as const;

/** struct nlmsghdr, with pyroute2's field names. */
export interface NlHeader {
  /** nlmsg_len: message length in bytes, header included. */
  length: number;
  /** nlmsg_type: message type number, e.g. RTM_NEWLINK (16). */
  type: number;
  /** nlmsg_flags: NLM_F_* bits. */
  flags: number;
  /** nlmsg_seq: sequence number matching replies to requests. */
  sequence_number: number;
  /** nlmsg_pid: sender's port id (0 for the kernel). */
  pid: number;
}

/** Read a struct nlmsghdr at `off`. */
export function readHeader(dv: DataView, off: number): NlHeader {
  return {
    length: dv.getUint32(off, true),
    type: dv.getUint16(off + 4, true),
    flags: dv.getUint16(off + 6, true),
    sequence_number: dv.getUint32(off + 8, true),
    pid: dv.getUint32(off + 12, true),
  };
}

/** Write a struct nlmsghdr at `off`. */
export function writeHeader(dv: DataView, off: number, h: NlHeader): void {
  dv.setUint32(off, h.length, true);
  dv.setUint16(off + 4, h.type, true);
  dv.setUint16(off + 6, h.flags, true);
  dv.setUint32(off + 8, h.sequence_number, true);
  dv.setUint32(off + 12, h.pid, true);
}
