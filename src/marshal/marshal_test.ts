import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type AttrTable,
  Attrs,
  NetlinkDecodeError,
  Protocol,
  array,
  asciiz,
  asciizMax,
  attrs,
  be16,
  bytes,
  decodeDatagram,
  decodeValue,
  encodeMessage,
  encodeValue,
  fixedStruct,
  flag,
  ip,
  ip4,
  ip6,
  mac,
  nested,
  records,
  s32,
  struct,
  switchOn,
  u16,
  u32,
  u64,
  u8,
} from "./mod.ts";

const hex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (h) => parseInt(h, 16));

const codecCases: [string, Parameters<typeof encodeValue>[0], unknown, string][] = [
  ["u8 writes one byte", u8, 200, "c8"],
  ["u16 is little-endian", u16, 0x1234, "3412"],
  ["u32 is little-endian", u32, 1400, "78050000"],
  ["s32 writes two's complement", s32, -2, "feffffff"],
  ["be16 is network order", be16, 4789, "12b5"],
  ["u64 takes bigint", u64, 2n ** 40n, "0000000000010000"],
  ["asciiz appends NUL", asciiz, "lo", "6c6f00"],
  ["ip4 dotted quad", ip4, "192.0.2.1", "c0000201"],
  ["ip6 compressed", ip6, "2001:db8::1", "20010db8000000000000000000000001"],
  ["ip picks v4 by syntax", ip, "198.51.100.7", "c6336407"],
  ["mac with colons", mac, "00:11:22:33:44:55", "001122334455"],
  ["bytes from hex", bytes, "0a0b0c", "0a0b0c"],
  ["array(u16) packs", array(u16), [1, 2], "01000200"],
];

for (const [name, codec, value, want] of codecCases) {
  test(`${name}`, () => {
    const enc = encodeValue(codec, value);
    assert.equal(hex(enc), want);
    const dec = decodeValue(codec, enc);
    assert.deepEqual(typeof dec === "bigint" ? dec : codec.toJSON(dec as never), typeof value === "bigint" ? value : value);
  });
}

test("formatIp6() follows RFC 5952", () => {
  const cases: [string, string][] = [
    ["2001:0db8:0000:0000:0000:0000:0002:0001", "2001:db8::2:1"],
    ["fe80::0001", "fe80::1"],
    ["0000:0000:0000:0000:0000:0000:0000:0001", "::1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::ffff:192.0.2.1", "::ffff:192.0.2.1"],
    ["2001:0:0:1:0:0:0:1", "2001:0:0:1::1"],
  ];
  for (const [input, want] of cases) assert.equal(decodeValue(ip6, encodeValue(ip6, input)), want, input);
});

test("bad values throw TypeError / RangeError naming the key", () => {
  assert.throws(() => encodeValue(ip4, "300.1.1.1", "dst"), (e: unknown) => e instanceof TypeError && /dst/.test(e.message) && /300\.1\.1\.1/.test(e.message));
  assert.throws(() => encodeValue(u8, 256, "prefixlen"), (e: unknown) => e instanceof RangeError && /prefixlen/.test(e.message) && /256/.test(e.message));
  assert.throws(() => encodeValue(u32, "abc", "mtu"), (e: unknown) => e instanceof TypeError && /mtu/.test(e.message));
  assert.throws(() => encodeValue(asciizMax(15), "a-very-long-name", "ifname"), (e: unknown) => e instanceof RangeError && /ifname/.test(e.message) && /16 bytes/.test(e.message));
  assert.throws(() => encodeValue(mac, "zz:11", "address"), TypeError);
  assert.throws(() => encodeValue(flag, "yes", "nodad"), TypeError);
});

test("a size mismatch raises NetlinkDecodeError with the expected size", () => {
  assert.throws(() => decodeValue(u32, unhex("0102")), (e: unknown) => e instanceof NetlinkDecodeError && /expected 4 bytes, got 2/.test(e.message));
});

// struct with a shorter/longer kernel version
const pair = struct({ a: u32, b: u32 }, "pair");

test("struct() decodes a shorter version and keeps extra bytes", () => {
  assert.deepEqual(decodeValue(pair, unhex("01000000")), { a: 1 });
  const long = unhex("01000000020000000304");
  const v = decodeValue(pair, long);
  assert.equal(v.a, 1);
  assert.equal(v.b, 2);
  assert.equal(hex(encodeValue(pair, v)), hex(long));
  assert.throws(() => decodeValue(pair, unhex("010000000200")), NetlinkDecodeError);
});

// a small protocol for schema tests
const inner = attrs("IN", { id: [1, "IN_ID", u32], name: [2, "IN_NAME", asciiz] });
const kinds = { one: inner };
const hop = fixedStruct({ len: u16, flags: u8, hops: u8, oif: s32 }, "rtnexthop");
const top = attrs("T", {
  name: [1, "T_NAME", asciiz],
  kind: [2, "T_KIND", asciiz],
  data: [3, "T_DATA", switchOn("kind", kinds)],
  nest: [4, "T_NEST", nested(inner, { flag: true })],
  on: [5, "T_ON", flag],
  hops: [6, "T_HOPS", records(hop, (): AttrTable => top)],
  gw: [7, "T_GW", ip],
});
const hdr = fixedStruct({ family: u8, __pad: u8, __pad2: u16, index: s32 }, "testmsg");
const schema = { name: "testmsg", fields: hdr, attrs: top };
const proto = new Protocol([{ type: 100, name: "TEST_NEW", schema }]);

test("encodeMessage() then decodeDatagram() round-trips every composite codec", () => {
  const bytesOut = encodeMessage(schema, {
    type: 100,
    flags: 1,
    seq: 7,
    fields: { family: 2, index: 3 },
    attrs: {
      name: "x",
      kind: "one",
      data: { id: 5, name: "in" },
      nest: [["IN_ID", 9]],
      on: true,
      hops: [{ flags: 0, hops: 1, oif: 2, attrs: { gw: "192.0.2.2" } }, { flags: 0, hops: 0, oif: 3 }],
    },
  });
  const [m] = decodeDatagram(bytesOut, proto);
  assert.equal(m.event, "TEST_NEW");
  assert.equal(m.get("index"), 3);
  assert.equal(m.get("family"), 2);
  assert.equal(m.get("name"), "x");
  assert.equal(m.get(["data", "id"]), 5);
  assert.equal(m.get(["data", "IN_NAME"]), "in");
  assert.equal(m.get(["nest", "id"]), 9);
  assert.equal(m.get("on"), true);
  const hops = m.get("hops") as { oif: number; hops: number; attrs?: Attrs }[];
  assert.equal(hops.length, 2);
  assert.equal(hops[0].attrs?.get("gw"), "192.0.2.2");
  assert.equal(hops[1].oif, 3);
  assert.equal(m.header.sequence_number, 7);
  // the nested flag is set where the table asks for it
  const json = JSON.parse(JSON.stringify(m));
  assert.equal(json.attrs[3][0], "T_NEST");
  // re-encode from the decoded message: byte-exact
  const again = encodeMessage(schema, { type: 100, flags: 1, seq: 7, fields: m.fields, attrs: m });
  assert.equal(hex(again), hex(bytesOut));
});

test("unknown attributes decode as #type raw bytes and re-encode byte-exact", () => {
  // T_NAME "a" then unknown type 99 with 3 bytes, then unknown nested-flag type 0x8000|42
  const raw = unhex("1c000000 6400 0000 00000000 00000000" + "02000000 05000000" + "06000100 61000000" + "07006300 aabbcc00" + "04002a80");
  const fixed = new Uint8Array(raw);
  new DataView(fixed.buffer).setUint32(0, fixed.length, true);
  const [m] = decodeDatagram(fixed, proto);
  assert.deepEqual(m.attrs.map(([k]) => k), ["T_NAME", "#99", `#${0x8000 | 42}`]);
  assert.equal(hex(m.get("#99") as Uint8Array), "aabbcc");
  const again = encodeMessage(schema, { type: 100, fields: m.fields, attrs: m });
  assert.equal(hex(again), hex(fixed));
  const fromJson = encodeMessage(schema, { type: 100, fields: m.fields, attrs: JSON.parse(JSON.stringify(m)).attrs });
  assert.equal(hex(fromJson), hex(fixed));
});

test("an unknown switchOn selector keeps the payload as bytes", () => {
  const out = encodeMessage(schema, { type: 100, attrs: { kind: "two", data: "01020304" } });
  const [m] = decodeDatagram(out, proto);
  assert.equal(hex(m.get("data") as Uint8Array), "01020304");
});

test("an unknown keyword is a TypeError naming it, before anything is encoded", () => {
  assert.throws(() => encodeMessage(schema, { type: 100, attrs: { nmae: "x" } }), (e: unknown) => e instanceof TypeError && /nmae/.test(e.message));
  assert.throws(() => encodeMessage(schema, { type: 100, fields: { famly: 1 } }), (e: unknown) => e instanceof TypeError && /famly/.test(e.message));
});

test("NetlinkDecodeError carries the path down to the attribute", () => {
  // T_DATA (kind one) whose IN_ID has 2 bytes instead of 4
  const out = encodeMessage(schema, { type: 100, attrs: { kind: "one", data: [["#1", "0102"]] } });
  const [m] = decodeDatagram(out, proto);
  try {
    m.get(["data", "id"]);
    assert.fail("expected a decode error");
  } catch (e) {
    assert.ok(e instanceof NetlinkDecodeError);
    assert.ok(e instanceof RangeError);
    assert.deepEqual(e.path, ["TEST_NEW", "T_DATA(one)", "IN_ID"]);
    assert.match(e.message, /expected 4 bytes, got 2/);
  }
});

test("frames that do not fit raise NetlinkDecodeError", () => {
  const good = encodeMessage(schema, { type: 100, attrs: { name: "abc" } });
  const cut = good.slice(0, good.length - 4);
  assert.throws(() => decodeDatagram(cut, proto), NetlinkDecodeError);
  const badNla = good.slice();
  new DataView(badNla.buffer).setUint16(24, 200, true);
  const [m] = decodeDatagram(badNla, proto);
  assert.throws(() => m.get("name"), NetlinkDecodeError);
});

test("get() looks at fields, attributes and the header; toJSON() is pyroute2-shaped", () => {
  const out = encodeMessage(schema, { type: 100, flags: 2, seq: 9, pid: 77, fields: { index: 4 }, attrs: { name: "n" } });
  const [m] = decodeDatagram(out, proto);
  assert.equal(m.get("T_NAME"), "n");
  assert.equal(m.getAttr("T_NAME"), "n");
  assert.equal(m.get("sequence_number"), 9);
  assert.equal(m.get("pid"), 77);
  assert.equal(m.get("missing"), undefined);
  const json = m.toJSON();
  assert.deepEqual(json, {
    family: 0,
    __pad: 0,
    __pad2: 0,
    index: 4,
    attrs: [["T_NAME", "n"]],
    header: { length: out.length, type: 100, flags: 2, sequence_number: 9, pid: 77 },
    event: "TEST_NEW",
  });
});
