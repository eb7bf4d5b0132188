/**
 * The only user of fast-xml-parser, and a strict reader of the small request
 * documents (DeleteObjects, CompleteMultipartUpload): it never hands back a
 * value other than the one the client wrote. Anything XML 1.0 forbids — a
 * DTD, an undeclared entity, a character reference to a character XML
 * cannot hold (&#0;, &#xD800;), a raw control character, a stray "&", CDATA
 * that would hide markup — is MalformedXML rather than quietly rewritten:
 * a lenient parser dropping "&#0;" from "vic&#0;tim" would turn the request
 * into one naming another key.
 * https://www.w3.org/TR/xml/#sec-references
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { S3Error } from "./errors.ts";
import { MAX_XML_BODY } from "./limits.ts";

// Entities stay as written; decodeReferences() decodes them once, strictly.
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  // A key may begin or end with spaces (DeleteObjects); schemas trim what is not a key.
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  removeNSPrefix: true,
  isArray: (name) => name === "Object" || name === "Part",
});

const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
const REFERENCE = /&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|([A-Za-z][A-Za-z0-9._-]*))?;?/g;

function malformed(why: string): S3Error {
  return new S3Error("MalformedXML", `The XML you provided was not well-formed: ${why}.`);
}

function isXmlChar(cp: number): boolean {
  return cp <= 0x10ffff && !NOT_XML_CHAR.test(String.fromCodePoint(cp));
}

/**
 * Decodes the five predefined entities and numeric character references
 * (Go's encoding/xml, which rclone and mc use, writes `"` as &#34;), in one
 * pass, so "&amp;#0;" is the text "&#0;" and never a NUL.
 */
function decodeReferences(text: string): string {
  return text.replace(REFERENCE, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (!whole.endsWith(";") || whole === "&;") throw malformed("a '&' that does not start a reference");
    if (name !== undefined) {
      const ch = PREDEFINED[name];
      if (ch === undefined) throw malformed(`the undeclared entity &${name};`);
      return ch;
    }
    const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
    if (!isXmlChar(cp)) throw malformed(`${whole} refers to a character XML does not allow`);
    return String.fromCodePoint(cp);
  });
}

function decodeTree(value: unknown): unknown {
  if (typeof value === "string") return decodeReferences(value);
  if (Array.isArray(value)) return value.map(decodeTree);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeTree(v)]));
  return value;
}

/**
 * Parses a request body. DTDs are refused outright (no entity expansion),
 * and so is anything larger than a well-formed S3 request can be.
 */
export function parseXml(text: string): Record<string, unknown> {
  if (text.length > MAX_XML_BODY) throw new S3Error("MaxMessageLengthExceeded");
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new S3Error("MalformedXML", "Document type declarations are not allowed.");
  if (NOT_XML_CHAR.test(text)) throw malformed("it holds a character XML does not allow");
  // No client sends CDATA; inside it "&amp;" is literal text, which one decoding pass cannot tell apart.
  if (text.includes("<![CDATA[")) throw malformed("CDATA sections are not accepted");
  const version = /^\s*<\?xml\s+version\s*=\s*["']([^"']*)["']/.exec(text)?.[1];
  if (version !== undefined && version !== "1.0") throw malformed(`XML version ${version} is not 1.0`);
  if (XMLValidator.validate(text) !== true) throw new S3Error("MalformedXML");
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch {
    throw new S3Error("MalformedXML");
  }
  if (typeof doc !== "object" || doc === null) throw new S3Error("MalformedXML");
  return decodeTree(doc) as Record<string, unknown>;
}
