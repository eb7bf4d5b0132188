/**
 * A checksum the server computes itself while a body streams to disk: the
 * upload's algorithm for a part the client sent without one, or the one a
 * copy asks for (x-amz-checksum-algorithm).
 */
import { type ChecksumAlgorithm, createChecksum, toBase64 } from "../s3/checksum.ts";
import type { BodyObserver } from "./atomic-write.ts";

export interface ComputedChecksum extends BodyObserver {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64 of the digest; call once, after the body ended. */
  value(): string;
}

export function computedChecksum(algorithm: ChecksumAlgorithm): ComputedChecksum {
  const sum = createChecksum(algorithm);
  return {
    algorithm,
    update: (chunk) => sum.update(chunk),
    finish: () => {},
    value: () => toBase64(sum.digest()),
  };
}
