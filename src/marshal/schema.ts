/**
 * The schema compiler: attribute tables (one row per attribute, explicit number and kernel
 * name), nesting, kind-dependent payloads, and the lazily decoded attribute container `Attrs`.
 * Unknown attributes decode to raw bytes under the name `#<type>` and re-encode byte-exact.
 * Pure: no runtime imports.
 * @module
 */

import { type Codec, type DecodeContext, type EncodeContext, type Reader, type StructCodec, type Writer, bytes, show, toHex } from "./codecs.ts";
import { NetlinkDecodeError, rethrowWithin } from "./errors.ts";
import { NLA_ALIGN, NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK } from "./header.ts";

/** One table row: explicit attribute number, kernel name, payload codec (or a table: nested). */
export type Row = readonly [type: number, name: string, codec: Codec<any, any> | AttrTable<any>];

/** The rows of a table by short key, as given to `attrs()`. */
export type AttrSpec = Readonly<Record<string, Row>>;

/** Whether a spec is a declared table (literal keys) rather than the untyped `AttrSpec`. */
export type Known<S> = string extends keyof S ? false : true;

/** The decoded value of one row: the codec's value type, `Attrs<...>` for a nested table. */
export type RowValue<R> = R extends readonly [number, string, infer C]
  ? C extends AttrTable<infer T> ? Attrs<T> : C extends Codec<infer V, any> ? V : unknown
  : unknown;

/** The kernel names of a table's rows ("IFLA_MTU" ...). */
export type KernelName<S> = keyof ByKernelName<S>;

/**
 * A table's rows by kernel name (one mapped type per table, so looking a kernel name up is
 * cheap for the type checker).
 *
 * @example
 * ```ts
 * type Mtu = ByKernelName<SpecOf<typeof ifinfomsg>>["IFLA_MTU"]; // readonly [4, "IFLA_MTU", Codec<number, number>]
 * ```
 */
export type ByKernelName<S> = { [K in keyof S as S[K] extends readonly [number, infer N extends string, any] ? N : never]: S[K] };

/**
 * The keys `get()` accepts on a set decoded with spec `S`: short keys, kernel names and
 * `#<type>`. Any string when `S` is the untyped `AttrSpec`.
 */
export type AttrKey<S> = Known<S> extends true ? (keyof S & string) | KernelName<S> | `#${number}` : string;

/** The value type `get(key)` returns (without `undefined`) on a set decoded with spec `S`. */
export type AttrValue<S, K> = Known<S> extends false ? unknown
  : K extends keyof S ? RowValue<S[K]>
  : K extends `#${number}` ? unknown
  : K extends keyof ByKernelName<S> ? RowValue<ByKernelName<S>[K]> : unknown;

/** A compiled row. */
export interface AttrRow {
  /** Attribute number (without NLA_F_* flag bits). */
  readonly type: number;
  /** Kernel name, e.g. "IFLA_IFNAME". */
  readonly name: string;
  /** Short key, e.g. "ifname". */
  readonly key: string;
  /** Payload codec. */
  readonly codec: Codec<any, any>;
}

/**
 * A compiled attribute table: rows by number and by key (short name and kernel name both).
 *
 * @example
 * ```ts
 * const ifa = attrs("IFA", { address: [1, "IFA_ADDRESS", ip], label: [3, "IFA_LABEL", asciiz] });
 * ifa.byKey.get("IFA_LABEL")?.type; // 3
 * ```
 */
export class AttrTable<S extends AttrSpec = AttrSpec> {
  /** Table name used in paths and messages ("IFLA", "IFLA_VXLAN"). */
  readonly name: string;
  /** Rows in declaration order. */
  readonly rows: readonly AttrRow[];
  /** Rows indexed by attribute number (sparse). */
  readonly byType: readonly (AttrRow | undefined)[];
  /** Rows by short key and by kernel name. */
  readonly byKey: ReadonlyMap<string, AttrRow>;
  /** Type-level only, never set: the rows as declared, so decoded values are typed by key. */
  declare readonly __spec?: S;

  /**
   * Compile a table from its rows; throws a TypeError on a bad or repeated attribute number.
   *
   * @param name Table name used in paths and messages, e.g. `"IFLA"`.
   * @param spec Rows as `key: [number, "KERNEL_NAME", codec]`; a table as codec means nested.
   */
  constructor(name: string, spec: S) {
    this.name = name;
    const rows: AttrRow[] = [];
    const byType: (AttrRow | undefined)[] = [];
    const byKey = new Map<string, AttrRow>();
    for (const [key, [type, kname, c]] of Object.entries(spec)) {
      if (!Number.isInteger(type) || type < 0 || type > NLA_TYPE_MASK) throw new TypeError(`${name}: bad attribute number ${type} for ${kname}`);
      if (byType[type]) throw new TypeError(`${name}: attribute number ${type} used twice (${byType[type]!.name}, ${kname})`);
      const row: AttrRow = { type, name: kname, key, codec: c instanceof AttrTable ? nested(c) : c };
      rows.push(row);
      byType[type] = row;
      byKey.set(key, row);
      byKey.set(kname, row);
    }
    this.rows = rows;
    this.byType = byType;
    this.byKey = byKey;
  }

  /** The row for a short key, kernel name or `#<type>`; undefined when unknown. */
  row(key: string): AttrRow | undefined {
    return this.byKey.get(key);
  }
}

/**
 * Declare an attribute table. Rows are `key: [number, "KERNEL_NAME", codec]`; a table as codec
 * means a nested attribute set.
 *
 * @example
 * ```ts
 * // linux/if_addr.h
 * const ifaddrAttrs = attrs("IFA", {
 *   address: [1, "IFA_ADDRESS", ip],
 *   local: [2, "IFA_LOCAL", ip],
 *   label: [3, "IFA_LABEL", asciiz],
 * });
 * ```
 */
export function attrs<const S extends AttrSpec>(name: string, spec: S): AttrTable<S> {
  return new AttrTable(name, spec);
}

// ---------------------------------------------------------------------------------------------
// decoded container

const UNKNOWN_KEY = /^#(\d+)$/;

/** The decoded form of one attribute: its kernel name (or `#type`), type with flags, value. */
export interface AttrEntry {
  /** Kernel name of the attribute, e.g. `"IFLA_IFNAME"`, or `#<type>` when unknown. */
  readonly name: string;
  /** Attribute type as sent, including NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  readonly rawType: number;
  /** The decoded value. */
  readonly value: unknown;
}

/**
 * @internal The bytes an `Attrs` decodes, the table it decodes them with and, for a message, its
 * kind: one object shared by the messages of one kind in a datagram, so a message needs one
 * field for all of it.
 */
export class Frame implements Reader {
  /**
   * @param u8 The datagram's bytes.
   * @param dv A DataView over them.
   * @param table The attribute table.
   * @param kind The message kind (a `MessageKind`), or null for a nested set.
   */
  constructor(readonly u8: Uint8Array, readonly dv: DataView, readonly table: AttrTable<any>, readonly kind: object | null) {}
}

/** @internal what an `Attrs` makes on first need. */
interface AttrsState {
  /** Context for sibling and enclosing-message lookups. */
  parent: DecodeContext | null;
  /** Path segment when not the default. */
  segment: string | null;
  /** Triples (rawType, payload offset, payload length). */
  index: number[] | null;
  /** Decoded values by index position. */
  values: unknown[] | null;
  /** A subclass's cache (NlMsg: the decoded header fields). */
  memo: unknown;
}

/** A key or a nested path: `"ifname"`, `["linkinfo", "kind"]`. */
export type AttrPath = string | readonly (string | number)[];

/**
 * A lazily decoded set of attributes over kernel bytes. Attribute boundaries are indexed on the
 * first access; each value is decoded on its first `get` and cached.
 *
 * @example
 * ```ts
 * msg.get("ifname");                  // "lo"
 * msg.get(["linkinfo", "kind"]);      // "veth"
 * msg.getAll("alt_ifname");           // every occurrence
 * ```
 */
export class Attrs<S extends AttrSpec = any> implements DecodeContext {
  // the bytes and the table, in one object the messages of a datagram share
  readonly #f: Frame;
  /** @internal offset of the first attribute */
  protected readonly start: number;
  /** @internal offset just past the last attribute */
  protected readonly end: number;
  // Everything else lives in one object made on first need (an index, a parent, a segment
  // other than the default), so the 100,000 messages of a big dump are small objects that cost
  // little to allocate and to move through the young generation.
  #st: AttrsState | null;

  /**
   * Wrap the attributes in `r` between `start` and `end`; nothing is decoded until first access.
   *
   * @param r The datagram's bytes.
   * @param start Offset of the first attribute.
   * @param end Offset just past the last attribute.
   * @param table The table the attributes are decoded with.
   * @param parent Context for sibling and enclosing-message lookups, or null at the top.
   * @param segment Path segment naming this container in decode errors (default: the table name).
   */
  constructor(r: Reader, start: number, end: number, table: AttrTable<S>, parent: DecodeContext | null, segment?: string) {
    this.#f = r instanceof Frame && r.table === table ? r : new Frame(r.u8, r.dv, table, null);
    this.start = start;
    this.end = end;
    this.#st = parent === null && segment === undefined ? null : { parent, segment: segment ?? null, index: null, values: null, memo: null };
  }

  /** The table these attributes are decoded with. */
  get table(): AttrTable<S> {
    return this.#f.table;
  }

  /** @internal the bytes */
  protected get r(): Reader {
    return this.#f;
  }

  /** @internal the bytes, table and message kind */
  protected get frame(): Frame {
    return this.#f;
  }

  /** @internal the lazily made state */
  protected state(): AttrsState {
    return (this.#st ??= { parent: null, segment: null, index: null, values: null, memo: null });
  }

  /** @internal path segment of this container, set by the container holding it */
  get segment(): string {
    const st = this.#st;
    return st !== null && st.segment !== null ? st.segment : this.defaultSegment();
  }
  set segment(s: string) {
    this.state().segment = s;
  }

  /** @internal the segment when none was given: the table name */
  protected defaultSegment(): string {
    return this.table.name;
  }

  /** Path of this container from the outermost message, for errors. */
  path(): string[] {
    const out: string[] = [];
    for (let c: DecodeContext | null = this; c instanceof Attrs; c = c.#st === null ? null : c.#st.parent) out.unshift(c.segment);
    return out;
  }

  static #fail(a: Attrs, e: unknown, segment?: string): never {
    if (!(e instanceof NetlinkDecodeError)) throw e;
    const inner = segment === undefined ? e : e.within(segment);
    throw new NetlinkDecodeError(inner.detail, [...a.path(), ...inner.path]);
  }

  /** Triples (rawType, payload offset, payload length), built on first use. */
  static #idx(a: Attrs): number[] {
    const st = a.state();
    if (st.index !== null) return st.index;
    const dv = a.r.dv;
    const end = a.end;
    // walk once to check the lengths and count, then fill an array of the right size (a link
    // message has ~50 attributes: growing by push would copy it five times)
    let off = a.start;
    let count = 0;
    while (end - off >= NLA_HDRLEN) {
      const len = dv.getUint16(off, true);
      if (len < NLA_HDRLEN || off + len > end) {
        const type = dv.getUint16(off + 2, true);
        Attrs.#fail(a, new NetlinkDecodeError(`Cannot decode attribute type ${type & NLA_TYPE_MASK}: length ${len} does not fit in the ${end - off} bytes left`));
      }
      count++;
      off += NLA_ALIGN(len);
    }
    if (off < end && off + 3 < end) {
      Attrs.#fail(a, new NetlinkDecodeError(`Cannot decode attributes: ${end - off} trailing bytes`));
    }
    const idx: number[] = new Array(count * 3);
    off = a.start;
    for (let i = 0; i < idx.length; i += 3) {
      const len = dv.getUint16(off, true);
      idx[i] = dv.getUint16(off + 2, true);
      idx[i + 1] = off + NLA_HDRLEN;
      idx[i + 2] = len - NLA_HDRLEN;
      off += NLA_ALIGN(len);
    }
    st.index = idx;
    st.values = new Array(idx.length / 3);
    return idx;
  }

  static #valueAt(a: Attrs, i: number): unknown {
    const values = a.#st!.values!;
    const cached = values[i];
    if (cached !== undefined) return cached;
    return (values[i] = Attrs.#decodeAt(a, i));
  }

  /** Decode attribute `i` of the index, without caching it. */
  static #decodeAt(a: Attrs, i: number): unknown {
    const idx = a.#st!.index!;
    const rawType = idx[i * 3];
    const type = rawType & NLA_TYPE_MASK;
    const row = a.table.byType[type];
    const codec = row ? row.codec : bytes;
    let v: unknown;
    try {
      v = codec.decode(a.r, idx[i * 3 + 1], idx[i * 3 + 2], a);
    } catch (e) {
      Attrs.#fail(a, e, row ? row.name : `#${rawType}`);
    }
    if (v instanceof Attrs) v.segment = row ? row.name + (v.segment.startsWith("(") ? v.segment : "") : `#${rawType}`;
    return v;
  }

  static #find(a: Attrs, key: string): number {
    const idx = Attrs.#idx(a);
    const row = a.table.byKey.get(key);
    if (row) {
      const t = row.type;
      for (let i = 0; i < idx.length; i += 3) if ((idx[i] & NLA_TYPE_MASK) === t) return i / 3;
      return -1;
    }
    const m = UNKNOWN_KEY.exec(key);
    if (m) {
      const raw = Number(m[1]);
      for (let i = 0; i < idx.length; i += 3) if (idx[i] === raw) return i / 3;
    }
    return -1;
  }

  /**
   * Value of an attribute by short key, kernel name or `#type`, or along a nested path; the
   * first occurrence; undefined when absent. On a declared table the key is checked and the
   * value typed: `get("mtu")` is `number | undefined`.
   */
  get<K extends AttrKey<S>>(key: K): AttrValue<S, K> | undefined;
  /** Value along a nested path, e.g. `["linkinfo", "kind"]`. */
  get(path: AttrKey<S> | readonly (string | number)[]): unknown;
  get(key: AttrPath): unknown {
    if (typeof key !== "string") return Attrs.#getPath(this, key);
    if (this.#st === null || this.#st.index === null) {
      // one lookup on a fresh message (the common case in big dumps): scan for that attribute
      // alone and build no index; primitives need no cache, objects do (stable identity)
      const row = this.table.byKey.get(key);
      if (row) {
        const v = Attrs.#scan(this, row);
        if (v === null || typeof v !== "object") return v;
      }
    }
    const i = Attrs.#find(this, key);
    return i < 0 ? undefined : Attrs.#valueAt(this, i);
  }

  /** The first value of `row` by walking the attributes once; undefined when absent. */
  static #scan(a: Attrs, row: AttrRow): unknown {
    const dv = a.r.dv;
    const end = a.end;
    for (let off = a.start; end - off >= NLA_HDRLEN;) {
      const len = dv.getUint16(off, true);
      const type = dv.getUint16(off + 2, true);
      if (len < NLA_HDRLEN || off + len > end) {
        Attrs.#fail(a, new NetlinkDecodeError(`Cannot decode attribute type ${type & NLA_TYPE_MASK}: length ${len} does not fit in the ${end - off} bytes left`));
      }
      if ((type & NLA_TYPE_MASK) === row.type) {
        try {
          return row.codec.decode(a.r, off + NLA_HDRLEN, len - NLA_HDRLEN, a);
        } catch (e) {
          Attrs.#fail(a, e, row.name);
        }
      }
      off += NLA_ALIGN(len);
    }
    return undefined;
  }

  static #getPath(a: Attrs, path: readonly (string | number)[]): unknown {
    let cur: unknown = a;
    for (const step of path) {
      if (cur instanceof Attrs) cur = cur.get(String(step));
      else if (Array.isArray(cur) && typeof step === "number") cur = cur[step];
      else if (cur !== null && typeof cur === "object" && !(cur instanceof Uint8Array)) cur = (cur as Record<string, unknown>)[step];
      else return undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  }

  /** Every value of a repeated attribute, in order. */
  getAll<K extends AttrKey<S>>(key: K): AttrValue<S, K>[];
  getAll(key: string): unknown[] {
    const idx = Attrs.#idx(this);
    const row = this.table.byKey.get(key);
    const m = row ? null : UNKNOWN_KEY.exec(key);
    const out: unknown[] = [];
    for (let i = 0; i < idx.length; i += 3) {
      if (row ? (idx[i] & NLA_TYPE_MASK) === row.type : m && idx[i] === Number(m[1])) out.push(Attrs.#valueAt(this, i / 3));
    }
    return out;
  }

  /** Value of an attribute by kernel name (pyroute2's `get_attr`). */
  getAttr<K extends AttrKey<S>>(name: K): AttrValue<S, K> | undefined;
  getAttr(name: string): unknown {
    return this.get(name as AttrKey<S>);
  }

  /** Whether an attribute is present. */
  has(key: AttrKey<S>): boolean;
  has(key: string): boolean {
    return Attrs.#find(this, key) >= 0;
  }

  /** @internal DecodeContext: sibling values for switchOn, then the enclosing context. */
  lookup(key: string): unknown {
    const i = Attrs.#find(this, key);
    if (i >= 0) return Attrs.#valueAt(this, i);
    const parent = this.#st === null ? null : this.#st.parent;
    return parent !== null ? parent.lookup(key) : undefined;
  }

  /** Every attribute decoded, in wire order. */
  entries(): AttrEntry[] {
    const idx = Attrs.#idx(this);
    const out: AttrEntry[] = [];
    for (let i = 0; i < idx.length; i += 3) {
      const rawType = idx[i];
      const row = this.table.byType[rawType & NLA_TYPE_MASK];
      out.push({ name: row ? row.name : `#${rawType}`, rawType, value: Attrs.#valueAt(this, i / 3) });
    }
    return out;
  }

  /** pyroute2's `attrs` list: `[["IFLA_IFNAME", "lo"], ...]` with decoded values. */
  get attrs(): [string, unknown][] {
    return this.entries().map((e) => [e.name, e.value]);
  }

  /** The raw bytes of this attribute set (a view, not a copy). */
  raw(): Uint8Array {
    return this.r.u8.subarray(this.start, this.end);
  }

  /** JSON form: `{ attrs: [[name, value], ...] }` with nested sets and structs as plain data. */
  toJSON(): Record<string, unknown> {
    return { attrs: this.jsonAttrs() };
  }

  /** @internal the attribute pairs of `toJSON()` */
  protected jsonAttrs(): [string, unknown][] {
    const idx = Attrs.#idx(this);
    const values = this.#st!.values!;
    const n = idx.length / 3;
    const out: [string, unknown][] = new Array(n);
    for (let k = 0; k < n; k++) {
      const rawType = idx[k * 3];
      const row = this.table.byType[rawType & NLA_TYPE_MASK];
      // a value decoded for JSON only is not kept: toJSON() of a big dump would otherwise leave
      // every decoded value alive in its message, for the collector to copy
      const cached = values[k];
      const v = cached !== undefined ? cached : Attrs.#decodeAt(this, k);
      out[k] = [row ? row.name : `#${rawType}`, row ? row.codec.toJSON(v) : toHex(v as Uint8Array)];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// encoding

/** Prepared attribute: raw type (with flags), codec, prepared value, payload size. */
export interface PreparedAttr {
  /** Attribute type to write, including NLA_F_NESTED / NLA_F_NET_BYTEORDER bits. */
  readonly rawType: number;
  /** The codec that writes the payload. */
  readonly codec: Codec<any, any>;
  /** The value as returned by the codec's `prepare`. */
  readonly p: unknown;
  /** Payload size in bytes, without the attribute header and padding. */
  readonly size: number;
}

/** Prepared attribute list with its total encoded size (each attribute padded to 4). */
export interface PreparedAttrs {
  /** The attributes in encoding order. */
  readonly items: readonly PreparedAttr[];
  /** Total encoded size in bytes: headers, payloads and padding. */
  readonly size: number;
}

/** Input accepted for an attribute set. */
export type AttrInput =
  | Attrs
  | readonly (readonly [string, unknown])[]
  | { readonly attrs: readonly (readonly [string, unknown])[] }
  | Readonly<Record<string, unknown>>;

function isPairList(v: unknown): v is readonly (readonly [string, unknown])[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string") return false;
  }
  return true;
}

/** Any accepted input as [key, value] pairs (pair lists as given, no copy) and raw types (decoded input only). */
function inputEntries(input: unknown, key: string): { pairs: readonly (readonly [string, unknown])[]; rawTypes: readonly number[] | null } {
  if (input instanceof Attrs) {
    const es = input.entries();
    return { pairs: es.map((e) => [e.name, e.value] as const), rawTypes: es.map((e) => e.rawType) };
  }
  if (isPairList(input)) return { pairs: input, rawTypes: null };
  if (input !== null && typeof input === "object" && !Array.isArray(input) && !(input instanceof Uint8Array)) {
    const o = input as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === "attrs" && isPairList(o.attrs)) return { pairs: o.attrs, rawTypes: null };
    return { pairs: keys.map((k) => [k, o[k]] as const), rawTypes: null };
  }
  throw new TypeError(`Invalid ${key}: expected attributes (an object or [name, value] pairs), got ${show(input)}`);
}

/**
 * Sibling values for switchOn codecs (IFLA_INFO_DATA reads IFLA_INFO_KIND): string and number
 * values from the start, others once prepared; the last occurrence wins. Looked up in the input
 * itself, so preparing a set allocates nothing for it.
 */
class SiblingContext implements EncodeContext {
  readonly #table: AttrTable;
  readonly #pairs: readonly (readonly [string, unknown])[];
  readonly #parent: EncodeContext | null;
  /** Entries before this index are prepared. */
  done = 0;
  constructor(table: AttrTable, pairs: readonly (readonly [string, unknown])[], parent: EncodeContext | null) {
    this.#table = table;
    this.#pairs = pairs;
    this.#parent = parent;
  }
  lookup(key: string): unknown {
    const pairs = this.#pairs;
    for (let i = pairs.length - 1; i >= 0; i--) {
      const v = pairs[i][1];
      if (v === undefined || v === null) continue;
      if (i >= this.done && typeof v !== "string" && typeof v !== "number") continue;
      const row = this.#table.byKey.get(pairs[i][0]);
      if (row !== undefined && row.key === key) return v;
    }
    return this.#parent?.lookup(key);
  }
}

/**
 * Where one-pass encoding writes (`encodeAttrs`): a buffer that grows when asked for room. The
 * bytes past what was written are zero, as codecs expect.
 */
export interface GrowableWriter extends Writer {
  /** Make the buffer at least `end` bytes long (zero-filled); `u8` and `dv` may be new after it. */
  reserve(end: number): void;
}

/**
 * Validate and size an attribute set for encoding. Throws TypeError for an unknown key (naming
 * it) and whatever the codecs throw for bad values. `null`/`undefined`/`false`-flag entries are
 * skipped.
 */
export function prepareAttrs(table: AttrTable, input: unknown, key: string, ctx: EncodeContext | null): PreparedAttrs {
  const items: PreparedAttr[] = [];
  const size = attrsPass(table, input, key, ctx, items, null, 0);
  return { items, size };
}

/**
 * Validate and write an attribute set in one pass at `off` of a growing buffer, as
 * `prepareAttrs` + `writeAttrs` would (same bytes, same errors), without a prepared list; returns
 * the offset past them. When it throws, bytes from `off` on may have been written: the caller
 * discards them.
 */
export function encodeAttrs(w: GrowableWriter, off: number, table: AttrTable, input: unknown, key: string, ctx: EncodeContext | null): number {
  return off + attrsPass(table, input, key, ctx, null, w, off);
}

/**
 * The one loop behind `prepareAttrs` (items: collect prepared attributes) and `encodeAttrs`
 * (w: write each at once from `off`); returns the encoded size.
 */
function attrsPass(table: AttrTable, input: unknown, key: string, ctx: EncodeContext | null, items: PreparedAttr[] | null, w: GrowableWriter | null, off: number): number {
  let pairs: readonly (readonly [string, unknown])[];
  let rawTypes: readonly number[] | null = null;
  // a pair list, the usual input, is taken as it is
  if (isPairList(input)) pairs = input;
  else ({ pairs, rawTypes } = inputEntries(input, key));
  const sctx = new SiblingContext(table, pairs, ctx);
  let size = 0;
  for (let i = 0; i < pairs.length; i++) {
    sctx.done = i;
    const k = pairs[i][0];
    const v = pairs[i][1];
    const rawTypeIn = rawTypes === null ? undefined : rawTypes[i];
    if (v === undefined || v === null) continue;
    const row = table.byKey.get(k);
    let codec: Codec<any, any>;
    let rawType: number;
    if (row) {
      if (v === false && row.codec.fixed === 0) continue;
      codec = row.codec;
      rawType = rawTypeIn ?? (row.type | ((codec as Partial<NestedCodec>).nlaFlag ? NLA_F_NESTED : 0));
    } else {
      const m = UNKNOWN_KEY.exec(k);
      if (!m) {
        throw new TypeError(`${key ? `Invalid ${key}: u` : "U"}nknown attribute ${show(k)} for ${table.name} (known: ${table.rows.map((r) => r.key).join(", ")})`);
      }
      codec = bytes;
      rawType = Number(m[1]);
    }
    const name = key === "" ? (row ? row.key : k) : `${key}.${row ? row.key : k}`;
    const p = codec.prepare(v, name, sctx);
    // a switchOn row takes NLA_F_NESTED from the nested set it picked for this value
    if (rawTypeIn === undefined && (codec as Partial<SwitchCodec>).nlaFlagOf?.(p)) rawType |= NLA_F_NESTED;
    const psize = codec.sizeOf(p);
    if (NLA_HDRLEN + psize > 0xffff) throw new RangeError(`Invalid ${name}: ${psize} bytes do not fit in one attribute`);
    const aligned = NLA_ALIGN(NLA_HDRLEN + psize);
    if (w === null) items!.push({ rawType, codec, p, size: psize });
    else {
      const at = off + size;
      w.reserve(at + aligned);
      w.dv.setUint16(at, NLA_HDRLEN + psize, true);
      w.dv.setUint16(at + 2, rawType, true);
      codec.write(w, at + NLA_HDRLEN, p);
    }
    size += aligned;
  }
  return size;
}

/** Write prepared attributes at `off`; returns the offset past them. */
export function writeAttrs(w: Writer, off: number, prepared: PreparedAttrs): number {
  const items = prepared.items;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    w.dv.setUint16(off, NLA_HDRLEN + it.size, true);
    w.dv.setUint16(off + 2, it.rawType, true);
    it.codec.write(w, off + NLA_HDRLEN, it.p);
    off += NLA_ALIGN(NLA_HDRLEN + it.size);
  }
  return off;
}

// ---------------------------------------------------------------------------------------------
// composite codecs

/** A codec for a nested attribute set. */
export interface NestedCodec<S extends AttrSpec = AttrSpec> extends Codec<Attrs<S>, PreparedAttrs> {
  /** The table of the nested attributes. */
  readonly table: AttrTable<S>;
  /** Set NLA_F_NESTED on the attribute when encoding (what the kernel and `ip` send). */
  readonly nlaFlag: boolean;
}

/**
 * A nested attribute set. `flag: true` sets NLA_F_NESTED when encoding (match what the kernel
 * and `ip` send for that attribute; decoding accepts both).
 *
 * @example
 * ```ts
 * const linkinfo = attrs("IFLA_INFO", { kind: [1, "IFLA_INFO_KIND", asciiz] });
 * const row: Row = [18, "IFLA_LINKINFO", nested(linkinfo)];
 * ```
 */
export function nested<S extends AttrSpec = AttrSpec>(table: AttrTable<S> | (() => AttrTable<S>), options: { flag?: boolean } = {}): NestedCodec<S> {
  let resolved: AttrTable<S> | null = table instanceof AttrTable ? table : null;
  const get = (): AttrTable<S> => (resolved ??= (table as () => AttrTable<S>)());
  return {
    name: `nested(${resolved ? resolved.name : "…"})`,
    get table() {
      return get();
    },
    nlaFlag: options.flag ?? false,
    decode: (r, off, len, ctx) => new Attrs(r, off, off + len, get(), ctx),
    prepare: (value, key, ctx) => prepareAttrs(get(), value, key, ctx),
    sizeOf: (p) => p.size,
    write(w, off, p) {
      writeAttrs(w, off, p);
    },
    toJSON: (v) => v.toJSON(),
  };
}

/** A `switchOn` codec: the payload codec is picked per value by a sibling or header field. */
export interface SwitchCodec extends Codec<unknown, { codec: Codec<any, any>; p: unknown }> {
  /** Whether the picked codec is a nested set sent with NLA_F_NESTED. */
  nlaFlagOf(prepared: { codec: Codec<any, any>; p: unknown }): boolean;
}

/**
 * A payload whose type depends on another value: a sibling attribute (IFLA_INFO_KIND for
 * IFLA_INFO_DATA) or a field of the enclosing message (family for IFLA_AF_SPEC). Unknown
 * selector values decode to raw bytes and re-encode byte-exact.
 *
 * @example
 * ```ts
 * const linkKinds = { veth: vethData, vxlan: vxlanData };
 * const row: Row = [2, "IFLA_INFO_DATA", switchOn("kind", linkKinds)];
 * ```
 */
export function switchOn(selector: string, registry: Readonly<Record<string | number, Codec<any, any> | AttrTable>>, options: { flag?: boolean } = {}): SwitchCodec {
  const cache = new Map<unknown, Codec<any, any>>();
  const pick = (sel: unknown): Codec<any, any> | undefined => {
    if (sel === undefined) return undefined;
    const key = String(sel);
    let c = cache.get(key);
    if (c === undefined) {
      const entry = registry[key];
      if (!entry) return undefined;
      c = entry instanceof AttrTable ? nested(entry, options) : entry;
      cache.set(key, c);
    }
    return c;
  };
  return {
    name: `switchOn(${selector})`,
    decode(r, off, len, ctx) {
      const sel = ctx.lookup(selector);
      const codec = pick(sel);
      if (!codec) return r.u8.slice(off, off + len);
      let v: unknown;
      try {
        v = codec.decode(r, off, len, ctx);
      } catch (e) {
        rethrowWithin(e, `(${String(sel)})`);
      }
      if (v instanceof Attrs) v.segment = `(${String(sel)})`;
      return v;
    },
    prepare(value, key, ctx) {
      const sel = ctx.lookup(selector);
      const codec = pick(sel) ?? (value instanceof Uint8Array || typeof value === "string" ? bytes : undefined);
      if (!codec) {
        throw new TypeError(`Invalid ${key}: no payload is known for ${selector} ${show(sel)} (known: ${Object.keys(registry).join(", ")})`);
      }
      return { codec, p: codec.prepare(value, key, ctx) };
    },
    sizeOf: (p) => p.codec.sizeOf(p.p),
    nlaFlagOf: (p) => !!(p.codec as Partial<NestedCodec>).nlaFlag,
    write(w, off, p) {
      p.codec.write(w, off, p.p);
    },
    toJSON: (v) => (v instanceof Attrs ? v.toJSON() : v instanceof Uint8Array ? toHex(v) : v),
  };
}

/**
 * A nested set whose attribute numbers are positions (IFLA_INET_CONF: type i+1 holds entry i).
 * Decodes to a list; absent positions are `null`.
 */
export function indexed<T>(elem: Codec<T, any>): Codec<(T | null)[], unknown[]> {
  return {
    name: `indexed(${elem.name})`,
    decode(r, off, len, ctx) {
      const out: (T | null)[] = [];
      const end = off + len;
      while (end - off >= NLA_HDRLEN) {
        const alen = r.dv.getUint16(off, true);
        const type = r.dv.getUint16(off + 2, true) & NLA_TYPE_MASK;
        if (alen < NLA_HDRLEN || off + alen > end || type === 0) {
          throw new NetlinkDecodeError(`Cannot decode indexed entry ${type}: length ${alen} does not fit`);
        }
        while (out.length < type - 1) out.push(null);
        out[type - 1] = elem.decode(r, off + NLA_HDRLEN, alen - NLA_HDRLEN, ctx);
        off += NLA_ALIGN(alen);
      }
      return out;
    },
    prepare(value, key, ctx) {
      if (!Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected a list, got ${show(value)}`);
      return value.map((v, i) => (v === null ? null : elem.prepare(v, `${key}[${i}]`, ctx)));
    },
    sizeOf: (p) => p.reduce<number>((n, v) => (v === null ? n : n + NLA_ALIGN(NLA_HDRLEN + elem.sizeOf(v))), 0),
    write(w, off, p) {
      p.forEach((v, i) => {
        if (v === null) return;
        const size = elem.sizeOf(v);
        w.dv.setUint16(off, NLA_HDRLEN + size, true);
        w.dv.setUint16(off + 2, i + 1, true);
        elem.write(w, off + NLA_HDRLEN, v);
        off += NLA_ALIGN(NLA_HDRLEN + size);
      });
    },
    toJSON: (v) => v.map((x) => (x === null ? null : elem.toJSON(x))),
  };
}

/** One record of `records()`: the header struct's fields (without its length) and `attrs`. */
export type RecordValue = Record<string, any> & { attrs?: Attrs };

/**
 * A sequence of records, each a header struct whose first field (`len`) counts the header plus
 * the attributes that follow it: RTA_MULTIPATH's `struct rtnexthop`. Decodes to a list of
 * `{ ...headerFields, attrs }`; the length is computed on encode.
 */
export function records(header: StructCodec, table: AttrTable | (() => AttrTable), lenField = "len"): Codec<RecordValue[], { h: Record<string, unknown>; a: PreparedAttrs }[]> {
  const hsize = header.size;
  const lenLayout = header.layout[0];
  if (lenLayout.name !== lenField) throw new TypeError(`records(): the header's first field must be ${lenField}`);
  const get = (): AttrTable => (table instanceof AttrTable ? table : table());
  return {
    name: `records(${header.name})`,
    decode(r, off, len, ctx) {
      const out: RecordValue[] = [];
      const end = off + len;
      let n = 0;
      while (end - off > 0) {
        if (end - off < hsize) throw new NetlinkDecodeError(`Cannot decode ${header.name} #${n}: ${end - off} bytes left, header needs ${hsize}`);
        const rlen = r.dv.getUint16(off, true);
        if (rlen < hsize || off + rlen > end) throw new NetlinkDecodeError(`Cannot decode ${header.name} #${n}: length ${rlen} does not fit in ${end - off} bytes`);
        const h = header.decode(r, off, hsize, ctx);
        delete h[lenField];
        const rec: RecordValue = h;
        if (rlen > hsize) {
          const a = new Attrs(r, off + hsize, off + rlen, get(), ctx instanceof Attrs ? ctx : null, `${header.name}[${n}]`);
          rec.attrs = a;
        }
        out.push(rec);
        off += NLA_ALIGN(rlen);
        n++;
      }
      return out;
    },
    prepare(value, key, ctx) {
      if (!Array.isArray(value)) throw new TypeError(`Invalid ${key}: expected a list of ${header.name}, got ${show(value)}`);
      return value.map((rec, i) => {
        if (rec === null || typeof rec !== "object") throw new TypeError(`Invalid ${key}[${i}]: expected an object, got ${show(rec)}`);
        const { attrs: a, ...fields } = rec as Record<string, unknown>;
        if (lenField in fields) throw new TypeError(`Invalid ${key}[${i}]: ${lenField} is computed, do not pass it`);
        const full = { ...fields, ...Object.fromEntries(header.layout.filter((f) => !(f.name in fields)).map((f) => [f.name, 0])) };
        const h = header.prepare(full, `${key}[${i}]`, ctx);
        return { h, a: a === undefined ? { items: [], size: 0 } : prepareAttrs(get(), a, `${key}[${i}]`, ctx) };
      });
    },
    sizeOf: (p) => p.reduce((n, x) => n + NLA_ALIGN(hsize + x.a.size), 0),
    write(w, off, p) {
      for (const x of p) {
        header.write(w, off, { ...x.h, [lenField]: hsize + x.a.size });
        writeAttrs(w, off + hsize, x.a);
        off += NLA_ALIGN(hsize + x.a.size);
      }
    },
    toJSON: (v) => v.map((rec) => {
      const out: Record<string, unknown> = {};
      for (const f of header.layout) if (f.name in rec) out[f.name] = f.codec.toJSON(rec[f.name]);
      if (rec.attrs) out.attrs = rec.attrs.toJSON().attrs;
      return out;
    }),
  };
}
