/**
 * Checks on an uploaded body, fed while it streams to disk and settled when
 * it ends: the x-amz-content-sha256 hash, x-amz-checksum-* values (in a
 * header or in the aws-chunked trailer) and Content-MD5.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import {
  CHECKSUM_ALGORITHMS, CHECKSUM_BYTES, type Checksum, type ChecksumAlgorithm, checksumHeaderName, createChecksum,
  isChecksumAlgorithm, toBase64,
} from "./checksum.ts";
import { S3Error } from "./errors.ts";

export interface BodyCheck {
  /** The hash it compares. */
  readonly algorithm: ChecksumAlgorithm;
  update(chunk: Uint8Array): void;
  /** Throws S3Error when the body does not match; `digest` when it was computed elsewhere (hash-pool.ts) instead of by update(). */
  finish(digest?: Uint8Array): void;
}

/** A checksum check also tells the store what to keep with the object. */
export interface ChecksumCheck extends BodyCheck {
  /** The base64 value, once finish() has passed. */
  readonly value: string;
}

export interface ChecksumValue {
  algorithm: ChecksumAlgorithm;
  value: string;
}

/**
 * A check's own hasher, for a caller that feeds the check with update();
 * made on first use, because VerifiedBody computes each algorithm once and
 * hands every check the digest.
 */
function ownSum(algorithm: ChecksumAlgorithm): () => Checksum {
  let sum: Checksum | null = null;
  return () => (sum ??= createChecksum(algorithm));
}

/** x-amz-content-sha256 as a hex digest: the body must hash to it. */
export function sha256PayloadCheck(hex: string): BodyCheck {
  const sum = ownSum("SHA256");
  const expected = hex.toLowerCase();
  return {
    algorithm: "SHA256",
    update: (chunk) => sum().update(chunk),
    finish: (digest) => {
      const actual = Buffer.from(digest ?? sum().digest()).toString("hex");
      if (actual !== expected)
        throw new S3Error("XAmzContentSHA256Mismatch", undefined, {
          ClientComputedContentSHA256: expected,
          S3ComputedContentSHA256: actual,
        });
    },
  };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes strict, padded base64 of exactly `length` bytes; null otherwise. */
function decodeBase64(text: string, length: number): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.length === length ? bytes : null;
}

function invalidChecksum(algorithm: ChecksumAlgorithm): S3Error {
  return new S3Error("InvalidDigest", `Value for ${checksumHeaderName(algorithm)} header is invalid.`);
}

/** x-amz-checksum-<algorithm>: <base64>. A malformed value is refused before any byte is read. */
export function checksumCheck(algorithm: ChecksumAlgorithm, expectedBase64: string): ChecksumCheck {
  if (decodeBase64(expectedBase64, CHECKSUM_BYTES[algorithm]) === null) throw invalidChecksum(algorithm);
  const sum = ownSum(algorithm);
  let value = "";
  return {
    algorithm,
    get value() {
      return value;
    },
    update: (chunk) => sum().update(chunk),
    finish: (digest) => {
      const actual = toBase64(digest ?? sum().digest());
      if (actual !== expectedBase64)
        throw new S3Error("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`);
      value = actual;
    },
  };
}

/**
 * Content-MD5 (base64 of the 16-byte digest) against the MD5 the store
 * computes anyway for the ETag.
 */
export function contentMd5Matches(md5Hex: string, contentMd5Base64: string): void {
  const given = decodeBase64(contentMd5Base64.trim(), 16);
  if (given === null) throw new S3Error("InvalidDigest");
  if (given.toString("hex") !== md5Hex.toLowerCase()) throw new S3Error("BadDigest");
}

/** The one x-amz-checksum-* header of a request, if any. */
export function checksumFromHeaders(headers: Headers): ChecksumValue | null {
  let found: ChecksumValue | null = null;
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = headers.get(checksumHeaderName(algorithm));
    if (value === null) continue;
    if (found)
      throw new S3Error("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    found = { algorithm, value: value.trim() };
  }
  return found;
}

/** A check whose expected value arrives in the aws-chunked trailer. */
export interface TrailerChecksumCheck {
  readonly algorithm: ChecksumAlgorithm;
  update(chunk: Uint8Array): void;
  /** Given the decoder's trailers (and the digest, when computed elsewhere); returns the verified base64 value. */
  finish(trailers: Record<string, string>, digest?: Uint8Array): string;
}

/**
 * x-amz-trailer names the checksum the trailer will carry, e.g.
 * "x-amz-checksum-crc32" (sigv4-streaming-trailers.html). Null when the
 * request declares no trailer.
 */
export function trailerChecksumCheck(headers: Headers): TrailerChecksumCheck | null {
  const declared = headers.get("x-amz-trailer")?.trim().toLowerCase();
  if (!declared) return null;
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === declared);
  if (!algorithm)
    throw new S3Error("InvalidArgument", `The trailer ${declared} is not a supported checksum.`, {
      ArgumentName: "x-amz-trailer",
      ArgumentValue: declared,
    });
  const sum = ownSum(algorithm);
  return {
    algorithm,
    update: (chunk) => sum().update(chunk),
    finish: (trailers, digest) => {
      const expected = trailers[declared];
      if (expected === undefined)
        throw new S3Error("MalformedTrailerError", `The trailer ${declared} announced in x-amz-trailer was not sent.`);
      if (decodeBase64(expected, CHECKSUM_BYTES[algorithm]) === null) throw invalidChecksum(algorithm);
      const actual = toBase64(digest ?? sum().digest());
      if (actual !== expected)
        throw new S3Error("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`);
      return actual;
    },
  };
}

/**
 * The algorithm a client asked the server to compute and keep
 * (x-amz-sdk-checksum-algorithm on PutObject/UploadPart,
 * x-amz-checksum-algorithm on CreateMultipartUpload); null when none.
 */
export function requestedChecksumAlgorithm(headers: Headers): ChecksumAlgorithm | null {
  for (const name of ["x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"]) {
    const value = headers.get(name)?.trim().toUpperCase();
    if (!value) continue;
    if (!isChecksumAlgorithm(value))
      throw new S3Error("InvalidArgument", `Checksum algorithm ${value} is not supported.`, {
        ArgumentName: name,
        ArgumentValue: value,
      });
    return value;
  }
  return null;
}
