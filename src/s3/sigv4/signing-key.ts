/**
 * The SigV4 primitives: SHA-256, HMAC-SHA256 and the derived signing key.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { REGION, SERVICE } from "../limits.ts";

export const ALGORITHM = "AWS4-HMAC-SHA256";
/** Hex SHA-256 of zero bytes: the payload hash of every empty body. */
export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export function sha256Hex(data: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}

export function hmacSha256(key: Uint8Array | string, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

export function hmacSha256Hex(key: Uint8Array, data: string): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/** "20130524/us-east-1/s3/aws4_request" */
export function credentialScope(date: string): string {
  return `${date}/${REGION}/${SERVICE}/aws4_request`;
}

/**
 * The key only changes with the secret and the day, and every request (and
 * every chunk of an aws-chunked body) needs it, so derive it once per pair.
 * Secrets stay in memory only; the cache is small because a server has one
 * credential and requests span at most two days (around midnight UTC).
 */
const MAX_CACHED_KEYS = 16;
const keyCache = new Map<string, Buffer>();

export function signingKey(secretKey: string, date: string): Buffer {
  const id = `${date}\n${secretKey}`;
  const cached = keyCache.get(id);
  if (cached) return cached;
  const kDate = hmacSha256(`AWS4${secretKey}`, date);
  const kRegion = hmacSha256(kDate, REGION);
  const kService = hmacSha256(kRegion, SERVICE);
  const key = hmacSha256(kService, "aws4_request");
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(id, key);
  return key;
}

const HEX = /^(?:[0-9a-f]{2})+$/;

/**
 * Constant-time comparison of two hex signatures, so the time a failed check
 * takes says nothing about how many leading characters were right. Any
 * length, so SigV2's HMAC-SHA1 (40 hex digits) shares it with SigV4.
 */
export function signaturesEqual(expected: string, provided: string): boolean {
  const given = provided.toLowerCase();
  if (given.length !== expected.length || !HEX.test(given)) return false;
  return timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(given, "hex"));
}
