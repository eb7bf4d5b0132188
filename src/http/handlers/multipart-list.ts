/**
 * ListParts and ListMultipartUploads.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
 */
import { BUCKET } from "../../s3/limits.ts";
import { objectTime } from "../../s3/object-time.ts";
import { checksumElements } from "../checksum-fields.ts";
import type { Handler } from "../context.ts";
import { isoDate, quoted } from "../headers.ts";
import { partNumberMarkerOf, uploadIdOf } from "../multipart-query.ts";
import { OWNER } from "../owner.ts";
import { listingEncoder, maxKeysOf } from "../query.ts";
import { xml } from "../result.ts";

export const listParts: Handler = (ctx) => {
  const { encoding, enc } = listingEncoder(ctx.query);
  const marker = partNumberMarkerOf(ctx.query);
  const maxParts = maxKeysOf(ctx.query, "max-parts");
  const uploadId = uploadIdOf(ctx.query);
  const page = ctx.services.multipart.listParts(uploadId, ctx.key, marker, maxParts);
  return xml("ListPartsResult", {
    Bucket: BUCKET,
    Key: enc(ctx.key),
    UploadId: uploadId,
    EncodingType: encoding ?? undefined,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.nextMarker ?? undefined,
    MaxParts: maxParts,
    IsTruncated: page.isTruncated,
    Part: page.parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: isoDate(objectTime(p.lastModifiedMs)),
      ETag: quoted(p.etag),
      Size: p.size,
      ...checksumElements(p.checksums),
    })),
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: "STANDARD",
    ChecksumAlgorithm: page.manifest.checksumAlgorithm ?? undefined,
    ChecksumType: page.manifest.checksumType ?? undefined,
  });
};

export const listMultipartUploads: Handler = (ctx) => {
  const { encoding, enc } = listingEncoder(ctx.query);
  const q = {
    prefix: ctx.query.get("prefix") ?? "",
    delimiter: ctx.query.get("delimiter") ?? "",
    keyMarker: ctx.query.get("key-marker") ?? "",
    uploadIdMarker: ctx.query.get("upload-id-marker") ?? "",
    maxUploads: maxKeysOf(ctx.query, "max-uploads"),
  };
  const page = ctx.services.multipart.listUploads(q);
  return xml("ListMultipartUploadsResult", {
    Bucket: BUCKET,
    KeyMarker: enc(q.keyMarker),
    UploadIdMarker: q.uploadIdMarker,
    NextKeyMarker: page.isTruncated && page.nextKeyMarker !== null ? enc(page.nextKeyMarker) : undefined,
    NextUploadIdMarker: page.isTruncated && page.nextUploadIdMarker !== null ? page.nextUploadIdMarker : undefined,
    Prefix: enc(q.prefix),
    Delimiter: q.delimiter ? enc(q.delimiter) : undefined,
    MaxUploads: q.maxUploads,
    EncodingType: encoding ?? undefined,
    IsTruncated: page.isTruncated,
    Upload: page.uploads.map((u) => ({
      Key: enc(u.key),
      UploadId: u.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: "STANDARD",
      Initiated: isoDate(u.initiatedMs),
      ChecksumAlgorithm: u.checksumAlgorithm ?? undefined,
      ChecksumType: u.checksumType ?? undefined,
    })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};
