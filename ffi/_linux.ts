/**
 * Linux ABI numbers more than one ffi module needs (x86-64 and the other common ABIs agree on
 * these): open(2) flags, poll(2) events, recv(2) flags, errno values, clone flags.
 * @module
 */

// <fcntl.h>
/** open(2): read only. */
export const O_RDONLY = 0;
/** open(2): non-blocking I/O. */
export const O_NONBLOCK = 0o4000;
/** open(2): close on exec. */
export const O_CLOEXEC = 0o2000000;
// <poll.h>
/** poll(2): data to read. */
export const POLLIN = 0x1;
/** poll(2): hung up. */
export const POLLHUP = 0x10;
/** poll(2): the fd is not open. */
export const POLLNVAL = 0x20;
// <sys/socket.h>
/** recv(2): report the real length of a truncated datagram. */
export const MSG_TRUNC = 0x20;
/** recv(2): do not block. */
export const MSG_DONTWAIT = 0x40;
// <errno.h>
/** No such file or directory. */
export const ENOENT = 2;
/** Bad file descriptor. */
export const EBADF = 9;
/** Try again (nothing to read on a non-blocking fd). */
export const EAGAIN = 11;
/** File exists. */
export const EEXIST = 17;
/** Invalid argument. */
export const EINVAL = 22;
// <sched.h>
/** unshare(2) / setns(2): the network namespace. */
export const CLONE_NEWNET = 0x40000000;
