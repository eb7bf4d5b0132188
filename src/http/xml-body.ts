/**
 * Small XML request bodies (DeleteObjects, CompleteMultipartUpload): read
 * through the verified body stream with a hard cap, so an oversized document
 * costs at most MAX_XML_BODY of memory and is checked like any body; then
 * parsed strictly and checked with zod.
 */
import type { z } from "zod";
import { S3Error } from "../s3/errors.ts";
import { MAX_XML_BODY } from "../s3/limits.ts";
import { parseXml } from "../s3/xml.ts";
import type { Ctx } from "./context.ts";
import { type BodyOptions, declaredLength, requestBody } from "./request-body.ts";

async function readCapped(ctx: Ctx, options: BodyOptions): Promise<string> {
  const declared = declaredLength(ctx.req, ctx.auth);
  if (declared !== undefined && declared > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded");
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of requestBody(ctx.req, ctx.auth, MAX_XML_BODY, options)) chunks.push(chunk);
  } catch (e) {
    // The cap of a document is a message length, not an object size.
    throw e instanceof S3Error && e.code === "EntityTooLarge" ? new S3Error("MaxMessageLengthExceeded") : e;
  }
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
