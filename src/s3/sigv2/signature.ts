/**
 * Signature = Base64(HMAC-SHA1(secret, UTF-8(StringToSign))), RFC 2104.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 */
import { createHmac } from "node:crypto";
import { signaturesEqual } from "../sigv4/signing-key.ts";

export function signV2(secretKey: string, stringToSign: string): string {
  return createHmac("sha1", secretKey).update(stringToSign, "utf8").digest("base64");
}

/** 20 bytes in standard Base64: 27 characters and one "=". */
const BASE64_SHA1 = /^[A-Za-z0-9+/]{27}=$/;

/** Constant-time, through the comparison SigV4 uses, on the decoded bytes. */
export function signatureMatches(expected: string, provided: string): boolean {
  if (!BASE64_SHA1.test(provided)) return false;
  return signaturesEqual(Buffer.from(expected, "base64").toString("hex"), Buffer.from(provided, "base64").toString("hex"));
}

/** S3's StringToSignBytes: each UTF-8 byte as two hex digits, space-separated. */
export function stringToSignBytes(text: string): string {
  return [...Buffer.from(text, "utf8")].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
