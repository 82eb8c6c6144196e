/**
 * The byte seam between the connection logic and the kernel. The FFI layer implements it over a
 * real netlink socket; tests implement it with scripted replies (see `testing.ts`).
 * @module
 */

/** One netlink socket, seen as datagrams in and out. */
export interface Transport {
  /** The netlink port id the kernel assigned at bind (nl_pid), used to check replies. */
  readonly portId: number;
  /** Send one datagram (one or more netlink messages) to the kernel. Throws SyscallError. */
  send(data: Uint8Array): void;
  /**
   * Receive one whole datagram, waiting at most `timeoutMs` (0: do not wait). Returns null when
   * nothing arrived in time. A datagram is never truncated: the implementation sizes its buffer
   * (MSG_PEEK|MSG_TRUNC) or throws.
   */
  receive(timeoutMs: number): Uint8Array | null;
  /**
   * Optional: receive up to `max` whole datagrams at once, waiting at most `timeoutMs` for the
   * first (0: do not wait) and not at all for the rest. Returns null when nothing arrived in
   * time, else 1..max datagrams in arrival order, each as `receive` would return it. For callers
   * that expect many small datagrams (a batch's ACKs): one crossing instead of one per datagram.
   */
  receiveMany?(max: number, timeoutMs: number): Uint8Array[] | null;
  /** Close the socket; further calls throw. Idempotent. */
  close(): void;
}
