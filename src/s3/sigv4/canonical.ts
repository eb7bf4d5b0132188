/**
 * The canonical request and the string to sign.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { awsUriEncode, percentDecode } from "../keys.ts";
import { ALGORITHM, sha256Hex } from "./signing-key.ts";

/** One query parameter, decoded. */
export type QueryParam = readonly [name: string, value: string];

/**
 * Splits a raw query string into decoded pairs, in order. "+" means space, as
 * in URLSearchParams: a client that meant a literal "+" had to send %2B.
 * A name without "=" (e.g. "?lifecycle") has the empty value.
 */
export function parseQuery(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? "" : part.slice(eq + 1);
    params.push([decodeQueryComponent(name), decodeQueryComponent(value)]);
  }
  return params;
}

function decodeQueryComponent(text: string): string {
  return percentDecode(text.replaceAll("+", " "));
}

/**
 * Every parameter URI-encoded by the SigV4 rules ("/" encoded too), sorted by
 * encoded name, then value. `exclude` drops X-Amz-Signature for presigned URLs.
 */
export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  return params
    .filter(([name]) => name !== exclude)
    .map(([name, value]) => [awsUriEncode(name), awsUriEncode(value)] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/**
 * The URIs a client may have signed for this path, most likely first.
 * S3 signs the decoded key encoded once (it does not double-encode the way
 * other services do), so "/a%20b" and "/a b" both sign as "/a%20b". Some
 * clients sign their own encoding instead (e.g. leaving "$" or "!" as is), so
 * the path exactly as it came over the wire is the second candidate.
 */
export function canonicalUris(rawPath: string): string[] {
  const path = rawPath === "" ? "/" : rawPath;
  const normalized = awsUriEncode(percentDecode(path), true);
  return normalized === path ? [normalized] : [normalized, path];
}

/**
 * "name:value\n" for each signed header, values trimmed with inner runs of
 * whitespace collapsed to one space (as the AWS SDKs do). `host` is read from
 * the Host header like any other.
 */
export function canonicalHeaders(headers: Headers, signedHeaders: readonly string[]): string {
  let out = "";
  for (const name of signedHeaders) {
    const value = headers.get(name) ?? "";
    out += `${name}:${value.trim().replace(/\s+/g, " ")}\n`;
  }
  return out;
}

export interface CanonicalParts {
  method: string;
  uri: string;
  query: string;
  headers: string;
  signedHeaders: string;
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalParts): string {
  return `${p.method}\n${p.uri}\n${p.query}\n${p.headers}\n${p.signedHeaders}\n${p.payloadHash}`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
