/**
 * Hostile message framing: Content-Length and Transfer-Encoding that lie or
 * disagree, bodies shorter than declared (then EOF), broken aws-chunked
 * framing, clients that hang up mid-body, and a request pipelined behind a
 * PUT.
 */
import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type ChunkedMode, chunkedPutMessage } from "../../helpers/aws-chunked.ts";
import { md5Hex } from "../../helpers/bytes.ts";
import { checksumBase64 } from "../../../src/s3/checksum.ts";
import { expectClean, expectServing, hostileCases, type HostileCase, hostileServer, libraryState, PROBE, SEED, signed } from "../../helpers/hostile.ts";
import { buildMessage, exchange, parseResponses, rawRequest, serialize } from "../../helpers/raw.ts";
import { waitFor } from "../../helpers/server.ts";
import { leftovers } from "../../helpers/tree.ts";

const t = hostileServer();
const NEW = "/music/bad/new.mp3";
const BUN_400 = { status: 400, code: null };
const INCOMPLETE = { status: 400, code: "IncompleteBody" };

/** A signed PUT of `NEW` whose framing headers are replaced after signing. */
const framed = (headers: [string, string][], body: string | Uint8Array, opts: { halfClose?: boolean } = {}) =>
  signed({ method: "PUT", path: NEW, body, headers: { "content-length": "0" } }, (m) => {
    m.headers = m.headers.filter(([k]) => k !== "content-length");
    m.headers.splice(m.headers.length - 1, 0, ...headers);
  }, { timeoutMs: 5_000, ...opts });
const chunk = (data: string) => `${data.length.toString(16)}\r\n${data}\r\n`;

const lengths: HostileCase[] = [
  { name: "Content-Length: abc", request: framed([["content-length", "abc"]], "hello"), expect: BUN_400 },
  { name: "Content-Length: -1", request: framed([["content-length", "-1"]], "hello"), expect: BUN_400 },
  { name: "Content-Length: +5", request: framed([["content-length", "+5"]], "hello"), expect: BUN_400 },
  { name: "Content-Length: 1e3", request: framed([["content-length", "1e3"]], "hello"), expect: BUN_400 },
  { name: "Content-Length: 5, 5", request: framed([["content-length", "5, 5"]], "hello"), expect: BUN_400 },
  { name: "two different Content-Length headers", request: framed([["content-length", "5"], ["content-length", "6"]], "hello"), expect: BUN_400 },
  { name: "a 20-digit Content-Length", request: framed([["content-length", "99999999999999999999"]], "hello"), expect: BUN_400 },
  { name: "Content-Length over 2 GiB (refused before the body)", request: signed({ method: "PUT", path: NEW, body: "hello", headers: { "content-length": String(2 * 1024 ** 3 + 1) } }, undefined, { timeoutMs: 5_000 }), expect: { status: 400, code: "EntityTooLarge" } },
];

const transferEncodings: HostileCase[] = [
  // RFC 9112 §6.3: both framings at once is how requests are smuggled; refuse.
  { name: "Content-Length and Transfer-Encoding: chunked together", request: framed([["content-length", "5"], ["transfer-encoding", "chunked"]], chunk("hello") + "0\r\n\r\n"), expect: BUN_400 },
  { name: "Transfer-Encoding: gzip", request: framed([["transfer-encoding", "gzip"]], "hello"), expect: BUN_400 },
  { name: "Transfer-Encoding: gzip, chunked", request: framed([["transfer-encoding", "gzip, chunked"]], chunk("hello") + "0\r\n\r\n"), expect: BUN_400 },
  { name: "Transfer-Encoding: chunked, gzip", request: framed([["transfer-encoding", "chunked, gzip"]], chunk("hello") + "0\r\n\r\n"), expect: BUN_400 },
  { name: "Transfer-Encoding: identity", request: framed([["transfer-encoding", "identity"]], "hello"), expect: BUN_400 },
  { name: "two Transfer-Encoding headers", request: framed([["transfer-encoding", "chunked"], ["transfer-encoding", "chunked"]], chunk("hello") + "0\r\n\r\n"), expect: BUN_400 },
  { name: "a chunk size that is not hex", request: framed([["transfer-encoding", "chunked"]], "zz\r\nhello\r\n0\r\n\r\n"), expect: BUN_400 },
  { name: "a negative chunk size", request: framed([["transfer-encoding", "chunked"]], "-5\r\nhello\r\n0\r\n\r\n"), expect: BUN_400 },
  { name: "a chunk size past 2^64", request: framed([["transfer-encoding", "chunked"]], "1ffffffffffffffff\r\nhello\r\n0\r\n\r\n"), expect: BUN_400 },
  { name: "chunk data without its CRLF", request: framed([["transfer-encoding", "chunked"]], "5\r\nhelloX0\r\n\r\n"), expect: BUN_400 },
  { name: "a chunked body that stops mid-chunk, then EOF", request: framed([["transfer-encoding", "chunked"]], "10\r\nhello", { halfClose: true }), expect: { status: 0, code: null } },
  { name: "a chunked body without its last chunk, then EOF", request: framed([["transfer-encoding", "chunked"]], chunk("hello"), { halfClose: true }), expect: { status: 0, code: null } },
];

const short: HostileCase[] = [
  { name: "PUT: 500 of 1,000 declared bytes, then EOF", request: framed([["content-length", "1000"]], "x".repeat(500), { halfClose: true }), expect: { status: 0, code: null } },
  { name: "PUT: none of 1,000 declared bytes, then EOF", request: framed([["content-length", "1000"]], "", { halfClose: true }), expect: { status: 0, code: null } },
  { name: "PUT over an existing object: 10 of 2,634 bytes, then EOF", request: signed({ method: "PUT", path: `/music/${PROBE}`, body: "x".repeat(10), headers: { "content-length": "2634" } }, undefined, { halfClose: true, timeoutMs: 5_000 }), expect: { status: 0, code: null } },
  { name: "DeleteObjects: half the document, then EOF", request: signed({ method: "POST", path: "/music", rawQuery: "delete=", body: "<Delete><Object><Key>bad/vic", headers: { "content-length": "200" } }, undefined, { halfClose: true, timeoutMs: 5_000 }), expect: { status: 0, code: null } },
];

// aws-chunked, framed as the SDKs frame it and spoiled after signing.
const DATA = new Uint8Array(100 * 1024).map((_, i) => (i * 7) % 253);
const PIECES = [DATA.subarray(0, 65536), DATA.subarray(65536)];
const CRC = checksumBase64("CRC32", DATA);
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");
const bytesOf = (s: string) => Buffer.from(s, "latin1");
const SIGNED: ChunkedMode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const TRAILER: ChunkedMode = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
const spoiled = (mode: ChunkedMode, spoil?: (body: string) => string, opts: { decodedLength?: number | string | null; tamper?: Parameters<typeof signed>[1]; halfClose?: boolean } = {}) =>
  async (server: Parameters<ReturnType<typeof signed>>[0]) => {
    const m = await chunkedPutMessage(server, {
      mode, path: NEW, chunks: PIECES, crc32: CRC, decodedLength: opts.decodedLength,
      spoil: spoil && ((b) => bytesOf(spoil(text(b)))),
    });
    opts.tamper?.(m);
    return { parts: [serialize(m)], methods: ["PUT"], halfClose: opts.halfClose, timeoutMs: 5_000 };
  };
const chunked: HostileCase[] = [
  { name: "aws-chunked: a chunk longer than the data, then EOF", request: spoiled(SIGNED, (b) => b.replace(/^10000;/, "20000;"), { halfClose: true }), expect: INCOMPLETE },
  { name: "aws-chunked: a chunk without its CRLF", request: spoiled(SIGNED, (b) => b.replace(/(chunk-signature=[0-9a-f]{64}\r\n[\s\S]{65536})\r\n/, "$1")), expect: { status: 400, code: "InvalidChunkSizeError" } },
  { name: "aws-chunked: a chunk with no signature in a signed stream", request: spoiled(SIGNED, (b) => b.replace(/;chunk-signature=[0-9a-f]{64}/, "")), expect: { status: 403, code: "SignatureDoesNotMatch" } },
  { name: "aws-chunked: a 10 KB chunk extension", request: spoiled(TRAILER, (b) => b.replace(/^10000/, `10000;x=${"e".repeat(10_000)}`)), expect: { status: 400, code: "InvalidChunkSizeError" } },
  { name: "aws-chunked: a negative chunk size", request: spoiled(TRAILER, (b) => b.replace(/^10000/, "-10000")), expect: { status: 400, code: "InvalidChunkSizeError" } },
  { name: "aws-chunked: a chunk size past 2^64", request: spoiled(TRAILER, (b) => b.replace(/^10000/, "1ffffffffffffffff")), expect: { status: 400, code: "InvalidChunkSizeError" } },
  { name: "aws-chunked: two chunks swapped", request: spoiled(SIGNED, (b) => { const i = b.indexOf("\r\n", b.indexOf("\r\n") + 65538) + 2; const j = b.lastIndexOf("0;chunk-signature"); return b.slice(i, j) + b.slice(0, i) + b.slice(j); }), expect: { status: 403, code: "SignatureDoesNotMatch" } },
  { name: "aws-chunked: data after the final chunk", request: spoiled(SIGNED, (b) => b + "garbage"), expect: { status: 400, code: "MalformedTrailerError" } },
  { name: "aws-chunked: no final chunk, then EOF", request: spoiled(SIGNED, (b) => b.slice(0, b.lastIndexOf("0;chunk-signature")), { halfClose: true }), expect: INCOMPLETE },
  { name: "aws-chunked: the trailer missing", request: spoiled(TRAILER, (b) => b.slice(0, b.indexOf("x-amz-checksum-crc32:")) + "\r\n"), expect: { status: 400, code: "MalformedTrailerError" } },
  { name: "aws-chunked: a trailer line without a colon", request: spoiled(TRAILER, (b) => b.replace("x-amz-checksum-crc32:", "x-amz-checksum-crc32 ")), expect: { status: 400, code: "MalformedTrailerError" } },
  { name: "aws-chunked: a trailer that was not announced", request: spoiled(TRAILER, (b) => b.replace("x-amz-checksum-crc32:", "x-amz-checksum-crc32c:")), expect: { status: 400, code: "MalformedTrailerError" } },
  { name: "aws-chunked: a 10 KB trailer", request: spoiled(TRAILER, (b) => b.replace("x-amz-checksum-crc32:", `x-amz-meta-x:${"t".repeat(10_000)}\r\nx-amz-checksum-crc32:`)), expect: { status: 400, code: "MalformedTrailerError" } },
  // x-amz-decoded-content-length missing is accepted: the JS SDK v3 streams bodies of unknown length
  // that way (test/clients/aws-sdk.test.ts), and the cap is enforced while streaming.
  { name: "aws-chunked: x-amz-decoded-content-length abc", request: spoiled(SIGNED, undefined, { decodedLength: "abc" }), expect: { status: 400, code: "InvalidArgument" } },
  { name: "aws-chunked: x-amz-decoded-content-length -1", request: spoiled(SIGNED, undefined, { decodedLength: -1 }), expect: { status: 400, code: "InvalidArgument" } },
  { name: "aws-chunked: a decoded length shorter than the data", request: spoiled(SIGNED, undefined, { decodedLength: DATA.length - 1 }), expect: INCOMPLETE },
  { name: "aws-chunked: a decoded length over 2 GiB", request: spoiled(SIGNED, undefined, { decodedLength: 2 * 1024 ** 3 + 1 }), expect: { status: 400, code: "EntityTooLarge" } },
];

describe("Content-Length", () => hostileCases(t, lengths));
describe("Transfer-Encoding", () => hostileCases(t, transferEncodings));
describe("bodies shorter than declared", () => hostileCases(t, short));
describe("aws-chunked framing", () => hostileCases(t, chunked));

describe("clients that hang up", () => {
  // SPEC §6: a client that disconnects mid-request is logged at debug level, not as an internal error.
  test("20 uploads aborted mid-body leave nothing and log no internal error", async () => {
    const before = libraryState(t.server);
    const aborted = Array.from({ length: 20 }, async (_, i) => {
      const m = await buildMessage(t.server, { method: "PUT", path: `/music/bad/aborted-${i}.flac`, headers: { "content-length": String(1024 ** 2) } });
      await new Promise<void>((resolve) => {
        const sock = connect(t.server.port, "127.0.0.1", () => {
          sock.write(serialize(m));
          sock.write(DATA, () => sock.destroy());
        });
        sock.on("error", () => {});
        sock.on("close", () => resolve());
      });
    });
    await Promise.all(aborted);
    await waitFor(() => leftovers(t.server.musicDir).length === 0, 10_000, "aborted uploads cleaned up");
    await expectServing(t.server);
    expect(libraryState(t.server)).toEqual(before);
    expect(t.server.stderr()).not.toContain("internal error");
  });
});

describe("pipelining", () => {
  // Issue 7, finding 7: a GET written right behind a PUT's body on the same
  // connection. Bun 1.4.5 closes such a connection before answering (uWS
  // refuses to pipeline behind an async response; README "Behaviour and
  // limits"). What must hold whatever the runtime does: no torn answer, the
  // PUT committed whole or not at all, the server serving the next client.
  test("a PUT with a body, then a GET on the same connection: both answered or neither, the PUT whole", async () => {
    const body = "pipelined body";
    const put = await buildMessage(t.server, { method: "PUT", path: "/music/bad/pipelined.mp3", body });
    put.headers = put.headers.filter(([k]) => k !== "connection");
    const get = await buildMessage(t.server, { method: "GET", path: `/music/${PROBE}` });
    const { bytes } = await exchange(t.server.port, [Buffer.concat([serialize(put), serialize(get)])], { timeoutMs: 5_000 });
    try {
      if (bytes.length > 0) {
        const answers = parseResponses(bytes, ["PUT", "GET"]);
        expectClean(answers);
        const probe = readFileSync(join(import.meta.dir, "..", "..", "fixtures", "audio", SEED[PROBE]!));
        expect(answers.map((a) => [a.status, a.headers.etag])).toEqual([
          [200, `"${md5Hex(body)}"`],
          [200, `"${md5Hex(probe)}"`],
        ]);
      }
      const path = join(t.server.musicDir, "bad", "pipelined.mp3");
      await waitFor(() => existsSync(path) && readFileSync(path, "utf8") === body, 5_000, "the committed PUT");
      await expectServing(t.server);
    } finally {
      expect((await rawRequest(t.server, { method: "DELETE", path: "/music/bad/pipelined.mp3" })).status).toBe(204);
    }
  });
});


