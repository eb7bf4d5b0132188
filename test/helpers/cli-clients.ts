/**
 * Shared pieces of the per-client end-to-end suites (test/clients/): run a
 * real client binary with a clean, explicit environment and a timeout,
 * deterministic payloads, file hashes and S3 ETags, snapshots of the music
 * folder, and the server's own record of which operations a client sent.
 *
 * Clients always run with their *default* settings: the environment holds
 * only PATH, a throwaway HOME, a UTF-8 locale and the credentials — never
 * AWS_CA_BUNDLE, AWS_REQUEST_CHECKSUM_CALCULATION or any other knob.
 */
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ACCESS_KEY, SECRET_KEY, tempDir, type TestServer, waitFor } from "./server.ts";
import { snapshot, treeEntries } from "./tree.ts";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { sdkClient } from "./clients.ts";

export const MiB = 1024 * 1024;

// ---------------------------------------------------------------- processes

/** One request as the server logged it (server started with log level debug). */
export interface ServerRequest {
  op?: string;
  key?: string;
  /** Set when the request failed with an S3 error. */
  code?: string;
  path?: string;
}

export interface RunResult {
  cmd: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
  /** What the server saw while the command ran (when a server was given). */
  requests: ServerRequest[];
}

export interface RunOptions {
  env: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  /** A file path (fed as stdin) or bytes. */
  stdin?: { file: string } | Uint8Array;
  /** Record the server's request log for the duration of the command. */
  server?: TestServer;
}

/** Runs a command to completion (or kills it at the timeout) and captures everything. */
export async function run(cmd: string[], opts: RunOptions): Promise<RunResult> {
  const start = performance.now();
  const mark = opts.server ? logMark(opts.server) : 0;
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
    requests: opts.server ? await settledRequestsSince(opts.server, mark) : [],
  };
}

const tail = (s: string, n = 4000) => (s.length > n ? `…${s.slice(-n)}` : s);

/** A readable account of a command run, for assertion messages. */
export function describeRun(r: RunResult): string {
  const failed = r.requests.filter((q) => q.code);
  return [
    `$ ${r.cmd.map((a) => (/^[\w./:=@%+-]+$/.test(a) ? a : JSON.stringify(a))).join(" ")}`,
    `exit ${r.exitCode}${r.signal ? ` signal ${r.signal}` : ""}${r.timedOut ? " (TIMED OUT)" : ""} after ${r.ms} ms`,
    `--- stdout\n${tail(r.stdout)}`,
    `--- stderr\n${tail(r.stderr)}`,
    failed.length ? `--- server errors\n${failed.map((q) => `${q.code} ${q.path}`).join("\n")}` : "",
    r.requests.length ? `--- server ops: ${summarizeOps(r.requests)}` : "",
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
 * ~/.s3cfg in a throwaway HOME that only says where the server is, plain
 * HTTP, and the test credentials; `extra` lines (e.g. "signature_v2 = False")
 * follow. Everything else stays s3cmd's default.
 */
export function writeS3cmdConfig(home: string, server: TestServer, extra: string[] = []): void {
  writeFileSync(
    join(home, ".s3cfg"),
    [
      "[default]",
      `access_key = ${ACCESS_KEY}`,
      `secret_key = ${SECRET_KEY}`,
      `host_base = 127.0.0.1:${server.port}`,
      `host_bucket = 127.0.0.1:${server.port}`,
      "use_https = False",
      ...extra,
      "",
    ].join("\n"),
  );
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

// ----------------------------------------------------------- server's log

export function logMark(server: TestServer): number {
  return server.stderr().length;
}

const REQUEST = /\brequest id="[^"]*" op="([^"]*)" key=("(?:[^"\\]|\\.)*")/;
const FAILED = /\brequest failed id="[^"]*" code="([^"]*)" path=("(?:[^"\\]|\\.)*")/;

/** The requests the server logged since `mark` (needs ROCKBOXD_S3_LOG_LEVEL=debug). */
export function requestsSince(server: TestServer, mark: number): ServerRequest[] {
  const out: ServerRequest[] = [];
  for (const line of server.stderr().slice(mark).split("\n")) {
    let m = line.match(REQUEST);
    if (m) {
      out.push({ op: m[1]!, key: JSON.parse(m[2]!) as string });
      continue;
    }
    m = line.match(FAILED);
    if (m) out.push({ code: m[1]!, path: JSON.parse(m[2]!) as string });
  }
  return out;
}

let markers = 0;
const MARKER = "/rbs3-log-marker-";

/**
 * The requests since `mark`, once the server's log has caught up: the log
 * reaches us through a pipe, after the response. An unsigned request to a
 * unique path is logged (as AccessDenied) after everything before it, so
 * when it shows up the log is complete.
 */
export async function settledRequestsSince(server: TestServer, mark: number): Promise<ServerRequest[]> {
  const path = `${MARKER}${++markers}-${process.pid}`;
  // Only paces the log, so it need not trust a test CA (servers on HTTPS).
  await fetch(`${server.url}${path}`, { tls: { rejectUnauthorized: false } }).then((r) => r.arrayBuffer());
  await waitFor(() => server.stderr().includes(`"${path}"`), 10_000, `the server to log ${path}`);
  return requestsSince(server, mark).filter((q) => !q.path?.startsWith(MARKER));
}

/** Runs `fn` and returns its value with every request the server saw meanwhile. */
export async function traced<T>(server: TestServer, fn: () => Promise<T>): Promise<{ value: T; requests: ServerRequest[] }> {
  const mark = logMark(server);
  const value = await fn();
  return { value, requests: await settledRequestsSince(server, mark) };
}

/** "PutObject×3, CreateMultipartUpload×1, ..." */
export function summarizeOps(reqs: ServerRequest[]): string {
  const counts = new Map<string, number>();
  for (const q of reqs) {
    const name = q.op ?? `error:${q.code}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([k, v]) => `${k}×${v}`).join(", ");
}

export function opCounts(reqs: ServerRequest[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const q of reqs) if (q.op) out[q.op] = (out[q.op] ?? 0) + 1;
  return out;
}

/** Server env for the client suites: log every request so a suite can tell which path a client took. */
export const DEBUG_ENV = { ROCKBOXD_S3_LOG_LEVEL: "debug" };

// ----------------------------------------------------------------- payloads

/** Deterministic pseudo-random bytes (xorshift32), fast enough for tens of MiB. */
export function payload(size: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/** An old, fixed mtime for local fixtures, so sync tools never see them as newer than the server's copy. */
export const FIXTURE_MTIME = new Date("2024-03-01T12:00:00Z");

export function writePayload(path: string, size: number, seed: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, payload(size, seed));
  utimesSync(path, FIXTURE_MTIME, FIXTURE_MTIME);
  return path;
}

/** Keys that need encoding everywhere: spaces, accents, CJK, quote, brackets, +, &, #. */
export const SMALL_KEY = "Björk/Vespertine 東京/01 It's Not Up To You.flac";
export const LARGE_KEY = "Björk/Vespertine 東京/Long Mix (Side A+B).flac";
export const SMALL_SIZE = 7_301;
/** Over 16 MiB: multipart for awscli/boto3 (8 MiB), s3cmd (15 MiB), lib-storage/Bun/rclone rcat (5 MiB). */
export const LARGE_SIZE = 17 * MiB + 4_321;

/** The folder every suite syncs twice: a few small files and one large one (multipart where the tool does it). */
export const SYNC_FILES: Record<string, number> = {
  "Björk/Vespertine 東京/02 Undo & Pagan Poetry.flac": 4_099,
  "Sigur Rós/( )/Untitled #1 [Vaka].ogg": 9_001,
  "東京事変/教育/01 林檎の唄.mp3": 3_333,
  "Mixes/Side A+B = one hour #2.flac": LARGE_SIZE,
};

export interface Fixture {
  dir: string;
  small: string;
  large: string;
  /** The folder to sync (contains exactly SYNC_FILES). */
  syncDir: string;
  /** Where downloads go. */
  downloads: string;
}

/** Writes the payloads of one suite into a fresh temp dir. */
export function makeFixture(label: string, largeSize = LARGE_SIZE): Fixture {
  const dir = tempDir(`${label}-data`);
  const syncDir = join(dir, "sync");
  let seed = 1;
  for (const [rel, size] of Object.entries(SYNC_FILES)) writePayload(join(syncDir, rel), size, seed++);
  const downloads = join(dir, "downloads");
  mkdirSync(downloads, { recursive: true });
  return {
    dir,
    small: writePayload(join(dir, "up", "small.flac"), SMALL_SIZE, 100),
    large: writePayload(join(dir, "up", "large.flac"), largeSize, 200),
    syncDir,
    downloads,
  };
}

// ------------------------------------------------------------------- hashes

export async function md5File(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("md5");
  for await (const chunk of Bun.file(path).stream()) h.update(chunk);
  return h.digest("hex");
}

export function md5(bytes: Uint8Array | string): string {
  return new Bun.CryptoHasher("md5").update(bytes).digest("hex");
}

/**
 * The ETag S3 gives an object uploaded the way a client does it: plain MD5
 * for a single PUT, md5(concat of part MD5s)-N for multipart (parts of
 * `partSize`, used when size ≥ `threshold`). Quoted, as in responses.
 */
export async function expectedEtag(path: string, multipart?: { partSize: number; threshold?: number }): Promise<string> {
  const bytes = await Bun.file(path).bytes();
  const threshold = multipart?.threshold ?? multipart?.partSize ?? Infinity;
  if (!multipart || bytes.length < threshold) return `"${md5(bytes)}"`;
  const parts: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += multipart.partSize) {
    parts.push(new Bun.CryptoHasher("md5").update(bytes.subarray(off, off + multipart.partSize)).digest());
  }
  return `"${md5(Buffer.concat(parts))}-${parts.length}"`;
}

// ---------------------------------------------------------- folder snapshots

/** Files (not folders) under `root`, relative path → MD5, our working folder excluded. */
export function filesUnder(root: string, prefix = ""): Record<string, string> {
  const base = prefix ? join(root, prefix) : root;
  if (!existsSync(base)) return {};
  const out: Record<string, string> = {};
  for (const [rel, v] of Object.entries(snapshot(base))) if (!rel.endsWith("/")) out[prefix ? `${prefix}/${rel}` : rel] = v;
  return out;
}

/** Relative path → "inode:mtime:size" for every file: proves a second sync rewrote nothing. */
export function identities(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { rel, st } of treeEntries(root)) if (!st.isDirectory()) out[rel] = `${st.ino}:${st.mtimeMs}:${st.size}`;
  return out;
}

/** Everything left in the music folder (files and folders), our working folder excluded. */
export function musicLeft(musicDir: string): string[] {
  return Object.keys(snapshot(musicDir)).sort();
}

/**
 * What is left in our working folder: in-progress uploads (tmp/) and open
 * multipart uploads (multipart/<uploadId>/) — none once every upload has
 * finished or been aborted. multipart/.completed/ (the answers kept for
 * retried CompleteMultipartUpload calls) is bookkeeping, not an upload.
 */
export function workLeftovers(musicDir: string): string[] {
  const out: string[] = [];
  for (const sub of ["tmp", "multipart"]) {
    const dir = join(musicDir, ".rockboxd-s3", sub);
    if (existsSync(dir)) out.push(...readdirSync(dir).filter((n) => !n.startsWith(".")).map((n) => `${sub}/${n}`));
  }
  return out.sort();
}

/** Map every key of SYNC_FILES under `prefix` to the MD5 of the local file. */
export async function expectedSyncTree(syncDir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of Object.keys(SYNC_FILES)) out[`${prefix}/${rel}`] = await md5File(join(syncDir, rel));
  return out;
}

/**
 * The decision a mirror tool (`mc mirror`-like) makes for an SDK with no
 * sync of its own: which local files are missing or differ (size or ETag)
 * on the server. `remote` maps key → { size, etag }.
 */
export async function planSync(
  syncDir: string,
  prefix: string,
  remote: Map<string, { size: number; etag: string }>,
  multipart: { partSize: number; threshold?: number },
): Promise<string[]> {
  const todo: string[] = [];
  for (const rel of Object.keys(SYNC_FILES).sort()) {
    const path = join(syncDir, rel);
    const have = remote.get(`${prefix}/${rel}`);
    if (!have || have.size !== statSync(path).size || have.etag !== (await expectedEtag(path, multipart))) todo.push(rel);
  }
  return todo;
}

/** The ETag the server reports for a key (HEAD through the AWS SDK). */
export async function etagOf(server: TestServer, key: string): Promise<string | undefined> {
  return (await sdkClient(server).send(new HeadObjectCommand({ Bucket: "music", Key: key }))).ETag;
}
