/**
 * What a multipart object's ETag and checksums are made of.
 * ETag: md5 of the concatenated binary part MD5s, then "-<part count>"
 * (what rclone and s3cmd expect). Checksums come in two types:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 *   COMPOSITE   — the algorithm over the concatenated part digests, "-<count>"
 *                 (CRC32, CRC32C, SHA1, SHA256);
 *   FULL_OBJECT — the algorithm over every byte of the object
 *                 (CRC64NVME always; CRC32, CRC32C when asked).
 */
import { type ChecksumAlgorithm, createChecksum, toBase64 } from "./checksum.ts";
import { S3Error } from "./errors.ts";

export type ChecksumType = "COMPOSITE" | "FULL_OBJECT";

export function multipartEtag(partMd5Hex: readonly string[]): string {
  const md5 = new Bun.CryptoHasher("md5");
  for (const hex of partMd5Hex) md5.update(Buffer.from(hex, "hex"));
  return `${md5.digest("hex")}-${partMd5Hex.length}`;
}

export function compositeChecksum(algorithm: ChecksumAlgorithm, partBase64: readonly string[]): string {
  const sum = createChecksum(algorithm);
  for (const value of partBase64) sum.update(Buffer.from(value, "base64"));
  return `${toBase64(sum.digest())}-${partBase64.length}`;
}

/** The type an upload gets from CreateMultipartUpload's x-amz-checksum-type (or the algorithm's default). */
export function checksumTypeFor(algorithm: ChecksumAlgorithm, requested: string | null): ChecksumType {
  const type = requested?.trim().toUpperCase() || (algorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
  if (type !== "COMPOSITE" && type !== "FULL_OBJECT")
    throw new S3Error("InvalidRequest", `Value for x-amz-checksum-type header is invalid: ${requested}.`);
  const fullOnly = algorithm === "CRC64NVME";
  const compositeOnly = algorithm === "SHA1" || algorithm === "SHA256";
  if ((type === "COMPOSITE" && fullOnly) || (type === "FULL_OBJECT" && compositeOnly))
    throw new S3Error("InvalidRequest", `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`);
  return type;
}

/** "abc=-4" → "abc=": composite values carry the part count after the digest. */
export function withoutPartCount(value: string): string {
  return value.replace(/-\d+$/, "");
}
