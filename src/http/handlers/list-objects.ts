/**
 * ListObjectsV2 and ListObjects (v1), both read from the object index.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
 */
import { S3Error } from "../../s3/errors.ts";
import { BUCKET } from "../../s3/limits.ts";
import { objectTime } from "../../s3/object-time.ts";
import { compareUtf8 } from "../../text/utf8-order.ts";
import type { XmlNode } from "../../s3/xml-writer.ts";
import type { ObjectRow } from "../../store/object-index.ts";
import type { Handler } from "../context.ts";
import { isoDate, quoted } from "../headers.ts";
import { OWNER } from "../owner.ts";
import { booleanOf, isEchoable, listingEncoder, maxKeysOf } from "../query.ts";
import { xml } from "../result.ts";

const encodeToken = (last: string): string => Buffer.from(last, "utf8").toString("base64url");

function decodeToken(token: string): string {
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (token === "" || encodeToken(text) !== token.replace(/=+$/, "") || !isEchoable(text))
    throw new S3Error("InvalidArgument", "The continuation token provided is incorrect", {
      ArgumentName: "continuation-token",
    });
  return text;
}

const laterOf = (a: string, b: string): string => (compareUtf8(a, b) >= 0 ? a : b);

function contents(rows: ObjectRow[], enc: (s: string) => string, withOwner: boolean): XmlNode[] {
  return rows.map((r) => ({
    Key: enc(r.key),
    LastModified: isoDate(objectTime(r.mtimeMs)),
    ETag: quoted(r.etag),
    Size: r.size,
    ...(withOwner ? { Owner: OWNER } : {}),
    StorageClass: "STANDARD",
  }));
}

function common(ctx: Parameters<Handler>[0]) {
  const { encoding, enc } = listingEncoder(ctx.query);
  const prefix = ctx.query.get("prefix") ?? "";
  const delimiter = ctx.query.get("delimiter") ?? "";
  const maxKeys = maxKeysOf(ctx.query);
  return { encoding, enc, prefix, delimiter, maxKeys };
}

export const listObjectsV2: Handler = (ctx) => {
  const { encoding, enc, prefix, delimiter, maxKeys } = common(ctx);
  const startAfter = ctx.query.get("start-after") ?? "";
  const token = ctx.query.get("continuation-token");
  const after = token !== null ? laterOf(decodeToken(token), startAfter) : startAfter;
  const page = ctx.services.bucket.list({ prefix, delimiter, maxKeys, after });
  return xml("ListBucketResult", {
    Name: BUCKET,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: encoding ?? undefined,
    KeyCount: page.objects.length + page.commonPrefixes.length,
    IsTruncated: page.isTruncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.isTruncated && page.last !== null ? encodeToken(page.last) : undefined,
    StartAfter: startAfter ? enc(startAfter) : undefined,
    Contents: contents(page.objects, enc, booleanOf(ctx.query, "fetch-owner")),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};

export const listObjectsV1: Handler = (ctx) => {
  const { encoding, enc, prefix, delimiter, maxKeys } = common(ctx);
  const marker = ctx.query.get("marker") ?? "";
  const page = ctx.services.bucket.list({ prefix, delimiter, maxKeys, after: marker });
  return xml("ListBucketResult", {
    Name: BUCKET,
    Prefix: enc(prefix),
    Marker: enc(marker),
    MaxKeys: maxKeys,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    EncodingType: encoding ?? undefined,
    IsTruncated: page.isTruncated,
    // AWS sends NextMarker only with a delimiter; sending it always is allowed and spares clients a guess.
    NextMarker: page.isTruncated && page.last !== null ? enc(page.last) : undefined,
    Contents: contents(page.objects, enc, true),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
};
