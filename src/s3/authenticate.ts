/**
 * Which signature a request carries, and the one rule that spans them: a
 * request uses exactly one mechanism.
 * V4: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 * V2: https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 */
import { S3Error } from "./errors.ts";
import { authenticateV2Header, authenticateV2Query } from "./sigv2/index.ts";
import { type AuthResult, authenticate as authenticateV4, type Credentials, type IncomingRequest } from "./sigv4/index.ts";

export type { AuthResult, Credentials, IncomingRequest };

/** Throws S3Error unless the request carries a valid V4 or V2 signature by `creds`. */
export function authenticate(req: IncomingRequest, creds: Credentials, nowMs: number = Date.now()): AuthResult {
  const { params } = req.query;
  const has = (name: string): boolean => params.some(([n]) => n === name);
  const authorization = req.headers.get("authorization");
  const v4Query = has("X-Amz-Algorithm") || has("X-Amz-Credential") || has("X-Amz-Signature");
  const v2Query = has("AWSAccessKeyId") || has("Signature");
  if ([Boolean(authorization), v4Query, v2Query].filter(Boolean).length > 1)
    throw new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string " +
        "parameter or the Authorization header should be specified",
      authorization
        ? { ArgumentName: "Authorization", ArgumentValue: authorization }
        : { ArgumentName: "Signature", ArgumentValue: params.find(([n]) => n === "Signature")?.[1] ?? "" },
    );
  if (authorization && /^AWS\s/.test(authorization.trimStart())) return authenticateV2Header(req, authorization, creds, nowMs);
  if (v2Query) return authenticateV2Query(req, params, creds, nowMs);
  return authenticateV4(req, creds, nowMs);
}
