/**
 * The pure netlink marshal: framing, codecs, schema compiler, messages, errors.
 * @module
 */

export * from "./codecs.ts";
export * from "./errors.ts";
export * from "./header.ts";
export * from "./message.ts";
export * from "./schema.ts";
