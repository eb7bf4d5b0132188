/**
 * The S3 operation a request names, read the way the S3 API reference
 * defines each one (method, bucket or object, sub-resource in the query,
 * x-amz-copy-source). The tests' own reading, independent of the server's
 * route table, so a test can say which operations a client sent.
 */
import type { RequestHead } from "./http-framing.ts";

const has = (q: URLSearchParams, name: string) => q.has(name);

/** "PutObject", "UploadPart", … or "<METHOD> <scope>?<sub-resource>" for anything the table does not name. */
export function s3Operation(head: RequestHead): string {
  const url = new URL(head.target, "http://host");
  const q = url.searchParams;
  // Virtual-hosted style (music.localhost): the bucket is in the Host, the path is all key.
  const virtualHost = /^music\./.test(head.headers.host ?? "");
  const path = url.pathname;
  const scope = virtualHost ? (path === "/" ? "bucket" : "object") : path === "/" ? "service" : /^\/[^/]+\/?$/.test(path) ? "bucket" : "object";
  const copy = "x-amz-copy-source" in head.headers;
  const m = head.method;
  if (scope === "service") return m === "GET" ? "ListBuckets" : `${m} service`;
  if (scope === "bucket") {
    if (m === "HEAD") return "HeadBucket";
    if (m === "POST" && has(q, "delete")) return "DeleteObjects";
    if (m === "GET" && has(q, "location")) return "GetBucketLocation";
    if (m === "GET" && has(q, "uploads")) return "ListMultipartUploads";
    if (m === "GET" && q.get("list-type") === "2") return "ListObjectsV2";
    if (m === "GET" && [...q.keys()].every((k) => ["prefix", "delimiter", "marker", "max-keys", "encoding-type"].includes(k))) return "ListObjects";
    return `${m} bucket?${[...q.keys()].join("&")}`;
  }
  if (m === "PUT" && has(q, "partNumber") && has(q, "uploadId")) return copy ? "UploadPartCopy" : "UploadPart";
  if (m === "PUT" && has(q, "tagging")) return "PutObjectTagging";
  if (m === "PUT") return copy ? "CopyObject" : "PutObject";
  if (m === "POST" && has(q, "uploads")) return "CreateMultipartUpload";
  if (m === "POST" && has(q, "uploadId")) return "CompleteMultipartUpload";
  if (m === "DELETE" && has(q, "uploadId")) return "AbortMultipartUpload";
  if (m === "DELETE") return "DeleteObject";
  if (m === "GET" && has(q, "uploadId")) return "ListParts";
  if (m === "GET" && has(q, "tagging")) return "GetObjectTagging";
  if (m === "GET") return "GetObject";
  if (m === "HEAD") return "HeadObject";
  return `${m} object?${[...q.keys()].join("&")}`;
}
