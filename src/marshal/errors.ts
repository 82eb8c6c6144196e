/**
 * Error types shared by every layer: kernel refusals, failed system calls and malformed kernel
 * data. Pure: no runtime imports.
 * @module
 */

/** Linux errno numbers to their symbolic names (asm-generic/errno-base.h, asm-generic/errno.h). */
export const ERRNO_NAMES: Readonly<Record<number, string>> = {
  1: "EPERM",
  2: "ENOENT",
  3: "ESRCH",
  4: "EINTR",
  5: "EIO",
  6: "ENXIO",
  7: "E2BIG",
  8: "ENOEXEC",
  9: "EBADF",
  10: "ECHILD",
  11: "EAGAIN",
  12: "ENOMEM",
  13: "EACCES",
  14: "EFAULT",
  15: "ENOTBLK",
  16: "EBUSY",
  17: "EEXIST",
  18: "EXDEV",
  19: "ENODEV",
  20: "ENOTDIR",
  21: "EISDIR",
  22: "EINVAL",
  23: "ENFILE",
  24: "EMFILE",
  25: "ENOTTY",
  26: "ETXTBSY",
  27: "EFBIG",
  28: "ENOSPC",
  29: "ESPIPE",
  30: "EROFS",
  31: "EMLINK",
  32: "EPIPE",
  33: "EDOM",
  34: "ERANGE",
  35: "EDEADLK",
  36: "ENAMETOOLONG",
  37: "ENOLCK",
  38: "ENOSYS",
  39: "ENOTEMPTY",
  40: "ELOOP",
  42: "ENOMSG",
  43: "EIDRM",
  44: "ECHRNG",
  45: "EL2NSYNC",
  46: "EL3HLT",
  47: "EL3RST",
  48: "ELNRNG",
  49: "EUNATCH",
  50: "ENOCSI",
  51: "EL2HLT",
  52: "EBADE",
  53: "EBADR",
  54: "EXFULL",
  55: "ENOANO",
  56: "EBADRQC",
  57: "EBADSLT",
  59: "EBFONT",
  60: "ENOSTR",
  61: "ENODATA",
  62: "ETIME",
  63: "ENOSR",
  64: "ENONET",
  65: "ENOPKG",
  66: "EREMOTE",
  67: "ENOLINK",
  68: "EADV",
  69: "ESRMNT",
  70: "ECOMM",
  71: "EPROTO",
  72: "EMULTIHOP",
  73: "EDOTDOT",
  74: "EBADMSG",
  75: "EOVERFLOW",
  76: "ENOTUNIQ",
  77: "EBADFD",
  78: "EREMCHG",
  79: "ELIBACC",
  80: "ELIBBAD",
  81: "ELIBSCN",
  82: "ELIBMAX",
  83: "ELIBEXEC",
  84: "EILSEQ",
  85: "ERESTART",
  86: "ESTRPIPE",
  87: "EUSERS",
  88: "ENOTSOCK",
  89: "EDESTADDRREQ",
  90: "EMSGSIZE",
  91: "EPROTOTYPE",
  92: "ENOPROTOOPT",
  93: "EPROTONOSUPPORT",
  94: "ESOCKTNOSUPPORT",
  95: "EOPNOTSUPP",
  96: "EPFNOSUPPORT",
  97: "EAFNOSUPPORT",
  98: "EADDRINUSE",
  99: "EADDRNOTAVAIL",
  100: "ENETDOWN",
  101: "ENETUNREACH",
  102: "ENETRESET",
  103: "ECONNABORTED",
  104: "ECONNRESET",
  105: "ENOBUFS",
  106: "EISCONN",
  107: "ENOTCONN",
  108: "ESHUTDOWN",
  109: "ETOOMANYREFS",
  110: "ETIMEDOUT",
  111: "ECONNREFUSED",
  112: "EHOSTDOWN",
  113: "EHOSTUNREACH",
  114: "EALREADY",
  115: "EINPROGRESS",
  116: "ESTALE",
  117: "EUCLEAN",
  118: "ENOTNAM",
  119: "ENAVAIL",
  120: "EISNAM",
  121: "EREMOTEIO",
  122: "EDQUOT",
  123: "ENOMEDIUM",
  124: "EMEDIUMTYPE",
  125: "ECANCELED",
  126: "ENOKEY",
  127: "EKEYEXPIRED",
  128: "EKEYREVOKED",
  129: "EKEYREJECTED",
  130: "EOWNERDEAD",
  131: "ENOTRECOVERABLE",
  132: "ERFKILL",
  133: "EHWPOISON",
};

/** Symbolic name of an errno number: `errnoName(17)` is `"EEXIST"`, unknown numbers `"E123"`. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

/**
 * The kernel refused a request: an NLMSG_ERROR with a negative error code.
 *
 * @example
 * ```ts
 * try { await ipr.link("add", { ifname: "lo", kind: "veth", peer: "x" }); }
 * catch (e) { if (e instanceof NetlinkError && e.code === "EEXIST") console.log("exists"); }
 * ```
 */
export class NetlinkError extends Error {
  /** Positive errno number, e.g. 17. */
  readonly errno: number;
  /** Symbolic errno name, e.g. `"EEXIST"`. */
  readonly code: string;
  /** The request's message type name, e.g. `"RTM_NEWLINK"`. */
  readonly op: string;
  /** The kernel's extended-ACK text (NLMSGERR_ATTR_MSG), when it sent one. */
  readonly extack?: string;
  /** Byte offset into the request of the offending attribute (NLMSGERR_ATTR_OFFS), when sent. */
  readonly offset?: number;

  /**
   * Build the error from an NLMSG_ERROR reply.
   *
   * @param errno Positive errno number (the negated `nlmsgerr.error`).
   * @param op The request's message type name, e.g. `"RTM_NEWLINK"`.
   * @param extack The kernel's extended-ACK text, when it sent one.
   * @param offset Byte offset of the offending attribute in the request, when sent.
   */
  constructor(errno: number, op: string, extack?: string, offset?: number) {
    const code = errnoName(errno);
    super(`${op} failed: ${code}${extack ? `: ${extack}` : ""}`);
    this.name = "NetlinkError";
    this.errno = errno;
    this.code = code;
    this.op = op;
    if (extack !== undefined) this.extack = extack;
    if (offset !== undefined) this.offset = offset;
  }
}

/**
 * A system call returned -1: carries the call's name and errno, e.g. `socket` / `EPERM`.
 *
 * @example
 * ```ts
 * try { new IPRoute({ netns: "missing" }); }
 * catch (e) { if (e instanceof SyscallError) console.log(e.syscall, e.code); }
 * ```
 */
export class SyscallError extends Error {
  /** The libc function that failed, e.g. `"bind"`. */
  readonly syscall: string;
  /** Positive errno number. */
  readonly errno: number;
  /** Symbolic errno name, e.g. `"EPERM"`. */
  readonly code: string;

  /**
   * Build the error for a failed system call.
   *
   * @param syscall The libc function that failed, e.g. `"bind"`.
   * @param errno Positive errno number.
   * @param detail Extra context appended to the message in parentheses.
   */
  constructor(syscall: string, errno: number, detail?: string) {
    const code = errnoName(errno);
    super(`${syscall}() failed: ${code}${detail ? ` (${detail})` : ""}`);
    this.name = "SyscallError";
    this.syscall = syscall;
    this.errno = errno;
    this.code = code;
  }
}

/**
 * Kernel data that does not match its schema: a short attribute, a length running past its
 * container. `path` names where, outermost first:
 * `["RTM_NEWLINK", "IFLA_LINKINFO", "IFLA_INFO_DATA(vxlan)", "IFLA_VXLAN_ID"]`.
 *
 * @example
 * ```ts
 * try { decodeMessages(bytes); }
 * catch (e) { if (e instanceof NetlinkDecodeError) console.log(e.path.join(" > ")); }
 * ```
 */
export class NetlinkDecodeError extends RangeError {
  /** Where the error was found, outermost first. */
  readonly path: readonly string[];
  /** The message without the path. */
  readonly detail: string;

  /**
   * Build the error; the message is `detail`, followed by the path when there is one.
   *
   * @param detail What is wrong, without the path.
   * @param path Where the error was found, outermost first.
   */
  constructor(detail: string, path: readonly string[] = []) {
    super(path.length ? `${detail} (at ${path.join(" > ")})` : detail);
    this.name = "NetlinkDecodeError";
    this.detail = detail;
    this.path = path;
  }

  /** The same error one level further out: `segment` is prepended to the path. */
  within(segment: string): NetlinkDecodeError {
    return new NetlinkDecodeError(this.detail, [segment, ...this.path]);
  }
}

/** Rethrow `e` with `segment` prepended to its path when it is a NetlinkDecodeError. */
export function rethrowWithin(e: unknown, segment: string): never {
  throw e instanceof NetlinkDecodeError ? e.within(segment) : e;
}
