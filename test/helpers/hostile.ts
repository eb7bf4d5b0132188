/**
 * The hostile-input suite's table runner (issue 7): each case is bytes on a
 * socket (signed and then tampered with, or written by hand) and the answer
 * S3 gives. Every case also proves that the answer is well-formed, that the
 * server still serves, and that the music folder, the object index and the
 * library are exactly as they were.
 */
import { beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { XMLValidator } from "fast-xml-parser";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { md5Hex } from "./bytes.ts";
import {
  buildMessage, errorCode, exchange, type ExchangeOptions, type Message, parseResponses, type Presign, presignQuery, type RawRequest, type RawResponse,
  rawRequest, serialize,
} from "./raw.ts";
import type { TestServer } from "./server.ts";
import { waitFor } from "./server.ts";
import { type Suite, serverForSuite } from "./suite.ts";
import { leftovers, snapshot } from "./tree.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "audio");

/** What every hostile file starts from: real audio (so the library has tracks), a folder, a copy source, the victims. */
export const SEED: Record<string, string | null> = {
  "keep/a.mp3": "tagged.mp3",
  "keep/b.ogg": "tagged.ogg",
  "bad/victim0.mp3": "other.mp3",
  "bad/victim1.opus": "tagged.opus",
  "src/source.flac": "tagged.flac",
  "empty/": null,
};
/** The object each case reads afterwards to prove the server still serves. */
export const PROBE = "keep/a.mp3";

export interface Wire extends ExchangeOptions {
  parts: (string | Uint8Array)[];
  /** The method of each request on the connection (HEAD answers have no body). */
  methods?: string[];
}
export type Build = (server: TestServer) => Wire | Promise<Wire>;

/** A validly signed request, changed after signing by `tamper` (the captured-request attacker). */
export function signed(req: RawRequest, tamper?: (m: Message) => Message | void, opts: ExchangeOptions = {}): Build {
  return async (server) => {
    const m = await buildMessage(server, req);
    return { parts: [serialize(tamper?.(m) ?? m)], methods: [req.method], ...opts };
  };
}

/**
 * A presigned URL signed by AWS's signer, its parameters changed after
 * signing by `tamper`, sent with `headers` (unsigned, e.g. an attacker's
 * x-amz-copy-source) and `body`.
 */
export function presigned(
  req: Presign,
  tamper?: (query: Record<string, string>) => void,
  headers: Record<string, string> = {},
  body: string | Uint8Array = "",
): Build {
  return async (server) => {
    const query = await presignQuery(server, req);
    tamper?.(query);
    const m = await buildMessage(server, { method: req.method, path: req.path, query, headers: { ...(req.headers ?? {}), ...headers }, body, unsigned: true });
    return { parts: [serialize(m)], methods: [req.method] };
  };
}

/** Bytes written by hand; `host` is the server's Host value. */
export function wire(text: (host: string) => string | Uint8Array | (string | Uint8Array)[], opts: ExchangeOptions & { methods?: string[] } = {}): Build {
  return (server) => {
    const t = text(`127.0.0.1:${server.port}`);
    return { parts: Array.isArray(t) ? t : [t], ...opts };
  };
}

/** Message edits for tamper functions. */
export const edit = {
  /** Adds a header line after signing. */
  add: (name: string, value: string) => (m: Message) => {
    m.headers.splice(m.headers.length - 1, 0, [name, value]);
  },
  /** Replaces the value of a header (by lower-case name). */
  set: (name: string, value: string) => (m: Message) => {
    const h = m.headers.find(([k]) => k.toLowerCase() === name);
    if (!h) throw new Error(`no header ${name} to change`);
    h[1] = value;
  },
  /** Rewrites the value of a header (by lower-case name). */
  map: (name: string, change: (value: string) => string) => (m: Message) => {
    const h = m.headers.find(([k]) => k.toLowerCase() === name);
    if (!h) throw new Error(`no header ${name} to change`);
    h[1] = change(h[1]);
  },
  drop: (name: string) => (m: Message) => {
    m.headers = m.headers.filter(([k]) => k.toLowerCase() !== name);
  },
  line: (line: string) => (m: Message) => {
    m.line = line;
  },
};

const CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * Why `bytes` is not a well-formed XML 1.0 document, or null: valid UTF-8,
 * every character in the Char production (XML 1.0 §2.2), then
 * fast-xml-parser's validator.
 */
export function xmlProblem(bytes: Uint8Array): string | null {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return "not UTF-8";
  }
  const bad = CHAR.exec(text);
  if (bad) return `character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at ${bad.index}`;
  const valid = XMLValidator.validate(text);
  return valid === true ? null : `${valid.err.code}: ${valid.err.msg} (line ${valid.err.line})`;
}

/** The folder (paths and hashes) and the rows of the object index and the library. */
export function libraryState(server: TestServer): { tree: Record<string, string>; objects: unknown[]; tracks: unknown[] } {
  const db = new Database(server.dbPath, { readonly: true });
  try {
    return {
      tree: snapshot(server.musicDir),
      objects: db.query("SELECT * FROM object ORDER BY key").all(),
      tracks: db.query("SELECT * FROM track ORDER BY id").all(),
    };
  } finally {
    db.close();
  }
}

/** Every audio object in the index has its track, taken from the file as it is now. */
function librarySettled(server: TestServer): boolean {
  const db = new Database(server.dbPath, { readonly: true });
  try {
    const row = db
      .query<{ n: number }, []>("SELECT count(*) AS n FROM object o WHERE o.key NOT LIKE '%/' AND NOT EXISTS (SELECT 1 FROM track t WHERE t.rel_path = o.key AND t.mtime_ms = o.mtime_ms AND t.inode = o.inode)")
      .get();
    return row?.n === 0;
  } finally {
    db.close();
  }
}

async function seed(server: TestServer): Promise<void> {
  for (const [key, fixture] of Object.entries(SEED)) {
    const res = await rawRequest(server, { method: "PUT", path: `/music/${key}`, body: fixture ? readFileSync(join(FIXTURES, fixture)) : "" });
    if (res.status !== 200) throw new Error(`seeding ${key}: ${res.status} ${res.body}`);
  }
  const audio = Object.values(SEED).filter(Boolean).length;
  await waitFor(() => (libraryState(server).tracks.length === audio ? true : null), 15_000, "the library to hold the seeded tracks");
}

/** One server for the file, seeded before its first case. */
export function hostileServer(): Suite {
  const suite = serverForSuite();
  beforeAll(() => seed(suite.server), 30_000);
  return suite;
}

export interface Expect {
  /** The HTTP status; 0 = the connection closed with no answer at all. */
  status: number;
  /** The S3 <Code>; null = no S3 error document (a success, or the HTTP layer's own answer). */
  code: string | null;
  /** Text the body must contain (e.g. the S3 message). */
  message?: string;
}

export interface HostileCase {
  name: string;
  request: Build;
  expect: Expect;
  /** Further checks on the answer. */
  check?: (res: RawResponse | undefined, server: TestServer) => void | Promise<void>;
}

/** Asserts that no answer on the connection carries a character XML or HTTP cannot hold, and that none is a 500. */
export function expectClean(responses: RawResponse[]): void {
  for (const r of responses) {
    expect(r.status).not.toBe(500);
    // Header lines: printable, TAB allowed (RFC 9110 §5.5); CR/LF only as line ends.
    expect(r.head.split("\r\n").filter((l) => /[\x00-\x08\x0A-\x1F\x7F]/.test(l))).toEqual([]);
    const looksXml = /xml/i.test(r.headers["content-type"] ?? "") || r.body.trimStart().startsWith("<");
    if (r.bytes.length > 0 && looksXml) expect({ status: r.status, xml: xmlProblem(r.bytes) }).toEqual({ status: r.status, xml: null });
  }
}

/** The server still answers a valid request with the right bytes. */
export async function expectServing(server: TestServer): Promise<void> {
  const res = await rawRequest(server, { method: "GET", path: `/music/${PROBE}` });
  expect(res.status).toBe(200);
  expect(md5Hex(res.bytes)).toBe(md5Hex(readFileSync(join(FIXTURES, SEED[PROBE]!))));
}

/** Sends a case and returns what came back. */
export async function sendCase(server: TestServer, build: Build): Promise<RawResponse[]> {
  const w = await build(server);
  const { bytes } = await exchange(server.port, w.parts, w);
  return parseResponses(bytes, w.methods);
}

/** One bun test per case. */
export function hostileCases(suite: Suite, cases: HostileCase[], timeoutMs = 15_000): void {
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
    test(c.name, async () => {
      const server = suite.server;
      // A change an earlier (failing) case made reaches the library a moment
      // later; let it land so it is not blamed on this case.
      await waitFor(() => librarySettled(server), 3_000, "the library to follow the folder").catch(() => {});
      const before = libraryState(server);
      const responses = await sendCase(server, c.request);
      const res = responses[0];
      expect({ status: res?.status ?? 0, code: (res && errorCode(res.body)) ?? null }).toEqual({ status: c.expect.status, code: c.expect.code });
      if (c.expect.message) expect(res?.body ?? "").toContain(c.expect.message);
      expectClean(responses);
      await c.check?.(res, server);
      await expectServing(server);
      expect(libraryState(server)).toEqual(before);
      await waitFor(() => leftovers(server.musicDir).length === 0, 5_000, "no upload left in the working folder");
    }, timeoutMs);
  }
}
