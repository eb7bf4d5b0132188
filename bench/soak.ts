/**
 * Concurrency and crash soak (SPEC §8 memory target, issue 7): SOAK_CLIENTS
 * (24) clients run mixed PUT / GET / HEAD / DELETE / CopyObject / multipart /
 * DeleteObjects / ListObjectsV2 / folder requests for SOAK_SECONDS (20) on
 * 40 keys in four folders, so that operations collide. Halfway through, the
 * server is SIGKILLed and restarted on the same folder (SOAK_KILL=0: not);
 * requests in flight then fail and are counted apart. Afterwards, once the
 * library has caught up: the folder on disk, a full listing and the
 * library's `track` table must name the same objects, every file must hold
 * bytes a client wrote to that key, and the working folder must be clean.
 * `bun run bench/soak.ts` runs it alone.
 */
import { Database } from "bun:sqlite";
import { $ } from "bun";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAudioPath, WORK_DIR_NAME } from "../src/music-dir/index.ts";
import { unescapeXml } from "./library-list.ts";
import { firstResponse, type Home, makeHome, spawnServe, type Started } from "./library-server.ts";
import { mb, MiB, printTable, type Row } from "./report.ts";
import { memoryOf } from "./servers.ts";
import { signedRequest } from "./sign.ts";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 20);
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 24);
const KILL = process.env.SOAK_KILL !== "0";
/** A request that takes longer is an error; it also bounds the run. */
const REQUEST_TIMEOUT_MS = 60_000;
/** How long the library and the ETag hasher get to catch up after the last request. */
const DRAIN_MS = 30_000;
/** AWS's minimum for every part but the last. */
const PART = 5 * MiB;

const FOLDERS = ["Soak/Album One", "Soak/Album Two", "Soak/Björk & Co", "Soak/Singles/2024"];
const EXTENSIONS = ["mp3", "flac", "ogg", "m4a", "opus"];
const KEYS = FOLDERS.flatMap((f) => Array.from({ length: 10 }, (_, i) => `${f}/${String(i + 1).padStart(2, "0")} Track.${EXTENSIONS[i % EXTENSIONS.length]}`));
const MARKERS = ["Soak/Empty One/", "Soak/Empty Two/", ...FOLDERS.map((f) => `${f}/`)];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));
const chance = (p: number) => Math.random() < p;
const md5 = (...parts: Uint8Array[]) => {
  const h = new Bun.CryptoHasher("md5");
  for (const p of parts) h.update(p);
  return h;
};

// ---- What was written where: the ground truth every answer is checked against.

/** Bytes some client sent, by MD5: their size and the ETags they may carry (MD5, or the multipart form). */
const contents = new Map<string, { size: number; etags: Set<string> }>();
/** Per key, the MD5s of every body sent to it (registered before the request leaves). */
const written = new Map<string, Set<string>>(KEYS.map((k) => [k, new Set()]));
/** Copies into a key whose outcome is not known (in flight, or cut by the kill): the source's bytes may be there. */
const copiesInto = new Map<string, Map<number, string>>(KEYS.map((k) => [k, new Map()]));
let copyIds = 0;

function register(key: string, md5Hex: string, size: number, etag = md5Hex): void {
  const c = contents.get(md5Hex) ?? { size, etags: new Set([md5Hex]) };
  c.etags.add(etag);
  contents.set(md5Hex, c);
  written.get(key)!.add(md5Hex);
}

/** Every MD5 a key may hold now: its own writes and, through unfinished copies, its sources'. */
function allowed(key: string, seen = new Set<string>()): Set<string> {
  seen.add(key);
  const out = new Set(written.get(key));
  for (const src of copiesInto.get(key)!.values()) if (!seen.has(src)) for (const m of allowed(src, seen)) out.add(m);
  return out;
}

/** The ETag of a file that appeared by other means (a PUT cut by the kill after its rename): "-1" (index-sync.ts). */
const isProvisional = (etag: string) => /^[0-9a-f]{32}-1$/.test(etag);

/** Null when `size`/`etag` could belong to `key`; otherwise why not. */
function checkObject(key: string, size: number, etag: string | null, bodyMd5?: string): string | null {
  const ok = allowed(key);
  if (bodyMd5 !== undefined) {
    if (!ok.has(bodyMd5)) return `bytes (md5 ${bodyMd5}, ${size} B) never written to the key`;
    if (etag !== null && !isProvisional(etag) && !contents.get(bodyMd5)!.etags.has(etag)) return `ETag ${etag} does not match the bytes (md5 ${bodyMd5})`;
    return null;
  }
  const candidates = [...ok].map((m) => contents.get(m)!);
  if (!candidates.some((c) => c.size === size)) return `size ${size} never written to the key`;
  if (etag !== null && !isProvisional(etag) && !candidates.some((c) => c.size === size && c.etags.has(etag))) return `ETag ${etag} of size ${size} never written to the key`;
  return null;
}

// ---- Bodies: a real tagged file of the key's format, then incompressible filler.

const FIXTURES = join(import.meta.dir, "..", "test", "fixtures", "audio");
const fixtures = new Map(EXTENSIONS.map((e) => [e, new Uint8Array(readFileSync(join(FIXTURES, `tagged.${e}`)))]));
const filler = new Uint8Array(16 * MiB);
for (let off = 0; off < filler.length; off += 65536) crypto.getRandomValues(filler.subarray(off, off + 65536));

function audioBody(key: string, size: number, withHeader = true): Uint8Array {
  const head = withHeader ? fixtures.get(key.slice(key.lastIndexOf(".") + 1))! : new Uint8Array(0);
  const out = new Uint8Array(Math.max(size, head.length));
  out.set(head);
  const rest = out.length - head.length;
  const from = between(0, filler.length - rest);
  out.set(filler.subarray(from, from + rest), head.length);
  return out;
}

/** Mostly small files, some of a few MiB. */
const bodySize = () => (chance(0.5) ? between(4 * 1024, 96 * 1024) : chance(0.7) ? between(96 * 1024, MiB) : between(MiB, 4 * MiB));

// ---- Requests.

/** The request was in flight when the server was killed: expected to fail. */
class Killed extends Error {}
/** An answer the soak does not accept. */
class Unexpected extends Error {}

let server: Started;
/** Bumped when the server is killed; a request that fails under an older one was cut by the kill. */
let generation = 0;
/** New requests wait here while the server is down. */
let gate: Promise<void> = Promise.resolve();

interface Answer {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text(): string;
  code(): string | null;
}

const encodeKey = (key: string) => `/music/${key.split("/").map(encodeURIComponent).join("/")}`;

async function send(method: string, key: string | null, opts: { query?: Record<string, string>; body?: Uint8Array; headers?: Record<string, string>; signPayload?: boolean } = {}): Promise<Answer> {
  await gate;
  const gen = generation;
  const path = key === null ? "/music" : encodeKey(key);
  const payload = opts.body && opts.signPayload ? new Bun.CryptoHasher("sha256").update(opts.body).digest("hex") : "UNSIGNED-PAYLOAD";
  const extra = { ...(opts.headers ?? {}), ...(opts.body ? { "content-length": String(opts.body.length) } : {}) };
  const { url, headers } = await signedRequest(server, method, path, payload, extra, opts.query);
  try {
    const res = await fetch(url, { method, headers, body: opts.body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = new Uint8Array(await res.arrayBuffer());
    let text: string | undefined;
    const answer: Answer = {
      status: res.status,
      headers: res.headers,
      body,
      text: () => (text ??= new TextDecoder().decode(body)),
      code: () => /<Code>([^<]*)<\/Code>/.exec(answer.text())?.[1] ?? null,
    };
    return answer;
  } catch (e) {
    if (generation !== gen) throw new Killed();
    throw new Unexpected(`${method} ${key ?? "/music"}${opts.query ? " " + JSON.stringify(opts.query) : ""}: ${(e as Error).name}: ${(e as Error).message}`);
  }
}

type Outcome = "ok" | "miss";

/** `ok` statuses pass; the S3 codes in `misses` are races a client must expect; anything else is Unexpected. */
function expect(a: Answer, what: string, ok: number[], misses: string[] = []): Outcome {
  if (ok.includes(a.status)) return "ok";
  const code = a.code() ?? (a.status === 404 ? "NoSuchKey" : a.status === 412 ? "PreconditionFailed" : null); // HEAD: status only
  if (code !== null && misses.includes(code)) return "miss";
  throw new Unexpected(`${what}: HTTP ${a.status} ${code ?? ""} ${a.text().slice(0, 300)}`);
}

const etagOf = (a: Answer) => a.headers.get("etag")?.replace(/"/g, "") ?? null;
const lastEtag = new Map<string, string>();

function mustBe(problem: string | null, what: string): void {
  if (problem !== null) throw new Unexpected(`${what}: ${problem}`);
}

// ---- Operations.

async function putObject(): Promise<Outcome> {
  const key = pick(KEYS);
  const body = audioBody(key, bodySize());
  const hash = md5(body);
  const hex = hash.digest("hex");
  register(key, hex, body.length);
  const headers: Record<string, string> = { "content-type": "audio/mpeg" };
  if (chance(0.3)) headers["content-md5"] = md5(body).digest("base64");
  const a = await send("PUT", key, { body, headers, signPayload: chance(0.3) });
  expect(a, `PUT ${key}`, [200]);
  if (etagOf(a) !== hex) throw new Unexpected(`PUT ${key}: ETag ${etagOf(a)}, bytes have md5 ${hex}`);
  return "ok";
}

async function getObject(): Promise<Outcome> {
  const key = pick(KEYS);
  const headers: Record<string, string> = {};
  const seen = lastEtag.get(key);
  if (seen && chance(0.3)) headers["if-match"] = `"${seen}"`;
  const range = chance(0.15);
  if (range) headers.range = "bytes=0-1023";
  const a = await send("GET", key, { headers });
  const outcome = expect(a, `GET ${key}`, [200, 206], ["NoSuchKey", "PreconditionFailed"]);
  if (outcome === "miss") return outcome;
  const etag = etagOf(a);
  if (a.status === 206) {
    const total = Number(/\/(\d+)$/.exec(a.headers.get("content-range") ?? "")?.[1]);
    mustBe(checkObject(key, total, etag), `GET ${key} (range)`);
    if (a.body.length !== Math.min(1024, total)) throw new Unexpected(`GET ${key} (range): ${a.body.length} bytes of ${total}`);
  } else mustBe(checkObject(key, a.body.length, etag, md5(a.body).digest("hex")), `GET ${key}`);
  if (etag) lastEtag.set(key, etag);
  return "ok";
}

async function headObject(): Promise<Outcome> {
  const key = pick(KEYS);
  const a = await send("HEAD", key);
  const outcome = expect(a, `HEAD ${key}`, [200], ["NoSuchKey"]);
  if (outcome === "ok") mustBe(checkObject(key, Number(a.headers.get("content-length")), etagOf(a)), `HEAD ${key}`);
  return outcome;
}

async function deleteObject(): Promise<Outcome> {
  const key = pick(KEYS);
  return expect(await send("DELETE", key), `DELETE ${key}`, [204]);
}

async function copyObject(): Promise<Outcome> {
  const src = pick(KEYS);
  const dest = pick(KEYS.filter((k) => k !== src));
  const headers: Record<string, string> = { "x-amz-copy-source": encodeKey(src) };
  const seen = lastEtag.get(src);
  if (seen && chance(0.2)) headers["x-amz-copy-source-if-match"] = `"${seen}"`;
  const id = copyIds++;
  copiesInto.get(dest)!.set(id, src);
  const a = await send("PUT", dest, { headers }); // a failure leaves the copy's outcome unknown: the edge stays
  const outcome = expect(a, `COPY ${src} → ${dest}`, [200], ["NoSuchKey", "PreconditionFailed"]);
  if (outcome === "ok") {
    const etag = /<ETag>&quot;([0-9a-f]{32})&quot;<\/ETag>|<ETag>"([0-9a-f]{32})"<\/ETag>/.exec(a.text());
    const hex = etag?.[1] ?? etag?.[2];
    if (!hex || !contents.has(hex)) throw new Unexpected(`COPY ${src} → ${dest}: 200 with ${hex ? `bytes never written (md5 ${hex})` : "no ETag"}: ${a.text().slice(0, 300)}`);
    written.get(dest)!.add(hex);
  }
  copiesInto.get(dest)!.delete(id);
  return outcome;
}

/** Upload ids created and not yet completed or aborted. */
const uploads = new Set<string>();

async function multipart(): Promise<Outcome> {
  const key = pick(KEYS);
  const created = await send("POST", key, { query: { uploads: "" } });
  if (expect(created, `CreateMultipartUpload ${key}`, [200]) === "miss") return "miss";
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text())?.[1];
  if (!uploadId) throw new Unexpected(`CreateMultipartUpload ${key}: no UploadId in ${created.text().slice(0, 300)}`);
  uploads.add(uploadId);
  const query = (extra: Record<string, string> = {}) => ({ uploadId: unescapeXml(uploadId), ...extra });
  try {
    const count = between(2, 4);
    const parts = Array.from({ length: count }, (_, i) => audioBody(key, i < count - 1 ? PART : between(64 * 1024, 2 * MiB), i === 0));
    const partMd5 = parts.map((p) => md5(p).digest());
    const whole = md5(...parts).digest("hex");
    const mpEtag = `${md5(...partMd5).digest("hex")}-${parts.length}`;
    for (const [i, part] of parts.entries()) {
      const a = await send("PUT", key, { query: query({ partNumber: String(i + 1) }), body: part, signPayload: chance(0.3) });
      if (expect(a, `UploadPart ${i + 1} ${key}`, [200], ["NoSuchUpload"]) === "miss") return "miss";
      if (etagOf(a) !== partMd5[i]!.toString("hex")) throw new Unexpected(`UploadPart ${i + 1} ${key}: ETag ${etagOf(a)}`);
    }
    if (chance(0.25)) {
      const outcome = expect(await send("DELETE", key, { query: query() }), `AbortMultipartUpload ${key}`, [204], ["NoSuchUpload"]);
      uploads.delete(uploadId);
      return outcome;
    }
    register(key, whole, parts.reduce((n, p) => n + p.length, 0), mpEtag);
    const xml = `<CompleteMultipartUpload>${partMd5.map((m, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${m.toString("hex")}"</ETag></Part>`).join("")}</CompleteMultipartUpload>`;
    const done = await send("POST", key, { query: query(), body: new TextEncoder().encode(xml), signPayload: true });
    const outcome = expect(done, `CompleteMultipartUpload ${key}`, [200], ["NoSuchUpload"]);
    uploads.delete(uploadId);
    if (outcome === "ok" && !done.text().includes(`<ETag>&quot;${mpEtag}&quot;</ETag>`) && !done.text().includes(`<ETag>"${mpEtag}"</ETag>`))
      throw new Unexpected(`CompleteMultipartUpload ${key}: 200 without ETag ${mpEtag}: ${done.text().slice(0, 300)}`);
    return outcome;
  } catch (e) {
    if (e instanceof Killed) {
      // The kill cut this upload short; abort it on the restarted server (it must have kept it).
      const a = await send("DELETE", key, { query: query() }).catch(() => null);
      if (a && [204, 404].includes(a.status)) uploads.delete(uploadId);
    }
    throw e;
  }
}
const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

async function deleteObjects(): Promise<Outcome> {
  const keys = [...new Set(Array.from({ length: between(2, 6) }, () => pick(KEYS)))];
  const xml = `<Delete>${keys.map((k) => `<Object><Key>${xmlEscape(k)}</Key></Object>`).join("")}</Delete>`;
  const body = new TextEncoder().encode(xml);
  const a = await send("POST", null, { query: { delete: "" }, body, headers: { "content-md5": md5(body).digest("base64") }, signPayload: true });
  expect(a, "DeleteObjects", [200]);
  const deleted = [...a.text().matchAll(/<Deleted><Key>([^<]*)<\/Key>/g)].map((m) => unescapeXml(m[1]!));
  if (a.text().includes("<Error>") || deleted.length !== keys.length || keys.some((k) => !deleted.includes(k)))
    throw new Unexpected(`DeleteObjects ${JSON.stringify(keys)}: ${a.text().slice(0, 400)}`);
  return "ok";
}

/** Folders a listing may show as empty-folder keys: the markers and their parents. */
const FOLDER_KEYS = new Set(MARKERS.flatMap((m) => m.split("/").slice(0, -1).map((_, i, segs) => `${segs.slice(0, i + 1).join("/")}/`)));

interface Listed {
  key: string;
  size: number;
  etag: string;
}

function parseContents(xml: string): Listed[] {
  return [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => ({
    key: unescapeXml(/<Key>([^<]*)<\/Key>/.exec(m[1]!)?.[1] ?? ""),
    size: Number(/<Size>(\d+)<\/Size>/.exec(m[1]!)?.[1]),
    etag: unescapeXml(/<ETag>([^<]*)<\/ETag>/.exec(m[1]!)?.[1] ?? "").replace(/"/g, ""),
  }));
}

/** ListObjectsV2 followed to its end (at most `maxPages`), keys checked to be in UTF-8 byte order. */
async function listAll(prefix: string, delimiter: string | null, maxKeys: number, maxPages = 200): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const query: Record<string, string> = { "list-type": "2", prefix, "max-keys": String(maxKeys) };
    if (delimiter) query.delimiter = delimiter;
    if (token) query["continuation-token"] = token;
    const a = await send("GET", null, { query });
    expect(a, `ListObjectsV2 ${JSON.stringify(query)}`, [200]);
    const entries = parseContents(a.text());
    for (const e of entries) {
      const prev = out.at(-1);
      if (prev && Buffer.compare(Buffer.from(prev.key), Buffer.from(e.key)) >= 0) throw new Unexpected(`ListObjectsV2 ${prefix}: ${JSON.stringify(e.key)} after ${JSON.stringify(prev.key)}`);
      out.push(e);
    }
    if (!a.text().includes("<IsTruncated>true</IsTruncated>")) return out;
    const next = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(a.text())?.[1];
    if (!next) throw new Unexpected(`ListObjectsV2 ${prefix}: truncated without a token`);
    token = unescapeXml(next);
  }
  throw new Unexpected(`ListObjectsV2 ${prefix}: more than ${maxPages} pages`);
}

async function listObjects(): Promise<Outcome> {
  const prefix = chance(0.4) ? "Soak/" : `${pick(FOLDERS)}/`;
  for (const e of await listAll(prefix, chance(0.5) ? "/" : null, pick([3, 7, 1000]))) {
    if (e.key.endsWith("/")) {
      if (!FOLDER_KEYS.has(e.key) || e.size !== 0) throw new Unexpected(`ListObjectsV2 ${prefix}: unexpected folder ${e.key} (${e.size} B)`);
    } else if (!written.has(e.key)) throw new Unexpected(`ListObjectsV2 ${prefix}: unknown key ${JSON.stringify(e.key)}`);
    else mustBe(checkObject(e.key, e.size, e.etag), `ListObjectsV2 ${prefix}: ${e.key}`);
  }
  return "ok";
}

/** A zero-byte folder PUT, or a folder DELETE (removes it only when empty). */
async function folder(): Promise<Outcome> {
  const key = pick(MARKERS);
  if (chance(0.5)) return expect(await send("PUT", key, { body: new Uint8Array(0) }), `PUT ${key}`, [200]);
  return expect(await send("DELETE", key), `DELETE ${key}`, [204]);
}

const OPERATIONS: [string, number, () => Promise<Outcome>][] = [
  ["PUT", 22, putObject],
  ["GET", 20, getObject],
  ["HEAD", 8, headObject],
  ["DELETE", 7, deleteObject],
  ["COPY", 10, copyObject],
  ["multipart", 3, multipart],
  ["DeleteObjects", 3, deleteObjects],
  ["ListObjectsV2", 12, listObjects],
  ["folder PUT/DELETE", 4, folder],
];
const WEIGHT = OPERATIONS.reduce((n, [, w]) => n + w, 0);

function pickOperation(): [string, () => Promise<Outcome>] {
  let r = Math.random() * WEIGHT;
  for (const [name, w, run] of OPERATIONS) if ((r -= w) < 0) return [name, run];
  return [OPERATIONS[0]![0], OPERATIONS[0]![2]];
}

// ---- The run.

interface Tally {
  ok: number;
  miss: number;
  error: number;
  killed: number;
}

const tallies = new Map<string, Tally>(OPERATIONS.map(([name]) => [name, { ok: 0, miss: 0, error: 0, killed: 0 }]));
const errors: string[] = [];

async function client(until: number): Promise<void> {
  while (performance.now() < until) {
    const [name, run] = pickOperation();
    const t = tallies.get(name)!;
    try {
      t[await run()]++;
    } catch (e) {
      if (e instanceof Killed) t.killed++;
      else {
        t.error++;
        errors.push(e instanceof Unexpected ? e.message : `${name}: ${(e as Error)?.stack ?? String(e)}`);
      }
    }
  }
}

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ, 100 on Linux)
}

/** Peak RSS (VmHWM) and CPU of every server process of the run, sampled: a killed process's /proc is gone. */
class ServerWatch {
  readonly peaks = new Map<number, number>();
  readonly cpu = new Map<number, number>();
  private timer = setInterval(() => this.sample(), 200);
  get peak(): number {
    return Math.max(0, ...this.peaks.values());
  }
  get cpuTotal(): number {
    return [...this.cpu.values()].reduce((a, b) => a + b, 0);
  }
  sample(): void {
    try {
      const { peak } = memoryOf(server.pid);
      this.peaks.set(server.pid, Math.max(this.peaks.get(server.pid) ?? 0, peak));
      this.cpu.set(server.pid, cpuSeconds(server.pid));
    } catch {
      // Between the kill and the restart: nothing to read.
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

const tmpEntries = (h: Home) => {
  try {
    return readdirSync(join(h.musicDir, WORK_DIR_NAME, "tmp"));
  } catch {
    return [];
  }
};

interface Kill {
  downMs: number;
  /** In-progress uploads in the working folder at the kill, and how many the restart left there. */
  tmpAtKill: number;
  tmpLeftByRestart: number;
}

async function killAndRestart(h: Home, rss: ServerWatch): Promise<Kill> {
  let open!: () => void;
  gate = new Promise((resolve) => (open = resolve));
  rss.sample();
  const t = performance.now();
  generation++;
  const old = server;
  process.kill(old.pid, "SIGKILL");
  await old.exited;
  const atKill = tmpEntries(h);
  const fresh = await spawnServe(h);
  try {
    await firstResponse(fresh.url);
  } catch (e) {
    await fresh.stop();
    throw e;
  }
  const left = tmpEntries(h).filter((name) => atKill.includes(name));
  server = fresh;
  open();
  return { downMs: performance.now() - t, tmpAtKill: atKill.length, tmpLeftByRestart: left.length };
}

/** Errors by kind: the same message with its request id left out. */
function groupErrors(): [string, number][] {
  const groups = new Map<string, number>();
  for (const e of errors) {
    const kind = e.replace(/<RequestId>[^<]*<\/RequestId>/, "").replace(/\s+/g, " ").slice(0, 400);
    groups.set(kind, (groups.get(kind) ?? 0) + 1);
  }
  return [...groups].sort((a, b) => b[1] - a[1]).slice(0, 15);
}

// ---- The end state: disk, listing and library.

function walkDisk(musicDir: string): { objects: Map<string, string>; other: string[] } {
  const objects = new Map<string, string>(); // key → absolute path ("" for an empty folder)
  const other: string[] = [];
  const walk = (dir: string, rel: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).filter((e) => !(rel === "" && e.name === WORK_DIR_NAME));
    if (rel !== "" && entries.length === 0) objects.set(`${rel}/`, "");
    for (const e of entries) {
      const key = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(dir, e.name), key);
      else if (e.isFile() && isAudioPath(key)) objects.set(key, join(dir, e.name));
      else other.push(key);
    }
  };
  walk(musicDir, "");
  return { objects, other };
}

function tracks(dbPath: string): Set<string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    return new Set(db.query<{ rel_path: string }, []>("SELECT rel_path FROM track").all().map((r) => r.rel_path));
  } finally {
    db.close();
  }
}

interface EndState {
  disk: Map<string, string>;
  other: string[];
  listing: Listed[];
  tracks: Set<string>;
}

async function endState(h: Home): Promise<EndState> {
  const { objects, other } = walkDisk(h.musicDir);
  return { disk: objects, other, listing: await listAll("", null, 1000), tracks: tracks(h.dbPath) };
}

/** What differs between disk, listing and library; empty when they agree. */
function differences(s: EndState): string[] {
  const out: string[] = [];
  const listed = new Map(s.listing.map((e) => [e.key, e]));
  const audio = [...s.disk.keys()].filter((k) => !k.endsWith("/"));
  for (const k of s.disk.keys()) if (!listed.has(k)) out.push(`on disk, not listed: ${k}`);
  for (const k of listed.keys()) if (!s.disk.has(k)) out.push(`listed, not on disk: ${k}`);
  for (const k of audio) if (!s.tracks.has(k)) out.push(`on disk, not in the library: ${k}`);
  for (const k of s.tracks) if (!s.disk.has(k)) out.push(`in the library, not on disk: ${k}`);
  for (const k of s.other) out.push(`unexpected file on disk: ${k}`);
  for (const [k, e] of listed) {
    const path = s.disk.get(k);
    if (!path) continue;
    const size = Bun.file(path).size;
    if (e.size !== size) out.push(`${k}: listed ${e.size} B, ${size} B on disk`);
    if (isProvisional(e.etag)) out.push(`${k}: ETag still provisional`);
  }
  return out;
}

/** Every file holds bytes a client sent to that key, and the listing's ETag is theirs. */
async function partialFiles(s: EndState): Promise<string[]> {
  const out: string[] = [];
  const listed = new Map(s.listing.map((e) => [e.key, e]));
  for (const [key, path] of s.disk) {
    if (key.endsWith("/")) continue;
    const hex = md5(new Uint8Array(await Bun.file(path).arrayBuffer())).digest("hex");
    const problem = written.has(key) ? checkObject(key, Bun.file(path).size, listed.get(key)?.etag ?? null, hex) : "not a soak key";
    if (problem) out.push(`${key}: ${problem}`);
  }
  return out;
}

async function leftoverUploads(): Promise<{ known: number; unknown: number }> {
  const a = await send("GET", null, { query: { uploads: "" } });
  expect(a, "ListMultipartUploads", [200]);
  const ids = [...a.text().matchAll(/<UploadId>([^<]+)<\/UploadId>/g)].map((m) => unescapeXml(m[1]!));
  const known = ids.filter((id) => uploads.has(id)).length;
  return { known, unknown: ids.length - known };
}

export async function soakBench(root: string): Promise<Row[]> {
  const h = makeHome(join(root, "soak"));
  server = await spawnServe(h);
  const rss = new ServerWatch();
  try {
    await firstResponse(server.url);
    await server.lineAt(/library: reconcile/);
    await Bun.sleep(500); // the tag reader's warm-up, as the latency bench waits
    const before = memoryOf(server.pid).now;
    const firstLog = server;

    const cpuBefore = cpuSeconds(server.pid);
    const ownCpuBefore = process.cpuUsage();
    const started = performance.now();
    const until = started + SECONDS * 1000;
    const clients = Array.from({ length: CLIENTS }, () => client(until));
    let kill: Kill | null = null;
    if (KILL) {
      await Bun.sleep(SECONDS * 500);
      kill = await killAndRestart(h, rss);
    }
    await Promise.all(clients);
    const seconds = (performance.now() - started) / 1000;
    rss.sample();
    const serverCpu = rss.cpuTotal - cpuBefore;
    const ownCpu = process.cpuUsage(ownCpuBefore);

    // Wait for the library queue and the ETag hasher: until the three views agree (bounded).
    const drainStart = performance.now();
    let state = await endState(h);
    while (differences(state).length > 0 && performance.now() - drainStart < DRAIN_MS) {
      await Bun.sleep(100);
      state = await endState(h);
    }
    const drainMs = performance.now() - drainStart;
    const diffs = differences(state);
    const partial = await partialFiles(state);
    const tmpLeft = tmpEntries(h);
    const ups = await leftoverUploads();
    rss.sample();
    const after = memoryOf(server.pid).now;
    const peak = rss.peak;

    const total = [...tallies.values()].reduce((t, v) => ({ ok: t.ok + v.ok, miss: t.miss + v.miss, error: t.error + v.error, killed: t.killed + v.killed }), { ok: 0, miss: 0, error: 0, killed: 0 });
    const ops = total.ok + total.miss + total.error + total.killed;
    const note = (text: string) => console.log(`soak: ${text}`);
    for (const [name, t] of tallies) note(`${name}: ${t.ok} ok, ${t.miss} expected misses (404/412), ${t.error} errors, ${t.killed} cut by the kill`);
    if (kill) note(`kill → restarted server answering: ${kill.downMs.toFixed(0)} ms; ${kill.tmpAtKill} uploads in flight in ${WORK_DIR_NAME}/tmp at the kill, ${kill.tmpLeftByRestart} left after the restart`);
    note(`queue drained in ${drainMs.toFixed(0)} ms; ${ups.known} uploads the clients did not finish left, ${ups.unknown} created by requests cut by the kill`);
    const serverLog = [firstLog.log(), server === firstLog ? "" : server.log()].join("\n");
    const logged = serverLog.split("\n").filter((l) => / (warn|error) /.test(l));
    const leftovers = /removed leftovers of interrupted uploads count=(\d+)/.exec(serverLog)?.[1] ?? "0";
    note(`the restart removed ${leftovers} leftover temp files; server logged ${logged.length} warnings/errors`);
    for (const l of logged.slice(0, 10)) note(`  log: ${l}`);
    note(`server peak RSS per process: ${[...rss.peaks.values()].map(mb).join(", ")}; CPU over the run: server ${serverCpu.toFixed(1)} s, this process (clients) ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)} s`);
    for (const [e, n] of groupErrors()) note(`  ERROR ×${n} ${e}`);
    for (const d of [...diffs, ...partial].slice(0, 20)) note(`  MISMATCH ${d}`);
    for (const t of tmpLeft.slice(0, 5)) note(`  LEFT IN tmp: ${t}`);

    const files = [...state.disk.keys()].filter((k) => !k.endsWith("/")).length;
    const folders = state.disk.size - files;
    const agree = diffs.length === 0 && partial.length === 0;
    const clean = tmpLeft.length === 0 && ups.known === 0 && (kill?.tmpLeftByRestart ?? 0) === 0;
    const label = `soak: ${CLIENTS} clients × ${SECONDS} s on ${KEYS.length} keys${kill ? ", one SIGKILL + restart" : ""}`;
    const row = (metric: string, ours: string, target: string, met: boolean | null): Row => ({ metric, ours, peer: "—", limit: "—", target, met });
    return [
      row(`${label}: operations, errors, cut by the kill`,
        `${ops.toLocaleString("en-US")} ops in ${seconds.toFixed(1)} s (${(ops / seconds).toFixed(0)}/s, ${total.miss} expected 404/412); ${total.error} errors; ${total.killed} cut by the kill`,
        "0 errors", total.error === 0),
      row(`${label}: disk == listing == library`,
        `${agree ? "yes" : "**no**"}: ${state.disk.size} on disk (${files} files, ${folders} empty folders), ${state.listing.length} listed, ${state.tracks.size} tracks; ${diffs.length + partial.length} mismatches; tmp ${clean ? "clean" : "**not clean**"}`,
        "equal, no partial file, tmp clean", agree && clean),
      row(`${label}: server RSS before / peak / after`, `${mb(before)} / ${mb(peak)} / ${mb(after)}`, "peak < 100 MB", peak < 100 * MiB),
    ];
  } finally {
    rss.stop();
    await server.stop();
    rmSync(h.home, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (!existsSync("dist/rockboxd-s3")) await $`bun run build`;
  const root = mkdtempSync(join(tmpdir(), "rbs3-soak-"));
  try {
    printTable(await soakBench(root), `rockboxd-s3 soak, ${new Date().toISOString().slice(0, 10)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
