/**
 * Hostile keys and percent-encoding: invalid escapes in the path and the
 * query, invalid UTF-8, control characters, "." and ".." segments, keys far
 * over the limits. Every request is validly signed (the attacker has the
 * credentials or a captured request), so only the key rules can refuse it.
 */
import { describe } from "bun:test";
import { hostileCases, type HostileCase, hostileServer, signed } from "../../helpers/hostile.ts";

const t = hostileServer();

/** S3 answers a URI it cannot decode with 400 InvalidURI "Couldn't parse the specified URI." */
const INVALID_URI = { status: 400, code: "InvalidURI" };
const BAD_NAME = { status: 400, code: "InvalidObjectName" };
const TOO_LONG = { status: 400, code: "KeyTooLongError" };
/** HEAD answers carry the status only. */
const HEAD_400 = { status: 400, code: null };

const ESCAPES = ["%zz", "%", "%4", "%4g", "%%", "%G0", "%-1"];

const pathEscapes: HostileCase[] = ESCAPES.flatMap((esc) => [
  { name: `PUT a key with ${esc}`, request: signed({ method: "PUT", path: `/music/bad/${esc}.mp3`, body: "x" }), expect: INVALID_URI },
  { name: `GET a key with ${esc}`, request: signed({ method: "GET", path: `/music/bad/${esc}.mp3` }), expect: INVALID_URI },
  { name: `DELETE a key with ${esc}`, request: signed({ method: "DELETE", path: `/music/bad/victim0${esc}.mp3` }), expect: INVALID_URI },
]);
pathEscapes.push(
  ...["%zz", "%4"].map((esc) => ({ name: `HEAD a key with ${esc}`, request: signed({ method: "HEAD", path: `/music/bad/${esc}.mp3` }), expect: HEAD_400 })),
  { name: "an invalid escape at the very end of the key", request: signed({ method: "PUT", path: "/music/bad/x.mp3%", body: "x" }), expect: INVALID_URI },
  { name: "an invalid escape in the bucket name", request: signed({ method: "GET", path: "/mu%zzsic/keep/a.mp3" }), expect: INVALID_URI },
  { name: "CreateMultipartUpload of a key with %zz", request: signed({ method: "POST", path: "/music/bad/%zz.mp3", rawQuery: "uploads=" }), expect: INVALID_URI },
);

const queryEscapes: HostileCase[] = [
  ["a listing prefix of %zz", "GET", "/music", "list-type=2&prefix=%zz"],
  ["a listing start-after of %4", "GET", "/music", "list-type=2&start-after=%4"],
  ["a v1 marker of a lone %", "GET", "/music", "marker=%"],
  ["a parameter name with %4g", "GET", "/music", "list-type=2&%4g=1"],
  ["a delimiter of %G0", "GET", "/music", "list-type=2&delimiter=%G0"],
  ["response-content-type of %zz", "GET", "/music/keep/a.mp3", "response-content-type=%zz"],
  ["an uploadId of %4", "DELETE", "/music/keep/a.mp3", "uploadId=%4"],
  ["a partNumber of %", "PUT", "/music/keep/a.mp3", "partNumber=%&uploadId=x"],
  ["DeleteObjects with ?delete&x=%zz", "POST", "/music", "delete=&x=%zz"],
  ["an unknown parameter %zz on a DELETE of the victim", "DELETE", "/music/bad/victim0.mp3", "x=%zz"],
].map(([name, method, path, rawQuery]) => ({
  name: `query: ${name}`,
  request: signed({ method: method!, path: path!, rawQuery, body: method === "PUT" ? "x" : undefined }),
  expect: INVALID_URI,
}));

const badUtf8: HostileCase[] = [
  ["a lone 0xFF", "%FF"],
  ["0xC3 0x28 (bad continuation)", "%C3%28"],
  ["an overlong '/' (0xC0 0xAF)", "%C0%AF"],
  ["an overlong '.' pair (0xC0 0xAE 0xC0 0xAE)", "%C0%AE%C0%AE"],
  ["an encoded surrogate (0xED 0xA0 0x80)", "%ED%A0%80"],
  ["a code point past U+10FFFF", "%F4%90%80%80"],
  ["a truncated sequence", "%E2%82"],
  ["a lone continuation byte", "%80"],
  ["a 5-byte sequence", "%F8%88%80%80%80"],
].flatMap(([what, esc]) => [
  { name: `PUT a key with ${what}`, request: signed({ method: "PUT", path: `/music/bad/x${esc}.mp3`, body: "x" }), expect: BAD_NAME },
]);
badUtf8.push(
  { name: "GET a key with a lone 0xFF", request: signed({ method: "GET", path: "/music/bad/x%FF.mp3" }), expect: BAD_NAME },
  { name: "DELETE a key with an overlong '/'", request: signed({ method: "DELETE", path: "/music/bad%C0%AFvictim0.mp3" }), expect: BAD_NAME },
  {
    // Signed as %FF, sent as the raw byte: Bun hands the app U+FFFD (%EF%BF%BD)
    // in its place, so the request no longer names what was signed.
    name: "PUT a key with a raw 0xFF byte in the request line",
    request: signed({ method: "PUT", path: "/music/bad/x%FF.mp3", body: "x" }, (m) => {
      m.line = "PUT /music/bad/x\u00ff.mp3 HTTP/1.1";
      m.latin1 = true;
    }),
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  },
);

// Every C0 control and DEL (SPEC §6: no answer may carry one, so no key may hold one).
const CONTROLS = [0x00, 0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x1f, 0x7f];
const hex = (c: number) => "%" + c.toString(16).toUpperCase().padStart(2, "0");
const controls: HostileCase[] = CONTROLS.map((c) => ({
  name: `PUT a key with ${hex(c)}`,
  request: signed({ method: "PUT", path: `/music/bad/vic${hex(c)}tim0.mp3`, body: "x" }),
  expect: BAD_NAME,
}));
for (const c of [0x00, 0x0a, 0x0d, 0x1b])
  controls.push(
    { name: `GET a key with ${hex(c)}`, request: signed({ method: "GET", path: `/music/bad/vic${hex(c)}tim0.mp3` }), expect: BAD_NAME },
    { name: `DELETE a key with ${hex(c)}`, request: signed({ method: "DELETE", path: `/music/bad/vic${hex(c)}tim0.mp3` }), expect: BAD_NAME },
  );
controls.push(
  { name: "HEAD a key with %1B", request: signed({ method: "HEAD", path: "/music/bad/vic%1Btim0.mp3" }), expect: HEAD_400 },
  { name: "a key that is a control character alone", request: signed({ method: "PUT", path: "/music/%01", body: "" }), expect: BAD_NAME },
  { name: "a folder key with %0A", request: signed({ method: "PUT", path: "/music/bad%0A/", body: "" }), expect: BAD_NAME },
  { name: "CreateMultipartUpload of a key with %1F", request: signed({ method: "POST", path: "/music/bad/x%1F.mp3", rawQuery: "uploads=" }), expect: BAD_NAME },
  { name: "CopyObject to a key with %00", request: signed({ method: "PUT", path: "/music/bad/x%00.mp3", headers: { "x-amz-copy-source": "/music/src/source.flac" } }), expect: BAD_NAME },
  { name: "CopyObject from a copy source with %00", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source%00.flac" } }), expect: BAD_NAME },
  { name: "CopyObject from a copy source with %1B", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source%1B.flac" } }), expect: BAD_NAME },
  // The header is not the URI: S3 calls a copy source it cannot decode an invalid argument.
  { name: "CopyObject from a copy source with %zz", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source%zz.flac" } }), expect: { status: 400, code: "InvalidArgument" } },
  // Characters XML 1.0 cannot carry would break every later listing.
  { name: "a key with U+FFFE", request: signed({ method: "PUT", path: "/music/bad/x%EF%BF%BE.mp3", body: "x" }), expect: BAD_NAME },
  { name: "a key with U+FFFF", request: signed({ method: "PUT", path: "/music/bad/x%EF%BF%BF.mp3", body: "x" }), expect: BAD_NAME },
);

const dots: HostileCase[] = [
  // Bun resolves "." and ".." segments, raw or as %2e, before the app sees
  // the URL: the request no longer names what was signed.
  ...[
    ["PUT", "/music/%2e%2e/x.mp3"],
    ["GET", "/music/keep/%2E%2E/keep/a.mp3"],
    ["DELETE", "/music/keep/%2e%2e/bad/victim0.mp3"],
    ["PUT", "/music/%2E/x.mp3"],
    ["GET", "/music/keep/%2e/a.mp3"],
    ["PUT", "/music/%2E%2E/"],
    ["DELETE", "/music/keep/../bad/victim0.mp3"],
    ["PUT", "/music/./bad/x.mp3"],
  ].map(([method, path]) => ({
    name: `${method} ${path} (resolved by Bun)`,
    request: signed({ method: method!, path: path!, body: method === "PUT" ? "x" : undefined }),
    expect: { status: 403, code: "SignatureDoesNotMatch" },
  })),
  { name: "PUT keep/..%2Fx.mp3", request: signed({ method: "PUT", path: "/music/keep/..%2Fx.mp3", body: "x" }), expect: BAD_NAME },
  { name: "DELETE keep%2F..%2Fbad%2Fvictim0.mp3", request: signed({ method: "DELETE", path: "/music/keep%2F..%2Fbad%2Fvictim0.mp3" }), expect: BAD_NAME },
  { name: "CopyObject from ../ outside the bucket", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/%2E%2E/%2E%2E/etc/passwd.mp3" } }), expect: BAD_NAME },
  { name: "CopyObject from a raw ../", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/keep/../../outside.mp3" } }), expect: BAD_NAME },
  { name: "an empty segment", request: signed({ method: "PUT", path: "/music/bad//x.mp3", body: "x" }), expect: BAD_NAME },
  { name: "a key starting with an encoded slash", request: signed({ method: "PUT", path: "/music/%2Fx.mp3", body: "x" }), expect: BAD_NAME },
];

const long = (bytes: number, segment = 200) => {
  let key = "";
  while (key.length + segment + 1 < bytes - 4) key += "d".repeat(segment) + "/";
  return key + "x".repeat(bytes - 4 - key.length) + ".mp3";
};
const lengths: HostileCase[] = [
  { name: "PUT a 2,000-byte key", request: signed({ method: "PUT", path: `/music/${long(2000)}`, body: "x" }), expect: TOO_LONG },
  { name: "GET a 2,000-byte key", request: signed({ method: "GET", path: `/music/${long(2000)}` }), expect: TOO_LONG },
  { name: "DELETE a 2,000-byte key", request: signed({ method: "DELETE", path: `/music/${long(2000)}` }), expect: TOO_LONG },
  { name: "HEAD a 2,000-byte key", request: signed({ method: "HEAD", path: `/music/${long(2000)}` }), expect: HEAD_400 },
  { name: "PUT a 1,025-byte key", request: signed({ method: "PUT", path: `/music/${long(1025)}`, body: "x" }), expect: TOO_LONG },
  { name: "PUT a 2,000-byte key in one segment", request: signed({ method: "PUT", path: `/music/${"s".repeat(1996)}.mp3`, body: "x" }), expect: TOO_LONG },
  { name: "PUT a 256-byte segment", request: signed({ method: "PUT", path: `/music/bad/${"s".repeat(252)}.mp3`, body: "x" }), expect: TOO_LONG },
  { name: "PUT 700 two-byte characters (1,400 bytes)", request: signed({ method: "PUT", path: `/music/${`${"%C3%A9".repeat(100)}/`.repeat(7)}x.mp3`, body: "x" }), expect: TOO_LONG },
  { name: "CopyObject from a 2,000-byte source", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": `/music/${long(2000)}` } }), expect: TOO_LONG },
  { name: "CreateMultipartUpload of a 2,000-byte key", request: signed({ method: "POST", path: `/music/${long(2000)}`, rawQuery: "uploads=" }), expect: TOO_LONG },
];

describe("invalid escapes in the path", () => hostileCases(t, pathEscapes));
describe("invalid escapes in the query", () => hostileCases(t, queryEscapes));
describe("invalid UTF-8", () => hostileCases(t, badUtf8));
describe("control characters", () => hostileCases(t, controls));
describe("dot segments", () => hostileCases(t, dots));
describe("lengths", () => hostileCases(t, lengths));
