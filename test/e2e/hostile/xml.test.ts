/**
 * Hostile XML bodies for DeleteObjects and CompleteMultipartUpload: character
 * references to characters XML 1.0 forbids (a parser that drops them would
 * act on a key it was never sent), DTDs and entities, bombs, malformed
 * documents, 10 MB bodies. SPEC §6: strict parsing, MalformedXML, nothing
 * deleted, nothing completed.
 */
import { beforeAll, describe, expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { md5Hex } from "../../helpers/bytes.ts";
import { hostileCases, type HostileCase, hostileServer, signed } from "../../helpers/hostile.ts";
import { rawRequest } from "../../helpers/raw.ts";

const t = hostileServer();
const MALFORMED = { status: 400, code: "MalformedXML" };
const TOO_BIG = { status: 400, code: "MaxMessageLengthExceeded" };

const deleteObjects = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
  signed({ method: "POST", path: "/music", rawQuery: "delete=", body, headers });
const deleteDoc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Delete><Object><Key>${inner}</Key></Object></Delete>`;

// The references XML 1.0 §2.2 and §4.1 (WFC: Legal Character) forbid, each
// placed so that dropping it would leave the victim's key.
const FORBIDDEN_REFS = [
  "&#0;", "&#1;", "&#x0;", "&#x1F;", "&#x7;", "&#xD800;", "&#xDFFF;", "&#55296;", "&#xFFFE;", "&#xFFFF;", "&#65535;",
  "&#x110000;", "&#99999999999;", "&#0000000000;", "&#x;", "&#;", "&#xZZ;", "&#-1;", "&# 65;",
];
const charRefs: HostileCase[] = FORBIDDEN_REFS.map((ref) => ({
  name: `DeleteObjects: ${ref} inside the victim's key`,
  request: deleteObjects(deleteDoc(`bad/vic${ref}tim0.mp3`)),
  expect: MALFORMED,
}));
charRefs.push(
  { name: "DeleteObjects: &#0; at the end of the key", request: deleteObjects(deleteDoc("bad/victim0.mp3&#0;")), expect: MALFORMED },
  { name: "DeleteObjects: &#1; in Quiet", request: deleteObjects(`<Delete><Quiet>tr&#1;ue</Quiet><Object><Key>bad/victim0.mp3</Key></Object></Delete>`), expect: MALFORMED },
  { name: "DeleteObjects: a forbidden reference in a second object", request: deleteObjects(`<Delete><Object><Key>bad/victim0.mp3</Key></Object><Object><Key>x&#xFFFE;.mp3</Key></Object></Delete>`), expect: MALFORMED },
  // HTML's named entities are not XML's: only amp, lt, gt, quot and apos are predefined (XML 1.0 §4.6).
  { name: "DeleteObjects: the HTML entity &nbsp;", request: deleteObjects(deleteDoc("bad/victim0.mp3&nbsp;")), expect: MALFORMED },
  { name: "DeleteObjects: the HTML entity &copy;", request: deleteObjects(deleteDoc("bad/&copy;victim0.mp3")), expect: MALFORMED },
  { name: "DeleteObjects: an undeclared entity", request: deleteObjects(deleteDoc("bad/&victim;")), expect: MALFORMED },
  { name: "DeleteObjects: a bare ampersand", request: deleteObjects(deleteDoc("bad/a&b.mp3")), expect: MALFORMED },
);

const enc = new TextEncoder();
const withBytes = (before: string, bytes: number[], after: string) => Buffer.concat([enc.encode(before), Buffer.from(bytes), enc.encode(after)]);
const rawChars: HostileCase[] = [
  ["a raw NUL", [0x00]],
  ["a raw 0x01", [0x01]],
  ["a raw ESC", [0x1b]],
  ["a raw U+FFFE", [0xef, 0xbf, 0xbe]],
  ["a raw encoded surrogate", [0xed, 0xa0, 0x80]],
  ["a raw 0xFF (not UTF-8)", [0xff]],
  ["a raw overlong '/'", [0xc0, 0xaf]],
].map(([what, bytes]) => ({
  name: `DeleteObjects: ${what} inside the victim's key`,
  request: deleteObjects(withBytes("<Delete><Object><Key>bad/vic", bytes as number[], "tim0.mp3</Key></Object></Delete>")),
  expect: MALFORMED,
}));

const BILLION_LAUGHS =
  `<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY a "bad/victim0.mp3">` +
  Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join("") +
  `]><Delete><Object><Key>&j;</Key></Object></Delete>`;
const dtds: HostileCase[] = [
  { name: "an internal entity that spells the victim's key", body: `<!DOCTYPE Delete [<!ENTITY v "victim0.mp3">]><Delete><Object><Key>bad/&v;</Key></Object></Delete>` },
  { name: "billion laughs", body: BILLION_LAUGHS },
  { name: "an external entity (XXE)", body: `<!DOCTYPE Delete [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>` },
  { name: "a parameter entity", body: `<!DOCTYPE Delete [<!ENTITY % p "<!ENTITY v 'bad/victim0.mp3'>"> %p;]><Delete><Object><Key>&v;</Key></Object></Delete>` },
  { name: "an external DTD", body: `<!DOCTYPE Delete SYSTEM "http://127.0.0.1:1/evil.dtd"><Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>` },
  { name: "a DOCTYPE with no entities", body: `<!DOCTYPE Delete><Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>` },
  { name: "a DOCTYPE after a comment", body: `<!-- hi --><!DOCTYPE Delete [<!ENTITY v "victim0.mp3">]><Delete><Object><Key>bad/&v;</Key></Object></Delete>` },
  { name: "an entity declaration inside the root", body: `<Delete><!ENTITY v "victim0.mp3"><Object><Key>bad/&v;</Key></Object></Delete>` },
].map(({ name, body }) => ({ name: `DeleteObjects: ${name}`, request: deleteObjects(body), expect: MALFORMED }));

const malformed: HostileCase[] = [
  ["an empty body", ""],
  ["not XML at all", "hello"],
  ["an unclosed root", "<Delete><Object><Key>bad/victim0.mp3</Key></Object>"],
  ["mismatched tags", "<Delete><Object><Key>bad/victim0.mp3</Object></Key></Delete>"],
  ["two roots", "<Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete><Delete/>"],
  ["text after the root", "<Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>trailing"],
  ["the wrong root element", "<Foo><Object><Key>bad/victim0.mp3</Key></Object></Foo>"],
  ["no Object", "<Delete><Quiet>true</Quiet></Delete>"],
  ["an Object with no Key", "<Delete><Object><VersionId>null</VersionId></Object></Delete>"],
  ["an attribute without a value", "<Delete a><Object><Key>bad/victim0.mp3</Key></Object></Delete>"],
  ["an unterminated comment", "<Delete><!-- <Object><Key>bad/victim0.mp3</Key></Object></Delete>"],
  ["an unterminated CDATA section", "<Delete><Object><Key><![CDATA[bad/victim0.mp3</Key></Object></Delete>"],
  ["XML version 2.0", `<?xml version="2.0"?><Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>`],
  ["a declaration after a comment", `<!-- x --><?xml version="1.0"?><Delete><Object><Key>bad/victim0.mp3</Key></Object></Delete>`],
  ["a space in an element name", "<Delete><Obj ect><Key>bad/victim0.mp3</Key></Obj ect></Delete>"],
  ["an element name starting with a digit", "<Delete><1Object><Key>bad/victim0.mp3</Key></1Object></Delete>"],
  ["a '<' inside a key", "<Delete><Object><Key>bad/<victim0.mp3</Key></Object></Delete>"],
  ["100,000 nested elements", "<Delete>" + "<a>".repeat(100_000) + "</a>".repeat(100_000) + "</Delete>"],
  ["1,001 objects (the limit is 1,000)", "<Delete>" + "<Object><Key>bad/none.mp3</Key></Object>".repeat(1001) + "</Delete>"],
  ["a key that is an element, not text", "<Delete><Object><Key><b>bad/victim0.mp3</b></Key></Object></Delete>"],
].map(([what, body]) => ({ name: `DeleteObjects: ${what}`, request: deleteObjects(body!), expect: MALFORMED }));

const big = (bytes: number) => {
  const doc = deleteDoc("bad/victim0.mp3");
  return doc.replace("<Delete>", `<Delete><!--${"x".repeat(bytes - doc.length - 7)}-->`);
};
const sizes: HostileCase[] = [
  { name: "DeleteObjects: a 10 MB document", request: deleteObjects(big(10 * 1024 ** 2)), expect: TOO_BIG },
  { name: "DeleteObjects: a 3 MB document", request: deleteObjects(big(3 * 1024 ** 2)), expect: TOO_BIG },
  {
    name: "DeleteObjects: a 10 MB document with no declared length (chunked)",
    request: (server) => {
      const body = Buffer.from(big(10 * 1024 ** 2));
      const chunks: Buffer[] = [];
      for (let i = 0; i < body.length; i += 1 << 20) {
        const piece = body.subarray(i, i + (1 << 20));
        chunks.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n"));
      }
      chunks.push(Buffer.from("0\r\n\r\n"));
      return signed({ method: "POST", path: "/music", rawQuery: "delete=", headers: { "transfer-encoding": "chunked" }, body: Buffer.concat(chunks) })(server);
    },
    expect: TOO_BIG,
  },
];

// Characters XML carries but keys may not: the document is fine, the key is
// refused on its own (S3 answers 200 with a per-key <Error>), nothing deleted.
const perKey: HostileCase[] = [
  { name: "DeleteObjects: a TAB (&#9;) in the victim's key", request: deleteObjects(deleteDoc("bad/vic&#9;tim0.mp3")), expect: { status: 200, code: "InvalidObjectName" } },
  { name: "DeleteObjects: a CR (&#13;) in the victim's key", request: deleteObjects(deleteDoc("bad/vic&#13;tim0.mp3")), expect: { status: 200, code: "InvalidObjectName" } },
  { name: "DeleteObjects: a 2,000-byte key", request: deleteObjects(deleteDoc(`bad/${"k".repeat(1992)}.mp3`)), expect: { status: 200, code: "KeyTooLongError" } },
  { name: "DeleteObjects: a ../ key", request: deleteObjects(deleteDoc("keep/../bad/victim0.mp3")), expect: { status: 200, code: "InvalidObjectName" } },
];

// CompleteMultipartUpload of a real upload whose one part is valid: any
// document the parser "repairs" would complete it and create the file.
let uploadId = "";
let etag = "";
const TARGET = "/music/mp/target.mp3";
beforeAll(async () => {
  const created = await rawRequest(t.server, { method: "POST", path: TARGET, query: { uploads: "" } });
  uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)![1]!;
  const part = readFileSync(join(import.meta.dir, "..", "..", "fixtures", "audio", "other.mp3"));
  const uploaded = await rawRequest(t.server, { method: "PUT", path: TARGET, query: { partNumber: "1", uploadId }, body: part });
  expect(uploaded.headers.etag).toBe(`"${md5Hex(part)}"`);
  etag = uploaded.headers.etag!;
});
const complete = (doc: (etag: string) => string | Uint8Array) => (server: Parameters<ReturnType<typeof signed>>[0]) =>
  signed({ method: "POST", path: TARGET, query: { uploadId }, body: doc(etag) })(server);
const partDoc = (num: string, tag: string) => `<CompleteMultipartUpload><Part><PartNumber>${num}</PartNumber><ETag>${tag}</ETag></Part></CompleteMultipartUpload>`;
const multipart: HostileCase[] = [
  ...["&#0;", "&#1;", "&#xD800;", "&#xFFFE;", "&#xFFFF;"].flatMap((ref) => [
    { name: `Complete: ${ref} inside the ETag`, request: complete((e) => partDoc("1", e.replace(/^"/, `"${ref}`))), expect: MALFORMED },
    { name: `Complete: ${ref} inside the PartNumber`, request: complete((e) => partDoc(`1${ref}`, e)), expect: MALFORMED },
  ]),
  { name: "Complete: an entity that spells the ETag", request: complete((e) => `<!DOCTYPE C [<!ENTITY e '${e}'>]>${partDoc("1", "&e;")}`), expect: MALFORMED },
  { name: "Complete: billion laughs", request: complete(() => BILLION_LAUGHS.replace(/Delete/g, "CompleteMultipartUpload")), expect: MALFORMED },
  { name: "Complete: an external entity", request: complete((e) => `<!DOCTYPE C [<!ENTITY x SYSTEM "file:///etc/passwd">]>${partDoc("1", e)}&x;`), expect: MALFORMED },
  { name: "Complete: a raw NUL in the ETag", request: complete((e) => withBytes(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e}`, [0], "</ETag></Part></CompleteMultipartUpload>")), expect: MALFORMED },
  { name: "Complete: invalid UTF-8", request: complete((e) => withBytes(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${e}`, [0xff, 0xfe], "</ETag></Part></CompleteMultipartUpload>")), expect: MALFORMED },
  { name: "Complete: an unclosed root", request: complete((e) => partDoc("1", e).replace("</CompleteMultipartUpload>", "")), expect: MALFORMED },
  { name: "Complete: mismatched tags", request: complete((e) => partDoc("1", e).replace("</ETag></Part>", "</Part></ETag>")), expect: MALFORMED },
  { name: "Complete: the wrong root", request: complete((e) => partDoc("1", e).replace(/CompleteMultipartUpload/g, "Complete")), expect: MALFORMED },
  { name: "Complete: an empty body", request: complete(() => ""), expect: MALFORMED },
  { name: "Complete: a PartNumber that is not a number", request: complete((e) => partDoc("one", e)), expect: MALFORMED },
  { name: "Complete: 100,000 nested elements", request: complete(() => "<CompleteMultipartUpload>" + "<a>".repeat(100_000) + "</a>".repeat(100_000) + "</CompleteMultipartUpload>"), expect: MALFORMED },
  { name: "Complete: a 10 MB document", request: complete((e) => partDoc("1", e).replace("<Part>", `<!--${"x".repeat(10 * 1024 ** 2)}--><Part>`)), expect: TOO_BIG },
];

describe("forbidden character references", () => hostileCases(t, charRefs));
describe("forbidden raw characters", () => hostileCases(t, rawChars));
describe("DTDs and entities", () => hostileCases(t, dtds));
describe("malformed documents", () => hostileCases(t, malformed));
describe("oversized documents", () => hostileCases(t, sizes));
describe("keys the document may carry but the bucket refuses", () => hostileCases(t, perKey));
describe("CompleteMultipartUpload", () => hostileCases(t, multipart));
