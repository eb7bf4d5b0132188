/**
 * What CopyObject and UploadPartCopy read from (Bucket.copy and
 * Multipart.copyPart do the copying). A copy is a new file, written like any
 * upload: streamed to a temp file while hashing, fsynced, renamed into place.
 */
import { takingTurns } from "../event-loop/turns.ts";
import type { Conditions } from "../s3/conditionals.ts";
import type { ChecksumAlgorithm } from "../s3/checksum.ts";
import type { ByteRange } from "../s3/range.ts";
import { FreshChunks } from "../s3/spent-chunks.ts";
import { VerifiedBody } from "../s3/verified-body.ts";

export interface CopySource {
  key: string;
  /** x-amz-copy-source-if-*: a failure is 412, never 304. */
  conditions: Conditions;
}

export interface CopyRequest {
  source: CopySource;
  dest: string;
  /** x-amz-metadata-directive REPLACE: these; COPY (null): the source's. */
  replace: { contentType: string | null; meta: Record<string, string> } | null;
  /** x-amz-checksum-algorithm: computed while copying. */
  checksumAlgorithm: ChecksumAlgorithm | null;
}

/** A file (or a byte range of it) as an upload body; a file that changes meanwhile fails as IncompleteBody. */
export function fileBody(path: string, size: number, range: ByteRange | null = null): VerifiedBody {
  const file = Bun.file(path);
  const part = range ? file.slice(range.start, range.end + 1) : file;
  const length = range ? range.end - range.start + 1 : size;
  return new VerifiedBody(new FreshChunks(takingTurns(part.stream())), { maxBytes: Number.MAX_SAFE_INTEGER, expectedBytes: length });
}

/** Multipart checksums ("…-N") describe the parts of the source, not the bytes of a copy. */
export function fullObjectOnly(checksums: Record<string, string> | null): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums ?? {}).filter(([, v]) => !/-\d+$/.test(v)));
}

export const SELF_COPY =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";
