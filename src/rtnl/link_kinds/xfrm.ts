/**
 * XFRM interfaces: IFLA_INFO_DATA for kind "xfrm" (IFLA_XFRM_*, linux/if_link.h).
 * @module
 */

import { flag, u32 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_XFRM_* (linux/if_link.h).
 *
 * @example
 * ```ts
 * xfrmData.row("xfrm_if_id")?.type; // 2
 * ```
 */
export const xfrmData = attrs("IFLA_XFRM", {
  xfrm_link: [1, "IFLA_XFRM_LINK", u32],
  xfrm_if_id: [2, "IFLA_XFRM_IF_ID", u32],
  xfrm_collect_metadata: [3, "IFLA_XFRM_COLLECT_METADATA", flag],
});
