/**
 * CompleteMultipartUpload and AbortMultipartUpload.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
 */
import { z } from "zod";
import { checksumFromHeaders } from "../../s3/body-check.ts";
import { BUCKET } from "../../s3/limits.ts";
import { checksumElements, checksumsFromElements } from "../checksum-fields.ts";
import type { Handler } from "../context.ts";
import { quoted } from "../headers.ts";
import { objectLocation } from "../location.ts";
import { uploadIdOf } from "../multipart-query.ts";
import { empty, xmlLater } from "../result.ts";
import { readXmlBody } from "../xml-body.ts";

/** ETags arrive quoted, unquoted or entity-quoted, in any case. */
const etag = z.string().transform((t) => t.trim().replace(/^"|"$/g, "").toLowerCase());

const completeSchema = z.object({
  CompleteMultipartUpload: z.object({
    Part: z.array(
      z.looseObject({
        PartNumber: z.string().trim().regex(/^\d{1,5}$/).transform(Number),
        ETag: etag,
      }),
    ),
  }),
});

export const completeMultipartUpload: Handler = async (ctx) => {
  // x-amz-checksum-* here is the whole object's checksum, not the XML body's.
  const doc = await readXmlBody(ctx, completeSchema, { headerChecksum: false });
  const listed = doc.CompleteMultipartUpload.Part.map((p) => ({
    partNumber: p.PartNumber,
    etag: p.ETag,
    checksums: checksumsFromElements(p),
  }));
  const location = objectLocation(ctx.req, ctx.listener, ctx.key);
  const done = ctx.services.multipart.complete(uploadIdOf(ctx.query), ctx.key, listed, checksumFromHeaders(ctx.req.headers));
  return xmlLater(
    "CompleteMultipartUploadResult",
    done.then((r) => ({
      Location: location,
      Bucket: BUCKET,
      Key: r.key,
      ETag: quoted(r.etag),
      ...checksumElements(r.checksums),
      ChecksumType: r.checksumType ?? undefined,
    })),
  );
};

export const abortMultipartUpload: Handler = async (ctx) => {
  await ctx.services.multipart.abort(uploadIdOf(ctx.query), ctx.key);
  return empty(204);
};
