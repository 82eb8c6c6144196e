/**
 * Picks the FFI adapter for the running runtime once, at import time: Deno → `deno.ts`,
 * Bun → `bun.ts`. Importing costs one `dlopen` of the already-loaded libc.
 * @module
 */

import type { Libc } from "./libc.ts";

async function loadLibc(): Promise<Libc> {
  if ("Deno" in globalThis) return (await import("./deno.ts")).createLibc();
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
export const libc: Libc = await loadLibc();
