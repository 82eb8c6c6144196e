/**
 * The Bun adapter: `bun:ffi` over {@link SYMBOLS}, each type mapped through {@link BUN_TYPES},
 * errno through `__errno_location()`. Reach it only through a literal `await import("./bun.ts")`
 * (see `load.ts`): `deno check` never needs Bun's types and `bun build --compile` bundles it.
 * @module
 */

import { dlopen, linkSymbols, ptr, toArrayBuffer } from "bun:ffi";
import type { Library, Pointer } from "bun:ffi";
import { bindLibc } from "./_bind.ts";
import type { Libc } from "./libc.ts";
import { BUN_TYPES, SYMBOLS, rawLibc } from "./symbols.ts";
import type { CType, SymbolSpec, Symbols } from "./symbols.ts";

const LIBC_PATH = "libc.so.6";

type BunTypes<P extends readonly CType[]> = { readonly [I in keyof P]: (typeof BUN_TYPES)[P[I]] };

/** The Bun declarations derived from {@link SYMBOLS}; Deno-only nonblocking entries left out. */
type BunTable = {
  readonly [K in keyof Symbols as Symbols[K] extends { nonblocking: true } ? never : K]: {
    readonly args: BunTypes<Symbols[K]["parameters"]>;
    readonly returns: (typeof BUN_TYPES)[Symbols[K]["result"]];
  };
};

interface BunDeclaration {
  args: string[];
  returns: string;
  ptr?: Pointer;
}

/**
 * Bun's `dlopen` binds by key only, so an alias (a variadic function declared per argument
 * shape) is linked by address: the real symbol is looked up with an argument-less stub.
 */
function openLibrary(): Library<BunTable>["symbols"] {
  const direct: Record<string, BunDeclaration> = {};
  const aliases: Record<string, BunDeclaration & { name: string }> = {};
  for (const [key, spec] of Object.entries(SYMBOLS) as [string, SymbolSpec][]) {
    if (spec.nonblocking) continue;
    const declaration = { args: spec.parameters.map((t) => BUN_TYPES[t]), returns: BUN_TYPES[spec.result] };
    if (spec.name === undefined || spec.name === key) direct[key] = declaration;
    else aliases[key] = { ...declaration, name: spec.name };
  }
  const targets = new Set(Object.values(aliases).map((a) => a.name));
  const stubs = dlopen(LIBC_PATH, Object.fromEntries([...targets].map((name) => [name, {}])));
  const linked: Record<string, BunDeclaration> = {};
  for (const [key, { name, ...declaration }] of Object.entries(aliases)) {
    linked[key] = { ...declaration, ptr: (stubs.symbols[name] as unknown as { ptr: Pointer }).ptr };
  }
  const lib = dlopen(LIBC_PATH, direct as unknown as BunTable);
  const links = linkSymbols(linked as unknown as BunTable);
  return { ...lib.symbols, ...links.symbols } as Library<BunTable>["symbols"];
}

/**
 * Open libc through `bun:ffi` and return the typed {@link Libc}.
 *
 * @returns libc for the calling thread (errno is per thread; a Worker calls this itself)
 * @example
 * ```ts
 * const { createLibc } = await import("./bun.ts");
 * createLibc().getpid(); // 4242
 * ```
 */
export function createLibc(): Libc {
  const s = openLibrary();
  const errnoPtr = s.__errno_location();
  if (errnoPtr === null) throw new Error("nlroute: __errno_location() returned NULL");
  const errno = new Int32Array(toArrayBuffer(errnoPtr, 0, 4));
  const raw = rawLibc(s);
  return bindLibc(raw, errno, (buf) => BigInt(ptr(buf)));
}
