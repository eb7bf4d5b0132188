/**
 * Hostile listing parameters: absurd max-keys, garbage continuation tokens,
 * and values the answer would have to echo that XML 1.0 cannot carry
 * (SPEC §6: no answer ever holds such a character raw).
 */
import { describe, expect } from "bun:test";
import { hostileCases, type HostileCase, hostileServer, signed } from "../../helpers/hostile.ts";

const t = hostileServer();
const OK = { status: 200, code: null };
const INVALID_ARG = { status: 400, code: "InvalidArgument" };
const list = (rawQuery: string) => signed({ method: "GET", path: "/music", rawQuery });
const b64url = (bytes: number[] | string) => Buffer.from(typeof bytes === "string" ? bytes : Uint8Array.from(bytes)).toString("base64url");

const maxKeys: HostileCase[] = [
  ...["-1", "abc", "1.5", "1e3", "0x10", "2147483648", "99999999999999999999", "-0.5", " 5", "5 "].flatMap((v) => [
    { name: `v2 max-keys=${JSON.stringify(v)}`, request: list(`list-type=2&max-keys=${encodeURIComponent(v)}`), expect: INVALID_ARG },
  ]),
  { name: "v1 max-keys=-1", request: list("max-keys=-1"), expect: INVALID_ARG },
  { name: "v1 max-keys=abc", request: list("max-keys=abc"), expect: INVALID_ARG },
  { name: "max-uploads=-1", request: list("uploads=&max-uploads=-1"), expect: INVALID_ARG },
  { name: "max-uploads=abc", request: list("uploads=&max-uploads=abc"), expect: INVALID_ARG },
  // Allowed, capped at 1000: the listing is whole.
  ...["0", "5000", "2147483647", "1000"].map((v) => ({
    name: `max-keys=${v} is accepted`,
    request: list(`list-type=2&max-keys=${v}`),
    expect: OK,
    check: (res: { body: string } | undefined) => expect(res?.body).toContain(`<MaxKeys>${Math.min(Number(v), 1000)}</MaxKeys>`),
  })),
];

const tokens: HostileCase[] = [
  ["garbage", "garbage!!"],
  ["a 10 KB token", "A".repeat(10_000) + "!"],
  ["a token that decodes to invalid UTF-8", b64url([0xff, 0xfe, 0xfd])],
  ["a token that decodes to a NUL", b64url("bad/\0")],
  ["a token that decodes to ESC", b64url("bad/\x1b")],
  ["a token that decodes to U+FFFF", b64url("bad/\uffff")],
  ["a raw NUL", "%00"],
  ["a token with padding in the middle", "YQ==YQ"],
].map(([what, token]) => ({
  name: `continuation-token: ${what}`,
  request: list(`list-type=2&continuation-token=${token!.startsWith("%") ? token : encodeURIComponent(token!)}`),
  expect: INVALID_ARG,
}));
// A "%" that starts no escape is a bad URI before it is a bad token.
tokens.push({ name: "continuation-token: not even a URI (%%%%)", request: list("list-type=2&continuation-token=%%%%"), expect: { status: 400, code: "InvalidURI" } });

// Every listing parameter the answer echoes, with each character XML 1.0 cannot hold.
const UNXMLABLE = [
  ["NUL", "%00"],
  ["0x01", "%01"],
  ["ESC", "%1B"],
  ["0x1F", "%1F"],
  ["U+FFFE", "%EF%BF%BE"],
  ["U+FFFF", "%EF%BF%BF"],
  ["invalid UTF-8 0xFF", "%FF"],
  ["an encoded surrogate", "%ED%A0%80"],
];
const echoed: HostileCase[] = [];
for (const [param, base] of [
  ["prefix", "list-type=2"],
  ["delimiter", "list-type=2"],
  ["start-after", "list-type=2"],
  ["marker", ""],
  ["prefix (v1)", ""],
  ["key-marker", "uploads="],
  ["upload-id-marker", "uploads=&key-marker=a"],
] as const) {
  const name = param.replace(" (v1)", "");
  for (const [what, esc] of UNXMLABLE)
    echoed.push({
      name: `${param}: ${what}`,
      request: list(`${base ? base + "&" : ""}${name}=bad${esc}`),
      expect: INVALID_ARG,
    });
}
echoed.push(
  { name: "encoding-type: NUL", request: list("list-type=2&encoding-type=%00"), expect: INVALID_ARG },
  { name: "encoding-type: ESC", request: list("list-type=2&encoding-type=url%1B"), expect: INVALID_ARG },
  { name: "encoding-type: xml", request: list("list-type=2&encoding-type=xml"), expect: INVALID_ARG },
  { name: "uploads prefix: NUL", request: list("uploads=&prefix=%00"), expect: INVALID_ARG },
  { name: "uploads delimiter: ESC", request: list("uploads=&delimiter=%1B"), expect: INVALID_ARG },
  // No key can hold a control character, so no parameter needs one (TAB aside: a header value may carry it).
  { name: "a DEL in prefix", request: list("list-type=2&prefix=bad%7F"), expect: INVALID_ARG },
  { name: "a CR LF in delimiter", request: list("list-type=2&delimiter=%0D%0A"), expect: INVALID_ARG },
);

// Characters XML carries: the listing is fine (and must be well-formed).
const carried: HostileCase[] = [
  ["a TAB in prefix", "list-type=2&prefix=bad%09"],
  ["markup in prefix", "list-type=2&prefix=%3C%2FPrefix%3E%3CKey%3Ex%3C%2FKey%3E"],
  ["an ampersand entity in prefix", "list-type=2&prefix=%26amp%3B%26%230%3B"],
  ["a 2,000-byte prefix", `list-type=2&prefix=${"p".repeat(2000)}`],
  ["a 2,000-byte delimiter", `list-type=2&delimiter=${"d".repeat(2000)}`],
  ["a start-after past every key", "list-type=2&start-after=%F4%8F%BF%BF"],
  ["fetch-owner=garbage", "list-type=2&fetch-owner=garbage"],
  ["a continuation token that names a real key", `list-type=2&continuation-token=${b64url("bad/victim0.mp3")}`],
  ["a prefix with a percent-encoded slash", "list-type=2&prefix=bad%2F&delimiter=%2F"],
].map(([what, q]) => ({ name: `accepted: ${what}`, request: list(q!), expect: OK }));

const parts: HostileCase[] = [
  { name: "ListParts of an upload id with a NUL", request: signed({ method: "GET", path: "/music/keep/a.mp3", rawQuery: "uploadId=%00" }), expect: INVALID_ARG },
  { name: "ListParts of an upload id with ../", request: signed({ method: "GET", path: "/music/keep/a.mp3", rawQuery: "uploadId=..%2F..%2Fkeep" }), expect: { status: 404, code: "NoSuchUpload" } },
  { name: "AbortMultipartUpload of an upload id with ../", request: signed({ method: "DELETE", path: "/music/keep/a.mp3", rawQuery: "uploadId=..%2F..%2F..%2Fkeep" }), expect: { status: 404, code: "NoSuchUpload" } },
  { name: "ListParts part-number-marker=abc", request: signed({ method: "GET", path: "/music/keep/a.mp3", rawQuery: "uploadId=x&part-number-marker=abc" }), expect: INVALID_ARG },
  { name: "ListParts max-parts=-1", request: signed({ method: "GET", path: "/music/keep/a.mp3", rawQuery: "uploadId=x&max-parts=-1" }), expect: INVALID_ARG },
  { name: "UploadPart partNumber=0", request: signed({ method: "PUT", path: "/music/keep/a.mp3", rawQuery: "partNumber=0&uploadId=x", body: "x" }), expect: INVALID_ARG },
  { name: "UploadPart partNumber=10001", request: signed({ method: "PUT", path: "/music/keep/a.mp3", rawQuery: "partNumber=10001&uploadId=x", body: "x" }), expect: INVALID_ARG },
  { name: "UploadPart partNumber=1e3", request: signed({ method: "PUT", path: "/music/keep/a.mp3", rawQuery: "partNumber=1e3&uploadId=x", body: "x" }), expect: INVALID_ARG },
];

describe("max-keys and friends", () => hostileCases(t, maxKeys));
describe("continuation tokens", () => hostileCases(t, tokens));
describe("echoed parameters XML cannot carry", () => hostileCases(t, echoed));
describe("echoed parameters XML can carry", () => hostileCases(t, carried));
describe("multipart parameters", () => hostileCases(t, parts));
