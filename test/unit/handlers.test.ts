/**
 * Every handler's HTTP mapping, table-driven against in-memory services
 * (versitygw's controller tests are the model): the request goes through the
 * same dispatch() the server uses after authentication, so routes, query and
 * header parsing, status codes, headers and XML are what a client gets.
 */
import { describe, expect, test } from "bun:test";
import { dispatch } from "../../src/http/dispatch.ts";
import type { Listener } from "../../src/http/location.ts";
import { respondError } from "../../src/http/respond.ts";
import { rawPathOf, readQuery } from "../../src/s3/raw-target.ts";
import { silentLogger } from "../../src/log.ts";
import { isS3Error } from "../../src/s3/errors.ts";
import type { AuthResult } from "../../src/s3/sigv4/index.ts";
import { fakeServices } from "../helpers/fake-services.ts";

const AUTH: AuthResult = { accessKey: "AKID", presigned: false, payload: { kind: "unsigned" } };
const LISTENER: Listener = { tls: false, hostname: "127.0.0.1", port: 9000 };
const md5 = (text: string) => new Bun.CryptoHasher("md5").update(text).digest("hex");
const md5b64 = (text: string) => Buffer.from(new Bun.CryptoHasher("md5").update(text).digest()).toString("base64");

type Services = ReturnType<typeof fakeServices>;

interface Case {
  name: string;
  method: string;
  /** Path and query as sent, e.g. "/music/a.mp3?tagging". */
  url: string;
  headers?: Record<string, string>;
  body?: string;
  want: {
    status: number;
    code?: string;
    headers?: Record<string, string>;
    includes?: string[];
    body?: string;
  };
  /** What the store must hold afterwards. */
  after?: (s: Services) => void;
}

function seeded(): Services {
  const s = fakeServices();
  s.bucket.seed("Albums/A/01 One.mp3", "first track", { contentType: null, meta: { mood: "calm" } });
  s.bucket.seed("Albums/A/02 Two.flac", "second");
  s.bucket.seed("Albums/B/x.ogg", "x");
  s.bucket.seed("single.wav", "solo");
  s.library.tags.set("single.wav", { artist: "Björk", album: "Homogenic & more" });
  return s;
}

async function call(s: Services, c: Case) {
  const url = `http://127.0.0.1:9000${c.url}`;
  const req = new Request(url, { method: c.method, headers: c.headers, body: c.body });
  const { rawPath, rawQuery } = rawPathOf(url);
  let res: Response;
  try {
    res = await dispatch({ req, rawPath, params: readQuery(rawQuery).params, requestId: "REQ", auth: AUTH, services: s, listener: LISTENER, log: silentLogger, resource: rawPath });
  } catch (e) {
    if (!isS3Error(e)) throw e;
    res = respondError(e, rawPath, "REQ", c.method === "HEAD");
  }
  return { status: res.status, headers: res.headers, body: await res.text() };
}

const NOT_OVERRIDDEN = "audio/mpeg";

const CASES: Case[] = [
  // service and bucket
  { name: "ListBuckets names music", method: "GET", url: "/", want: { status: 200, includes: ["<Name>music</Name>", "<CreationDate>2026-01-02T03:04:05.000Z</CreationDate>"] } },
  { name: "HeadBucket tells the region", method: "HEAD", url: "/music", want: { status: 200, headers: { "x-amz-bucket-region": "us-east-1" } } },
  { name: "another bucket is NoSuchBucket", method: "GET", url: "/videos?list-type=2", want: { status: 404, code: "NoSuchBucket" } },
  { name: "GetBucketLocation is empty (us-east-1)", method: "GET", url: "/music?location", want: { status: 200, includes: ["<LocationConstraint"] } },
  { name: "CreateBucket music is yours already", method: "PUT", url: "/music", want: { status: 200 } },
  { name: "an unknown sub-resource is 501", method: "GET", url: "/music?policy", want: { status: 501, code: "NotImplemented" } },
  { name: "an unknown method is 405", method: "PATCH", url: "/music/single.wav", want: { status: 405, code: "MethodNotAllowed" } },

  // listing
  {
    name: "ListObjectsV2 with a delimiter rolls folders up",
    method: "GET", url: "/music?list-type=2&prefix=Albums/&delimiter=/",
    want: { status: 200, includes: ["<KeyCount>2</KeyCount>", "<CommonPrefixes><Prefix>Albums/A/</Prefix></CommonPrefixes>", "<CommonPrefixes><Prefix>Albums/B/</Prefix></CommonPrefixes>"] },
  },
  {
    name: "ListObjectsV2 max-keys=1 is truncated with a token",
    method: "GET", url: "/music?list-type=2&max-keys=1",
    want: { status: 200, includes: ["<IsTruncated>true</IsTruncated>", "<NextContinuationToken>", "<Key>Albums/A/01 One.mp3</Key>", `<ETag>&quot;${md5("first track")}&quot;</ETag>`] },
  },
  {
    name: "ListObjectsV2 encoding-type=url encodes keys",
    method: "GET", url: "/music?list-type=2&prefix=Albums/A/&encoding-type=url",
    want: { status: 200, includes: ["<Key>Albums/A/01%20One.mp3</Key>", "<EncodingType>url</EncodingType>"] },
  },
  { name: "ListObjectsV2 with a bad max-keys", method: "GET", url: "/music?list-type=2&max-keys=many", want: { status: 400, code: "InvalidArgument" } },
  { name: "ListObjectsV2 with a garbage token", method: "GET", url: "/music?list-type=2&continuation-token=%21%21", want: { status: 400, code: "InvalidArgument" } },
  { name: "ListObjects v1 gives a marker", method: "GET", url: "/music?max-keys=2", want: { status: 200, includes: ["<IsTruncated>true</IsTruncated>", "<NextMarker>Albums/A/02 Two.flac</NextMarker>"] } },

  // reading objects
  {
    name: "GetObject streams the bytes with its headers",
    method: "GET", url: "/music/Albums/A/01%20One.mp3",
    want: {
      status: 200, body: "first track",
      headers: { etag: `"${md5("first track")}"`, "content-length": "11", "content-type": NOT_OVERRIDDEN, "accept-ranges": "bytes", "x-amz-meta-mood": "calm", "last-modified": "Fri, 02 Jan 2026 03:04:05 GMT" },
    },
  },
  { name: "HeadObject has no body", method: "HEAD", url: "/music/single.wav", want: { status: 200, body: "", headers: { "content-length": "4", "content-type": "audio/wav" } } },
  { name: "a Range is 206 with Content-Range", method: "GET", url: "/music/single.wav", headers: { range: "bytes=1-2" }, want: { status: 206, body: "ol", headers: { "content-range": "bytes 1-2/4" } } },
  { name: "an unsatisfiable Range is 416", method: "GET", url: "/music/single.wav", headers: { range: "bytes=10-" }, want: { status: 416, code: "InvalidRange" } },
  { name: "a Range that is not one is ignored", method: "GET", url: "/music/single.wav", headers: { range: "lines=1-2" }, want: { status: 200, body: "solo" } },
  { name: "If-None-Match with the ETag is 304", method: "GET", url: "/music/single.wav", headers: { "if-none-match": `"${md5("solo")}"` }, want: { status: 304 } },
  { name: "If-Match with another ETag is 412", method: "GET", url: "/music/single.wav", headers: { "if-match": '"nope"' }, want: { status: 412, code: "PreconditionFailed" } },
  { name: "If-Modified-Since the object time is 304", method: "GET", url: "/music/single.wav", headers: { "if-modified-since": "Fri, 02 Jan 2026 03:04:05 GMT" }, want: { status: 304 } },
  {
    name: "response-* overrides set the headers",
    method: "GET", url: "/music/single.wav?response-content-type=audio/x-test&response-cache-control=no-store",
    want: { status: 200, headers: { "content-type": "audio/x-test", "cache-control": "no-store" } },
  },
  { name: "a response-* override with CR LF is refused", method: "GET", url: "/music/single.wav?response-content-type=a%0D%0Ab", want: { status: 400, code: "InvalidArgument" } },
  { name: "a missing key is NoSuchKey", method: "GET", url: "/music/nope.mp3", want: { status: 404, code: "NoSuchKey", includes: ["<Resource>/music/nope.mp3</Resource>"] } },
  { name: "GetObjectTagging is the library's tags", method: "GET", url: "/music/single.wav?tagging", want: { status: 200, includes: ["<Tag><Key>artist</Key><Value>Björk</Value></Tag>", "<Value>Homogenic &amp; more</Value>"] } },
  { name: "PutObjectTagging is 501 (read-only tags)", method: "PUT", url: "/music/single.wav?tagging", body: "<Tagging/>", want: { status: 501, code: "NotImplemented" } },

  // writing objects
  {
    name: "PutObject stores the bytes and answers the MD5 ETag",
    method: "PUT", url: "/music/new/song.mp3", body: "new bytes", headers: { "content-type": "audio/x-own", "x-amz-meta-a": "b" },
    want: { status: 200, headers: { etag: `"${md5("new bytes")}"` } },
    after: (s) => expect(s.bucket.objects.get("new/song.mp3")?.row).toMatchObject({ size: 9, contentType: "audio/x-own", meta: { a: "b" } }),
  },
  {
    name: "PutObject with a matching Content-MD5",
    method: "PUT", url: "/music/md5.mp3", body: "checked", headers: { "content-md5": md5b64("checked") },
    want: { status: 200 },
  },
  {
    name: "PutObject with a wrong Content-MD5 is BadDigest and stores nothing",
    method: "PUT", url: "/music/md5.mp3", body: "checked", headers: { "content-md5": md5b64("other") },
    want: { status: 400, code: "BadDigest" },
    after: (s) => expect(s.bucket.objects.has("md5.mp3")).toBe(false),
  },
  { name: "a non-audio key is refused", method: "PUT", url: "/music/cover.jpg", body: "jpeg", want: { status: 400, code: "InvalidRequest", includes: ["Only audio file extensions are accepted"] } },
  { name: "a folder with a body is refused", method: "PUT", url: "/music/folder/", body: "x", headers: { "content-length": "1" }, want: { status: 400, code: "InvalidRequest" } },
  {
    name: "a folder with a body of undeclared length is refused too",
    method: "PUT", url: "/music/folder/", body: "x",
    want: { status: 400, code: "InvalidRequest" },
    after: (s) => expect(s.bucket.objects.has("folder/")).toBe(false),
  },
  { name: "a folder without a body is made", method: "PUT", url: "/music/folder/", want: { status: 200, headers: { etag: `"${md5("")}"` } } },
  { name: "a bad key is InvalidObjectName", method: "PUT", url: "/music/a//b.mp3", body: "x", want: { status: 400, code: "InvalidObjectName" } },
  {
    name: "DeleteObject is 204 and removes it",
    method: "DELETE", url: "/music/single.wav", want: { status: 204 },
    after: (s) => expect(s.bucket.objects.has("single.wav")).toBe(false),
  },
  { name: "DeleteObject of a missing key is still 204", method: "DELETE", url: "/music/nope.mp3", want: { status: 204 } },
  {
    name: "DeleteObjects reports each key",
    method: "POST", url: "/music?delete",
    body: "<Delete><Object><Key>single.wav</Key></Object><Object><Key>a//b.mp3</Key></Object></Delete>",
    want: { status: 200, includes: ["<Deleted><Key>single.wav</Key></Deleted>", "<Error><Key>a//b.mp3</Key><Code>InvalidObjectName</Code>"] },
    after: (s) => expect(s.bucket.objects.has("single.wav")).toBe(false),
  },
  {
    name: "DeleteObjects in quiet mode lists only errors",
    method: "POST", url: "/music?delete", body: "<Delete><Quiet>true</Quiet><Object><Key>single.wav</Key></Object></Delete>",
    want: { status: 200, body: `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></DeleteResult>` },
  },
  { name: "DeleteObjects with malformed XML", method: "POST", url: "/music?delete", body: "<Delete><Object>", want: { status: 400, code: "MalformedXML" } },
  {
    name: "CopyObject copies with the source's metadata",
    method: "PUT", url: "/music/copy.mp3", headers: { "x-amz-copy-source": "/music/Albums/A/01%20One.mp3" },
    want: { status: 200, includes: ["<CopyObjectResult", `<ETag>&quot;${md5("first track")}&quot;</ETag>`, "<LastModified>2026-01-02T03:04:05.000Z</LastModified>"] },
    after: (s) => expect(s.bucket.objects.get("copy.mp3")?.row.meta).toEqual({ mood: "calm" }),
  },
  {
    name: "CopyObject with REPLACE takes the request's metadata",
    method: "PUT", url: "/music/copy.mp3", headers: { "x-amz-copy-source": "music/single.wav", "x-amz-metadata-directive": "REPLACE", "x-amz-meta-new": "1" },
    want: { status: 200 },
    after: (s) => expect(s.bucket.objects.get("copy.mp3")?.row.meta).toEqual({ new: "1" }),
  },
  { name: "CopyObject with a failed copy-source-if-match is 412", method: "PUT", url: "/music/copy.mp3", headers: { "x-amz-copy-source": "/music/single.wav", "x-amz-copy-source-if-match": '"nope"' }, want: { status: 412, code: "PreconditionFailed" } },
  { name: "CopyObject from another bucket", method: "PUT", url: "/music/copy.mp3", headers: { "x-amz-copy-source": "/videos/x.mp3" }, want: { status: 404, code: "NoSuchBucket" } },
  { name: "CopyObject with a bad directive", method: "PUT", url: "/music/copy.mp3", headers: { "x-amz-copy-source": "/music/single.wav", "x-amz-metadata-directive": "MERGE" }, want: { status: 400, code: "InvalidArgument" } },

  // multipart
  { name: "CreateMultipartUpload gives an UploadId", method: "POST", url: "/music/big.flac?uploads", want: { status: 200, includes: ["<UploadId>upload-1</UploadId>", "<Key>big.flac</Key>"] } },
  { name: "UploadPart to an unknown upload is NoSuchUpload", method: "PUT", url: "/music/big.flac?uploadId=zzz&partNumber=1", body: "part", want: { status: 404, code: "NoSuchUpload" } },
  { name: "UploadPart with part number 0 is refused", method: "PUT", url: "/music/big.flac?uploadId=zzz&partNumber=0", body: "part", want: { status: 400, code: "InvalidArgument" } },
  { name: "UploadPartCopy with a malformed range", method: "PUT", url: "/music/big.flac?uploadId=zzz&partNumber=1", headers: { "x-amz-copy-source": "/music/single.wav", "x-amz-copy-source-range": "bytes=5-1" }, want: { status: 400, code: "InvalidArgument" } },
  { name: "ListMultipartUploads", method: "GET", url: "/music?uploads", want: { status: 200, includes: ["<ListMultipartUploadsResult"] } },
  { name: "AbortMultipartUpload of an unknown upload", method: "DELETE", url: "/music/big.flac?uploadId=zzz", want: { status: 404, code: "NoSuchUpload" } },
];

describe("handlers", () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const s = seeded();
      const res = await call(s, c);
      const code = res.status >= 300 ? /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] : undefined;
      expect({ status: res.status, code }).toEqual({ status: c.want.status, code: c.want.code });
      for (const [name, value] of Object.entries(c.want.headers ?? {})) expect([name, res.headers.get(name)]).toEqual([name, value]);
      for (const text of c.want.includes ?? []) expect(res.body).toContain(text);
      if (c.want.body !== undefined) expect(res.body).toBe(c.want.body);
      expect(res.headers.get("x-amz-request-id")).toBe("REQ");
      c.after?.(s);
    });
  }
});

describe("multipart, one upload through", () => {
  test("create, two parts, list, complete", async () => {
    const s = seeded();
    const created = await call(s, { name: "", method: "POST", url: "/music/whole.flac?uploads", want: { status: 200 } });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body)![1]!;
    for (const [n, text] of [[1, "part one"], [2, "part two"]] as const) {
      const part = await call(s, { name: "", method: "PUT", url: `/music/whole.flac?uploadId=${id}&partNumber=${n}`, body: text, want: { status: 200 } });
      expect(part.headers.get("etag")).toBe(`"${md5(text)}"`);
    }
    const listed = await call(s, { name: "", method: "GET", url: `/music/whole.flac?uploadId=${id}`, want: { status: 200 } });
    expect(listed.body).toContain("<PartNumber>2</PartNumber>");
    const body = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5("part one")}"</ETag></Part><Part><PartNumber>2</PartNumber><ETag>"${md5("part two")}"</ETag></Part></CompleteMultipartUpload>`;
    const done = await call(s, { name: "", method: "POST", url: `/music/whole.flac?uploadId=${id}`, body, want: { status: 200 } });
    expect(done.status).toBe(200);
    expect(done.body).toContain("<CompleteMultipartUploadResult");
    expect(done.body).toContain("-2&quot;</ETag>");
    expect(s.multipart.uploads.size).toBe(0);
  });
});
