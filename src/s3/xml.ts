/**
 * The only user of fast-xml-parser: S3 response documents out, small
 * request documents (DeleteObjects, CompleteMultipartUpload) in.
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { S3Error } from "./errors.ts";
import { MAX_XML_BODY } from "./limits.ts";

export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** An element tree: arrays repeat the element, undefined/null children are left out. */
export type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlValue[];

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", suppressEmptyNode: false });

/** `<?xml?>` + `<root xmlns=S3>…</root>`. */
export function toXml(root: string, body: XmlNode, namespace: string | null = S3_NAMESPACE): string {
  const withNs = namespace ? { "@_xmlns": namespace, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n` + builder.build({ [root]: withNs });
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // A key may begin or end with spaces (DeleteObjects); schemas trim what is not a key.
  trimValues: false,
  processEntities: true,
  // Decode numeric character references too: Go's encoding/xml (rclone, mc) sends `"` as &#34; and `'` as &#39;.
  htmlEntities: true,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name) => name === "Object" || name === "Part",
});

/**
 * Parses a request body. DTDs are refused outright (no entity expansion),
 * and so is anything larger than a well-formed S3 request can be.
 */
export function parseXml(text: string): Record<string, unknown> {
  if (text.length > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded");
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error("MalformedXML", "Document type declarations are not allowed.");
  try {
    const doc = parser.parse(text, true);
    if (typeof doc !== "object" || doc === null) throw new Error("not a document");
    return doc as Record<string, unknown>;
  } catch (e) {
    if (e instanceof S3Error) throw e;
    throw new S3Error("MalformedXML");
  }
}
