/**
 * Processes in a network namespace (pyroute2's `NSPopen`, without its helper process): the main
 * thread switches into the namespace, the runtime starts the child (which inherits the thread's
 * namespace), and the thread switches back — with no `await` in between, and in `finally`.
 * Deno uses `Deno.Command`, Bun `Bun.spawn`; both start the child synchronously on the calling
 * thread.
 * @module
 */

import { runInNetns, type NetnsTarget } from "./netns.ts";

/** What to connect a child's stdin, stdout or stderr to. */
export type StdioMode = "piped" | "inherit" | "null";

/**
 * Options for {@link spawn}.
 *
 * @example
 * ```ts
 * const opts: SpawnOptions = { stdout: "piped", env: { LC_ALL: "C" } };
 * ```
 */
export interface SpawnOptions {
  /** Working directory. */
  readonly cwd?: string;
  /** Extra environment variables (added to this process's environment unless `clearEnv`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Start from an empty environment. */
  readonly clearEnv?: boolean;
  /** stdin: default "null". */
  readonly stdin?: StdioMode;
  /** stdout: default "piped". */
  readonly stdout?: StdioMode;
  /** stderr: default "piped". */
  readonly stderr?: StdioMode;
  /** Kill the process (SIGTERM) when aborted. */
  readonly signal?: AbortSignal;
}

/**
 * How a process ended.
 *
 * @example
 * ```ts
 * const { code, signal, success } = await p.status;
 * ```
 */
export interface ProcessStatus {
  /** Exit code; 128 + signal number when a signal ended it. */
  readonly code: number;
  /** The signal that ended it ("SIGTERM"), or null. */
  readonly signal: string | null;
  /** `code === 0`. */
  readonly success: boolean;
}

/**
 * A process's status and its whole output.
 *
 * @example
 * ```ts
 * const { code, stdout } = await p.output();
 * ```
 */
export interface ProcessOutput extends ProcessStatus {
  /** Everything written to stdout (empty unless stdout was "piped"). */
  readonly stdout: Uint8Array;
  /** Everything written to stderr (empty unless stderr was "piped"). */
  readonly stderr: Uint8Array;
}

/**
 * A child process started in a namespace. `await using` kills it if still running and waits.
 *
 * @example
 * ```ts
 * await using p = netns.spawn("blue", ["ping", "-c1", "192.0.2.2"]);
 * for await (const chunk of p.stdout!) console.log(new TextDecoder().decode(chunk));
 * console.log((await p.status).code);
 * ```
 */
export interface NetnsProcess extends AsyncDisposable {
  /** Process id. */
  readonly pid: number;
  /** The child's stdin, when "piped". */
  readonly stdin: WritableStream<Uint8Array> | null;
  /** The child's stdout, when "piped" (the default). */
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** The child's stderr, when "piped" (the default). */
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Resolves when the process has ended. */
  readonly status: Promise<ProcessStatus>;
  /** Read stdout and stderr to the end and wait for the status. */
  output(): Promise<ProcessOutput>;
  /** Send a signal (default "SIGTERM"); does nothing once the process has ended. */
  kill(signal?: string): void;
}

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15,
};

function checkOptions(command: readonly string[], options: SpawnOptions): void {
  if (!Array.isArray(command) || command.length === 0 || !command.every((a) => typeof a === "string")) {
    throw new TypeError(`spawn(): command must be a non-empty array of strings, got ${JSON.stringify(command)}`);
  }
  for (const key of ["stdin", "stdout", "stderr"] as const) {
    const v = options[key];
    if (v !== undefined && v !== "piped" && v !== "inherit" && v !== "null") {
      throw new TypeError(`spawn(): ${key} must be "piped", "inherit" or "null", got ${JSON.stringify(v)}`);
    }
  }
  if (options.env !== undefined) {
    for (const [k, v] of Object.entries(options.env)) {
      if (typeof v !== "string") throw new TypeError(`spawn(): env.${k} must be a string, got ${typeof v}`);
    }
  }
}

async function readAll(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Shared by both runtimes: output(), kill-on-dispose. */
function wrap(
  pid: number,
  stdin: WritableStream<Uint8Array> | null,
  stdout: ReadableStream<Uint8Array> | null,
  stderr: ReadableStream<Uint8Array> | null,
  status: Promise<ProcessStatus>,
  kill: (signal: string) => void,
): NetnsProcess {
  let ended = false;
  status.then(() => (ended = true), () => (ended = true));
  const send = (signal = "SIGTERM") => {
    if (!ended) kill(signal);
  };
  return {
    pid,
    stdin,
    stdout,
    stderr,
    status,
    async output() {
      const [out, err, st] = await Promise.all([readAll(stdout), readAll(stderr), status]);
      return { ...st, stdout: out, stderr: err };
    },
    kill: send,
    async [Symbol.asyncDispose]() {
      send("SIGKILL");
      await Promise.allSettled([stdout?.cancel(), stderr?.cancel(), status]);
    },
  };
}

function spawnDeno(command: readonly string[], options: SpawnOptions): NetnsProcess {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    cwd: options.cwd,
    env: options.env as Record<string, string> | undefined,
    clearEnv: options.clearEnv,
    stdin: options.stdin ?? "null",
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
    signal: options.signal,
  }).spawn();
  const status = child.status.then((s) => ({
    code: s.signal ? 128 + (SIGNALS[s.signal] ?? 0) : s.code,
    signal: s.signal,
    success: s.success,
  }));
  return wrap(
    child.pid,
    (options.stdin ?? "null") === "piped" ? child.stdin : null,
    (options.stdout ?? "piped") === "piped" ? child.stdout : null,
    (options.stderr ?? "piped") === "piped" ? child.stderr : null,
    status,
    (signal) => child.kill(signal as Deno.Signal),
  );
}

const BUN_STDIO = { piped: "pipe", inherit: "inherit", null: "ignore" } as const;

/** The part of Bun's API spawn uses, described structurally so `deno check` needs no Bun types. */
interface BunSpawn {
  spawn(command: string[], options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    stdin: "pipe" | "inherit" | "ignore";
    stdout: "pipe" | "inherit" | "ignore";
    stderr: "pipe" | "inherit" | "ignore";
    signal?: AbortSignal;
  }): {
    readonly pid: number;
    readonly stdin: unknown;
    readonly stdout: unknown;
    readonly stderr: unknown;
    readonly exited: Promise<number>;
    readonly exitCode: number | null;
    readonly signalCode: string | null;
    kill(signal?: string): void;
  };
}

function spawnBun(command: readonly string[], options: SpawnOptions): NetnsProcess {
  const env = options.clearEnv ? { ...options.env } : options.env ? { ...process.env, ...options.env } : undefined;
  const proc = (globalThis as unknown as { Bun: BunSpawn }).Bun.spawn([...command], {
    cwd: options.cwd,
    env,
    stdin: BUN_STDIO[options.stdin ?? "null"],
    stdout: BUN_STDIO[options.stdout ?? "piped"],
    stderr: BUN_STDIO[options.stderr ?? "piped"],
    signal: options.signal,
  });
  const status = proc.exited.then(() => {
    const signal = proc.signalCode ?? null;
    const code = signal ? 128 + (SIGNALS[signal] ?? 0) : (proc.exitCode ?? 0);
    return { code, signal, success: code === 0 };
  });
  let stdin: WritableStream<Uint8Array> | null = null;
  if ((options.stdin ?? "null") === "piped") {
    // Bun's FileSink, described structurally so that Deno's tools never resolve "bun" types
    const sink = proc.stdin as unknown as { write(chunk: Uint8Array): unknown; flush(): unknown; end(): unknown };
    stdin = new WritableStream<Uint8Array>({
      async write(chunk) {
        sink.write(chunk);
        await sink.flush();
      },
      async close() {
        await sink.end();
      },
      async abort() {
        await sink.end();
      },
    });
  }
  const stream = (s: unknown) => (s instanceof ReadableStream ? (s as ReadableStream<Uint8Array>) : null);
  return wrap(proc.pid, stdin, stream(proc.stdout), stream(proc.stderr), status, (signal) => proc.kill(signal));
}

/**
 * Start `command` inside the network namespace `target` (pyroute2's `NSPopen`). The calling
 * thread switches in, the child is created (it inherits the namespace) and the thread switches
 * back before this returns — also when starting fails. stdout and stderr are piped by default.
 *
 * Equivalent to: `ip netns exec NAME command args...`
 *
 * @param target namespace name, path or fd
 * @param command program and arguments, e.g. `["ping", "-c1", "192.0.2.2"]`
 * @param options stdio, environment, working directory, abort signal
 * @returns the running process
 * @example
 * ```ts
 * const p = netns.spawn("blue", ["ping", "-c1", "192.0.2.2"]);
 * const { code, stdout } = await p.output();
 * console.log(code, new TextDecoder().decode(stdout));
 * ```
 */
export function spawn(target: NetnsTarget, command: readonly string[], options: SpawnOptions = {}): NetnsProcess {
  checkOptions(command, options);
  const start = "Deno" in globalThis ? spawnDeno : "Bun" in globalThis ? spawnBun : null;
  if (start === null) throw new Error("nlroute: spawn needs Deno or Bun");
  return runInNetns(target, () => start(command, options));
}
