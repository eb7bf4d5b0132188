import { BUCKET } from "../../s3/limits.ts";
import type { Handler } from "../context.ts";
import { isoDate } from "../headers.ts";
import { OWNER } from "../owner.ts";
import { xml } from "../result.ts";

export const listBuckets: Handler = (ctx) =>
  xml("ListAllMyBucketsResult", {
    Owner: OWNER,
    Buckets: { Bucket: [{ Name: BUCKET, CreationDate: isoDate(ctx.services.createdMs) }] },
  });
