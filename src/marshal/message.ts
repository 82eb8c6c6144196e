/**
 * Netlink messages: a family header struct plus an attribute set, decoded lazily from one
 * datagram (`decodeDatagram`) and encoded in two passes into one buffer (`encodeMessage`).
 * Pure: no runtime imports.
 * @module
 */

import { type EncodeContext, type StructCodec, type StructFields, type StructOf, type Writer, asciiz, bytes, fixedStruct, noContext, s32, show, u16, u32 } from "./codecs.ts";
import { NetlinkDecodeError } from "./errors.ts";
import { NLM_F, NLMSG_ALIGN, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN, NLMSGERR_ATTR, type NlHeader, readHeader } from "./header.ts";
import { type AttrInput, type AttrKey, type AttrPath, type AttrSpec, type AttrTable, type AttrValue, Attrs, Frame, type GrowableWriter, type PreparedAttrs, attrs, encodeAttrs, prepareAttrs, writeAttrs } from "./schema.ts";

/** The layout of one message family: its fixed header struct and its attribute table. */
export interface MessageSchema {
  /** C struct name, e.g. "ifinfomsg". */
  readonly name: string;
  /** The fixed family header (struct ifinfomsg ...). */
  readonly fields: StructCodec;
  /** The attributes that follow it. */
  readonly attrs: AttrTable;
  /**
   * Header fields that an attribute of the same key carries in full (rtm_table is a u8,
   * RTA_TABLE a u32): `get()` returns the attribute when present.
   */
  readonly widened?: readonly string[];
  /** Computed keys, e.g. a link's `state` ("up"/"down") from IFF_UP. */
  readonly derived?: Readonly<Record<string, (m: NlMsg<any>) => unknown>>;
  /** Where attributes start, when not right after `fields` (NLMSG_ERROR echoes the request). */
  readonly attrsOffset?: (msg: { dv: DataView; off: number; len: number; flags: number }) => number;
}

/** A message type: number, kernel name and schema. */
export interface MessageKind {
  /** Message type number (nlmsg_type). */
  readonly type: number;
  /** Kernel name, e.g. `"RTM_NEWLINK"`. */
  readonly name: string;
  /** How the message body is decoded and encoded. */
  readonly schema: MessageSchema;
}

/**
 * The message types of one netlink protocol, by number and by name.
 *
 * @example
 * ```ts
 * const rtnl = new Protocol([{ type: 16, name: "RTM_NEWLINK", schema: ifinfomsg }]);
 * rtnl.byName.get("RTM_NEWLINK")?.type; // 16
 * ```
 */
export class Protocol {
  /** Kinds by message type number. */
  readonly byType: ReadonlyMap<number, MessageKind>;
  /** Kinds by kernel name. */
  readonly byName: ReadonlyMap<string, MessageKind>;

  /**
   * Build the registry; the netlink control messages (NLMSG_NOOP, _ERROR, _DONE, _OVERRUN) are
   * always included.
   *
   * @param kinds The protocol's own message types.
   */
  constructor(kinds: readonly MessageKind[]) {
    const all = [...CONTROL_KINDS, ...kinds];
    this.byType = new Map(all.map((k) => [k.type, k]));
    this.byName = new Map(all.map((k) => [k.name, k]));
  }

  /** The kind for a type number; unknown numbers get a raw kind named `NLMSG_<n>`. */
  kind(type: number): MessageKind {
    return this.byType.get(type) ?? { type, name: `NLMSG_${type}`, schema: RAW_SCHEMA };
  }

  /** Name of a message type: "RTM_NEWLINK", or `NLMSG_<n>` when unknown. */
  nameOf(type: number): string {
    return this.byType.get(type)?.name ?? `NLMSG_${type}`;
  }
}

/** The attribute spec of a schema: `SpecOf<typeof ifinfomsg>` has the IFLA_* rows. */
export type SpecOf<M> = M extends { readonly attrs: AttrTable<infer S> } ? S : AttrSpec;
/** The header struct's field codecs of a schema. */
export type FieldsOf<M> = M extends { readonly fields: StructCodec<infer F> } ? F : StructFields;
/** The computed keys of a schema (`state` for links), by name. */
export type DerivedOf<M> = M extends { readonly derived?: infer D } ? (D extends object ? D : Record<never, never>) : Record<never, never>;
/** Whether `NlMsg<M>` is untyped (any key, `unknown` values): `M` is `any` or has no declared table. */
export type Untyped<M> = 0 extends 1 & M ? true : string extends keyof SpecOf<M> ? true : false;

/**
 * The keys `NlMsg<M>.get()` accepts: header fields, computed keys, attribute short keys and
 * kernel names, `#<type>`, netlink header keys and `event`. Any string for an untyped schema.
 */
export type MsgKey<M> = Untyped<M> extends true ? string
  : (keyof StructOf<FieldsOf<M>> & string) | (keyof DerivedOf<M> & string) | AttrKey<SpecOf<M>> | keyof NlHeader | "event";

/** The value type of `NlMsg<M>.get(key)` (without `undefined`). */
export type MsgValue<M, K> = Untyped<M> extends true ? unknown
  : K extends keyof StructOf<FieldsOf<M>> ? StructOf<FieldsOf<M>>[K]
  : K extends keyof DerivedOf<M> ? (DerivedOf<M>[K] extends (...a: any[]) => infer R ? R : unknown)
  : K extends AttrKey<SpecOf<M>> ? AttrValue<SpecOf<M>, K> | (K extends keyof NlHeader ? NlHeader[K] : K extends "event" ? string : never)
  : K extends keyof NlHeader ? NlHeader[K]
  : K extends "event" ? string
  : unknown;

const HEADER_KEYS = new Set(["length", "type", "flags", "sequence_number", "pid"]);

/**
 * Typed forms of the attribute methods `NlMsg` inherits from `Attrs` (types only, merged into
 * the class): `getAll`, `getAttr` and `has` take the schema's attribute keys.
 *
 * @example
 * ```ts
 * const [v0] = await ipr.link("get", { ifname: "v0" });
 * const names: string[] = v0.getAll("alt_ifname");
 * ```
 */
export interface NlMsg<M extends MessageSchema = any> {
  /** Every value of a repeated attribute, in order. */
  getAll<K extends AttrKey<SpecOf<M>>>(key: K): AttrValue<SpecOf<M>, K>[];
  /** Value of an attribute by kernel name (pyroute2's `get_attr`). */
  getAttr<K extends AttrKey<SpecOf<M>>>(name: K): AttrValue<SpecOf<M>, K> | undefined;
  /** Whether an attribute is present. */
  has(key: AttrKey<SpecOf<M>>): boolean;
}

/**
 * One decoded netlink message. `get()` looks in the family header fields, computed keys, the
 * attributes and the netlink header, in that order, by short key, kernel name or nested path.
 *
 * @example
 * ```ts
 * const [lo] = await ipr.getLinks();
 * lo.get("ifname");             // "lo"
 * lo.get("index");              // 1
 * lo.event;                     // "RTM_NEWLINK"
 * JSON.stringify(lo);           // pyroute2-shaped plain object
 * ```
 */
export class NlMsg<M extends MessageSchema = any> extends Attrs {
  /** Offset of the message in its datagram. */
  readonly #off: number;

  /**
   * Wrap one message of a datagram; throws NetlinkDecodeError when it is shorter than its
   * family header. The netlink header is read from the bytes when asked for; attributes are
   * decoded lazily.
   *
   * @param r The datagram's bytes and a DataView over them.
   * @param off Offset of the message (its netlink header) in the datagram.
   * @param header The message's netlink header, or just its length (nlmsg_len): the rest is read from the bytes.
   * @param kind The message type, which gives the schema.
   */
  constructor(r: { u8: Uint8Array; dv: DataView }, off: number, header: NlHeader | number, kind: MessageKind) {
    const schema = kind.schema;
    const length = typeof header === "number" ? header : header.length;
    const fieldsEnd = off + NLMSG_HDRLEN + schema.fields.size;
    const end = off + length;
    if (fieldsEnd > end) {
      throw new NetlinkDecodeError(`Cannot decode ${schema.name}: message of ${length} bytes is shorter than its ${schema.fields.size}-byte header`, [kind.name]);
    }
    const attrsStart = schema.attrsOffset ? schema.attrsOffset({ dv: r.dv, off, len: length, flags: r.dv.getUint16(off + 6, true) }) : fieldsEnd;
    super(r instanceof Frame && r.kind === kind ? r : new Frame(r.u8, r.dv, schema.attrs, kind), attrsStart < end ? attrsStart : end, end, schema.attrs, null);
    this.#off = off;
  }


  /** @internal a message's path segment is its type name */
  protected override defaultSegment(): string {
    return (this.frame.kind as MessageKind).name;
  }

  /** The netlink header (pyroute2 names: length, type, flags, sequence_number, pid), read from the bytes. */
  get header(): NlHeader {
    return readHeader(this.r.dv, this.#off);
  }

  /** nlmsg_type, e.g. RTM_NEWROUTE (24). */
  get nlmsgType(): number {
    return this.r.dv.getUint16(this.#off + 4, true);
  }

  /** nlmsg_flags (NLM_F_* bits). */
  get nlmsgFlags(): number {
    return this.r.dv.getUint16(this.#off + 6, true);
  }

  /** nlmsg_seq: the sequence number of the request this message answers (0 for events). */
  get nlmsgSeq(): number {
    return this.r.dv.getUint32(this.#off + 8, true);
  }

  /** nlmsg_pid: the port id of the socket the message was addressed to (0 for the kernel). */
  get nlmsgPid(): number {
    return this.r.dv.getUint32(this.#off + 12, true);
  }

  /** Message type name, e.g. "RTM_NEWLINK". */
  get event(): string {
    return (this.frame.kind as MessageKind).name;
  }

  /** The message's schema. */
  get schema(): MessageSchema {
    return (this.frame.kind as MessageKind).schema;
  }

  /** The family header struct as an object (`family`, `index`, `flags`...). */
  get fields(): Record<string, unknown> {
    const st = this.state();
    if (st.memo === null) {
      const f = (this.frame.kind as MessageKind).schema.fields;
      st.memo = f.decode(this.r, this.#off + NLMSG_HDRLEN, f.size, this);
    }
    return st.memo as Record<string, unknown>;
  }

  /**
   * Value by field name (or its widening attribute), computed key, attribute, header field, or
   * nested path. Typed by the schema: `link.get("mtu")` is `number | undefined`, and a key the
   * schema does not declare is a compile error.
   */
  override get<K extends MsgKey<M>>(key: K): MsgValue<M, K> | undefined;
  /** Value along a nested path, e.g. `["linkinfo", "kind"]`. */
  override get(path: MsgKey<M> | readonly (string | number)[]): unknown;
  override get(key: AttrPath): unknown {
    if (typeof key !== "string") return super.get(key);
    // a field the schema declares widened by an attribute (rtm_table by RTA_TABLE) takes the
    // attribute's complete value when present; otherwise header fields come first, as in pyroute2
    if (this.schema.widened?.includes(key)) {
      const a = super.get(key);
      if (a !== undefined) return a;
    }
    const layout = this.schema.fields.layout;
    for (let i = 0; i < layout.length; i++) {
      const f = layout[i];
      if (f.name === key) return f.codec.decode(this.r, this.#off + NLMSG_HDRLEN + f.offset, f.codec.fixed as number, this);
    }
    const d = this.schema.derived?.[key];
    if (d) return d(this);
    const a = super.get(key);
    if (a !== undefined) return a;
    if (HEADER_KEYS.has(key)) return readHeader(this.r.dv, this.#off)[key as keyof NlHeader];
    if (key === "event") return this.event;
    return undefined;
  }

  /** @internal DecodeContext for switchOn: attributes first, then header fields. */
  override lookup(key: string): unknown {
    const v = super.lookup(key);
    return v !== undefined ? v : this.fields[key];
  }

  /** The whole message's bytes (a view into the datagram). */
  bytes(): Uint8Array {
    return this.r.u8.subarray(this.#off, this.end);
  }

  /** Plain object in pyroute2's shape: fields, `attrs` pairs, `header`, computed keys, `event`. */
  override toJSON(): Record<string, unknown> {
    const out = this.schema.fields.toJSON(this.fields) as Record<string, unknown>;
    out.attrs = this.jsonAttrs();
    out.header = readHeader(this.r.dv, this.#off);
    for (const [k, fn] of Object.entries(this.schema.derived ?? {})) out[k] = fn(this);
    out.event = this.event;
    return out;
  }
}

/**
 * Split one datagram into messages. Frame lengths are checked here; attributes are decoded on
 * access. Throws NetlinkDecodeError for a frame that does not fit.
 *
 * @param data The datagram.
 * @param protocol The message types it may hold.
 * @param into An array to append the messages to (a dump loop reuses one); a new one by default.
 * @returns `into` (or the new array) with the messages appended.
 */
export function decodeDatagram(data: Uint8Array, protocol: Protocol, into?: NlMsg[]): NlMsg[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: NlMsg[] = into ?? [];
  // one frame (bytes, table, kind) per kind of message in the datagram, shared by its messages
  let frame: Frame | null = null;
  let off = 0;
  const total = data.length;
  while (total - off >= NLMSG_HDRLEN) {
    const length = dv.getUint32(off, true);
    const type = dv.getUint16(off + 4, true);
    if (length < NLMSG_HDRLEN || length > total - off) {
      throw new NetlinkDecodeError(`Cannot decode message: length ${length} does not fit in the ${total - off} bytes left`, [protocol.nameOf(type)]);
    }
    const kind = type === NLMSG_DONE && length < NLMSG_HDRLEN + 4 ? DONE_EMPTY : protocol.kind(type);
    if (frame === null || frame.kind !== kind) frame = new Frame(data, dv, kind.schema.attrs, kind);
    out.push(new NlMsg(frame, off, length, kind));
    off += NLMSG_ALIGN(length);
  }
  if (off < total && total - off >= 4) {
    throw new NetlinkDecodeError(`Cannot decode datagram: ${total - off} trailing bytes`);
  }
  return out;
}

/** What to encode: the netlink header values, the family header fields and the attributes. */
export interface MessageInit {
  /** Message type number. */
  readonly type: number;
  /** nlmsg_flags. */
  readonly flags?: number;
  /** Sequence number. */
  readonly seq?: number;
  /** Port id (0: the kernel). */
  readonly pid?: number;
  /** Family header fields by name; missing ones are zero. */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** Attributes: an object, `[name, value]` pairs, `{ attrs }`, or a decoded `Attrs`. */
  readonly attrs?: AttrInput;
}

/** A message checked and sized, ready to be written (so a batch can share one buffer). */
export interface PreparedMessage {
  /** Encoded length (unaligned, as nlmsg_len). */
  readonly length: number;
  /** Write at `off` into `u8`/`dv` (zero-filled); returns nothing. `seq` overrides the init's. */
  write(u8: Uint8Array, dv: DataView, off: number, seq?: number): void;
}

/** Per schema: its field names (to refuse unknown ones) and the keys errors name them by ("rtmsg.table"). */
interface FieldInfo {
  readonly names: ReadonlySet<string>;
  readonly keys: readonly string[];
}

const FIELD_INFO = new WeakMap<MessageSchema, FieldInfo>();

/**
 * Check and normalise the family header fields of `given` (missing ones are zero): one prepared
 * value per layout entry, as the struct codec would prepare the whole object.
 */
function prepareFields(schema: MessageSchema, given: Readonly<Record<string, unknown>>): unknown[] {
  const layout = schema.fields.layout;
  let info = FIELD_INFO.get(schema);
  if (info === undefined) {
    info = { names: new Set(layout.map((f) => f.name)), keys: layout.map((f) => `${schema.name}.${f.name}`) };
    FIELD_INFO.set(schema, info);
  }
  const names = info.names;
  for (const k in given) {
    if (!names.has(k)) {
      throw new TypeError(`Invalid ${k}: not a field of ${schema.name} (fields: ${layout.map((f) => f.name).join(", ")})`);
    }
  }
  const keys = info.keys;
  const pf: unknown[] = new Array(layout.length);
  for (let i = 0; i < layout.length; i++) {
    const f = layout[i];
    pf[i] = f.codec.prepare(given[f.name] ?? 0, keys[i], noContext);
  }
  return pf;
}

/** Write prepared header fields (every one of the layout) at `off`. */
function writeFields(w: Writer, off: number, schema: MessageSchema, pf: readonly unknown[]): void {
  const layout = schema.fields.layout;
  for (let i = 0; i < layout.length; i++) {
    const f = layout[i];
    f.codec.write(w, off + f.offset, pf[i]);
  }
}

/** Attribute codecs look up header fields (switchOn by family) through this. */
class FieldsContext implements EncodeContext {
  readonly #given: Readonly<Record<string, unknown>>;
  constructor(given: Readonly<Record<string, unknown>>) {
    this.#given = given;
  }
  lookup(key: string): unknown {
    return this.#given[key];
  }
}

/** struct nlmsghdr, as writeHeader() writes it. */
function writeNlHeader(dv: DataView, off: number, length: number, init: MessageInit, seq: number | undefined): void {
  dv.setUint32(off, length, true);
  dv.setUint16(off + 4, init.type, true);
  dv.setUint16(off + 6, init.flags ?? 0, true);
  dv.setUint32(off + 8, seq ?? init.seq ?? 0, true);
  dv.setUint32(off + 12, init.pid ?? 0, true);
}

const NO_ATTRS: PreparedAttrs = { items: [], size: 0 };

/** What `prepareMessage` returns: the header values and the prepared fields and attributes. */
class Prepared implements PreparedMessage {
  readonly length: number;
  readonly #schema: MessageSchema;
  readonly #init: MessageInit;
  readonly #fields: readonly unknown[];
  readonly #attrs: PreparedAttrs;

  constructor(length: number, schema: MessageSchema, init: MessageInit, fields: readonly unknown[], attrs: PreparedAttrs) {
    this.length = length;
    this.#schema = schema;
    this.#init = init;
    this.#fields = fields;
    this.#attrs = attrs;
  }

  write(u8: Uint8Array, dv: DataView, off: number, seq?: number): void {
    writeNlHeader(dv, off, this.length, this.#init, seq);
    const w = { u8, dv };
    writeFields(w, off + NLMSG_HDRLEN, this.#schema, this.#fields);
    writeAttrs(w, off + NLMSG_HDRLEN + this.#schema.fields.size, this.#attrs);
  }
}

/**
 * First pass of encoding: validate everything (throwing TypeError/RangeError before any byte is
 * produced) and compute the size.
 */
export function prepareMessage(schema: MessageSchema, init: MessageInit): PreparedMessage {
  const given = init.fields ?? {};
  const pf = prepareFields(schema, given);
  const pa = init.attrs === undefined ? NO_ATTRS : prepareAttrs(schema.attrs, init.attrs, "", new FieldsContext(given));
  const length = NLMSG_HDRLEN + schema.fields.size + pa.size;
  if (length > 0xffffffff) throw new RangeError(`Message of ${length} bytes is too large`);
  return new Prepared(length, schema, init, pf, pa);
}

/**
 * Validate and write one message in a single pass at `off` of a growing buffer (a batch's
 * requests, back to back): the bytes `prepareMessage` + `write` produce, with the same errors,
 * but no prepared values kept. Returns the message's length (unaligned, as nlmsg_len); the
 * buffer holds at least `off + NLMSG_ALIGN(length)` bytes after it. When it throws, bytes from
 * `off` on may have been written: the caller discards them (and zeroes them for the next one).
 *
 * @example
 * ```ts
 * const length = encodeMessageInto(store, store.used, rtmsg, { type: 24, flags: 0x605, fields, attrs });
 * store.used += NLMSG_ALIGN(length);
 * ```
 */
export function encodeMessageInto(w: GrowableWriter, off: number, schema: MessageSchema, init: MessageInit): number {
  const given = init.fields ?? {};
  const pf = prepareFields(schema, given);
  const attrsAt = off + NLMSG_HDRLEN + schema.fields.size;
  w.reserve(attrsAt);
  writeFields(w, off + NLMSG_HDRLEN, schema, pf);
  const end = init.attrs === undefined ? attrsAt : encodeAttrs(w, attrsAt, schema.attrs, init.attrs, "", new FieldsContext(given));
  const length = end - off;
  if (length > 0xffffffff) throw new RangeError(`Message of ${length} bytes is too large`);
  w.reserve(off + NLMSG_ALIGN(length));
  writeNlHeader(w.dv, off, length, init, undefined);
  return length;
}

/**
 * Encode one message into a fresh buffer.
 *
 * @example
 * ```ts
 * const bytes = encodeMessage(ifinfomsg, { type: 18, flags: NLM_F.REQUEST | NLM_F.DUMP, seq: 1 });
 * bytes.length; // 32
 * ```
 */
export function encodeMessage(schema: MessageSchema, init: MessageInit): Uint8Array<ArrayBuffer> {
  const p = prepareMessage(schema, init);
  const out = new Uint8Array(p.length);
  p.write(out, new DataView(out.buffer), 0);
  return out;
}

/**
 * Turn a message's JSON form (`NlMsg.toJSON()`) back into a `MessageInit`, so
 * `encodeMessage(schema, fromJSON(json))` reproduces the kernel's bytes.
 */
export function messageInitFromJSON(protocol: Protocol, json: Record<string, unknown>): { schema: MessageSchema; init: MessageInit } {
  const header = json.header as Partial<NlHeader> | undefined;
  if (!header || typeof header.type !== "number") throw new TypeError(`Invalid message JSON: header.type is missing, got ${show(json.header)}`);
  const kind = protocol.kind(header.type);
  const fields: Record<string, unknown> = {};
  for (const f of kind.schema.fields.layout) if (f.name in json) fields[f.name] = json[f.name];
  return {
    schema: kind.schema,
    init: {
      type: header.type,
      flags: header.flags,
      seq: header.sequence_number,
      pid: header.pid,
      fields,
      attrs: (json.attrs ?? []) as AttrInput,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// control messages

/** Extended-ACK attributes (enum nlmsgerr_attrs, linux/netlink.h). */
export const nlmsgerrAttrs: AttrTable = attrs("NLMSGERR_ATTR", {
  msg: [NLMSGERR_ATTR.MSG, "NLMSGERR_ATTR_MSG", asciiz],
  offs: [NLMSGERR_ATTR.OFFS, "NLMSGERR_ATTR_OFFS", u32],
  cookie: [NLMSGERR_ATTR.COOKIE, "NLMSGERR_ATTR_COOKIE", bytes],
  policy: [NLMSGERR_ATTR.POLICY, "NLMSGERR_ATTR_POLICY", bytes],
  miss_type: [NLMSGERR_ATTR.MISS_TYPE, "NLMSGERR_ATTR_MISS_TYPE", u32],
  miss_nest: [NLMSGERR_ATTR.MISS_NEST, "NLMSGERR_ATTR_MISS_NEST", u32],
});

// struct nlmsgerr { int error; struct nlmsghdr msg; };  then the echoed request unless capped,
// then the extended-ACK TLVs when NLM_F_ACK_TLVS is set.
const nlmsgerrFields: StructCodec = fixedStruct({
  error: s32,
  // the echoed request's nlmsghdr
  msg_length: u32,
  msg_type: u16,
  msg_flags: u16,
  msg_seq: u32,
  msg_pid: u32,
}, "nlmsgerr");

const nlmsgerrSchema: MessageSchema = {
  name: "nlmsgerr",
  fields: nlmsgerrFields,
  attrs: nlmsgerrAttrs,
  attrsOffset({ dv, off, len, flags }) {
    if (!(flags & NLM_F.ACK_TLVS)) return off + len;
    const echoed = flags & NLM_F.CAPPED ? NLMSG_HDRLEN : NLMSG_ALIGN(dv.getUint32(off + NLMSG_HDRLEN + 4, true));
    return off + NLMSG_HDRLEN + 4 + echoed;
  },
};

// NLMSG_DONE carries an int (0, or the dump's error) and, with NLM_F_ACK_TLVS, ext-ack TLVs.
const doneSchema: MessageSchema = {
  name: "nlmsgdone",
  fields: fixedStruct({ error: s32 }, "nlmsgdone"),
  attrs: nlmsgerrAttrs,
  attrsOffset: ({ off, len, flags }) => (flags & NLM_F.ACK_TLVS ? off + NLMSG_HDRLEN + 4 : off + len),
};

const emptyAttrs = attrs("RAW", {});
const RAW_SCHEMA: MessageSchema = { name: "raw", fields: fixedStruct({}, "raw"), attrs: emptyAttrs };

// NLMSG_DONE may come with a zero-length payload from some families; accept both.
const DONE_EMPTY: MessageKind = { type: NLMSG_DONE, name: "NLMSG_DONE", schema: RAW_SCHEMA };

const CONTROL_KINDS: readonly MessageKind[] = [
  { type: 1, name: "NLMSG_NOOP", schema: RAW_SCHEMA },
  { type: NLMSG_ERROR, name: "NLMSG_ERROR", schema: nlmsgerrSchema },
  { type: NLMSG_DONE, name: "NLMSG_DONE", schema: doneSchema },
  { type: 4, name: "NLMSG_OVERRUN", schema: RAW_SCHEMA },
];

/** Error code and extended ACK of an NLMSG_ERROR or NLMSG_DONE message. */
export interface AckInfo {
  /** 0 for an ACK, a negative errno for an error. */
  readonly error: number;
  /** The echoed request's sequence number (NLMSG_ERROR only). */
  readonly requestSeq?: number;
  /** NLMSGERR_ATTR_MSG. */
  readonly message?: string;
  /** NLMSGERR_ATTR_OFFS. */
  readonly offset?: number;
}

/** Read error code and extended ACK from an NLMSG_ERROR / NLMSG_DONE message. */
export function ackInfo(msg: NlMsg): AckInfo {
  if (msg.schema === RAW_SCHEMA) return { error: 0 };
  const error = msg.get("error") as number;
  const message = msg.get("msg") as string | undefined;
  const offset = msg.get("offs") as number | undefined;
  const requestSeq = msg.nlmsgType === NLMSG_ERROR ? (msg.get("msg_seq") as number | undefined) : undefined;
  return { error, requestSeq, message, offset };
}
