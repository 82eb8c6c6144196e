/**
 * Dummy devices: kind "dummy" has no IFLA_INFO_DATA (drivers/net/dummy.c registers no
 * fill_info); the empty table makes stray attributes show as `#<n>` instead of being dropped.
 * @module
 */

import { attrs } from "../../marshal/schema.ts";

/**
 * No attributes.
 *
 * @example
 * ```ts
 * dummyData.rows.length; // 0
 * ```
 */
export const dummyData = attrs("IFLA_DUMMY", {});
