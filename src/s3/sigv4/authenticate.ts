/**
 * SigV4 verification of a request, header form or presigned form.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html
 * Error codes and their order follow what S3 itself answers.
 */
import { S3Error } from "../errors.ts";
import { parseAuthorizationHeader } from "./authorization-header.ts";
import {
  canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUris, type QueryParam, stringToSign,
} from "./canonical.ts";
import type { RawQuery } from "../raw-target.ts";
import { createChunkSigner } from "./chunk-signer.ts";
import { parseCredential, requestTime, requireWithinSkew } from "./credential.ts";
import { type Payload, type PayloadMode, payloadMode, UNSIGNED_PAYLOAD } from "./payload.ts";
import { parsePresigned } from "./presigned.ts";
import { credentialScope, EMPTY_SHA256, hmacSha256Hex, signaturesEqual, signingKey } from "./signing-key.ts";

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

export interface IncomingRequest {
  method: string;
  /** Path as sent on the wire, still percent-encoded, e.g. "/music/a%20b%2B.flac". */
  rawPath: string;
  /** The query string as sent and its decoded pairs, read once per request (readQuery()). */
  query: RawQuery;
  headers: Headers;
}

export interface AuthResult {
  accessKey: string;
  presigned: boolean;
  payload: Payload;
}

/**
 * Throws S3Error unless the request carries a valid SigV4 signature by
 * `creds`. src/s3/authenticate.ts has already chosen V4 and made sure the
 * request uses one mechanism only.
 */
export function authenticate(req: IncomingRequest, creds: Credentials, nowMs: number = Date.now()): AuthResult {
  const { params } = req.query;
  const authorization = req.headers.get("authorization");
  if (params.some(([n]) => n === "X-Amz-Algorithm" || n === "X-Amz-Credential" || n === "X-Amz-Signature"))
    return authenticatePresigned(req, params, creds, nowMs);
  if (authorization) return authenticateHeader(req, authorization, params, creds, nowMs);
  throw new S3Error("AccessDenied", "Authorization header missing");
}

function authenticateHeader(
  req: IncomingRequest, authorization: string, params: readonly QueryParam[], creds: Credentials, nowMs: number,
): AuthResult {
  const auth = parseAuthorizationHeader(authorization);
  const credential = parseCredential(auth.credential, "AuthorizationHeaderMalformed", "The authorization header is malformed;");
  if (credential.accessKey !== creds.accessKey) throw new S3Error("InvalidAccessKeyId");
  const time = requestTime(req.headers);
  if (credential.date !== time.amzDate.slice(0, 8))
    throw new S3Error("AuthorizationHeaderMalformed", "Invalid credential date. Date is not the same as X-Amz-Date.");
  requireWithinSkew(time.amzDate, time.ms, nowMs);

  // AWS requires x-amz-content-sha256 on every request; a client that leaves
  // it out signed either the hash of its (empty) body or nothing, so try both
  // and make the caller check the body is empty in the first case.
  requireSignedAmzHeaders(req.headers, auth.signedHeaders);
  const sent = req.headers.get("x-amz-content-sha256");
  const mode = sent === null ? null : payloadMode(sent);
  const hashes = sent === null ? [EMPTY_SHA256, UNSIGNED_PAYLOAD] : [sent];
  const signed = verifySignature(req, params, auth.signedHeaders, hashes, {
    accessKey: credential.accessKey, secretKey: creds.secretKey, date: credential.date, amzDate: time.amzDate,
    provided: auth.signature,
  });
  const finalMode: PayloadMode =
    mode ?? (signed.payloadHash === EMPTY_SHA256 ? { kind: "sha256", hex: EMPTY_SHA256 } : { kind: "unsigned" });
  return { accessKey: credential.accessKey, presigned: false, payload: attachSigner(finalMode, signed) };
}

function authenticatePresigned(
  req: IncomingRequest, params: readonly QueryParam[], creds: Credentials, nowMs: number,
): AuthResult {
  const p = parsePresigned(params, nowMs);
  if (p.credential.accessKey !== creds.accessKey) throw new S3Error("InvalidAccessKeyId");
  requireSignedAmzHeaders(req.headers, p.signedHeaders);
  const hash = p.contentSha256 ?? UNSIGNED_PAYLOAD;
  const signed = verifySignature(req, params, p.signedHeaders, [hash], {
    accessKey: p.credential.accessKey, secretKey: creds.secretKey, date: p.credential.date, amzDate: p.amzDate,
    provided: p.signature, exclude: "X-Amz-Signature",
  });
  return { accessKey: p.credential.accessKey, presigned: true, payload: attachSigner(payloadMode(hash), signed) };
}

/**
 * Every x-amz-* header must be covered by the signature, as S3 requires:
 * otherwise a captured request could gain x-amz-copy-source (and become a
 * copy) or x-amz-meta-* without breaking its signature.
 */
function requireSignedAmzHeaders(headers: Headers, signedHeaders: readonly string[]): void {
  const signed = new Set(signedHeaders.map((h) => h.toLowerCase()));
  const unsigned: string[] = [];
  headers.forEach((_, name) => {
    if (name.startsWith("x-amz-") && !signed.has(name)) unsigned.push(name);
  });
  if (unsigned.length > 0)
    throw new S3Error("AccessDenied", "There were headers present in the request which were not signed", {
      HeadersNotSigned: unsigned.join(", "),
    });
}

interface SignatureInput {
  accessKey: string;
  secretKey: string;
  date: string;
  amzDate: string;
  provided: string;
  exclude?: string;
}

interface Verified {
  signature: string;
  payloadHash: string;
  key: Uint8Array;
  amzDate: string;
  scope: string;
}

/**
 * Tries every canonical URI and payload hash the client may have signed; at
 * most 2 × 2 HMACs, and only a failing request pays for more than one.
 */
function verifySignature(
  req: IncomingRequest, params: readonly QueryParam[], signedHeaders: string[], hashes: string[], input: SignatureInput,
): Verified {
  const key = signingKey(input.secretKey, input.date);
  const scope = credentialScope(input.date);
  const headers = canonicalHeaders(req.headers, signedHeaders);
  let first: { canonical: string; toSign: string } | null = null;
  for (const uri of canonicalUris(req.rawPath)) {
    for (const query of canonicalQueries(req.query.raw, params, input.exclude)) {
      for (const payloadHash of hashes) {
        const canonical = canonicalRequest({
          method: req.method, uri, query, headers, signedHeaders: signedHeaders.join(";"), payloadHash,
        });
        const toSign = stringToSign(input.amzDate, scope, canonical);
        const signature = hmacSha256Hex(key, toSign);
        if (signaturesEqual(signature, input.provided)) return { signature, payloadHash, key, amzDate: input.amzDate, scope };
        first ??= { canonical, toSign };
      }
    }
  }
  // The same diagnostics S3 returns, so a client author can diff them.
  throw new S3Error("SignatureDoesNotMatch", undefined, {
    AWSAccessKeyId: input.accessKey,
    StringToSign: first!.toSign,
    SignatureProvided: input.provided,
    CanonicalRequest: first!.canonical,
  });
}

/**
 * The canonical query AWS specifies, then the query exactly as sent: curl
 * before 8.2 (Debian 12 ships 7.88) signs its query string verbatim, so
 * "?delete" and "?x=a:b" sign as written. Either form binds the same bytes
 * the server then parses; a header-signed request only pays the second HMAC
 * when the first did not match.
 */
function canonicalQueries(rawQuery: string, params: readonly QueryParam[], exclude?: string): string[] {
  const standard = canonicalQuery(params, exclude);
  return exclude === undefined && rawQuery !== standard ? [standard, rawQuery] : [standard];
}

function attachSigner(mode: PayloadMode, v: Verified): Payload {
  if (mode.kind !== "chunked") return mode;
  const signer = mode.signed
    ? createChunkSigner({ signingKey: v.key, amzDate: v.amzDate, scope: v.scope }, v.signature)
    : null;
  return { ...mode, signer };
}
