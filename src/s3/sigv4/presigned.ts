/**
 * The X-Amz-* parameters of a presigned URL.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
 */
import { S3Error } from "../errors.ts";
import { MAX_CLOCK_SKEW_MS, MAX_PRESIGN_EXPIRES } from "../limits.ts";
import type { QueryParam } from "./canonical.ts";
import { type Credential, formatAmzDate, parseAmzDate, parseCredential } from "./credential.ts";
import { ALGORITHM } from "./signing-key.ts";

export interface PresignedParams {
  credential: Credential;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  /** X-Amz-Content-Sha256 when the presigner pinned the payload. */
  contentSha256: string | null;
}

const REQUIRED = [
  "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires",
] as const;

function queryError(message: string): S3Error {
  return new S3Error("AuthorizationQueryParametersError", message);
}

/** Parses and checks the parameters, including expiry against `nowMs`. */
export function parsePresigned(params: readonly QueryParam[], nowMs: number): PresignedParams {
  const get = (name: string): string | undefined => params.find(([n]) => n === name)?.[1];
  if (REQUIRED.some((name) => !get(name)))
    throw queryError(
      "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, " +
        "X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
    );
  if (get("X-Amz-Algorithm") !== ALGORITHM) throw queryError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);

  const credential = parseCredential(
    get("X-Amz-Credential")!,
    "AuthorizationQueryParametersError",
    "Error parsing the X-Amz-Credential parameter;",
  );
  const amzDate = get("X-Amz-Date")!;
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (credential.date !== amzDate.slice(0, 8))
    throw queryError("Invalid credential date. Date is not the same as X-Amz-Date.");

  const expiresText = get("X-Amz-Expires")!;
  if (!/^\d+$/.test(expiresText)) throw queryError("X-Amz-Expires should be a number");
  const expires = Number(expiresText);
  if (expires > MAX_PRESIGN_EXPIRES)
    throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_EXPIRES}`);

  // Expiry is checked before the signature, as S3 does: an expired URL is
  // refused the same way whether or not it was ever valid.
  if (nowMs > signedAt + expires * 1000)
    throw new S3Error("AccessDenied", "Request has expired", {
      "X-Amz-Expires": expiresText,
      Expires: new Date(signedAt + expires * 1000).toISOString(),
      ServerTime: new Date(nowMs).toISOString(),
    });
  if (signedAt - nowMs > MAX_CLOCK_SKEW_MS)
    throw new S3Error("AccessDenied", "Request is not valid yet", {
      "X-Amz-Date": amzDate,
      ServerTime: formatAmzDate(nowMs),
    });

  return {
    credential,
    amzDate,
    signedHeaders: get("X-Amz-SignedHeaders")!.split(";"),
    signature: get("X-Amz-Signature")!,
    contentSha256: get("X-Amz-Content-Sha256") ?? null,
  };
}
