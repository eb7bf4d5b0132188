/**
 * The checksum a completed multipart object carries, and the check of an
 * x-amz-checksum-* header sent with Complete. COMPOSITE values are known
 * from the part records before any byte is copied; FULL_OBJECT ones are
 * computed while the parts are concatenated.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import type { ChecksumAlgorithm } from "../../s3/checksum.ts";
import { S3Error } from "../../s3/errors.ts";
import { compositeChecksum, withoutPartCount } from "../../s3/multipart-checksum.ts";
import type { Manifest, PartRecord } from "./upload-dir.ts";

/** An x-amz-checksum-* header on Complete: the whole object's checksum, full or composite. */
export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

export interface ChecksumPlan {
  /** Algorithms to compute over every byte while assembling. */
  fullObject: ChecksumAlgorithm[];
  /** Given those, checks the expected value and returns what the object keeps. */
  finish(full: Record<string, string>): Record<string, string> | null;
}

const mismatch = (algorithm: string) =>
  new S3Error("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`);

/** Throws at once for what the part records already decide (a composite mismatch, a missing part checksum). */
export function planChecksums(manifest: Manifest, records: readonly PartRecord[], expected: ExpectedChecksum | null): ChecksumPlan {
  const composite = (algorithm: ChecksumAlgorithm): string => {
    const values = records.map((r) => r.checksums[algorithm]);
    if (values.some((v) => v === undefined))
      throw new S3Error("InvalidRequest", `The upload's parts carry no ${algorithm} checksum to compose.`);
    return compositeChecksum(algorithm, values as string[]);
  };
  const { checksumAlgorithm: algorithm, checksumType: type } = manifest;
  const expectComposite =
    expected !== null && (/-\d+$/.test(expected.value) || (expected.algorithm === algorithm && type === "COMPOSITE"));
  if (expected && expectComposite && withoutPartCount(composite(expected.algorithm)) !== withoutPartCount(expected.value))
    throw mismatch(expected.algorithm);
  const kept = algorithm && type === "COMPOSITE" ? composite(algorithm) : null;
  const fullObject = new Set<ChecksumAlgorithm>();
  if (algorithm && type === "FULL_OBJECT") fullObject.add(algorithm);
  if (expected && !expectComposite) fullObject.add(expected.algorithm);
  return {
    fullObject: [...fullObject],
    finish(full) {
      if (expected && !expectComposite && full[expected.algorithm] !== expected.value) throw mismatch(expected.algorithm);
      if (!algorithm) return null;
      return { [algorithm]: kept ?? full[algorithm]! };
    },
  };
}
