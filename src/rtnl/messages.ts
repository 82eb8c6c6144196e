/**
 * The RTNL protocol: every RTM_* message type with its schema. One line per type.
 * @module
 */

import { Protocol } from "../marshal/message.ts";
import { ifaddrmsg } from "./addr.ts";
import { brvlanDumpMsg, brvlanmsg } from "./bridge_vlan.ts";
import { RTM } from "./constants.ts";
import { ifinfomsg } from "./link.ts";
import { ndmsg } from "./neigh.ts";
import { netconfmsg } from "./netconf.ts";
import { nhmsg } from "./nexthop.ts";
import { nsidmsg } from "./nsid.ts";
import { rtmsg } from "./route.ts";
import { fibmsg } from "./rule.ts";
import { tcmsg } from "./tc.ts";

/** The NETLINK_ROUTE protocol: message types → schemas. */
export const rtnl: Protocol = new Protocol([
  { type: RTM.RTM_NEWLINK, name: "RTM_NEWLINK", schema: ifinfomsg },
  { type: RTM.RTM_DELLINK, name: "RTM_DELLINK", schema: ifinfomsg },
  { type: RTM.RTM_GETLINK, name: "RTM_GETLINK", schema: ifinfomsg },
  { type: RTM.RTM_SETLINK, name: "RTM_SETLINK", schema: ifinfomsg },
  { type: RTM.RTM_NEWLINKPROP, name: "RTM_NEWLINKPROP", schema: ifinfomsg },
  { type: RTM.RTM_DELLINKPROP, name: "RTM_DELLINKPROP", schema: ifinfomsg },
  { type: RTM.RTM_GETLINKPROP, name: "RTM_GETLINKPROP", schema: ifinfomsg },
  { type: RTM.RTM_NEWADDR, name: "RTM_NEWADDR", schema: ifaddrmsg },
  { type: RTM.RTM_DELADDR, name: "RTM_DELADDR", schema: ifaddrmsg },
  { type: RTM.RTM_GETADDR, name: "RTM_GETADDR", schema: ifaddrmsg },
  { type: RTM.RTM_NEWROUTE, name: "RTM_NEWROUTE", schema: rtmsg },
  { type: RTM.RTM_DELROUTE, name: "RTM_DELROUTE", schema: rtmsg },
  { type: RTM.RTM_GETROUTE, name: "RTM_GETROUTE", schema: rtmsg },
  { type: RTM.RTM_NEWNEIGH, name: "RTM_NEWNEIGH", schema: ndmsg },
  { type: RTM.RTM_DELNEIGH, name: "RTM_DELNEIGH", schema: ndmsg },
  { type: RTM.RTM_GETNEIGH, name: "RTM_GETNEIGH", schema: ndmsg },
  { type: RTM.RTM_NEWRULE, name: "RTM_NEWRULE", schema: fibmsg },
  { type: RTM.RTM_DELRULE, name: "RTM_DELRULE", schema: fibmsg },
  { type: RTM.RTM_GETRULE, name: "RTM_GETRULE", schema: fibmsg },
  { type: RTM.RTM_NEWQDISC, name: "RTM_NEWQDISC", schema: tcmsg },
  { type: RTM.RTM_DELQDISC, name: "RTM_DELQDISC", schema: tcmsg },
  { type: RTM.RTM_GETQDISC, name: "RTM_GETQDISC", schema: tcmsg },
  { type: RTM.RTM_NEWTCLASS, name: "RTM_NEWTCLASS", schema: tcmsg },
  { type: RTM.RTM_DELTCLASS, name: "RTM_DELTCLASS", schema: tcmsg },
  { type: RTM.RTM_GETTCLASS, name: "RTM_GETTCLASS", schema: tcmsg },
  { type: RTM.RTM_NEWTFILTER, name: "RTM_NEWTFILTER", schema: tcmsg },
  { type: RTM.RTM_DELTFILTER, name: "RTM_DELTFILTER", schema: tcmsg },
  { type: RTM.RTM_GETTFILTER, name: "RTM_GETTFILTER", schema: tcmsg },
  { type: RTM.RTM_NEWNETCONF, name: "RTM_NEWNETCONF", schema: netconfmsg },
  { type: RTM.RTM_DELNETCONF, name: "RTM_DELNETCONF", schema: netconfmsg },
  { type: RTM.RTM_GETNETCONF, name: "RTM_GETNETCONF", schema: netconfmsg },
  { type: RTM.RTM_NEWNSID, name: "RTM_NEWNSID", schema: nsidmsg },
  { type: RTM.RTM_DELNSID, name: "RTM_DELNSID", schema: nsidmsg },
  { type: RTM.RTM_GETNSID, name: "RTM_GETNSID", schema: nsidmsg },
  { type: RTM.RTM_NEWNEXTHOP, name: "RTM_NEWNEXTHOP", schema: nhmsg },
  { type: RTM.RTM_DELNEXTHOP, name: "RTM_DELNEXTHOP", schema: nhmsg },
  { type: RTM.RTM_GETNEXTHOP, name: "RTM_GETNEXTHOP", schema: nhmsg },
  { type: RTM.RTM_NEWNEXTHOPBUCKET, name: "RTM_NEWNEXTHOPBUCKET", schema: nhmsg },
  { type: RTM.RTM_DELNEXTHOPBUCKET, name: "RTM_DELNEXTHOPBUCKET", schema: nhmsg },
  { type: RTM.RTM_GETNEXTHOPBUCKET, name: "RTM_GETNEXTHOPBUCKET", schema: nhmsg },
  { type: RTM.RTM_NEWVLAN, name: "RTM_NEWVLAN", schema: brvlanmsg },
  { type: RTM.RTM_DELVLAN, name: "RTM_DELVLAN", schema: brvlanmsg },
  { type: RTM.RTM_GETVLAN, name: "RTM_GETVLAN", schema: brvlanDumpMsg },
]);
