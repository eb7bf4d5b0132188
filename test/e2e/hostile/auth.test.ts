/**
 * Captured requests turned into other requests: x-amz-* headers added after
 * signing (SPEC §5: 403 AccessDenied, or a captured PUT becomes a
 * CopyObject), signed headers, paths, methods and parameters changed,
 * presigned URLs with bad, expired or tampered parameters, and response-*
 * overrides that would inject header lines.
 */
import { describe, expect } from "bun:test";
import { edit, hostileCases, type HostileCase, hostileServer, presigned, signed } from "../../helpers/hostile.ts";

const t = hostileServer();
const UNSIGNED = { status: 403, code: "AccessDenied" };
const UNSIGNED_MESSAGE = "There were headers present in the request which were not signed";
const MISMATCH = { status: 403, code: "SignatureDoesNotMatch" };
const QUERY_ERROR = { status: 400, code: "AuthorizationQueryParametersError" };
const INVALID_ARG = { status: 400, code: "InvalidArgument" };
const PROBE = "/music/keep/a.mp3";
const VICTIM = "/music/bad/victim0.mp3";

// A validly signed PUT of a new key, captured, then given an extra header.
const putNew = { method: "PUT", path: "/music/bad/new.mp3", body: "captured" };
const addedAfterSigning: HostileCase[] = [
  ["x-amz-copy-source", "/music/src/source.flac"],
  ["x-amz-copy-source", "music/bad/victim0.mp3"],
  ["x-amz-meta-x", "1"],
  ["X-Amz-Meta-Upper", "1"],
  ["x-amz-metadata-directive", "REPLACE"],
  ["x-amz-tagging", "a=b"],
  ["x-amz-acl", "public-read"],
  ["x-amz-storage-class", "GLACIER"],
  ["x-amz-server-side-encryption", "AES256"],
  ["x-amz-checksum-crc32", "AAAAAA=="],
  ["x-amz-website-redirect-location", "/elsewhere"],
  ["x-amz-expected-bucket-owner", "123456789012"],
  ["x-amz-decoded-content-length", "1"],
  ["x-amz-object-lock-mode", "GOVERNANCE"],
].map(([name, value]) => ({
  name: `PUT + unsigned ${name}: ${value}`,
  request: signed(putNew, edit.add(name!, value!)),
  expect: UNSIGNED,
  check: (res) => expect(res?.body).toContain(UNSIGNED_MESSAGE),
}));
addedAfterSigning.push(
  { name: "DELETE of the victim + unsigned x-amz-mfa", request: signed({ method: "DELETE", path: VICTIM }, edit.add("x-amz-mfa", "1 2")), expect: UNSIGNED },
  { name: "DELETE of the victim + unsigned x-amz-bypass-governance-retention", request: signed({ method: "DELETE", path: VICTIM }, edit.add("x-amz-bypass-governance-retention", "true")), expect: UNSIGNED },
  { name: "GET + unsigned x-amz-checksum-mode", request: signed({ method: "GET", path: PROBE }, edit.add("x-amz-checksum-mode", "ENABLED")), expect: UNSIGNED },
  { name: "GET + unsigned x-amz-request-payer", request: signed({ method: "GET", path: PROBE }, edit.add("x-amz-request-payer", "requester")), expect: UNSIGNED },
  { name: "CopyObject + unsigned x-amz-metadata-directive", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source.flac" } }, edit.add("x-amz-metadata-directive", "REPLACE")), expect: UNSIGNED },
  { name: "CopyObject + unsigned x-amz-copy-source-if-match", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source.flac" } }, edit.add("x-amz-copy-source-if-match", "*")), expect: UNSIGNED },
  { name: "a second, unsigned x-amz-copy-source line", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source.flac" } }, edit.add("x-amz-copy-source", "/music/bad/victim0.mp3")), expect: MISMATCH },
  { name: "DeleteObjects + unsigned x-amz-checksum-sha256", request: signed({ method: "POST", path: "/music", rawQuery: "delete=", body: "<Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>" }, edit.add("x-amz-checksum-sha256", "AAAA")), expect: UNSIGNED },
  // Not x-amz-*: S3 ignores headers it does not know, signed or not.
  { name: "GET + an unsigned header S3 does not know", request: signed({ method: "GET", path: PROBE }, edit.add("x-other", "1")), expect: { status: 200, code: null } },
  { name: "GET with a signed header name in other case", request: signed({ method: "GET", path: PROBE, headers: { "x-amz-request-payer": "requester" } }, (m) => { const h = m.headers.find(([k]) => k === "x-amz-request-payer")!; h[0] = "X-AMZ-Request-Payer"; }), expect: { status: 200, code: null } },
);

const altered: HostileCase[] = [
  { name: "a signed x-amz-meta value changed", request: signed({ ...putNew, headers: { "x-amz-meta-a": "1" } }, edit.set("x-amz-meta-a", "2")), expect: MISMATCH },
  { name: "a signed content-type changed", request: signed({ ...putNew, headers: { "content-type": "audio/mpeg" } }, edit.set("content-type", "text/html")), expect: MISMATCH },
  { name: "a signed x-amz-copy-source pointed at the victim", request: signed({ method: "PUT", path: "/music/bad/copy.flac", headers: { "x-amz-copy-source": "/music/src/source.flac" } }, edit.set("x-amz-copy-source", "/music/bad/victim0.mp3")), expect: MISMATCH },
  { name: "x-amz-content-sha256 changed to another mode", request: signed(putNew, edit.set("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")), expect: MISMATCH },
  { name: "x-amz-date moved by one second", request: signed(putNew, edit.map("x-amz-date", (v) => v.replace(/\d{2}Z$/, (s) => `${String((Number(s.slice(0, 2)) + 1) % 60).padStart(2, "0")}Z`))), expect: MISMATCH },
  { name: "host changed", request: signed({ method: "GET", path: PROBE }, edit.set("host", "music.attacker.example")), expect: MISMATCH },
  { name: "a signed header dropped", request: signed({ ...putNew, headers: { "x-amz-meta-a": "1" } }, edit.drop("x-amz-meta-a")), expect: MISMATCH },
  { name: "a signed header repeated with another value", request: signed({ ...putNew, headers: { "x-amz-meta-a": "1" } }, edit.add("x-amz-meta-a", "2")), expect: MISMATCH },
  { name: "a GET of the victim sent as DELETE", request: signed({ method: "GET", path: VICTIM }, edit.line(`DELETE ${VICTIM} HTTP/1.1`)), expect: MISMATCH },
  { name: "a PUT of a new key sent to the victim", request: signed(putNew, edit.line(`PUT ${VICTIM} HTTP/1.1`)), expect: MISMATCH },
  { name: "?uploads added after signing", request: signed({ method: "POST", path: "/music/bad/new.mp3", rawQuery: "uploads=" }, edit.line("POST /music/bad/new.mp3?uploads=&x=1 HTTP/1.1")), expect: MISMATCH },
  { name: "?delete added to a signed listing", request: signed({ method: "GET", path: "/music", rawQuery: "list-type=2" }, edit.line("POST /music?delete= HTTP/1.1")), expect: MISMATCH },
  { name: "the signature changed by one digit", request: signed(putNew, edit.map("authorization", (v) => v.replace(/Signature=(.)/, (_, c) => `Signature=${c === "0" ? "1" : "0"}`))), expect: MISMATCH },
  // x-amz-date and x-amz-content-sha256 are then present but unsigned: that rule answers first.
  { name: "SignedHeaders narrowed to host", request: signed(putNew, edit.map("authorization", (v) => v.replace(/SignedHeaders=[^,]+/, "SignedHeaders=host"))), expect: UNSIGNED },
  { name: "the access key changed", request: signed(putNew, edit.map("authorization", (v) => v.replace("RBTESTACCESSKEY00001", "AKIAIOSFODNN7EXAMPLE"))), expect: { status: 403, code: "InvalidAccessKeyId" } },
  { name: "the scope's service changed", request: signed(putNew, edit.map("authorization", (v) => v.replace("/s3/", "/ec2/"))), expect: { status: 400, code: "AuthorizationHeaderMalformed" } },
  { name: "the scope's terminator changed", request: signed(putNew, edit.map("authorization", (v) => v.replace("aws4_request", "aws4_requesx"))), expect: { status: 400, code: "AuthorizationHeaderMalformed" } },
  { name: "an algorithm S3 does not know", request: signed(putNew, edit.map("authorization", (v) => v.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512"))), expect: INVALID_ARG },
  { name: "a body that is not the one whose hash was signed", request: signed({ ...putNew, payloadHash: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" }), expect: { status: 400, code: "XAmzContentSHA256Mismatch" } },
];

const get = { method: "GET", path: PROBE };
const put = { method: "PUT", path: "/music/bad/new.mp3" };
const drop = (name: string) => (q: Record<string, string>) => {
  delete q[name];
};
const set = (name: string, value: string) => (q: Record<string, string>) => {
  q[name] = value;
};
const presignedCases: HostileCase[] = [
  { name: "presigned: a valid GET works", request: presigned(get), expect: { status: 200, code: null } },
  ...["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"].map((name) => ({
    name: `presigned: ${name} missing`,
    request: presigned(get, drop(name)),
    expect: QUERY_ERROR,
  })),
  { name: "presigned: X-Amz-Algorithm AWS4-HMAC-SHA1", request: presigned(get, set("X-Amz-Algorithm", "AWS4-HMAC-SHA1")), expect: QUERY_ERROR },
  ...["2026-01-01", "", "20260101T000000", "20261301T000000Z", "yesterday", "20260101T000000Z\r\n"].map((date) => ({
    name: `presigned: X-Amz-Date ${JSON.stringify(date)}`,
    request: presigned(get, set("X-Amz-Date", date)),
    expect: QUERY_ERROR,
  })),
  ...["-1", "abc", "604801", "99999999999999999999", "", "1e3", " 60", "0x10", "60.5"].map((expires) => ({
    name: `presigned: X-Amz-Expires ${JSON.stringify(expires)}`,
    request: presigned(get, set("X-Amz-Expires", expires)),
    expect: QUERY_ERROR,
  })),
  { name: "presigned: X-Amz-Expires lengthened after signing", request: presigned(get, set("X-Amz-Expires", "3600")), expect: MISMATCH },
  ...["garbage", "RBTESTACCESSKEY00001/20260101/us-east-1/s3", "RBTESTACCESSKEY00001//us-east-1/s3/aws4_request", "/////"].map((credential) => ({
    name: `presigned: X-Amz-Credential ${JSON.stringify(credential)}`,
    request: presigned(get, set("X-Amz-Credential", credential)),
    expect: QUERY_ERROR,
  })),
  { name: "presigned: a credential date that is not X-Amz-Date's", request: presigned(get, (q) => { q["X-Amz-Credential"] = q["X-Amz-Credential"]!.replace(/\/\d{8}\//, "/20200101/"); }), expect: QUERY_ERROR },
  { name: "presigned: the wrong region", request: presigned({ ...get, region: "eu-west-1" }), expect: QUERY_ERROR },
  { name: "presigned: an unknown access key", request: presigned({ ...get, accessKey: "AKIAIOSFODNN7EXAMPLE" }), expect: { status: 403, code: "InvalidAccessKeyId" } },
  { name: "presigned: expired (signed 2 h ago for 60 s)", request: presigned({ ...get, signingDate: new Date(Date.now() - 2 * 3600_000), expiresIn: 60 }), expect: UNSIGNED },
  { name: "presigned: expired (signed 10 s ago for 5 s)", request: presigned({ ...get, signingDate: new Date(Date.now() - 10_000), expiresIn: 5 }), expect: UNSIGNED },
  { name: "presigned: an expired URL with a forged signature", request: presigned({ ...get, signingDate: new Date(Date.now() - 3600_000), expiresIn: 60 }, set("X-Amz-Signature", "0".repeat(64))), expect: UNSIGNED },
  { name: "presigned: not valid until tomorrow", request: presigned({ ...get, signingDate: new Date(Date.now() + 86_400_000) }), expect: UNSIGNED },
  { name: "presigned: the signature changed by one digit", request: presigned(get, (q) => { q["X-Amz-Signature"] = (q["X-Amz-Signature"]![0] === "0" ? "1" : "0") + q["X-Amz-Signature"]!.slice(1); }), expect: MISMATCH },
  { name: "presigned: a signature that is not hex", request: presigned(get, set("X-Amz-Signature", "z".repeat(64))), expect: MISMATCH },
  { name: "presigned: a 10 KB signature", request: presigned(get, set("X-Amz-Signature", "a".repeat(10_000))), expect: MISMATCH },
  { name: "presigned: SignedHeaders changed", request: presigned(get, set("X-Amz-SignedHeaders", "host;x-amz-date")), expect: MISMATCH },
  { name: "presigned: a response-content-type added after signing", request: presigned(get, set("response-content-type", "text/html")), expect: MISMATCH },
  { name: "presigned: a GET of the victim sent as DELETE", request: async (server) => { const w = await presigned({ method: "GET", path: VICTIM })(server); w.parts = [Buffer.from(Buffer.from(w.parts[0]!).toString("latin1").replace(/^GET/, "DELETE"), "latin1")]; w.methods = ["DELETE"]; return w; }, expect: MISMATCH },
  { name: "presigned: both a query signature and an Authorization header", request: presigned(get, undefined, { authorization: "AWS4-HMAC-SHA256 Credential=x" }), expect: INVALID_ARG },
  // SPEC §5: the headers a presigned URL does not name are not signed.
  { name: "presigned PUT + unsigned x-amz-copy-source", request: presigned(put, undefined, { "x-amz-copy-source": "/music/src/source.flac" }), expect: UNSIGNED },
  { name: "presigned PUT + unsigned x-amz-meta-x", request: presigned(put, undefined, { "x-amz-meta-x": "1" }, "body"), expect: UNSIGNED },
  { name: "presigned PUT + unsigned x-amz-tagging", request: presigned(put, undefined, { "x-amz-tagging": "a=b" }, "body"), expect: UNSIGNED },
  { name: "presigned DELETE of the victim + unsigned x-amz-mfa", request: presigned({ method: "DELETE", path: VICTIM }, undefined, { "x-amz-mfa": "1 2" }), expect: UNSIGNED },
  { name: "presigned GET + unsigned x-amz-checksum-mode", request: presigned(get, undefined, { "x-amz-checksum-mode": "ENABLED" }), expect: UNSIGNED },
];

// SPEC §6: an override that is not a valid header value is a 400, never a 500 or a header line.
const noCookie = (res: { headers: Record<string, string>; head: string } | undefined) => {
  expect(res?.headers["set-cookie"]).toBeUndefined();
  expect(res?.head ?? "").not.toContain("evil");
};
const overrides: HostileCase[] = [
  ["response-content-type", "text/html\r\nSet-Cookie: evil=1"],
  ["response-content-type", "text/html\nSet-Cookie: evil=1"],
  ["response-content-type", "text/html\revil"],
  ["response-content-type", "audio/mpeg\0evil"],
  ["response-content-type", "audio/mpeg\x1bevil"],
  ["response-content-type", "audio/mpeg\x7fevil"],
  ["response-content-disposition", "attachment\r\nSet-Cookie: evil=1"],
  ["response-cache-control", "no-cache\nevil: 1"],
  ["response-content-language", "en\0evil"],
  ["response-expires", "Thu, 01 Jan 2099 00:00:00 GMT\r\nevil: 1"],
  ["response-content-encoding", "gzip\x01evil"],
  // Not a byte string: a header cannot carry it (Fetch's Headers refuses it).
  ["response-content-disposition", 'attachment; filename="東京evil.mp3"'],
].map(([name, value]) => ({
  name: `${name}=${JSON.stringify(value)}`,
  request: signed({ method: "GET", path: PROBE, query: { [name!]: value! } }),
  expect: INVALID_ARG,
  check: noCookie,
}));
overrides.push(
  { name: "HEAD with response-content-type carrying CR LF", request: signed({ method: "HEAD", path: PROBE, query: { "response-content-type": "a\r\nSet-Cookie: evil=1" } }), expect: { status: 400, code: null }, check: noCookie },
  { name: "presigned GET with response-content-type carrying CR LF", request: presigned({ ...get, query: { "response-content-type": "a\r\nSet-Cookie: evil=1" } }), expect: INVALID_ARG, check: noCookie },
  { name: "response-content-type with a TAB is a valid header value", request: signed({ method: "GET", path: PROBE, query: { "response-content-type": "audio/mpeg;\tx=1" } }), expect: { status: 200, code: null } },
);

describe("x-amz-* headers added after signing", () => hostileCases(t, addedAfterSigning));
describe("signed requests altered", () => hostileCases(t, altered));
describe("presigned URLs", () => hostileCases(t, presignedCases));
describe("response-* overrides", () => hostileCases(t, overrides));
