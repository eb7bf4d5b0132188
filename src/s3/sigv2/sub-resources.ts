/**
 * The query parameters that Signature V2 signs as part of the
 * CanonicalizedResource; every other parameter (prefix, marker, max-keys,
 * the auth parameters themselves) is left out.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 * ("Constructing the CanonicalizedResource element"): acl, lifecycle, location,
 * logging, notification, partNumber, policy, requestPayment, torrent,
 * uploadId, uploads, versionId, versioning, versions, website, delete and the
 * response-* overrides. The clients that still sign V2 add more of S3's
 * later sub-resources (botocore's HmacV1Auth.QSAOfInterest, aws-sdk v2's
 * signers/s3.js, s3cmd's sign_request_v2); a name is here when any of them
 * signs it, because no client sends one of these without signing it.
 */
export const SUB_RESOURCES: ReadonlySet<string> = new Set([
  "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory", "lifecycle", "location",
  "logging", "metrics", "notification", "object-lock", "partNumber", "policy", "replication", "requestPayment",
  "restore", "select", "select-type", "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId",
  "versioning", "versions", "website",
  "response-cache-control", "response-content-disposition", "response-content-encoding",
  "response-content-language", "response-content-type", "response-expires",
]);
