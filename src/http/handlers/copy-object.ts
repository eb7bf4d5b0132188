/**
 * CopyObject within the bucket: x-amz-metadata-directive COPY (the
 * default) or REPLACE, x-amz-copy-source-if-* conditionals (412 on failure).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { requestedChecksumAlgorithm } from "../../s3/body-check.ts";
import { conditionsFrom } from "../../s3/conditionals.ts";
import { parseCopySource } from "../../s3/copy-source.ts";
import { S3Error } from "../../s3/errors.ts";
import { isFolderKey } from "../../s3/keys.ts";
import { objectTime } from "../../s3/object-time.ts";
import { requireAudioKey } from "../../store/audio-keys.ts";
import { checksumElements } from "../checksum-fields.ts";
import type { Handler } from "../context.ts";
import { explicitContentType, isoDate, quoted, userMetadata } from "../headers.ts";
import { xmlLater } from "../result.ts";

function metadataDirective(headers: Headers): "COPY" | "REPLACE" {
  const value = (headers.get("x-amz-metadata-directive") ?? "COPY").trim().toUpperCase();
  if (value !== "COPY" && value !== "REPLACE")
    throw new S3Error("InvalidArgument", "Unknown metadata directive.", {
      ArgumentName: "x-amz-metadata-directive",
      ArgumentValue: value,
    });
  return value;
}

export const copyObject: Handler = (ctx) => {
  const headers = ctx.req.headers;
  const sourceKey = parseCopySource(headers.get("x-amz-copy-source")!);
  if (!isFolderKey(ctx.key)) requireAudioKey(ctx.key);
  const replace = metadataDirective(headers) === "REPLACE";
  const copied = ctx.services.bucket.copy({
    source: { key: sourceKey, conditions: conditionsFrom(headers, "x-amz-copy-source-") },
    dest: ctx.key,
    replace: replace ? { contentType: explicitContentType(headers), meta: userMetadata(headers) } : null,
    checksumAlgorithm: requestedChecksumAlgorithm(headers),
  });
  return xmlLater(
    "CopyObjectResult",
    copied.then((row) => ({ ETag: quoted(row.etag), LastModified: isoDate(objectTime(row.mtimeMs)), ...checksumElements(row.checksums) })),
  );
};
