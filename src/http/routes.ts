/**
 * The operation table: (method, scope, sub-resource) → handler. A request
 * naming a sub-resource we do not serve is 501 NotImplemented, never a
 * misleading 200.
 */
import { S3Error } from "../s3/errors.ts";
import type { Handler } from "./context.ts";
import { createBucket, getBucketLocation, getBucketVersioning, headBucket } from "./handlers/bucket.ts";
import { deleteBucketCors, getBucketCors, putBucketCors } from "./handlers/bucket-cors.ts";
import { copyObject } from "./handlers/copy-object.ts";
import { deleteObject } from "./handlers/delete-object.ts";
import { deleteObjects } from "./handlers/delete-objects.ts";
import { getObject } from "./handlers/get-object.ts";
import { listObjectsV1, listObjectsV2 } from "./handlers/list-objects.ts";
import { abortMultipartUpload, completeMultipartUpload } from "./handlers/multipart-complete.ts";
import { listMultipartUploads, listParts } from "./handlers/multipart-list.ts";
import { createMultipartUpload, uploadPart, uploadPartCopy } from "./handlers/multipart-upload.ts";
import { putObject } from "./handlers/put-object.ts";
import { listBuckets } from "./handlers/service.ts";
import { getObjectTagging } from "./handlers/tagging.ts";

export type Scope = "service" | "bucket" | "object";

export interface Route {
  method: string;
  scope: Scope;
  /** The sub-resource query parameter that selects it; "" for none. */
  sub: string;
  /** A request header that must be present (x-amz-copy-source makes a PUT a copy). */
  header?: string;
  name: string;
  handler: Handler;
}

/** Query parameters that select an operation rather than qualify one. */
export const SUB_RESOURCES = [
  "accelerate", "acl", "analytics", "attributes", "cors", "delete", "encryption", "intelligent-tiering",
  "inventory", "legal-hold", "lifecycle", "list-type", "location", "logging", "metadataTable", "metrics",
  "notification", "object-lock", "ownershipControls", "partNumber", "policy", "policyStatus",
  "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select", "session",
  "tagging", "torrent", "uploadId", "uploads", "versioning", "versionId", "versions", "website",
] as const;

export const ROUTES: Route[] = [
  { method: "GET", scope: "service", sub: "", name: "ListBuckets", handler: listBuckets },
  { method: "HEAD", scope: "bucket", sub: "", name: "HeadBucket", handler: headBucket },
  { method: "PUT", scope: "bucket", sub: "", name: "CreateBucket", handler: createBucket },
  { method: "GET", scope: "bucket", sub: "location", name: "GetBucketLocation", handler: getBucketLocation },
  { method: "GET", scope: "bucket", sub: "versioning", name: "GetBucketVersioning", handler: getBucketVersioning },
  { method: "GET", scope: "bucket", sub: "cors", name: "GetBucketCors", handler: getBucketCors },
  { method: "PUT", scope: "bucket", sub: "cors", name: "PutBucketCors", handler: putBucketCors },
  { method: "DELETE", scope: "bucket", sub: "cors", name: "DeleteBucketCors", handler: deleteBucketCors },
  { method: "GET", scope: "bucket", sub: "list-type", name: "ListObjectsV2", handler: listObjectsV2 },
  { method: "GET", scope: "bucket", sub: "", name: "ListObjects", handler: listObjectsV1 },
  { method: "GET", scope: "bucket", sub: "uploads", name: "ListMultipartUploads", handler: listMultipartUploads },
  { method: "POST", scope: "bucket", sub: "delete", name: "DeleteObjects", handler: deleteObjects },
  { method: "GET", scope: "object", sub: "", name: "GetObject", handler: getObject },
  { method: "HEAD", scope: "object", sub: "", name: "HeadObject", handler: getObject },
  { method: "PUT", scope: "object", sub: "", header: "x-amz-copy-source", name: "CopyObject", handler: copyObject },
  { method: "PUT", scope: "object", sub: "", name: "PutObject", handler: putObject },
  { method: "DELETE", scope: "object", sub: "", name: "DeleteObject", handler: deleteObject },
  { method: "GET", scope: "object", sub: "tagging", name: "GetObjectTagging", handler: getObjectTagging },
  { method: "POST", scope: "object", sub: "uploads", name: "CreateMultipartUpload", handler: createMultipartUpload },
  { method: "PUT", scope: "object", sub: "uploadId", header: "x-amz-copy-source", name: "UploadPartCopy", handler: uploadPartCopy },
  { method: "PUT", scope: "object", sub: "uploadId", name: "UploadPart", handler: uploadPart },
  { method: "POST", scope: "object", sub: "uploadId", name: "CompleteMultipartUpload", handler: completeMultipartUpload },
  { method: "DELETE", scope: "object", sub: "uploadId", name: "AbortMultipartUpload", handler: abortMultipartUpload },
  { method: "GET", scope: "object", sub: "uploadId", name: "ListParts", handler: listParts },
];

/** The sub-resource a query names: the first one present, in table order of precedence. */
export function subResourceOf(query: URLSearchParams): string {
  // uploadId outranks partNumber (UploadPart) and uploads; list-type outranks the rest of a listing.
  for (const name of ["uploadId", "uploads", "list-type", "delete"]) if (query.has(name)) return name;
  for (const name of SUB_RESOURCES) if (query.has(name)) return name;
  return "";
}

export function findRoute(
  method: string, scope: Scope, query: URLSearchParams, headers: Headers = new Headers(), routes: readonly Route[] = ROUTES,
): Route {
  const sub = subResourceOf(query);
  const matches = (r: Route, s: string) =>
    r.method === method && r.scope === scope && r.sub === s && (r.header === undefined || headers.has(r.header));
  const route = routes.find((r) => matches(r, sub));
  if (route) return route;
  // GetObject with ?versionId=null / ?partNumber=1 is still a plain GET for us.
  if (sub === "versionId" || sub === "partNumber") {
    const plain = routes.find((r) => matches(r, ""));
    if (plain && (sub === "versionId" ? query.get("versionId") === "null" : query.get("partNumber") === "1"))
      return plain;
  }
  if (!["GET", "HEAD", "PUT", "POST", "DELETE"].includes(method)) throw new S3Error("MethodNotAllowed");
  throw new S3Error(
    "NotImplemented",
    sub ? `The ${sub} sub-resource is not implemented for ${method} on a ${scope}.` : `${method} on a ${scope} is not implemented.`,
  );
}
