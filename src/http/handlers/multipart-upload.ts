/**
 * CreateMultipartUpload, UploadPart, UploadPartCopy.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
 */
import { requestedChecksumAlgorithm } from "../../s3/body-check.ts";
import { conditionsFrom } from "../../s3/conditionals.ts";
import { parseCopySource, parseCopySourceRange } from "../../s3/copy-source.ts";
import { S3Error } from "../../s3/errors.ts";
import { isFolderKey } from "../../s3/keys.ts";
import { requireAudioKey } from "../../store/audio-keys.ts";
import { BUCKET, MAX_PART_SIZE } from "../../s3/limits.ts";
import { checksumTypeFor } from "../../s3/multipart-checksum.ts";
import { objectTime } from "../../s3/object-time.ts";
import { checksumElements, checksumHeaders } from "../checksum-fields.ts";
import type { Handler } from "../context.ts";
import { explicitContentType, isoDate, quoted, userMetadata } from "../headers.ts";
import { partNumberOf, uploadIdOf } from "../multipart-query.ts";
import { requestBody } from "../request-body.ts";
import { empty, xml, xmlLater } from "../result.ts";

export const createMultipartUpload: Handler = (ctx) => {
  if (isFolderKey(ctx.key)) throw new S3Error("InvalidRequest", "A folder key (ending in '/') cannot have a body.");
  requireAudioKey(ctx.key);
  const headers = ctx.req.headers;
  const checksumAlgorithm = requestedChecksumAlgorithm(headers);
  const checksumType = checksumAlgorithm ? checksumTypeFor(checksumAlgorithm, headers.get("x-amz-checksum-type")) : null;
  const upload = ctx.services.multipart.create(ctx.key, {
    contentType: explicitContentType(headers),
    meta: userMetadata(headers),
    checksumAlgorithm,
    checksumType,
  });
  const extra: Record<string, string> = {};
  if (checksumAlgorithm && checksumType) {
    extra["x-amz-checksum-algorithm"] = checksumAlgorithm;
    extra["x-amz-checksum-type"] = checksumType;
  }
  return xml("InitiateMultipartUploadResult", { Bucket: BUCKET, Key: ctx.key, UploadId: upload.uploadId }, extra);
};

export const uploadPart: Handler = async (ctx) => {
  const partNumber = partNumberOf(ctx.query);
  const body = requestBody(ctx.req, ctx.auth, MAX_PART_SIZE);
  const part = await ctx.services.multipart.uploadPart(uploadIdOf(ctx.query), ctx.key, partNumber, body);
  return empty(200, { ETag: quoted(part.etag), ...checksumHeaders(part.checksums) });
};

export const uploadPartCopy: Handler = (ctx) => {
  const partNumber = partNumberOf(ctx.query);
  const headers = ctx.req.headers;
  const source = { key: parseCopySource(headers.get("x-amz-copy-source")!), conditions: conditionsFrom(headers, "x-amz-copy-source-") };
  const part = ctx.services.multipart.copyPart(uploadIdOf(ctx.query), ctx.key, partNumber, source, parseCopySourceRange(headers.get("x-amz-copy-source-range")));
  return xmlLater(
    "CopyPartResult",
    part.then((p) => ({ ETag: quoted(p.etag), LastModified: isoDate(objectTime(p.lastModifiedMs)), ...checksumElements(p.checksums) })),
  );
};
