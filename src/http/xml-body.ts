/**
 * Small XML request bodies (DeleteObjects, CompleteMultipartUpload): read
 * with a hard cap while streaming, so an oversized document costs at most
 * MAX_XML_BODY of memory; verified (signed hash, Content-MD5, checksum
 * headers, aws-chunked) like any body; then parsed and checked with zod.
 */
import type { z } from "zod";
import { contentMd5Matches, sha256PayloadCheck } from "../s3/body-check.ts";
import { S3Error } from "../s3/errors.ts";
import { MAX_XML_BODY } from "../s3/limits.ts";
import { parseXml } from "../s3/xml.ts";
import type { Ctx } from "./context.ts";
import { declaredLength, requestBody, type BodyOptions } from "./request-body.ts";

async function readCapped(ctx: Ctx, options: BodyOptions): Promise<string> {
  const declared = declaredLength(ctx.req, ctx.auth);
  if (declared !== undefined && declared > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded");
  const body = requestBody(ctx.req, ctx.auth, MAX_XML_BODY, options);
  // The store checks a signed payload's hash for files; for a document in memory it is one more check.
  const checks = body.sha256Hex === undefined ? body.checks : [...body.checks, sha256PayloadCheck(body.sha256Hex)];
  const md5 = new Bun.CryptoHasher("md5");
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body.chunks) {
    size += chunk.byteLength;
    if (size > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded");
    md5.update(chunk);
    for (const c of checks) c.update(chunk);
    chunks.push(chunk);
  }
  if (body.expectedBytes !== undefined && size !== body.expectedBytes) throw new S3Error("IncompleteBody");
  for (const c of checks) c.finish();
  if (body.contentMd5 != null) contentMd5Matches(md5.digest("hex"), body.contentMd5);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new S3Error("MalformedXML", "The XML you provided is not valid UTF-8.");
  }
}

/** The body as `schema` describes it; anything else is MalformedXML. */
export async function readXmlBody<T extends z.ZodType>(ctx: Ctx, schema: T, options: BodyOptions = {}): Promise<z.infer<T>> {
  const parsed = schema.safeParse(parseXml(await readCapped(ctx, options)));
  if (!parsed.success) throw new S3Error("MalformedXML");
  return parsed.data;
}
