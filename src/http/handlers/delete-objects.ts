/**
 * DeleteObjects: up to 1000 keys in one XML document; every key gets a
 * <Deleted> (also one that did not exist) or an <Error>; Quiet mode lists
 * only the errors. AWS requires Content-MD5 or an x-amz-checksum-* header;
 * we verify either when present but accept neither, since some clients omit it.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import { z } from "zod";
import { MAX_DELETE_KEYS } from "../../s3/limits.ts";
import type { Handler } from "../context.ts";
import { xml } from "../result.ts";
import { readXmlBody } from "../xml-body.ts";

const deleteSchema = z.object({
  Delete: z.object({
    Object: z.array(z.object({ Key: z.string() })).min(1).max(MAX_DELETE_KEYS),
    Quiet: z.string().trim().toLowerCase().optional(),
  }),
});

export const deleteObjects: Handler = async (ctx) => {
  const doc = await readXmlBody(ctx, deleteSchema);
  const keys = doc.Delete.Object.map((o) => o.Key);
  const outcome = ctx.services.bucket.deleteMany(keys, (key, e) =>
    ctx.log.error("internal error", { id: ctx.requestId, key, error: (e as Error)?.stack ?? String(e) }),
  );
  const quiet = doc.Delete.Quiet === "true";
  return xml("DeleteResult", {
    Deleted: quiet ? [] : outcome.deleted.map((Key) => ({ Key })),
    Error: outcome.errors.map((e) => ({ Key: e.key, Code: e.code, Message: e.message })),
  });
};
