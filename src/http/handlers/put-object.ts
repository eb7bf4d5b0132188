/** PutObject: streamed, verified, atomic. A folder key makes a folder. */
import { S3Error } from "../../s3/errors.ts";
import { isAudioKey, isFolderKey } from "../../s3/keys.ts";
import { MAX_PUT_SIZE } from "../../s3/limits.ts";
import type { Handler } from "../context.ts";
import { quoted, userMetadata } from "../headers.ts";
import { declaredLength, requestBody } from "../request-body.ts";
import { empty } from "../result.ts";

/**
 * Clients that know nothing of the file send a generic type (the JS SDK
 * sends application/octet-stream); the extension tells more, so keep none.
 */
function explicitContentType(headers: Headers): string | null {
  const type = headers.get("content-type");
  if (!type || /^(application|binary)\/octet-stream$/i.test(type.trim())) return null;
  return type;
}

export const putObject: Handler = async (ctx) => {
  if (ctx.req.headers.has("x-amz-copy-source")) throw new S3Error("NotImplemented", "CopyObject is not implemented yet.");
  if (isFolderKey(ctx.key)) {
    if ((declaredLength(ctx.req, ctx.auth) ?? 0) !== 0)
      throw new S3Error("InvalidRequest", "A folder key (ending in '/') cannot have a body.");
    const row = ctx.services.bucket.putFolder(ctx.key);
    return empty(200, { ETag: quoted(row.etag) });
  }
  if (!isAudioKey(ctx.key)) throw new S3Error("InvalidRequest", "Only audio file extensions are accepted");
  const body = requestBody(ctx.req, ctx.auth, MAX_PUT_SIZE);
  const row = await ctx.services.bucket.put(ctx.key, body, {
    contentType: explicitContentType(ctx.req.headers),
    meta: userMetadata(ctx.req.headers),
    checksums: null,
  });
  const headers: Record<string, string> = { ETag: quoted(row.etag) };
  for (const [algo, value] of Object.entries(row.checksums ?? {})) headers[`x-amz-checksum-${algo.toLowerCase()}`] = value;
  return empty(200, headers);
};
