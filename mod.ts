/**
 * nlroute: netlink (rtnetlink) for Deno and Bun over libc FFI, with pyroute2's verbs.
 *
 * @example
 * ```ts
 * import { IPRoute } from "nlroute";
 * using ipr = new IPRoute();
 * for (const l of await ipr.getLinks()) console.log(l.get("index"), l.get("ifname"), l.get("state"));
 * ```
 * @module
 */

import { openRouteTransport } from "./ffi/default.ts";
import { libc } from "./ffi/load.ts";
import { openEventSocket } from "./ffi/poller.ts";
import { openNetnsFd } from "./ffi/transport.ts";
import { tuntap } from "./ffi/tun.ts";
import { setPlatform } from "./src/api/_context.ts";
import { setTransportFactory } from "./src/api/iproute.ts";

setTransportFactory(openRouteTransport);
setPlatform({ openNetnsFd, closeFd: (fd) => libc.close(fd) });
setPlatform({ openEventSource: openEventSocket });
setPlatform({ tuntap });

export { IPRoute, type IPRouteOptions, type Filter } from "./src/api/iproute.ts";
export { IPBatch, type BatchResult } from "./src/api/batch.ts";
export { BATCH_FLAGS, type BatchItem } from "./src/socket/batch.ts";
export { LINK_KINDS, type LinkCommand } from "./src/api/links.ts";
export { type Match, matches } from "./src/api/filter.ts";
export type { AddrArgs, AddrKeywords, AddrMsg, AddrSpec, InputOf, KindOptions, LinkAddSpec, LinkAddSpecOf, LinkArgs, LinkBaseSpec, LinkKeywords, LinkKind, LinkMsg, LinkNestedSpecOf, LinkPortKind, LinkPortSpecOf, LinkSetSpec, NeighArgs, NeighKeywords, NeighMsg, NeighSpec, RangeInput, RouteArgs, RouteKeywords, RouteMsg, RouteSpec, RowInput, RuleArgs, RuleKeywords, RuleMsg, RuleSpec, TableInput, TuntapOptions, VfSpec, VfVlan } from "./src/api/specs.ts";
export { Address, Addresses, ChainError, FinalChain, Interface, InterfaceChain, type InterfaceSetSpec, Interfaces, type IpSpec, Neighbour, Neighbours, Route, Routes, Rule, Rules, type StepInfo } from "./src/api/fluent.ts";
export { ifinfomsg } from "./src/rtnl/link.ts";
export { linkKindTables, slaveKindTables } from "./src/rtnl/link_kinds/mod.ts";
export { ifaddrmsg } from "./src/rtnl/addr.ts";
export { rtmsg } from "./src/rtnl/route.ts";
export { fibmsg } from "./src/rtnl/rule.ts";
export { TC_H, tcmsg } from "./src/rtnl/tc.ts";
export { QDISC_KINDS, formatHandle, parseHandle, parseRate, parseSize, type TcCommand } from "./src/api/tc.ts";
export { ndmsg } from "./src/rtnl/neigh.ts";
export { PollTimeoutError, type EnsureVerb, type PollOptions, type PollVerb } from "./src/api/ensure.ts";
export { BR_STATE, BRIDGE_FLAGS, BRIDGE_VLAN_INFO, type BrportCommand, type FdbCommand, type VlandbCommand, type VlanFilterCommand } from "./src/api/bridge.ts";
export type { RuleCommand } from "./src/api/rules.ts";
export type { NeighCommand } from "./src/api/neighbours.ts";
export type { AddrCommand } from "./src/api/addresses.ts";
export { ROUTE_DUMP_MAGIC, type RouteCommand, type RouteDumpsOptions } from "./src/api/routes.ts";
export { IFA_F } from "./src/rtnl/addr.ts";
export { ICMPV6_ROUTER_PREF, RTM_F, RTNH_F } from "./src/rtnl/route.ts";
export { FIB_RULE, FR_ACT } from "./src/rtnl/rule.ts";
export * from "./src/marshal/mod.ts";
export { Connection, type ConnectionOptions, type ConnectionStats, type Request } from "./src/socket/connection.ts";
export { rtnl } from "./src/rtnl/messages.ts";
export { AF, IFF, NUD, NTF, RT_SCOPE, RT_TABLE, RTM, RTN, RTNLGRP, RTPROT } from "./src/rtnl/constants.ts";
export { FfiTransport, openNetnsFd } from "./ffi/transport.ts";
export { netns, NetNS, type NetNSOptions, type NetnsApi, type NetnsTarget, O_CREAT, O_EXCL } from "./ffi/netns.ts";
export type { NetnsProcess, ProcessOutput, ProcessStatus, SpawnOptions, StdioMode } from "./ffi/spawn.ts";
export type { GetNetnsidSpec, Netnsid, SetNetnsidSpec } from "./src/api/nsid.ts";
export { openTun, type TunDevice, type TunMode, type TunOptions } from "./ffi/tun.ts";
export type { Transport } from "./src/socket/transport.ts";
export { DEFAULT_EVENT_GROUPS, EVENT_GROUPS, EventStream, RESYNC_GROUPS, type EventGroup, type EventsOptions } from "./src/api/events.ts";
export { openEventSocket, openFdReader, type FdReader, type FdReaderOptions } from "./ffi/poller.ts";
export type { EventSource, EventSourceOptions } from "./src/api/_context.ts";
