/**
 * CopyObject within the bucket, and the copy source both it and
 * UploadPartCopy read from. A copy is a new file, written like any upload:
 * streamed to a temp file while hashing, fsynced, renamed into place.
 */
import { checkConditions, type Conditions } from "../s3/conditionals.ts";
import type { ChecksumAlgorithm } from "../s3/checksum.ts";
import { S3Error } from "../s3/errors.ts";
import { isFolderKey } from "../s3/keys.ts";
import type { ByteRange } from "../s3/range.ts";
import { VerifiedBody } from "../s3/verified-body.ts";
import { commitTemp, receiveToTemp } from "./atomic-write.ts";
import type { Bucket } from "./bucket.ts";
import { md5OfFile } from "./file-md5.ts";
import type { ObjectRow } from "./object-index.ts";

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

/** The source's row and file, once its conditions hold. */
export function openCopySource(bucket: Bucket, source: CopySource): { row: ObjectRow; path: string } {
  const opened = bucket.open(source.key);
  checkConditions(source.conditions, { etag: opened.row.etag, lastModifiedMs: opened.row.mtimeMs }, "copy");
  return opened;
}

/** A file (or a byte range of it) as an upload body; a file that changes meanwhile fails as IncompleteBody. */
export function fileBody(path: string, size: number, range: ByteRange | null = null): VerifiedBody {
  const file = Bun.file(path);
  const part = range ? file.slice(range.start, range.end + 1) : file;
  const length = range ? range.end - range.start + 1 : size;
  return new VerifiedBody(part.stream(), { maxBytes: Number.MAX_SAFE_INTEGER, expectedBytes: length });
}

/** Multipart checksums ("…-N") describe the parts of the source, not the bytes of a copy. */
function fullObjectOnly(checksums: Record<string, string> | null): Record<string, string> {
  return Object.fromEntries(Object.entries(checksums ?? {}).filter(([, v]) => !/-\d+$/.test(v)));
}

const SELF_COPY =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";

export async function copyInBucket(bucket: Bucket, r: CopyRequest): Promise<ObjectRow> {
  const { row: src, path } = openCopySource(bucket, r.source);
  if (isFolderKey(src.key) !== isFolderKey(r.dest))
    throw new S3Error("InvalidRequest", "A folder (key ending in '/') can only be copied to a folder.");
  if (isFolderKey(r.dest)) return bucket.putFolder(r.dest);
  const fields = r.replace ?? { contentType: src.contentType, meta: src.meta };
  const checksums = fullObjectOnly(src.checksums);
  if (src.key === r.dest && r.checksumAlgorithm === null) {
    if (r.replace === null) throw new S3Error("InvalidRequest", SELF_COPY);
    // Same bytes, new metadata: nothing to copy.
    const etag = src.etagProvisional ? ((await md5OfFile(path)) ?? src.etag) : src.etag;
    return bucket.recordWrite(r.dest, path, etag, { ...fields, checksums });
  }
  const dest = bucket.layout.pathOf(r.dest);
  const body = fileBody(path, src.size);
  if (r.checksumAlgorithm) body.compute(r.checksumAlgorithm);
  const received = await receiveToTemp(bucket.layout, body);
  Object.assign(checksums, body.checksums());
  commitTemp(received.tmpPath, dest);
  return bucket.recordWrite(r.dest, dest, received.md5Hex, { ...fields, checksums });
}
