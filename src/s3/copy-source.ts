/**
 * The x-amz-copy-source and x-amz-copy-source-range headers of CopyObject
 * and UploadPartCopy.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 */
import { S3Error } from "./errors.ts";
import { percentDecode, validateKey } from "./keys.ts";
import { BUCKET } from "./limits.ts";
import type { ByteRange } from "./range.ts";

const invalid = (message: string, value: string) =>
  new S3Error("InvalidArgument", message, { ArgumentName: "x-amz-copy-source", ArgumentValue: value });

/**
 * "/music/Albums/a%20b.flac" or "music/Albums/a%20b.flac", optionally with
 * "?versionId=null" (the only version an unversioned bucket has). Returns the
 * decoded, validated source key.
 */
export function parseCopySource(header: string): string {
  const text = header.trim();
  const q = text.indexOf("?");
  const path = (q < 0 ? text : text.slice(0, q)).replace(/^\//, "");
  const versionId = new URLSearchParams(q < 0 ? "" : text.slice(q + 1)).get("versionId");
  if (versionId !== null && versionId !== "null") throw invalid("Invalid version id specified", text);
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1)
    throw invalid("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", text);
  const decode = (part: string): string => {
    try {
      return percentDecode(part);
    } catch {
      throw invalid("Invalid copy source encoding", text);
    }
  };
  const bucket = decode(path.slice(0, slash));
  if (bucket !== BUCKET) throw new S3Error("NoSuchBucket", undefined, { BucketName: bucket });
  const key = decode(path.slice(slash + 1));
  validateKey(key);
  return key;
}

/** x-amz-copy-source-range: exactly "bytes=first-last". Null when absent; checked against the source by rangeWithin(). */
export function parseCopySourceRange(header: string | null): ByteRange | null {
  if (header === null) return null;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[1]) > Number(m[2]))
    throw new S3Error(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      { ArgumentName: "x-amz-copy-source-range", ArgumentValue: header },
    );
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** The range must lie inside the source object. */
export function rangeWithin(range: ByteRange | null, size: number): ByteRange | null {
  if (range !== null && range.end >= size)
    throw new S3Error("InvalidArgument", `Range specified is not valid for source object of size: ${size}`, {
      ArgumentName: "x-amz-copy-source-range",
      ArgumentValue: `bytes=${range.start}-${range.end}`,
    });
  return range;
}
