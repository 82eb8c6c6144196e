import assert from "node:assert/strict";
import { test } from "node:test";
import { NLM_F, NLMSG_ALIGN, encodeMessage } from "../marshal/mod.ts";
import { rtmsg } from "../rtnl/route.ts";
import { ScriptedTransport, type ScriptedRequest, ack } from "../socket/scripted.ts";
import { parsePrefix } from "./_spec.ts";
import { IPRoute } from "./iproute.ts";
import { type RouteCommand, buildRouteRequest } from "./routes.ts";

const hex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");

/** The request `spec` makes, encoded the plain way (prepareMessage), with `seq`. */
function reference(command: string, spec: Record<string, unknown>, seq: number): Uint8Array {
  const b = buildRouteRequest(command, spec);
  return encodeMessage(rtmsg, { type: b.type, flags: b.flags | NLM_F.REQUEST | NLM_F.ACK, seq, fields: b.fields, attrs: b.attrs });
}

test("route dst: the fast IPv4 reading gives what parsePrefix gives, and the same errors", () => {
  const texts = [
    "10.201.0.1/32", "10.201.0.1", "0.0.0.0/0", "192.0.2.0/24", "010.1.2.3/8", "10.1.2.3/032", "10.1.2.3/9",
    "10.1.2.3/33", "10.1.2.3/", "10.1.2.300/32", "1.2.3/8", "10.1.2.3/255.255.0.0", "10.1.2.3/24/1", "10.1.2.3/x",
    "2001:db8::/32", "default", " 10.1.2.3/32",
  ];
  for (const dst of texts) {
    let want: { dst_len: number; dst?: string } | Error;
    try {
      const p = parsePrefix(dst, "dst");
      want = { dst_len: p.prefixlen ?? (p.address === undefined ? 0 : p.family === 2 ? 32 : 128), dst: p.address };
    } catch (e) {
      want = e as Error;
    }
    if (want instanceof Error) {
      const w = want;
      assert.throws(() => buildRouteRequest("add", { dst, oif: 1 }), (e: unknown) => e instanceof w.constructor && (e as Error).message === w.message, dst);
      continue;
    }
    const b = buildRouteRequest("add", { dst, oif: 1 });
    assert.equal(b.fields.dst_len, want.dst_len, dst);
    const plain = encodeMessage(rtmsg, { type: b.type, fields: b.fields, attrs: want.dst === undefined ? [["oif", 1]] : [["dst", want.dst], ["oif", 1]] });
    assert.equal(hex(encodeMessage(rtmsg, { type: b.type, fields: b.fields, attrs: b.attrs })), hex(plain), dst);
  }
});

test("batch: queued route changes are sent byte for byte as route() sends them; a refused one leaves nothing behind", async () => {
  const t = new ScriptedTransport((req: ScriptedRequest) => {
    const out: Uint8Array[] = [];
    const dv = new DataView(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
    for (let off = 0; off < req.bytes.length;) {
      const len = dv.getUint32(off, true);
      out.push(ack({ header: { length: len, type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true), sequence_number: dv.getUint32(off + 8, true), pid: 0 }, bytes: req.bytes.slice(off, off + len) }));
      off += NLMSG_ALIGN(len);
    }
    return out;
  });
  const ipr = new IPRoute({ transport: t });
  const b = ipr.batch();
  const specs: [RouteCommand, Record<string, unknown>][] = [
    ["add", { dst: "198.51.100.1/32", gateway: "192.0.2.1", oif: 7 }],
    // RTA_PREF's padding lies where the refused request below had written its RTA_OIF header
    ["add", { dst: "2001:db8::/64", pref: "high", oif: 7 }],
    ["replace", { dst: "198.51.100.0/24", gateway: "192.0.2.1", oif: 7, priority: 10, table: 1000, metrics: { mtu: 1400 } }],
    ["del", { dst: "2001:db8::/64", oif: 7 }],
    ["add", { dst: "198.51.100.9", table: 100, proto: "static", scope: "link", oif: 7 }],
  ];
  // refused after its first attributes were written: a bad metric value
  b.route(...specs[0]);
  assert.throws(() => b.route("add", { dst: "198.51.100.2/32", gateway: "192.0.2.1", priority: 5, oif: 7, metrics: { mtu: "x" } }), (e: unknown) => e instanceof TypeError && /mtu/.test((e as Error).message));
  for (const [c, s] of specs.slice(1)) b.route(c, s);
  const results = await b.commit();
  assert.equal(results.length, specs.length);
  assert.ok(results.every((r) => r.ok));
  assert.equal(t.sent.length, 1);
  const want = specs.map(([c, s], i) => reference(c, s, i + 1));
  let off = 0;
  const sent = t.sent[0];
  const seq0 = new DataView(sent.buffer, sent.byteOffset).getUint32(8, true);
  const expected = new Uint8Array(want.reduce((n, w) => n + NLMSG_ALIGN(w.length), 0));
  for (let i = 0; i < want.length; i++) {
    expected.set(want[i], off);
    new DataView(expected.buffer).setUint32(off + 8, seq0 + i, true);
    off += NLMSG_ALIGN(want[i].length);
  }
  assert.equal(hex(sent), hex(expected));
  ipr.close();
});
