/**
 * Byte-exact link requests: for every case of tests/fixtures/requests/link/cases.json, the request
 * `ipr.link(verb, spec)` sends equals the one `ip link ...` sent (captured with strace into
 * `<case>.hex`), sequence number and port id aside. Covers the kinds this kernel lacks (vlan, bond,
 * gre, ...) as well as the ones it has, and the set / del / property commands.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeDatagram } from "../src/marshal/message.ts";
import { RTM } from "../src/rtnl/constants.ts";
import { ifinfomsg } from "../src/rtnl/link.ts";
import { rtnl } from "../src/rtnl/messages.ts";
import { IPRoute } from "../src/api/iproute.ts";
import type { LinkCommand } from "../src/api/links.ts";
import { ScriptedTransport, type ScriptedRequest, ack, reply } from "../src/socket/scripted.ts";
import { annotateMessage } from "./fixtures/_annotate.ts";
import { FIXTURES_DIR, hex, parseHex, splitMessages } from "./_fixtures.ts";

interface Case {
  readonly name: string;
  readonly verb: LinkCommand;
  readonly command: readonly string[];
  readonly spec: Record<string, unknown>;
}

const DIR = join(FIXTURES_DIR, "requests", "link");
const cases = (JSON.parse(readFileSync(join(DIR, "cases.json"), "utf8")) as { cases: Case[] }).cases;

// the capture namespace's links, for the names the specs use
const NAMES: Readonly<Record<string, number>> = { base0: 2, br0: 3 };

const CHANGE_TYPES = new Set<number>([RTM.RTM_NEWLINK, RTM.RTM_DELLINK, RTM.RTM_NEWLINKPROP, RTM.RTM_DELLINKPROP]);

function kernel(req: ScriptedRequest): Uint8Array[] {
  const [m] = decodeDatagram(req.bytes, rtnl);
  if (m.event !== "RTM_GETLINK") return [ack(req)];
  const name = (m.get("ifname") ?? m.get("alt_ifname")) as string;
  const index = NAMES[name];
  if (index === undefined) return [ack(req, 19)];
  return [reply(req, [{ schema: ifinfomsg, init: { type: RTM.RTM_NEWLINK, fields: { index }, attrs: { ifname: name } } }]), ack(req)];
}

/** The message without its sequence number and port id (bytes 8..15 of nlmsghdr). */
function withoutSeq(msg: Uint8Array): Uint8Array {
  const out = msg.slice();
  out.fill(0, 8, 16);
  return out;
}

test("link request fixtures cover every kind the kernel lacks", () => {
  const lacking = ["vlan", "macvlan", "macvtap", "ipvlan", "bond", "bond_slave", "vrf", "dummy", "gre", "gretap", "ip6gre", "ipip", "sit", "geneve", "wireguard", "xfrm"];
  const names = new Set(cases.map((c) => c.name));
  assert.deepEqual(lacking.filter((k) => !names.has(k)), []);
});

for (const c of cases) {
  test(`link("${c.verb}") encodes like \`ip ${c.command.join(" ")}\``, async () => {
    const [expected] = splitMessages(parseHex(readFileSync(join(DIR, `${c.name}.hex`), "utf8"), c.name), c.name);
    const t = new ScriptedTransport(kernel);
    using ipr = new IPRoute({ transport: t });
    await ipr.link(c.verb, c.spec);
    const sent = t.sent.filter((d) => CHANGE_TYPES.has(new DataView(d.buffer).getUint16(4, true)));
    assert.equal(sent.length, 1, "exactly one change request");
    const got = withoutSeq(sent[0]);
    const want = withoutSeq(expected);
    // NLM_F_ACK and NLM_F_REQUEST are ip's too; compare everything at once, with a readable diff
    if (hex(got) !== hex(want)) {
      assert.deepEqual(annotateMessage(got), annotateMessage(want));
      assert.equal(hex(got), hex(want));
    }
  });
}

test("the SR-IOV requests ip sends decode back to their settings", () => {
  const decode = (name: string) => decodeDatagram(splitMessages(parseHex(readFileSync(join(DIR, `${name}.hex`), "utf8"), name), name)[0], rtnl)[0];
  const info = (name: string) => decode(name).get(["vfinfo_list", "info"]) as { get(k: string): unknown; toJSON(): unknown };
  const combined = info("vf_combined");
  assert.deepEqual(combined.get("mac"), { vf: 0, mac: "00:11:22:33:44:55" });
  assert.deepEqual(combined.get("vlan"), { vf: 0, vlan: 7, qos: 0 });
  assert.deepEqual(combined.get("spoofchk"), { vf: 0, setting: 0 });
  const settings = info("vf_settings");
  assert.deepEqual(settings.get("link_state"), { vf: 2, link_state: 2 });
  assert.deepEqual(settings.get("trust"), { vf: 2, setting: 0 });
  assert.deepEqual(settings.get("rss_query_en"), { vf: 2, setting: 1 });
  const qinq = info("vf_vlan_8021ad").get("vlan_list") as { get(k: string): unknown };
  assert.deepEqual(qinq.get("vlan_info"), { vf: 0, vlan: 100, qos: 0, vlan_proto: 0x88a8, __pad: 0 });
  assert.deepEqual(info("vf_rate").get("rate"), { vf: 0, min_tx_rate: 10, max_tx_rate: 100 });
  assert.deepEqual(info("vf_guid").get("ib_node_guid"), { vf: 0, __pad: 0, guid: 0x0011223344556677n });
});
