#!/usr/bin/env -S deno run --allow-ffi --allow-read --allow-env
/**
 * `nlroute`: an `ip`-like command over the nlroute library.
 *
 *   deno run --allow-ffi --allow-read --allow-env bin/nlroute.ts link show -j
 *   bun bin/nlroute.ts -n blue addr show
 *   npm run build:cli && dist/nlroute monitor -j      # one executable, built with bun build --compile
 *
 * @module
 */

import { writeSync } from "node:fs";
import { main } from "./_cli.ts";

interface DenoLike {
  args: string[];
  exit(code: number): never;
  stdout: { writeSync(p: Uint8Array): number };
  stderr: { writeSync(p: Uint8Array): number };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
}
interface ProcessLike {
  argv: string[];
  exit(code: number): never;
  on(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const proc = (globalThis as { process?: ProcessLike }).process;
const encoder = new TextEncoder();

// synchronous writes: the process may exit right after, and nothing may be lost in a pipe.
// A reader that went away (`nlroute monitor | head -1`) ends the command quietly, as SIGPIPE
// ends ip; Deno and Bun ignore SIGPIPE, so the write fails with EPIPE instead.
function writeAll(w: { writeSync(p: Uint8Array): number }, text: string): void {
  let bytes = encoder.encode(text);
  try {
    while (bytes.length) bytes = bytes.subarray(w.writeSync(bytes));
  } catch (e) {
    const err = e as { code?: string; name?: string };
    if (err.code === "EPIPE" || err.name === "BrokenPipe") exit(0);
    throw e;
  }
}

function fdWriter(fd: number): { writeSync(p: Uint8Array): number } {
  return { writeSync: (p) => writeSync(fd, p) };
}

const stop = new AbortController();
const onSignal = () => {
  stop.abort();
  // whatever is still pending (a blocked poll) must not keep the process alive
  setTimeout(() => exit(0), 500);
};

function exit(code: number): never {
  if (deno) deno.exit(code);
  return proc!.exit(code);
}

let status: number;
if (deno) {
  deno.addSignalListener("SIGINT", onSignal);
  deno.addSignalListener("SIGTERM", onSignal);
  status = await main(deno.args, { out: (s) => writeAll(deno.stdout, s), err: (s) => writeAll(deno.stderr, s), stopSignal: stop.signal });
} else {
  proc!.on("SIGINT", onSignal);
  proc!.on("SIGTERM", onSignal);
  status = await main(proc!.argv.slice(2), { out: (s) => writeAll(fdWriter(1), s), err: (s) => writeAll(fdWriter(2), s), stopSignal: stop.signal });
}
exit(status);
