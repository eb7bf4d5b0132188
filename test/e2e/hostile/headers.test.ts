/**
 * Hostile request lines and headers: unknown methods, broken request lines,
 * malformed and oversized headers, bad dates, conditionals and ranges.
 * Messages Bun's HTTP parser refuses never reach the app: for those the
 * parser's own answer is asserted, byte for byte what happens.
 */
import { describe, expect, test } from "bun:test";
import { errorCode, exchange, parseResponses, rawRequest } from "../../helpers/raw.ts";
import { edit, expectServing, hostileCases, type HostileCase, hostileServer, libraryState, signed, wire } from "../../helpers/hostile.ts";

const t = hostileServer();
const PROBE = "/music/keep/a.mp3";
const SIZE = 2634; // test/fixtures/audio/tagged.mp3
const get = (headers: Record<string, string>) => signed({ method: "GET", path: PROBE, headers });
/** A plain GET by hand, with the given header lines (CRLF-terminated) after Host. */
const byHand = (line: string, extra = "") => wire((host) => `${line}\r\nhost: ${host}\r\n${extra}connection: close\r\n\r\n`);

const OK = { status: 200, code: null };
const BUN_400 = { status: 400, code: null };

// Bun's parser knows the registered methods only (RFC 9110 plus WebDAV's and
// PURGE); anything else, and any lower-case method, gets the connection closed
// without an answer before the app sees it.
const methods: HostileCase[] = ["PATCH", "PROPFIND", "TRACE", "MKCOL", "LOCK", "PURGE"].map((method) => ({
  name: `unknown method ${method} on an object`,
  request: signed({ method, path: PROBE }),
  expect: { status: 405, code: "MethodNotAllowed" },
}));
methods.push(
  { name: "unknown method on the bucket", request: signed({ method: "PATCH", path: "/music" }), expect: { status: 405, code: "MethodNotAllowed" } },
  { name: "unknown method, unsigned", request: signed({ method: "PROPFIND", path: PROBE, unsigned: true }), expect: { status: 403, code: "AccessDenied" } },
  { name: "an unregistered method FOO (Bun closes the connection)", request: signed({ method: "FOO", path: PROBE }), expect: { status: 0, code: null } },
  { name: "lower-case get (methods are case-sensitive, RFC 9110 §9.1; Bun closes)", request: signed({ method: "get", path: PROBE }), expect: { status: 0, code: null } },
);

// Bun answers most request lines it cannot parse with 505, whatever the fault.
const BUN_505 = { status: 505, code: null };
const requestLines: HostileCase[] = [
  { name: "HTTP/2.0 in an HTTP/1 request line", request: byHand(`GET ${PROBE} HTTP/2.0`), expect: BUN_505 },
  { name: "HTTP/1.2", request: byHand(`GET ${PROBE} HTTP/1.2`), expect: BUN_505 },
  { name: "a protocol that is not HTTP", request: byHand(`GET ${PROBE} HTTX/1.1`), expect: BUN_505 },
  { name: "no protocol version (HTTP/0.9 style)", request: byHand(`GET ${PROBE}`), expect: BUN_505 },
  { name: "two spaces after the method", request: byHand(`GET  ${PROBE} HTTP/1.1`), expect: BUN_400 },
  { name: "a raw space in the path", request: byHand(`GET /music/keep/a b.mp3 HTTP/1.1`), expect: BUN_505 },
  { name: "a raw NUL in the path", request: byHand(`GET /music/keep/a\0.mp3 HTTP/1.1`), expect: BUN_505 },
  { name: "a raw ESC in the path", request: byHand(`GET /music/keep/a\x1b.mp3 HTTP/1.1`), expect: BUN_505 },
  {
    // Bun lets DEL through; signed as its escape, so only the key rule can refuse it.
    name: "a raw DEL in the path (signed as %7F)",
    request: signed({ method: "PUT", path: "/music/keep/a%7F.mp3", body: "x" }, edit.line("PUT /music/keep/a\x7f.mp3 HTTP/1.1")),
    expect: { status: 400, code: "InvalidObjectName" },
  },
  { name: "a target without a leading slash", request: byHand(`GET music/keep/a.mp3 HTTP/1.1`), expect: BUN_400 },
  { name: "a 100 KB request target", request: byHand(`GET /music/${"a".repeat(100_000)}.mp3 HTTP/1.1`), expect: { status: 431, code: null } },
  { name: "garbage instead of a request line", request: byHand("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), expect: BUN_400 },
  { name: "empty lines only", request: wire(() => "\r\n\r\n\r\n", { halfClose: true }), expect: BUN_400 },
  { name: "LF-only line endings", request: wire((host) => `GET ${PROBE} HTTP/1.1\nhost: ${host}\nconnection: close\n\n`), expect: BUN_505 },
];

const headerSyntax: HostileCase[] = [
  { name: "a header line without a colon", request: byHand(`GET ${PROBE} HTTP/1.1`, "no-colon-here\r\n"), expect: BUN_400 },
  { name: "whitespace between a header name and the colon (RFC 9112 §5.1)", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-thing : 1\r\n"), expect: BUN_400 },
  { name: "an obsolete folded header line (RFC 9112 §5.2)", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-thing: a\r\n  folded\r\n"), expect: BUN_400 },
  { name: "a header name with a parenthesis", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-a(b): 1\r\n"), expect: BUN_400 },
  { name: "an empty header name", request: byHand(`GET ${PROBE} HTTP/1.1`, ": value\r\n"), expect: BUN_400 },
  { name: "a NUL in a header value", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-thing: a\0b\r\n"), expect: BUN_400 },
  { name: "a bare CR in a header value", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-thing: a\rb\r\n"), expect: BUN_400 },
  { name: "an ESC in a header value", request: byHand(`GET ${PROBE} HTTP/1.1`, "x-thing: a\x1bb\r\n"), expect: BUN_400 },
  // Bun lets DEL through in a value; a header S3 does not know is ignored.
  { name: "a DEL in an unknown header's value", request: signed({ method: "GET", path: PROBE }, edit.add("x-thing", "a\x7fb")), expect: OK },
  { name: "a 64 KB header value", request: get({ "x-thing": "v".repeat(64 * 1024) }), expect: { status: 431, code: null } },
  { name: "2,000 headers", request: get(Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, "1"]))), expect: { status: 431, code: null } },
  { name: "no Host header (required in HTTP/1.1, RFC 9112 §3.2)", request: wire(() => `GET ${PROBE} HTTP/1.1\r\nconnection: close\r\n\r\n`), expect: BUN_400 },
  { name: "a second Host header after signing", request: signed({ method: "GET", path: PROBE }, edit.add("host", "other.example")), expect: { status: 403, code: "SignatureDoesNotMatch" } },
  { name: "a header section that never ends, then EOF", request: wire((host) => `GET ${PROBE} HTTP/1.1\r\nhost: ${host}\r\nx-thing: 1\r\n`, { halfClose: true }), expect: { status: 0, code: null } },
];

const authHeaders: HostileCase[] = [
  { name: "x-amz-date that is not a date", request: signed({ method: "GET", path: PROBE }, edit.set("x-amz-date", "yesterday")), expect: { status: 403, code: "AccessDenied" }, },
  { name: "x-amz-date empty", request: signed({ method: "GET", path: PROBE }, edit.set("x-amz-date", "")), expect: { status: 403, code: "AccessDenied" } },
  { name: "x-amz-date on 30 February", request: signed({ method: "GET", path: PROBE }, edit.set("x-amz-date", "20260230T000000Z")), expect: { status: 403, code: "AccessDenied" } },
  { name: "x-amz-date in the year 9999", request: signed({ method: "GET", path: PROBE, signingDate: new Date("9999-01-01T00:00:00Z") }), expect: { status: 403, code: "RequestTimeTooSkewed" } },
  { name: "x-amz-date in 1970", request: signed({ method: "GET", path: PROBE, signingDate: new Date(0) }), expect: { status: 403, code: "RequestTimeTooSkewed" } },
  { name: "no x-amz-date and no Date", request: signed({ method: "GET", path: PROBE }, edit.drop("x-amz-date")), expect: { status: 403, code: "AccessDenied" } },
  { name: "an Authorization header that is one word", request: signed({ method: "GET", path: PROBE, unsigned: true, headers: { authorization: "garbage" } }), expect: { status: 400, code: "InvalidArgument" } },
  { name: "an Authorization header with no Credential", request: signed({ method: "GET", path: PROBE }, edit.set("authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")), expect: { status: 400, code: "AuthorizationHeaderMalformed" } },
  { name: "an Authorization Credential with two parts", request: signed({ method: "GET", path: PROBE }, edit.map("authorization", (v) => v.replace(/Credential=[^,]+/, "Credential=RBTESTACCESSKEY00001/20260101"))), expect: { status: 400, code: "AuthorizationHeaderMalformed" } },
  { name: "an Authorization signature that is not hex", request: signed({ method: "GET", path: PROBE }, edit.map("authorization", (v) => v.replace(/Signature=\w+/, "Signature=zz"))), expect: { status: 403, code: "SignatureDoesNotMatch" } },
  { name: "an Authorization header of 8 KB", request: signed({ method: "GET", path: PROBE }, edit.map("authorization", (v) => v + "," + "x".repeat(8000))), expect: { status: 400, code: "AuthorizationHeaderMalformed" } },
  { name: "x-amz-content-sha256 that is neither a hash nor a mode", request: signed({ method: "GET", path: PROBE, payloadHash: "not-a-hash" }), expect: { status: 400, code: "InvalidArgument" } },
];

const conditionals: HostileCase[] = [
  { name: "If-Modified-Since that is not a date is ignored", request: get({ "if-modified-since": "yesterday" }), expect: OK },
  { name: "If-Unmodified-Since that is not a date is ignored", request: get({ "if-unmodified-since": "not a date" }), expect: OK },
  { name: "If-Modified-Since 0 is ignored", request: get({ "if-modified-since": "0" }), expect: OK },
  { name: "If-Modified-Since of 31 February is ignored", request: get({ "if-modified-since": "Tue, 31 Feb 2026 00:00:00 GMT" }), expect: OK },
  { name: "If-Match with a garbage ETag", request: get({ "if-match": "garbage" }), expect: { status: 412, code: "PreconditionFailed" } },
  { name: "If-None-Match with a garbage ETag", request: get({ "if-none-match": "garbage" }), expect: OK },
  { name: "If-Match with 1,000 ETags", request: get({ "if-match": Array.from({ length: 1000 }, (_, i) => `"${i}"`).join(", ") }), expect: { status: 412, code: "PreconditionFailed" } },
];

const whole = (res: { headers: Record<string, string> } | undefined) => {
  expect(res?.headers["content-range"]).toBeUndefined();
  expect(res?.headers["content-length"]).toBe(String(SIZE));
};
const ranges: HostileCase[] = [
  ...["bytes=abc", "bytes=5-2", "items=0-1", "bytes=", "bytes=0-1,3-4", "bytes=--1", "bytes=1-2-3", "bytes=0x10-0x20", "bytes=-", "bytes=+1-2", "bytes=1.5-2"].map((range) => ({
    name: `syntactically invalid Range ${JSON.stringify(range)} is ignored`,
    request: get({ range }),
    expect: OK,
    check: whole,
  })),
  { name: "Range past the end is 416", request: get({ range: `bytes=${SIZE}-` }), expect: { status: 416, code: "InvalidRange" } },
  { name: "Range bytes=-0 is 416", request: get({ range: "bytes=-0" }), expect: { status: 416, code: "InvalidRange" } },
  { name: "Range with a 20-digit start is 416", request: get({ range: "bytes=99999999999999999999-" }), expect: { status: 416, code: "InvalidRange" } },
  { name: "Range with a 20-digit end is the rest of the object", request: get({ range: "bytes=1-99999999999999999999" }), expect: { status: 206, code: null }, check: (res) => expect(res?.headers["content-range"]).toBe(`bytes 1-${SIZE - 1}/${SIZE}`) },
  { name: "Range with a 20-digit suffix is the whole object", request: get({ range: "bytes=-99999999999999999999" }), expect: { status: 206, code: null }, check: (res) => expect(res?.headers["content-range"]).toBe(`bytes 0-${SIZE - 1}/${SIZE}`) },
];

describe("methods", () => hostileCases(t, methods));
describe("request lines", () => hostileCases(t, requestLines));
describe("header syntax", () => hostileCases(t, headerSyntax));
describe("authentication headers", () => hostileCases(t, authHeaders));
describe("conditionals", () => hostileCases(t, conditionals));
describe("ranges", () => hostileCases(t, ranges));

describe("slow headers", () => {
  // A client that sends its header section a byte at a time (slowloris) holds
  // one connection; it must not hold up anyone else. Bounded to ~2 s here.
  test("others are served while one client trickles its headers", async () => {
    const before = libraryState(t.server);
    const head = `GET ${PROBE} HTTP/1.1\r\nhost: 127.0.0.1:${t.server.port}\r\nx-slow: ${"z".repeat(20)}\r\n`;
    const slow = exchange(t.server.port, head.split(""), { gapMs: 25, timeoutMs: 2_500 });
    const served: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = Date.now();
      await expectServing(t.server);
      served.push(Date.now() - started);
    }
    const { bytes, closed } = await slow;
    // The slow client never finished its headers: no answer, and we gave up first.
    expect({ answer: bytes.length, closed }).toEqual({ answer: 0, closed: false });
    expect(Math.max(...served)).toBeLessThan(1_000);
    await expectServing(t.server);
    expect(libraryState(t.server)).toEqual(before);
  });

  test("a slow but complete request is answered", async () => {
    const head = `GET ${PROBE} HTTP/1.1\r\nhost: 127.0.0.1:${t.server.port}\r\nconnection: close\r\n\r\n`;
    const { bytes } = await exchange(t.server.port, head.match(/.{1,8}/gs)!, { gapMs: 20, timeoutMs: 5_000 });
    const [res] = parseResponses(bytes);
    // Unsigned: the app answered, so the parser waited for the whole header section.
    expect({ status: res?.status, code: errorCode(res?.body ?? "") }).toEqual({ status: 403, code: "AccessDenied" });
  });

  test("many idle connections do not stop the server", async () => {
    const idle = Array.from({ length: 50 }, () => exchange(t.server.port, ["GET / HTTP/1.1\r\n"], { timeoutMs: 1_500 }));
    await expectServing(t.server);
    const res = await rawRequest(t.server, { method: "GET", path: "/music", query: { "list-type": "2" } });
    expect(res.status).toBe(200);
    await Promise.all(idle);
  });
});
