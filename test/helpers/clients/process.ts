/**
 * Running a real client binary with a clean, explicit environment and a
 * timeout, and telling its story when it fails.
 *
 * Clients always run with their *default* settings: the environment holds
 * only PATH, a throwaway HOME, a UTF-8 locale and the credentials — never
 * AWS_CA_BUNDLE, AWS_REQUEST_CHECKSUM_CALCULATION or any other knob.
 */
import { existsSync } from "node:fs";
import { ACCESS_KEY, SECRET_KEY } from "../server.ts";
import { type Recorder, type SentRequest, summarizeOps } from "./recorder.ts";

export interface RunResult {
  cmd: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
  /** What the client sent while the command ran (when a recorder was given). */
  requests: SentRequest[];
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** A file path (fed as stdin) or bytes. */
  stdin?: { file: string } | Uint8Array;
  /** The recording proxy the client talks to: its requests during the command end up in `requests`. */
  recorder?: Recorder;
}

/** Runs a command to completion (or kills it at the timeout) and captures everything. */
export async function run(cmd: string[], opts: RunOptions): Promise<RunResult> {
  const start = performance.now();
  const mark = opts.recorder?.requests.length ?? 0;
  const stdin = opts.stdin === undefined ? "ignore" : opts.stdin instanceof Uint8Array ? opts.stdin : Bun.file(opts.stdin.file);
  const proc = Bun.spawn(cmd, { env: opts.env, cwd: opts.cwd, stdin, stdout: "pipe", stderr: "pipe" });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, opts.timeoutMs ?? 90_000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  clearTimeout(timer);
  return {
    cmd,
    exitCode: proc.exitCode,
    signal: proc.signalCode === null ? null : String(proc.signalCode),
    timedOut,
    stdout,
    stderr,
    ms: Math.round(performance.now() - start),
    requests: opts.recorder?.requests.slice(mark) ?? [],
  };
}

const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);

/** A readable account of a command run, for assertion messages. */
export function describeRun(r: RunResult): string {
  return [
    `$ ${r.cmd.map((a) => (/^[\w./:=@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}`,
    `exit ${r.exitCode}${r.signal ? ` signal ${r.signal}` : ""}${r.timedOut ? " (TIMED OUT)" : ""} after ${r.ms} ms`,
    `--- stdout\n${tail(r.stdout)}`,
    `--- stderr\n${tail(r.stderr)}`,
    r.requests.length ? `--- sent: ${summarizeOps(r.requests)}` : "",
  ].filter(Boolean).join("\n");
}

/** Throws (with the whole story) unless the command exited 0. */
export function must(r: RunResult): RunResult {
  if (r.exitCode !== 0 || r.timedOut) throw new Error(`command failed\n${describeRun(r)}`);
  return r;
}

/**
 * Locates a client binary. Never skips: a missing client is a failure that
 * says how to install it.
 */
export function requireTool(label: string, candidates: string[], install: string): string {
  for (const c of candidates) {
    const path = c.includes("/") ? c : Bun.which(c);
    if (path && existsSync(path)) return path;
  }
  throw new Error(`${label} is not installed (looked for ${candidates.join(", ")}). ${install}`);
}

/**
 * The whole environment a client gets: PATH, a throwaway HOME (so no user
 * config leaks in), a UTF-8 locale, the test credentials, region us-east-1.
 * Nothing else — in particular no AWS_CA_BUNDLE and no checksum settings.
 */
export function clientEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    TMPDIR: process.env.TMPDIR ?? "/tmp",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_DEFAULT_REGION: "us-east-1",
    ...extra,
  };
}
