/**
 * The default transport of `new IPRoute()`: a libc netlink socket, opened in the requested
 * network namespace when one is given.
 * @module
 */

import type { Transport } from "../src/socket/transport.ts";
import { libc } from "./load.ts";
import { FfiTransport, openNetnsFd } from "./transport.ts";

/** Options understood by `openRouteTransport` (a subset of IPRouteOptions). */
export interface RouteTransportOptions {
  /** A namespace name (/run/netns/NAME), a path, or an fd of a network namespace. */
  readonly netns?: string | number;
  /** NETLINK_GET_STRICT_CHK. */
  readonly strictCheck?: boolean;
}

/**
 * Open a NETLINK_ROUTE socket, inside `options.netns` when given. A namespace opened by name is
 * closed again once the socket exists (the socket keeps its namespace alive).
 *
 * @example
 * ```ts
 * const t = openRouteTransport({ netns: "blue" });
 * ```
 */
export function openRouteTransport(options: RouteTransportOptions = {}): Transport {
  const { netns } = options;
  if (netns === undefined) return FfiTransport.open({ strictCheck: options.strictCheck });
  if (typeof netns === "number") return FfiTransport.open({ strictCheck: options.strictCheck, netnsFd: netns });
  const fd = openNetnsFd(netns);
  try {
    return FfiTransport.open({ strictCheck: options.strictCheck, netnsFd: fd });
  } finally {
    libc.close(fd);
  }
}
