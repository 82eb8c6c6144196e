/**
 * The Bun adapter: `bun:ffi` over {@link SYMBOLS} (one symbol at a time, on first use), each type
 * mapped through {@link BUN_TYPES}, errno through `__errno_location()`. Reach it only through a literal `await import("./bun.ts")`
 * (see `load.ts`): `deno check` never needs Bun's types and `bun build --compile` bundles it.
 * @module
 */

import { dlopen, linkSymbols, ptr, toArrayBuffer } from "bun:ffi";
import type { FFIFunction, Pointer } from "bun:ffi";
import { bindLibc } from "./_bind.ts";
import type { Libc } from "./libc.ts";
import { BUN_TYPES, SYMBOLS, rawLibc } from "./symbols.ts";
import type { SymbolSpec, Symbols } from "./symbols.ts";

const LIBC_PATH = "libc.so.6";

/**
 * One entry of {@link SYMBOLS}, bound on its own when first needed (see {@link rawLibc}).
 * Bun's `dlopen` binds by key only, so an alias (a variadic function declared per argument
 * shape) is linked by address: the real symbol is looked up with an argument-less stub.
 */
function bindSymbol(key: keyof Symbols): (...args: never[]) => unknown {
  const spec: SymbolSpec = SYMBOLS[key];
  const declaration = { args: spec.parameters.map((t) => BUN_TYPES[t]), returns: BUN_TYPES[spec.result] };
  if (spec.name === undefined || spec.name === key) {
    return dlopen(LIBC_PATH, { [key]: declaration } as Record<string, FFIFunction>).symbols[key] as (...args: never[]) => unknown;
  }
  const stub = dlopen(LIBC_PATH, { [spec.name]: {} });
  const address = (stub.symbols[spec.name] as unknown as { ptr: Pointer }).ptr;
  return linkSymbols({ [key]: { ...declaration, ptr: address } } as Record<string, FFIFunction>).symbols[key] as (...args: never[]) => unknown;
}

/**
 * Open libc through `bun:ffi` and return the typed {@link Libc}. Each symbol is bound on its
 * first call.
 *
 * @returns libc for the calling thread (errno is per thread; a Worker calls this itself)
 * @example
 * ```ts
 * const { createLibc } = await import("./bun.ts");
 * createLibc().getpid(); // 4242
 * ```
 */
export function createLibc(): Libc {
  const errnoPtr = (bindSymbol("__errno_location") as () => Pointer | null)();
  if (errnoPtr === null) throw new Error("nlroute: __errno_location() returned NULL");
  const errno = new Int32Array(toArrayBuffer(errnoPtr, 0, 4));
  // Bun zero-fills a new Uint8Array page by page (1 MiB: ~3-5 ms of page faults here at start-up);
  // Buffer.allocUnsafeSlow hands out its own untouched memory, viewed as a plain Uint8Array
  const scratch = (size: number): Uint8Array<ArrayBuffer> => {
    const b = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
  };
  return bindLibc(rawLibc(bindSymbol), errno, (buf) => BigInt(ptr(buf)), scratch);
}
