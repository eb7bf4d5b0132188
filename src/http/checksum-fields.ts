/**
 * Stored checksums (algorithm → base64) as S3 shows them: x-amz-checksum-*
 * headers, or <ChecksumCRC32>-style elements in XML documents.
 */
import { CHECKSUM_ALGORITHMS, checksumHeaderName, isChecksumAlgorithm } from "../s3/checksum.ts";

export function checksumHeaders(checksums: Record<string, string> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(checksums ?? {}))
    if (isChecksumAlgorithm(algorithm)) out[checksumHeaderName(algorithm)] = value;
  return out;
}

export function checksumElements(checksums: Record<string, string> | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [algorithm, value] of Object.entries(checksums ?? {})) out[`Checksum${algorithm}`] = value;
  return out;
}

/** The <ChecksumXXX> children of a parsed element, back to algorithm → value. */
export function checksumsFromElements(element: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = element[`Checksum${algorithm}`];
    if (typeof value === "string") out[algorithm] = value.trim();
  }
  return out;
}
