/**
 * Object keys: what a valid key is (SPEC §3) and the AWS URI-encoding rules
 * used by SigV4 and by `encoding-type=url`. Which keys are music is the
 * folder's rule (src/music-dir/audio.ts), applied by the store.
 */
import { S3Error } from "./errors.ts";
import { MAX_KEY_BYTES, MAX_SEGMENT_BYTES } from "./limits.ts";

const utf8 = new TextEncoder();

export function byteLength(text: string): number {
  return utf8.encode(text).length;
}

/** A key ending in "/" names a folder. */
export function isFolderKey(key: string): boolean {
  return key.endsWith("/");
}

/** A lone surrogate means the client sent bytes that were not valid UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * C0 controls and DEL. XML 1.0 cannot carry most of them (not even as
 * character references) and a parser normalises CR, so a key holding one
 * could not come back byte for byte in a listing: such keys are refused.
 */
const CONTROL = /[\u0000-\u001F\u007F]/;
/** U+FFFE and U+FFFF are not XML characters either. */
const NONCHARACTER = /[\uFFFE\uFFFF]/;

/**
 * Checks a decoded key against SPEC §3 before any filesystem call.
 * Throws InvalidObjectName / KeyTooLongError.
 */
export function validateKey(key: string): void {
  if (key.length === 0) throw new S3Error("InvalidObjectName", "The key is empty.");
  if (key.includes("\uFFFD") || LONE_SURROGATE.test(key))
    throw new S3Error("InvalidObjectName", "The key is not valid UTF-8.");
  if (byteLength(key) > MAX_KEY_BYTES) throw new S3Error("KeyTooLongError");
  if (key.includes("\0")) throw new S3Error("InvalidObjectName", "The key contains a NUL character.");
  if (CONTROL.test(key)) throw new S3Error("InvalidObjectName", "The key contains a control character.");
  if (NONCHARACTER.test(key)) throw new S3Error("InvalidObjectName", "The key contains U+FFFE or U+FFFF.");
  if (key.startsWith("/")) throw new S3Error("InvalidObjectName", "The key starts with '/'.");
  const segments = (isFolderKey(key) ? key.slice(0, -1) : key).split("/");
  for (const segment of segments) {
    if (segment === "") throw new S3Error("InvalidObjectName", "The key has an empty path segment ('//').");
    if (segment === "." || segment === "..")
      throw new S3Error("InvalidObjectName", "The key has a '.' or '..' path segment.");
    if (byteLength(segment) > MAX_SEGMENT_BYTES)
      throw new S3Error("KeyTooLongError", "A path segment of the key is longer than 255 bytes.");
  }
}

/** validateKey as a predicate, for files that appeared by other means: an invalid name is not an object. */
export function isValidKey(key: string): boolean {
  try {
    validateKey(key);
    return true;
  } catch {
    return false;
  }
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * URI-encodes per the SigV4 rules: every byte but A-Z a-z 0-9 - _ . ~ as %XX
 * (upper-case hex); "/" kept only when `keepSlash`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
export function awsUriEncode(text: string, keepSlash = false): string {
  let out = "";
  for (const ch of text) {
    if (UNRESERVED.test(ch) || (keepSlash && ch === "/")) {
      out += ch;
    } else {
      for (const b of utf8.encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    }
  }
  return out;
}

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/**
 * Decodes %XX escapes into UTF-8 text; invalid UTF-8 becomes U+FFFD, which
 * validateKey rejects. "+" stays "+" (paths are not form-encoded). A "%" not
 * followed by two hex digits is InvalidURI, as S3 answers: kept literally it
 * would name another key than the client meant (RFC 3986 §2.1).
 */
export function percentDecode(text: string): string {
  if (!text.includes("%")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c === 0x25) {
      const hex = text.slice(i + 1, i + 3);
      if (!HEX_PAIR.test(hex)) throw new S3Error("InvalidURI");
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...utf8.encode(ch));
      i += ch.length;
    }
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(new Uint8Array(bytes));
}
