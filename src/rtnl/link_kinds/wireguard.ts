/**
 * WireGuard devices: kind "wireguard" has no IFLA_INFO_DATA; its configuration lives in the
 * generic netlink family "wireguard" (linux/wireguard.h), outside rtnetlink.
 * @module
 */

import { type AttrTable, attrs } from "../../marshal/schema.ts";

/**
 * No attributes.
 *
 * @example
 * ```ts
 * wireguardData.rows.length; // 0
 * ```
 */
export const wireguardData: AttrTable = attrs("IFLA_WIREGUARD", {});
