/**
 * The credential scope ("AKID/20130524/us-east-1/s3/aws4_request") and the
 * request time formats.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html
 */
import { S3Error, type S3ErrorCode } from "../errors.ts";
import { MAX_CLOCK_SKEW_MS, REGION, SERVICE } from "../limits.ts";

export interface Credential {
  accessKey: string;
  /** YYYYMMDD */
  date: string;
}

const EXPECTING = `expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"`;

/**
 * Parses and checks the scope. A malformed one throws `malformedCode` (the
 * header and query forms use different codes); a scope for another region
 * is answered with the region to use, as S3 does, so SDKs can redirect.
 */
export function parseCredential(text: string, malformedCode: S3ErrorCode, prefix: string): Credential {
  const parts = text.split("/");
  if (parts.length < 5) throw new S3Error(malformedCode, `${prefix} the Credential is mal-formed; ${EXPECTING}.`);
  const [date, region, service, terminal] = parts.slice(-4) as [string, string, string, string];
  const accessKey = parts.slice(0, -4).join("/");
  if (accessKey === "" || !/^\d{8}$/.test(date) || terminal !== "aws4_request")
    throw new S3Error(malformedCode, `${prefix} the Credential is mal-formed; ${EXPECTING}.`);
  if (region !== REGION)
    throw new S3Error(
      malformedCode,
      `${prefix} the region '${region}' is wrong; expecting '${REGION}'`,
      { Region: REGION },
    );
  if (service !== SERVICE)
    throw new S3Error(malformedCode, `${prefix} incorrect service '${service}'. This endpoint belongs to '${SERVICE}'.`);
  return { accessKey, date };
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** "20130524T000000Z" → epoch ms, or NaN when it is not that form. */
export function parseAmzDate(text: string): number {
  const m = AMZ_DATE.exec(text);
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls "20130230" over into March; such a date is not valid.
  return new Date(ms).getUTCDate() === d && mo >= 1 && mo <= 12 && h < 24 && mi < 60 && s < 60 ? ms : NaN;
}

/** epoch ms → "20130524T000000Z" */
export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * The request time of a header-signed request: x-amz-date, else the HTTP
 * Date header (RFC 7231 IMF-fixdate), which the string to sign then carries
 * in the ISO 8601 basic form.
 */
export function requestTime(headers: Headers): { amzDate: string; ms: number } {
  const amz = headers.get("x-amz-date");
  if (amz !== null) {
    const ms = parseAmzDate(amz.trim());
    if (!Number.isNaN(ms)) return { amzDate: amz.trim(), ms };
  } else {
    const http = headers.get("date");
    const ms = http === null ? NaN : Date.parse(http);
    if (!Number.isNaN(ms)) return { amzDate: formatAmzDate(ms), ms };
  }
  throw new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header");
}

/** A header-signed request (V4 or V2) must be within 15 minutes of our clock; `sent` is the time as the client wrote it. */
export function requireWithinSkew(sent: string, sentMs: number, nowMs: number): void {
  if (Math.abs(nowMs - sentMs) > MAX_CLOCK_SKEW_MS)
    throw new S3Error("RequestTimeTooSkewed", undefined, {
      RequestTime: sent,
      ServerTime: new Date(nowMs).toISOString(),
      MaxAllowedSkewMilliseconds: String(MAX_CLOCK_SKEW_MS),
    });
}
