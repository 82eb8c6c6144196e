/**
 * Test helpers for code that uses nlroute: a scripted transport that plays the kernel, and
 * builders for its replies. Pure: runs under Node, Deno and Bun without FFI or root.
 *
 * @example
 * ```ts
 * import { IPRoute } from "nlroute/testing";
 * import { ScriptedTransport, ack } from "nlroute/testing";
 * const ipr = new IPRoute({ transport: new ScriptedTransport((req) => [ack(req, 17, "File exists")]) });
 * ```
 * @module
 */

export { ScriptedTransport, type KernelScript, type ScriptedRequest, ack, done, reply, splitRequests } from "./src/socket/scripted.ts";
export { IPRoute, type IPRouteOptions } from "./src/api/iproute.ts";
export { NetlinkDecodeError, NetlinkError, SyscallError } from "./src/marshal/errors.ts";
export { decodeDatagram, encodeMessage, type NlHeader, type Protocol } from "./src/marshal/mod.ts";
export { rtnl } from "./src/rtnl/messages.ts";
