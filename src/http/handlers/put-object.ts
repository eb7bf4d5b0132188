/** PutObject: streamed, verified, atomic. A folder key makes a folder. */
import { S3Error } from "../../s3/errors.ts";
import { isFolderKey } from "../../s3/keys.ts";
import { requireAudioKey } from "../../store/audio-keys.ts";
import { MAX_PUT_SIZE } from "../../s3/limits.ts";
import { checksumHeaders } from "../checksum-fields.ts";
import type { Handler } from "../context.ts";
import { explicitContentType, quoted, userMetadata } from "../headers.ts";
import { declaredLength, requestBody } from "../request-body.ts";
import { empty } from "../result.ts";

async function isEmpty(body: AsyncIterable<Uint8Array>): Promise<boolean> {
  for await (const chunk of body) if (chunk.byteLength > 0) return false;
  return true;
}

export const putObject: Handler = async (ctx) => {
  if (isFolderKey(ctx.key)) {
    // A body of undeclared length (chunked) must turn out empty too.
    if ((declaredLength(ctx.req, ctx.auth) ?? 0) !== 0 || !(await isEmpty(requestBody(ctx.req, ctx.auth, MAX_PUT_SIZE))))
      throw new S3Error("InvalidRequest", "A folder key (ending in '/') cannot have a body.");
    const row = ctx.services.bucket.putFolder(ctx.key);
    return empty(200, { ETag: quoted(row.etag) });
  }
  requireAudioKey(ctx.key);
  const body = requestBody(ctx.req, ctx.auth, MAX_PUT_SIZE);
  const row = await ctx.services.bucket.put(ctx.key, body, {
    contentType: explicitContentType(ctx.req.headers),
    meta: userMetadata(ctx.req.headers),
    checksums: null,
  });
  return empty(200, { ETag: quoted(row.etag), ...checksumHeaders(row.checksums) });
};
