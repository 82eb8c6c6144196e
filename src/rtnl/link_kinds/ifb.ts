/**
 * Intermediate functional block devices: kind "ifb" has no IFLA_INFO_DATA (drivers/net/ifb.c
 * registers no fill_info).
 * @module
 */

import { attrs } from "../../marshal/schema.ts";

/**
 * No attributes.
 *
 * @example
 * ```ts
 * ifbData.rows.length; // 0
 * ```
 */
export const ifbData = attrs("IFLA_IFB", {});
