/**
 * Test support for the byte-exact request fixtures of tests/fixtures/requests/{rule,neigh,bridge}:
 * each `.hex` holds the request `ip` / `bridge` sent (captured with strace) and, in its
 * `# nlroute:` line, the verb call that must encode to the same bytes. Used by rules_test.ts,
 * neighbours_test.ts and bridge_test.ts.
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NLM_F } from "../marshal/header.ts";
import { ScriptedTransport, ack, done } from "../socket/scripted.ts";
import { IPRoute } from "./iproute.ts";

const DIR = fileURLToPath(new URL("../../tests/fixtures/requests/", import.meta.url));

/** One captured request and the nlroute call that must reproduce it. */
export interface RequestFixture {
  /** `<dir>/<case>`. */
  readonly name: string;
  /** The iproute2 command that sent it. */
  readonly command: string;
  /** What the kernel answered (`ok` or the error text). */
  readonly answer: string;
  /** IPRoute method name (`rule`, `fdb`, `getVlans`...). */
  readonly verb: string;
  /** Its first argument (empty for one-argument methods such as `getVlans`). */
  readonly verbCommand: string;
  /** The spec argument. */
  readonly spec: Record<string, unknown>;
  /** The captured request, exactly nlmsg_len bytes. */
  readonly bytes: Uint8Array;
}

function header(text: string, key: string, file: string): string {
  const m = new RegExp(`^# ${key}: (.*)$`, "m").exec(text);
  if (!m) throw new SyntaxError(`${file}: no "# ${key}:" line`);
  return m[1];
}

/** Every fixture of tests/fixtures/requests/<dir>, sorted by name. */
export function requestFixtures(dir: string): RequestFixture[] {
  const out: RequestFixture[] = [];
  for (const f of readdirSync(join(DIR, dir)).filter((n) => n.endsWith(".hex")).sort()) {
    const text = readFileSync(join(DIR, dir, f), "utf8");
    const call = JSON.parse(header(text, "nlroute", f)) as { verb: string; command: string; spec: Record<string, unknown> };
    const hexText = text.split("\n").map((l) => l.replace(/#.*$/, "").replace(/\s+/g, "")).join("");
    const bytes = Uint8Array.from(hexText.match(/../g) ?? [], (h) => parseInt(h, 16));
    out.push({ name: `${dir}/${f.slice(0, -4)}`, command: header(text, "command", f), answer: header(text, "kernel answer", f), verb: call.verb, verbCommand: call.command, spec: call.spec, bytes });
  }
  return out;
}

/**
 * The bytes of a message with its sequence number and port id zeroed (nlmsghdr bytes 8..15);
 * with `ignoreAck`, NLM_F_ACK cleared too: the library asks for an ACK on every `get` so that it
 * knows where the answer ends, where `ip ... get` relies on the reply alone.
 */
export function withoutSeq(msg: Uint8Array, ignoreAck = false): Uint8Array {
  const out = msg.slice();
  out.fill(0, 8, 16);
  if (ignoreAck) out[6] &= ~NLM_F.ACK;
  return out;
}

/** Lower-case hex of bytes. */
export function toHexText(u8: Uint8Array): string {
  return Array.from(u8, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Run the fixture's call against a kernel that ACKs every request and ends every dump empty;
 * returns the requests sent.
 */
export async function sentBy(f: RequestFixture): Promise<Uint8Array[]> {
  const t = new ScriptedTransport((req) => [(req.header.flags & NLM_F.DUMP) === NLM_F.DUMP ? done(req) : ack(req)]);
  const ipr = new IPRoute({ transport: t });
  try {
    const method = (ipr as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[f.verb].bind(ipr);
    await (f.verbCommand === "" ? method(f.spec) : method(f.verbCommand, f.spec));
  } finally {
    ipr.close();
  }
  return t.sent;
}
