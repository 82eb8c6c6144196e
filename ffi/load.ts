/**
 * Picks the FFI adapter for the running runtime once, at import time: Deno → `deno.ts`,
 * Bun → `bun.ts`. Importing costs one `dlopen` of the already-loaded libc.
 * @module
 */

import type { Libc } from "./libc.ts";
// Static: deno.ts touches `Deno` only when called, so it loads anywhere, and Deno then needs no
// dynamic import (an extra module-loading round trip) before the first socket.
import { createLibc as createDenoLibc } from "./deno.ts";

async function loadOtherLibc(): Promise<Libc> {
  // A literal specifier: `bun build --compile` bundles the adapter, `deno check` never needs it.
  if ("Bun" in globalThis) return (await import("./bun.ts")).createLibc();
  throw new Error("nlroute: FFI needs Deno (--allow-ffi) or Bun");
}

/**
 * The calling thread's libc, typed (see {@link Libc}).
 *
 * @example
 * ```ts
 * import { libc } from "./ffi/load.ts";
 * console.log(libc.getpid());
 * ```
 */
export const libc: Libc = "Deno" in globalThis ? createDenoLibc() : await loadOtherLibc();
