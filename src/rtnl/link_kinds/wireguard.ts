/**
 * WireGuard devices: kind "wireguard" has no IFLA_INFO_DATA; its configuration lives in the
 * generic netlink family "wireguard" (linux/wireguard.h), outside rtnetlink.
 * @module
 */

import { attrs } from "../../marshal/schema.ts";

/**
 * No attributes.
 *
 * @example
 * ```ts
 * wireguardData.rows.length; // 0
 * ```
 */
export const wireguardData = attrs("IFLA_WIREGUARD", {});
