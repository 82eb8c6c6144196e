/**
 * The narrow, typed set of libc operations nlroute needs. Every adapter (`deno.ts`, `bun.ts`)
 * implements it with the same contract: a `-1` result becomes a {@link SyscallError} carrying
 * errno (read right after the call), `EINTR` is retried, buffers are `Uint8Array<ArrayBuffer>`.
 * Nothing outside `ffi/` sees a raw return code.
 * @module
 */

/**
 * Typed libc calls. Methods throw `SyscallError` (`syscall`, `errno`, `code`) on failure.
 *
 * @example
 * ```ts
 * import { libc } from "./load.ts";
 * const fd = libc.socket(16, 3 | 0x80000, 0); // AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE
 * libc.close(fd);
 * ```
 */
export interface Libc {
  /**
   * Create a socket.
   * @param domain address family, e.g. AF_NETLINK (16)
   * @param type socket type and flags, e.g. SOCK_RAW | SOCK_CLOEXEC
   * @param protocol protocol number, e.g. NETLINK_ROUTE (0)
   * @returns the new file descriptor
   */
  socket(domain: number, type: number, protocol: number): number;
  /**
   * Bind a socket to an address.
   * @param fd socket
   * @param sockaddr the raw `struct sockaddr_*` bytes; its length is the address length
   */
  bind(fd: number, sockaddr: Uint8Array<ArrayBuffer>): void;
  /**
   * Read a socket's bound address.
   * @param fd socket
   * @returns the raw `struct sockaddr_*` bytes, exactly as long as the kernel reported
   */
  getsockname(fd: number): Uint8Array<ArrayBuffer>;
  /**
   * Set a socket option.
   * @param fd socket
   * @param level e.g. SOL_SOCKET (1), SOL_NETLINK (270)
   * @param name option number
   * @param value the option's bytes (an `int` is 4 native-endian bytes)
   */
  setsockopt(fd: number, level: number, name: number, value: Uint8Array<ArrayBuffer>): void;
  /**
   * Read an `int` socket option.
   * @param fd socket
   * @param level e.g. SOL_SOCKET (1)
   * @param name option number, e.g. SO_RCVBUF (8)
   * @returns the option's value
   */
  getsockoptInt(fd: number, level: number, name: number): number;
  /**
   * Send one datagram on a connected (or netlink) socket.
   * @param fd socket
   * @param buf bytes to send
   * @param flags MSG_* flags
   * @returns the number of bytes sent
   */
  send(fd: number, buf: Uint8Array<ArrayBuffer>, flags: number): number;
  /**
   * Receive into `buf`.
   * @param fd socket
   * @param buf destination; at most `buf.length` bytes are written
   * @param flags MSG_* flags; with MSG_TRUNC the result is the datagram's real length
   * @returns the number of bytes received (or the real length, see `flags`)
   */
  recv(fd: number, buf: Uint8Array<ArrayBuffer>, flags: number): number;
  /**
   * Receive several datagrams in one call (`recvmmsg(2)`, no timeout: pass MSG_DONTWAIT and poll).
   * @param fd socket
   * @param msgvec packed `struct mmsghdr` array (64 bytes each on 64-bit Linux) whose iovecs
   *   point at memory that stays put (see {@link Libc.address}); the kernel writes each entry's
   *   `msg_len` and `msg_hdr.msg_flags` back into it
   * @param vlen number of entries to fill, at most `msgvec.byteLength / 64`
   * @param flags MSG_* flags, e.g. MSG_DONTWAIT; with MSG_TRUNC each `msg_len` is the real length
   * @returns the number of entries filled (at least 1; none queued with MSG_DONTWAIT throws EAGAIN)
   */
  recvmmsg(fd: number, msgvec: Uint8Array<ArrayBuffer>, vlen: number, flags: number): number;
  /**
   * The address of a buffer's first byte, to store in a C struct (an iovec's `iov_base`). The
   * buffer must stay referenced while C code may use the address; allocate it once and keep it
   * (at least 1 KiB, so that no runtime keeps it inside a movable heap object).
   * @param buf the buffer
   * @returns its address
   */
  address(buf: Uint8Array<ArrayBuffer>): bigint;
  /**
   * A new buffer of `size` bytes whose contents are unspecified: where the runtime can skip
   * zero-filling it (Bun), its pages are first touched when something is written there, so a
   * 1 MiB receive buffer that only ever holds small replies costs a few pages, not 256. Only for
   * buffers that are written before they are read (what `recv` fills, what is copied into).
   * @param size bytes
   * @returns a buffer of its own (not a view of a shared pool)
   */
  scratch(size: number): Uint8Array<ArrayBuffer>;
  /**
   * Wait for events on file descriptors, synchronously (the calling thread blocks).
   * @param fds packed `struct pollfd` array, 8 bytes each: `int fd; short events; short revents;`
   *   in native byte order; the kernel writes `revents` back into it
   * @param timeoutMs milliseconds to wait (rounded up); 0 returns at once, -1 or `Infinity` waits
   *   forever; an interrupted wait (EINTR) resumes with the time left
   * @returns the number of entries with non-zero `revents` (0 on timeout)
   */
  poll(fds: Uint8Array<ArrayBuffer>, timeoutMs: number): number;
  /**
   * Close a file descriptor. EINTR is not retried: Linux releases the descriptor anyway.
   * @param fd descriptor to close
   */
  close(fd: number): void;
  /**
   * Open a file.
   * @param path file path (no NUL bytes)
   * @param flags O_* flags, e.g. O_RDONLY | O_CLOEXEC
   * @param mode permission bits when creating, default 0
   * @returns the new file descriptor
   */
  open(path: string, flags: number, mode?: number): number;
  /**
   * Read from a file descriptor.
   * @param fd descriptor
   * @param buf destination
   * @returns bytes read (0 at end of file)
   */
  read(fd: number, buf: Uint8Array<ArrayBuffer>): number;
  /**
   * Write to a file descriptor.
   * @param fd descriptor
   * @param buf bytes to write
   * @returns bytes written
   */
  write(fd: number, buf: Uint8Array<ArrayBuffer>): number;
  /**
   * Create an eventfd.
   * @param initval initial counter value
   * @param flags EFD_CLOEXEC (0x80000), EFD_NONBLOCK (0x800), EFD_SEMAPHORE (1)
   * @returns the new file descriptor
   */
  eventfd(initval: number, flags: number): number;
  /**
   * `ioctl` whose argument is a pointer to memory we own (e.g. TUNSETIFF with a `struct ifreq`).
   * @param fd descriptor
   * @param request request number
   * @param buf argument buffer; the kernel may write into it
   * @returns the call's non-negative result
   */
  ioctlPtr(fd: number, request: number, buf: Uint8Array<ArrayBuffer>): number;
  /**
   * `ioctl` whose argument is an integer (e.g. TUNSETPERSIST 1, TUNSETOWNER uid).
   * @param fd descriptor
   * @param request request number
   * @param value integer argument, passed as `unsigned long`
   * @returns the call's non-negative result
   */
  ioctlInt(fd: number, request: number, value: number): number;
  /**
   * Move the calling thread into the namespace `fd` refers to.
   * @param fd namespace file descriptor (e.g. from /run/netns/NAME)
   * @param nstype expected type, e.g. CLONE_NEWNET (0x40000000), or 0 for any
   */
  setns(fd: number, nstype: number): void;
  /**
   * Move the calling thread into new namespaces.
   * @param flags CLONE_NEW* flags
   */
  unshare(flags: number): void;
  /**
   * Mount a filesystem, e.g. a bind mount: `mount(src, target, "none", MS_BIND, null)`.
   * @param source source path or device, or null
   * @param target mount point
   * @param fstype filesystem type, or null
   * @param flags MS_* flags
   * @param data filesystem-specific options, or null
   */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  /**
   * Unmount a filesystem.
   * @param target mount point
   * @param flags MNT_DETACH (2), MNT_FORCE (1), UMOUNT_NOFOLLOW (8)
   */
  umount2(target: string, flags: number): void;
  /**
   * Remove a name from the filesystem.
   * @param path file path
   */
  unlink(path: string): void;
  /**
   * Create a directory.
   * @param path directory path
   * @param mode permission bits, e.g. 0o755 (the umask applies)
   */
  mkdir(path: string, mode: number): void;
  /**
   * `fcntl` with an integer argument (or none), e.g. F_GETFL (3) / F_SETFL (4) with O_NONBLOCK.
   * @param fd descriptor
   * @param cmd F_* command
   * @param arg integer argument, default 0 (ignored by commands that take none)
   * @returns the command's non-negative result (F_GETFL: the file status flags)
   */
  fcntl(fd: number, cmd: number, arg?: number): number;
  /**
   * Make `newfd` refer to what `oldfd` refers to, closing what `newfd` referred to, atomically
   * (the number is never free in between).
   * @param oldfd descriptor to duplicate
   * @param newfd descriptor number to reuse
   * @param flags O_CLOEXEC (0o2000000) or 0
   * @returns `newfd`
   */
  dup3(oldfd: number, newfd: number, flags: number): number;
  /** The process id. */
  getpid(): number;
  /** The calling thread's id (namespaces switched with `setns` are per thread). */
  gettid(): number;
}
