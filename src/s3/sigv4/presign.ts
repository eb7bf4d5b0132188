/**
 * A presigned GET URL of our own (the console's "Copy link"), made with the
 * same canonical request the verifier checks, path-style, host signed only.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { awsUriEncode } from "../keys.ts";
import { BUCKET, MAX_PRESIGN_EXPIRES } from "../limits.ts";
import { canonicalQuery, canonicalRequest, type QueryParam, stringToSign } from "./canonical.ts";
import { formatAmzDate } from "./credential.ts";
import { ALGORITHM, credentialScope, hmacSha256Hex, signingKey } from "./signing-key.ts";
import { UNSIGNED_PAYLOAD } from "./payload.ts";

export interface PresignRequest {
  /** "http://host:port" as the browser reached us: the host is part of what is signed. */
  origin: string;
  key: string;
  accessKey: string;
  secretKey: string;
  expiresSeconds: number;
  nowMs?: number;
}

export function presignGet(r: PresignRequest): string {
  const amzDate = formatAmzDate(r.nowMs ?? Date.now());
  const scope = credentialScope(amzDate.slice(0, 8));
  const uri = `/${BUCKET}/${awsUriEncode(r.key, true)}`;
  const params: QueryParam[] = [
    ["X-Amz-Algorithm", ALGORITHM],
    ["X-Amz-Credential", `${r.accessKey}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", String(Math.min(r.expiresSeconds, MAX_PRESIGN_EXPIRES))],
    ["X-Amz-SignedHeaders", "host"],
  ];
  const query = canonicalQuery(params);
  const host = new URL(r.origin).host;
  const canonical = canonicalRequest({ method: "GET", uri, query, headers: `host:${host}\n`, signedHeaders: "host", payloadHash: UNSIGNED_PAYLOAD });
  const signature = hmacSha256Hex(signingKey(r.secretKey, amzDate.slice(0, 8)), stringToSign(amzDate, scope, canonical));
  return `${r.origin}${uri}?${query}&X-Amz-Signature=${signature}`;
}
