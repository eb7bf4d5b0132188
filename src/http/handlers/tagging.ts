/**
 * GetObjectTagging: the library's tags (artist, album, title, genre, year)
 * as S3 tags, read-only; an empty TagSet until the library has any.
 * PutObjectTagging and DeleteObjectTagging have no route: 501.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectTagging.html
 */
import type { Handler } from "../context.ts";
import { xml } from "../result.ts";

export const getObjectTagging: Handler = (ctx) => {
  ctx.services.bucket.head(ctx.key);
  const tags = ctx.services.library.tagsFor(ctx.key);
  return xml("Tagging", { TagSet: { Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) } });
};
