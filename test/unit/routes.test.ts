/** findRoute: (method, scope, query, headers) → operation, and the 501 / 405 answers for the rest. */
import { describe, expect, test } from "bun:test";
import { findRoute, type Scope } from "../../src/http/routes.ts";
import { S3Error } from "../../src/s3/errors.ts";

const COPY = { "x-amz-copy-source": "/music/a.flac" };

const CASES: [string, Scope, string, Record<string, string>, string][] = [
  ["GET", "service", "", {}, "ListBuckets"],
  ["HEAD", "bucket", "", {}, "HeadBucket"],
  ["PUT", "bucket", "", {}, "CreateBucket"],
  ["GET", "bucket", "location", {}, "GetBucketLocation"],
  ["GET", "bucket", "versioning", {}, "GetBucketVersioning"],
  ["GET", "bucket", "cors", {}, "GetBucketCors"],
  ["PUT", "bucket", "cors", {}, "PutBucketCors"],
  ["DELETE", "bucket", "cors", {}, "DeleteBucketCors"],
  ["GET", "bucket", "list-type=2&prefix=a", {}, "ListObjectsV2"],
  ["GET", "bucket", "prefix=a&delimiter=/", {}, "ListObjects"],
  ["GET", "bucket", "", {}, "ListObjects"],
  ["GET", "bucket", "uploads", {}, "ListMultipartUploads"],
  ["POST", "bucket", "delete", {}, "DeleteObjects"],
  ["GET", "object", "", {}, "GetObject"],
  ["HEAD", "object", "", {}, "HeadObject"],
  ["PUT", "object", "", {}, "PutObject"],
  ["PUT", "object", "", COPY, "CopyObject"],
  ["DELETE", "object", "", {}, "DeleteObject"],
  ["GET", "object", "tagging", {}, "GetObjectTagging"],
  ["POST", "object", "uploads", {}, "CreateMultipartUpload"],
  // uploadId outranks partNumber: UploadPart carries both.
  ["PUT", "object", "partNumber=1&uploadId=u", {}, "UploadPart"],
  ["PUT", "object", "partNumber=2&uploadId=u", COPY, "UploadPartCopy"],
  ["POST", "object", "uploadId=u", {}, "CompleteMultipartUpload"],
  ["DELETE", "object", "uploadId=u", {}, "AbortMultipartUpload"],
  ["GET", "object", "uploadId=u", {}, "ListParts"],
  // A plain GET in disguise: the null version, or part 1 of a single-part object.
  ["GET", "object", "versionId=null", {}, "GetObject"],
  ["HEAD", "object", "partNumber=1", {}, "HeadObject"],
  // Query parameters that qualify rather than select.
  ["GET", "object", "response-content-type=audio/flac&X-Amz-Signature=x", {}, "GetObject"],
];

describe("findRoute", () => {
  for (const [method, scope, query, headers, name] of CASES) {
    test(`${method} ${scope}${query ? `?${query}` : ""}${headers["x-amz-copy-source"] ? " + x-amz-copy-source" : ""} → ${name}`, () => {
      expect(findRoute(method, scope, new URLSearchParams(query), new Headers(headers)).name).toBe(name);
    });
  }

  const failure = (method: string, scope: Scope, query: string): S3Error => {
    try {
      findRoute(method, scope, new URLSearchParams(query));
    } catch (e) {
      return e as S3Error;
    }
    throw new Error(`${method} ${scope}?${query} found a route`);
  };

  for (const [method, scope, query] of [
    ["GET", "bucket", "policy"],
    ["PUT", "object", "tagging"],
    ["GET", "object", "versionId=3"],
    ["GET", "object", "partNumber=2"],
    ["DELETE", "service", ""],
    ["POST", "object", ""],
    ["GET", "object", "torrent"],
  ] as [string, Scope, string][]) {
    test(`${method} ${scope}${query ? `?${query}` : ""} → 501 NotImplemented`, () => {
      const e = failure(method, scope, query);
      expect(e).toBeInstanceOf(S3Error);
      expect([e.code, e.status]).toEqual(["NotImplemented", 501]);
    });
  }

  for (const method of ["PATCH", "OPTIONS", "TRACE"]) {
    test(`${method} on an object → 405 MethodNotAllowed`, () => {
      const e = failure(method, "object", "");
      expect([e.code, e.status]).toEqual(["MethodNotAllowed", 405]);
    });
  }
});
