/**
 * The one libc symbol table nlroute uses, shared by every runtime adapter.
 *
 * Types are spelled with Deno's `NativeType` names, which already describe C's integer and
 * pointer widths; `deno.ts` passes the table to `Deno.dlopen` unchanged and `bun.ts` maps each
 * name through {@link BUN_TYPES}. Both runtimes therefore call the same C prototype, written in
 * the comment above each entry.
 *
 * Rules the table encodes (measured, see DESIGN.md):
 * - `size_t` / `unsigned long` are `"usize"`, passed as `bigint` (Deno's and Bun's checkers agree).
 * - `ssize_t` results are `"isize"`: both runtimes return a `bigint`; adapters turn it into a number.
 * - Pointers to memory we own are `"buffer"`: a `Uint8Array<ArrayBuffer>` (or `null`).
 * - A variadic C function is declared once per argument shape, with `name` naming the real symbol.
 * @module
 */

/**
 * The C types the table uses (a subset of Deno's `NativeType`, plus `"void"` for results).
 *
 * @example
 * ```ts
 * const sizeT: CType = "usize";
 * ```
 */
export type CType = "i32" | "u32" | "isize" | "usize" | "buffer" | "pointer" | "void";

/**
 * One foreign function: parameter and result types, the real symbol `name` when the key is an
 * alias, and `nonblocking` for Deno calls that run on a helper thread and return a Promise.
 *
 * @example
 * ```ts
 * const spec: SymbolSpec = { parameters: ["i32"], result: "i32" }; // int close(int fd);
 * ```
 */
export interface SymbolSpec {
  /** Real symbol name when the key is an alias (variadic functions declared twice). */
  readonly name?: string;
  /** Parameter types, in C order. */
  readonly parameters: readonly CType[];
  /** Result type. */
  readonly result: CType;
  /** Deno only: run on a blocking thread and return a Promise (errno is unusable afterwards). */
  readonly nonblocking?: boolean;
}

/**
 * The libc functions nlroute calls: key → signature, C prototype above each entry.
 *
 * @example
 * ```ts
 * const lib = Deno.dlopen("libc.so.6", SYMBOLS);
 * lib.symbols.getpid(); // 4242
 * ```
 */
export const SYMBOLS = {
  // int *__errno_location(void);  — the calling thread's errno
  __errno_location: { parameters: [], result: "pointer" },

  // int socket(int domain, int type, int protocol);
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen);
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  // int getsockname(int sockfd, struct sockaddr *addr, socklen_t *addrlen);
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen);
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  // ssize_t send(int sockfd, const void *buf, size_t len, int flags);
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  // ssize_t recv(int sockfd, void *buf, size_t len, int flags);
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  // int recvmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags,
  //              struct timespec *timeout);  — the timeout is always NULL (MSG_DONTWAIT + poll)
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "buffer"], result: "i32" },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout);
  poll: { parameters: ["buffer", "usize", "i32"], result: "i32" },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout);  — Deno: on a helper thread
  poll_nb: { name: "poll", parameters: ["buffer", "usize", "i32"], result: "i32", nonblocking: true },
  // int close(int fd);
  close: { parameters: ["i32"], result: "i32" },
  // int open(const char *pathname, int flags, ... /* mode_t mode */);
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  // ssize_t read(int fd, void *buf, size_t count);
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // ssize_t write(int fd, const void *buf, size_t count);
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  // int eventfd(unsigned int initval, int flags);
  eventfd: { parameters: ["u32", "i32"], result: "i32" },
  // int ioctl(int fd, unsigned long request, void *argp);  — variadic, pointer shape
  ioctl_ptr: { name: "ioctl", parameters: ["i32", "usize", "buffer"], result: "i32" },
  // int ioctl(int fd, unsigned long request, unsigned long arg);  — variadic, integer shape
  ioctl_int: { name: "ioctl", parameters: ["i32", "usize", "usize"], result: "i32" },

  // int setns(int fd, int nstype);
  setns: { parameters: ["i32", "i32"], result: "i32" },
  // int unshare(int flags);
  unshare: { parameters: ["i32"], result: "i32" },
  // int mount(const char *source, const char *target, const char *filesystemtype,
  //           unsigned long mountflags, const void *data);
  mount: { parameters: ["buffer", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  // int umount2(const char *target, int flags);
  umount2: { parameters: ["buffer", "i32"], result: "i32" },
  // int unlink(const char *pathname);
  unlink: { parameters: ["buffer"], result: "i32" },
  // int mkdir(const char *pathname, mode_t mode);
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  // int fcntl(int fd, int cmd, ... /* int arg */);  — variadic, integer shape (F_GETFL, F_SETFL)
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  // int dup3(int oldfd, int newfd, int flags);
  dup3: { parameters: ["i32", "i32", "i32"], result: "i32" },

  // pid_t getpid(void);
  getpid: { parameters: [], result: "i32" },
  // pid_t gettid(void);  (glibc ≥ 2.30)
  gettid: { parameters: [], result: "i32" },
} as const satisfies Record<string, SymbolSpec>;

/**
 * The symbol table's type: what `Deno.dlopen` and the Bun mapping derive their types from.
 *
 * @example
 * ```ts
 * type SendResult = Symbols["send"]["result"]; // "isize"
 * ```
 */
export type Symbols = typeof SYMBOLS;

/**
 * Bun's `FFIType` name for each {@link CType}: 64-bit integers are `i64`/`u64`, every pointer is
 * `ptr` (Bun passes a TypedArray's address for it).
 *
 * @example
 * ```ts
 * BUN_TYPES.usize; // "u64"
 * ```
 */
export const BUN_TYPES = {
  i32: "i32",
  u32: "u32",
  isize: "i64",
  usize: "u64",
  buffer: "ptr",
  pointer: "ptr",
  void: "void",
} as const satisfies Record<CType, string>;

/**
 * JS value accepted for a parameter of C type `T`, identical in both runtimes' calls.
 *
 * @example
 * ```ts
 * const len: ParamValue<"usize"> = 32n;
 * ```
 */
export type ParamValue<T extends CType> = T extends "i32" | "u32" ? number
  : T extends "isize" | "usize" ? bigint
  : T extends "buffer" ? Uint8Array<ArrayBuffer> | null
  : T extends "pointer" ? unknown
  : never;

/**
 * JS argument list for a C parameter list (a tuple, mapped element by element).
 *
 * @example
 * ```ts
 * const args: ParamValues<Symbols["send"]["parameters"]> = [fd, buf, 32n, 0];
 * ```
 */
export type ParamValues<P extends readonly CType[]> = { -readonly [I in keyof P]: ParamValue<P[I]> };

/**
 * The synchronous symbols, normalised so both adapters expose the same shape: parameters as in
 * {@link ParamValue}, results as `number` (adapters convert `isize`). Left out: nonblocking
 * (Deno-only) entries and `__errno_location`, which each adapter turns into an errno view.
 *
 * @example
 * ```ts
 * const raw: RawLibc = { ...symbols, send: (...a) => Number(symbols.send(...a)) } as RawLibc;
 * raw.send(fd, buf, BigInt(buf.byteLength), 0); // a number
 * ```
 */
export type RawLibc = {
  readonly [
    K in keyof Symbols as Symbols[K] extends { nonblocking: true } ? never
      : Symbols[K]["result"] extends "pointer" ? never
      : K
  ]: (...args: ParamValues<Symbols[K]["parameters"]>) => number;
};

/**
 * A runtime's function for one entry of {@link SYMBOLS} (from `Deno.dlopen` or `bun:ffi`).
 *
 * @example
 * ```ts
 * const bind: BindSymbol = (name) => Deno.dlopen("libc.so.6", { [name]: SYMBOLS[name] }).symbols[name];
 * ```
 */
export type BindSymbol = (name: keyof Symbols) => (...args: never[]) => unknown;

/**
 * The `RawLibc` view of a runtime's symbols: every blocking entry of {@link SYMBOLS} that returns
 * a number, with `isize` results (returned as `bigint` by both runtimes) turned into numbers. One
 * place for what both adapters would otherwise list by hand.
 *
 * Each symbol is bound by `bind` on its first call, not up front: binding costs each runtime
 * about 0.2 ms a symbol, and a program that only lists links calls a third of the table. The
 * first call replaces the entry with the bound function, so later calls go straight to it.
 *
 * @param bind binds one symbol; called at most once per name
 * @returns the raw libc
 * @example
 * ```ts
 * const raw = rawLibc((name) => Deno.dlopen("libc.so.6", { [name]: SYMBOLS[name] }).symbols[name]);
 * ```
 */
export function rawLibc(bind: BindSymbol): RawLibc {
  const out: Record<string, (...args: unknown[]) => unknown> = {};
  for (const [name, spec] of Object.entries(SYMBOLS) as [keyof Symbols, SymbolSpec][]) {
    if (spec.nonblocking || spec.result === "pointer") continue;
    let bound: ((...args: unknown[]) => unknown) | undefined;
    const resolve = () => {
      const f = bind(name) as unknown as (...args: unknown[]) => unknown;
      if (typeof f !== "function") throw new Error(`nlroute: libc symbol ${name} is missing from the opened library`);
      // the hot calls (send, recv, read, write) keep a fixed arity rather than a rest parameter
      bound = spec.result === "isize" ? (a: unknown, b: unknown, c: unknown, d: unknown) => Number(f(a, b, c, d)) : f;
      out[name] = bound;
      return bound;
    };
    out[name] = (...args: unknown[]) => (bound ?? resolve())(...args);
  }
  return out as unknown as RawLibc;
}
