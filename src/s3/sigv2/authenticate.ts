/**
 * Signature V2 verification, header form ("Authorization: AWS AKID:sig") and
 * query form (?AWSAccessKeyId=…&Expires=…&Signature=…).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 * boto3's generate_presigned_url, `aws s3 presign` (awscli v1) and aws-sdk
 * v2's getSignedUrl make query-form URLs with their default settings; s3cmd
 * --signature-v2 and older tools sign headers this way.
 *
 * Every x-amz-* header of the request is in the string to sign, so a header
 * added after signing (say x-amz-copy-source) breaks the signature: the
 * "every x-amz-* header is signed" rule of SPEC §5 holds by construction.
 */
import { S3Error } from "../errors.ts";
import { canonicalUris, type QueryParam } from "../sigv4/canonical.ts";
import { parseAmzDate, requireWithinSkew } from "../sigv4/credential.ts";
import type { AuthResult, Credentials, IncomingRequest } from "../sigv4/index.ts";
import { type Payload, payloadMode } from "../sigv4/payload.ts";
import { virtualHostBucket } from "../virtual-host.ts";
import { signatureMatches, signV2, stringToSignBytes } from "./signature.ts";
import { canonicalAmzHeaders, canonicalResource, stringToSign } from "./string-to-sign.ts";

type Entry = readonly [name: string, value: string];

/** What goes in the Date position, and an x-amz-* header that then stays out. */
interface DateForm {
  date: string;
  without?: string;
}

interface SigningInput {
  contentMd5: string;
  contentType: string;
  dates: DateForm[];
  amzEntries: Entry[];
}

/** `Authorization: AWS <AccessKeyId>:<Signature>` */
export function authenticateV2Header(
  req: IncomingRequest, authorization: string, creds: Credentials, nowMs: number,
): AuthResult {
  const { accessKey, signature } = parseAuthorization(authorization);
  if (accessKey !== creds.accessKey) throw new S3Error("InvalidAccessKeyId");
  const time = requestTime(req.headers);
  requireWithinSkew(time.text, time.ms, nowMs);

  const amzDate = req.headers.get("x-amz-date")?.trim();
  // The doc's rule: with x-amz-date the Date position is empty and
  // x-amz-date is signed among the amz headers (aws-sdk v2, boto 2, s3cmd do
  // this). Its worked "Delete" example instead puts x-amz-date's value in the
  // Date position and leaves the header out; that binds the same time, so it
  // is accepted too.
  const dates: DateForm[] =
    amzDate === undefined ? [{ date: req.headers.get("date")?.trim() ?? "" }] : [{ date: "" }, { date: amzDate, without: "x-amz-date" }];
  verify(req, creds.secretKey, accessKey, signature, {
    contentMd5: req.headers.get("content-md5")?.trim() ?? "",
    contentType: req.headers.get("content-type")?.trim() ?? "",
    dates,
    amzEntries: [...req.headers],
  });
  return { accessKey, presigned: false, payload: payloadOf(req.headers) };
}

/** `?AWSAccessKeyId=…&Expires=<epoch seconds>&Signature=<url-encoded base64>` */
export function authenticateV2Query(
  req: IncomingRequest, params: readonly QueryParam[], creds: Credentials, nowMs: number,
): AuthResult {
  const get = (name: string): string | undefined => params.find(([n]) => n === name)?.[1];
  const accessKey = get("AWSAccessKeyId");
  // Base64 has no spaces: a space here is a "+" the URL did not encode.
  const signature = get("Signature")?.replaceAll(" ", "+");
  const expires = get("Expires");
  if (!accessKey || !signature || !expires)
    throw new S3Error("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters");
  if (!/^\d{1,15}$/.test(expires)) throw new S3Error("AccessDenied", `Invalid date (should be seconds since epoch): ${expires}`);
  const expiresMs = Number(expires) * 1000;
  // Expiry first, as for SigV4: an expired URL is refused the same way
  // whether or not it was ever valid. V2 has no clock-skew window and no
  // longest lifetime.
  if (nowMs > expiresMs)
    throw new S3Error("AccessDenied", "Request has expired", {
      Expires: new Date(expiresMs).toISOString(),
      ServerTime: new Date(nowMs).toISOString(),
    });
  if (accessKey !== creds.accessKey) throw new S3Error("InvalidAccessKeyId");

  // botocore's HmacV1QueryAuth moves the x-amz-* headers, Content-Type and
  // Content-MD5 it signed into the query string (x-amz-security-token,
  // content-type=audio%2Fmpeg, …), so a plain `curl` of the URL still
  // matches. A header the request does send wins over the query's copy.
  const fromQuery = (name: string): string | undefined => params.find(([n]) => n.toLowerCase() === name)?.[1];
  const queryAmz = params.filter(([n]) => n.toLowerCase().startsWith("x-amz-"));
  verify(req, creds.secretKey, accessKey, signature, {
    contentMd5: (req.headers.get("content-md5") ?? fromQuery("content-md5") ?? "").trim(),
    contentType: (req.headers.get("content-type") ?? fromQuery("content-type") ?? "").trim(),
    dates: [{ date: expires }],
    amzEntries: [...req.headers, ...queryAmz],
  });
  return { accessKey, presigned: true, payload: payloadOf(req.headers) };
}

const MALFORMED = "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature";

function parseAuthorization(authorization: string): { accessKey: string; signature: string } {
  const credentials = authorization.trim().replace(/^AWS\s+/, "");
  const colon = credentials.lastIndexOf(":");
  if (colon <= 0 || colon === credentials.length - 1 || /\s/.test(credentials))
    throw new S3Error("InvalidArgument", MALFORMED, { ArgumentName: "Authorization", ArgumentValue: authorization });
  return { accessKey: credentials.slice(0, colon), signature: credentials.slice(colon + 1) };
}

/**
 * x-amz-date wins over Date; either may be any HTTP date (RFC 7231 §7.1.1.1).
 * The ISO 8601 basic form SigV4 uses is taken too, for clients that send it.
 */
function requestTime(headers: Headers): { text: string; ms: number } {
  const text = (headers.get("x-amz-date") ?? headers.get("date"))?.trim();
  if (text) {
    const http = Date.parse(text);
    const ms = Number.isNaN(http) ? parseAmzDate(text) : http;
    if (!Number.isNaN(ms)) return { text, ms };
  }
  throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

/**
 * Tries each string the client may have signed; only a failing request pays
 * for more than one HMAC (at most 2 paths × 2 date forms × 2 header joins).
 */
function verify(req: IncomingRequest, secretKey: string, accessKey: string, provided: string, input: SigningInput): void {
  let first: string | undefined;
  for (const toSign of stringsToSign(req, input)) {
    if (signatureMatches(signV2(secretKey, toSign), provided)) return;
    first ??= toSign;
  }
  // The diagnostics S3 returns, so a client author can diff them.
  throw new S3Error("SignatureDoesNotMatch", undefined, {
    AWSAccessKeyId: accessKey,
    StringToSign: first!,
    SignatureProvided: provided,
    StringToSignBytes: stringToSignBytes(first!),
  });
}

function* stringsToSign(req: IncomingRequest, input: SigningInput): Generator<string> {
  const bucket = virtualHostBucket(req.headers.get("host"));
  // The doc signs the path as sent. Bun re-encodes a few characters a client
  // may have sent raw ("{", "^", raw UTF-8…), so the canonical encoding of
  // the decoded path, which is what the SDKs send for those, comes second.
  for (const path of canonicalUris(req.rawPath).reverse()) {
    const resource = canonicalResource(bucket, path, req.query.raw);
    for (const { date, without } of input.dates) {
      const entries = input.amzEntries.filter(([name]) => name.toLowerCase() !== without);
      for (const amzHeaders of amzHeaderForms(entries))
        yield stringToSign({ method: req.method, contentMd5: input.contentMd5, contentType: input.contentType, date, amzHeaders, resource });
    }
  }
}

/**
 * A header sent twice reaches us as one value joined by ", ", while V2 joins
 * repeated values with a bare ","; but one value may itself hold ", ". So
 * both readings are tried when an x-amz-* value has a comma.
 */
function amzHeaderForms(entries: readonly Entry[]): string[] {
  const asReceived = canonicalAmzHeaders(entries);
  const split = canonicalAmzHeaders(
    entries.flatMap(([name, value]): Entry[] => (value.includes(",") ? value.split(",").map((v) => [name, v] as const) : [[name, value]])),
  );
  return split === asReceived ? [asReceived] : [asReceived, split];
}

/**
 * V2 signs no body hash, so the body is unsigned (Content-MD5 and
 * x-amz-checksum-* are still checked by the body checks). A hex
 * x-amz-content-sha256 is signed like every x-amz-* header and is verified
 * as well; aws-chunked framing needs a SigV4 seed signature.
 */
function payloadOf(headers: Headers): Payload {
  const sent = headers.get("x-amz-content-sha256");
  if (sent === null) return { kind: "unsigned" };
  const mode = payloadMode(sent);
  if (mode.kind === "chunked")
    throw new S3Error("InvalidRequest", `x-amz-content-sha256 ${sent} (aws-chunked) needs Signature Version 4.`);
  return mode;
}
