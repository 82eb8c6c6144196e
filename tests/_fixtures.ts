/**
 * Shared helpers for the fixture corpus (tests/fixtures/<object>/<case>.hex + .json): reading the
 * annotated hex, splitting it into messages, listing the corpus, and the fuzz seed. Runs
 * unchanged under Node (tsx), Deno and Bun: only node:fs / node:path / node:url.
 * @module
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of tests/fixtures/. */
export const FIXTURES_DIR: string = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** One fixture: its name ("link/veth"), its file paths, and the captured messages. */
export interface Fixture {
  /** `<object>/<case>`, e.g. "link/veth". */
  readonly name: string;
  /** Path of the `.hex` file. */
  readonly hexPath: string;
  /** Path of the sibling `.json` file (may not exist yet). */
  readonly jsonPath: string;
  /** One Uint8Array per netlink message, exactly nlmsg_len bytes each. */
  readonly messages: Uint8Array[];
}

/**
 * The bytes of an annotated hex file: everything from `#` to the end of a line is a comment,
 * whitespace is ignored, the rest must be pairs of hex digits.
 */
export function parseHex(text: string, where = "hex"): Uint8Array {
  const out: number[] = [];
  text.split("\n").forEach((line, i) => {
    const data = line.replace(/#.*$/, "").replace(/\s+/g, "");
    if (data.length % 2 !== 0 || /[^0-9a-fA-F]/.test(data)) {
      throw new SyntaxError(`${where}:${i + 1}: expected pairs of hex digits, got ${JSON.stringify(line)}`);
    }
    for (let j = 0; j < data.length; j += 2) out.push(parseInt(data.slice(j, j + 2), 16));
  });
  return Uint8Array.from(out);
}

/** Split concatenated netlink messages by nlmsg_len (padding between them is skipped). */
export function splitMessages(bytes: Uint8Array, where = "hex"): Uint8Array[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < bytes.length) {
    if (bytes.length - off < 16) throw new SyntaxError(`${where}: ${bytes.length - off} bytes after the last message`);
    const len = dv.getUint32(off, true);
    if (len < 16 || off + len > bytes.length) throw new SyntaxError(`${where}: nlmsg_len ${len} at byte ${off} does not fit`);
    out.push(bytes.slice(off, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** Lower-case hex of bytes, no separators (failure messages, mutant dumps). */
export function hex(u8: Uint8Array): string {
  let s = "";
  for (let i = 0; i < u8.length; i++) s += (u8[i] < 16 ? "0" : "") + u8[i].toString(16);
  return s;
}

/** Read one fixture by its `.hex` path. */
export function readFixture(hexPath: string): Fixture {
  const rel = hexPath.slice(FIXTURES_DIR.length).replace(/\\/g, "/");
  const name = rel.replace(/\.hex$/, "");
  const messages = splitMessages(parseHex(readFileSync(hexPath, "utf8"), rel), rel);
  return { name, hexPath, jsonPath: hexPath.replace(/\.hex$/, ".json"), messages };
}

/** Every fixture of the corpus, sorted by name. */
export function listFixtures(): Fixture[] {
  const out: Fixture[] = [];
  for (const dir of readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(join(FIXTURES_DIR, dir.name)).sort()) {
      if (f.endsWith(".hex")) out.push(readFixture(join(FIXTURES_DIR, dir.name, f)));
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The expected decode of a fixture (its `.json`), or undefined when it has none. */
export function readExpected(f: Fixture): unknown[] | undefined {
  return existsSync(f.jsonPath) ? (JSON.parse(readFileSync(f.jsonPath, "utf8")) as unknown[]) : undefined;
}

/** An environment variable on Node, Deno (`-A`) and Bun alike; undefined when unset or denied. */
export function envVar(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    return env?.[name];
  } catch {
    return undefined;
  }
}

/**
 * The datagrams of strace's hex dumps (`strace -e write=all -xx`, one per sendmsg iov): lines
 * ` * N bytes in buffer K` then ` | 00000  xx xx ...  ascii |`; `[pid N]` prefixes are dropped.
 * Used by the capture scripts.
 */
export function straceDatagrams(text: string): Uint8Array[] {
  const out: number[][] = [];
  let cur: number[] | null = null;
  for (const raw of text.split("\n")) {
    const l = raw.replace(/^\[pid\s+\d+\]\s*/, "").replace(/^\d+\s+/, "");
    const head = /^\s*\* (\d+) bytes in buffer (\d+)/.exec(l);
    if (head) {
      if (head[2] === "0") out.push((cur = []));
      continue;
    }
    const row = /^\s*\| ([0-9a-f]{5,8})  (.{48})/.exec(l) ?? /^\s*\| ([0-9a-f]{5,8})  (.*?)\s*\|$/.exec(l);
    if (row && cur) for (const b of row[2].match(/[0-9a-f]{2}/g) ?? []) cur.push(parseInt(b, 16));
  }
  return out.map((d) => Uint8Array.from(d));
}
