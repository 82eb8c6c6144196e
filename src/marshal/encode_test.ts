import assert from "node:assert/strict";
import { test } from "node:test";
import { type AttrTable, type GrowableWriter, NLMSG_ALIGN, asciiz, attrs, encodeMessage, encodeMessageInto, fixedStruct, flag, ip, nested, parseIp4, records, s32, switchOn, u16, u32, u8 } from "./mod.ts";

const hex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");

const inner = attrs("IN", { id: [1, "IN_ID", u32], name: [2, "IN_NAME", asciiz] });
const hop = fixedStruct({ len: u16, flags: u8, hops: u8, oif: s32 }, "rtnexthop");
const top: AttrTable = attrs("T", {
  name: [1, "T_NAME", asciiz],
  kind: [2, "T_KIND", asciiz],
  data: [3, "T_DATA", switchOn("kind", { one: inner })],
  nest: [4, "T_NEST", nested(inner, { flag: true })],
  on: [5, "T_ON", flag],
  hops: [6, "T_HOPS", records(hop, (): AttrTable => top)],
  gw: [7, "T_GW", ip],
  fam: [8, "T_FAM", switchOn("family", { 2: u32 })],
});
const schema = { name: "testmsg", fields: fixedStruct({ family: u8, __pad: u8, __pad2: u16, index: s32 }, "testmsg"), attrs: top };

/** A writer that starts tiny and grows by a few bytes at a time, keeping what it holds. */
class TinyWriter implements GrowableWriter {
  u8 = new Uint8Array(3);
  dv = new DataView(this.u8.buffer);
  reserve(end: number): void {
    if (end <= this.u8.length) return;
    const grown = new Uint8Array(end + 1);
    grown.set(this.u8);
    this.u8 = grown;
    this.dv = new DataView(grown.buffer);
  }
}

const init = {
  type: 100,
  flags: 0x605,
  fields: { family: 2, index: 3 },
  attrs: {
    name: "x",
    kind: "one",
    data: { id: 5, name: "in" },
    nest: [["IN_ID", 9]] as [string, unknown][],
    on: true,
    hops: [{ flags: 0, hops: 1, oif: 2, attrs: { gw: "192.0.2.2" } }, { flags: 0, hops: 0, oif: 3 }],
    fam: 77,
    gw: "2001:db8::1",
  },
};

test("encodeMessageInto() writes the bytes encodeMessage() does, growing the buffer as it goes", () => {
  const w = new TinyWriter();
  const first = encodeMessageInto(w, 0, schema, init);
  const want = encodeMessage(schema, init);
  assert.equal(first, want.length);
  assert.equal(hex(w.u8.subarray(0, first)), hex(want));
  // a second message right after the first, aligned
  const at = NLMSG_ALIGN(first);
  const second = encodeMessageInto(w, at, schema, { type: 100, attrs: [["name", "abc"], ["on", false], ["gw", null]] });
  assert.ok(w.u8.length >= at + NLMSG_ALIGN(second));
  assert.equal(hex(w.u8.subarray(at, at + second)), hex(encodeMessage(schema, { type: 100, attrs: [["name", "abc"]] })));
});

test("encodeMessageInto() refuses what encodeMessage() refuses, with the same error", () => {
  const bad: Parameters<typeof encodeMessage>[1][] = [
    { type: 100, fields: { famly: 1 } },
    { type: 100, fields: { index: 2 ** 31 } },
    { type: 100, attrs: { nmae: "x" } },
    { type: 100, attrs: { name: "x", hops: [{ oif: 1, attrs: { gw: "192.0.2.300" } }] } },
    { type: 100, attrs: { kind: "two", data: 5 } },
    { type: 100, attrs: { nest: { id: -1 } } },
  ];
  for (const b of bad) {
    let want: unknown;
    try {
      encodeMessage(schema, b);
    } catch (e) {
      want = e;
    }
    assert.ok(want instanceof Error, JSON.stringify(b));
    assert.throws(() => encodeMessageInto(new TinyWriter(), 0, schema, b), (e: unknown) => e instanceof (want as Error).constructor && (e as Error).message === (want as Error).message);
  }
});

test("parseIp4() takes dotted quads of 1-3 digits up to 255 and nothing else", () => {
  const good: [string, string][] = [["0.0.0.0", "00000000"], ["255.255.255.255", "ffffffff"], ["10.201.3.7", "0ac90307"], ["010.001.000.099", "0a010063"]];
  for (const [text, want] of good) assert.equal(hex(parseIp4(text)!), want, text);
  const bad = ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "1.2.3.4/32", "1..2.3", ".1.2.3", "1.2.3.", "0001.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.x", "１.2.3.4", "1.2.3.-4", "1e1.2.3.4"];
  for (const text of bad) assert.equal(parseIp4(text), null, text);
  // `end` reads a prefix of the text: the address of "a.b.c.d/len" without a substring
  assert.equal(hex(parseIp4("198.51.100.0/24", 12)!), "c6336400");
  assert.equal(parseIp4("198.51.100.0/24", 11), null, "a cut in the middle of a group is another address, not a prefix: 198.51.100. is invalid");
});
