/**
 * MACsec devices: IFLA_INFO_DATA for kind "macsec" (IFLA_MACSEC_*, linux/if_link.h).
 * @module
 */

import { be16, bytes, u32, u64, u8 } from "../../marshal/codecs.ts";
import { attrs } from "../../marshal/schema.ts";

/**
 * IFLA_MACSEC_* (linux/if_link.h). The SCI is a 64-bit value the kernel keeps in network
 * order; it is decoded as the raw u64 the kernel put.
 *
 * @example
 * ```ts
 * macsecData.row("macsec_icv_len")?.codec.name; // "u8"
 * ```
 */
export const macsecData = attrs("IFLA_MACSEC", {
  macsec_sci: [1, "IFLA_MACSEC_SCI", u64],
  macsec_port: [2, "IFLA_MACSEC_PORT", be16],
  macsec_icv_len: [3, "IFLA_MACSEC_ICV_LEN", u8],
  macsec_cipher_suite: [4, "IFLA_MACSEC_CIPHER_SUITE", u64],
  macsec_window: [5, "IFLA_MACSEC_WINDOW", u32],
  macsec_encoding_sa: [6, "IFLA_MACSEC_ENCODING_SA", u8],
  macsec_encrypt: [7, "IFLA_MACSEC_ENCRYPT", u8],
  macsec_protect: [8, "IFLA_MACSEC_PROTECT", u8],
  macsec_inc_sci: [9, "IFLA_MACSEC_INC_SCI", u8],
  macsec_es: [10, "IFLA_MACSEC_ES", u8],
  macsec_scb: [11, "IFLA_MACSEC_SCB", u8],
  macsec_replay_protect: [12, "IFLA_MACSEC_REPLAY_PROTECT", u8],
  macsec_validation: [13, "IFLA_MACSEC_VALIDATION", u8],
  macsec_pad: [14, "IFLA_MACSEC_PAD", bytes],
  macsec_offload: [15, "IFLA_MACSEC_OFFLOAD", u8],
});
