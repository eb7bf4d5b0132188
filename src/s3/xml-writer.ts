/**
 * The one XML writer: every document we send (results and errors) goes
 * through it, and it cannot emit what XML 1.0 forbids. Text is escaped,
 * and a character outside the XML Char production (a C0 control, U+FFFE,
 * a lone surrogate) becomes U+FFFD instead of breaking the client's parser.
 * https://www.w3.org/TR/xml/#charsets
 */
export const S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";

/** An element tree: arrays repeat the element, undefined/null children are left out, "@_name" is an attribute. */
export type XmlNode = { [name: string]: XmlValue };
export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlValue[];

const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;
// CR as a reference: a parser turns a raw CR into LF (XML 1.0 §2.11).
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

/** Text safe inside an element or a quoted attribute. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML_CHAR, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);
}

function element(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join("");
  if (typeof value !== "object") return `<${name}>${xmlText(String(value))}</${name}>`;
  let attributes = "";
  let children = "";
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith("@_")) attributes += ` ${k.slice(2)}="${xmlText(String(v))}"`;
    else children += element(k, v);
  }
  return `<${name}${attributes}>${children}</${name}>`;
}

/** `<?xml?>` + `<root xmlns=S3>…</root>`. */
export function toXml(root: string, body: XmlNode, namespace: string | null = S3_NAMESPACE): string {
  const withNs = namespace ? { "@_xmlns": namespace, ...body } : body;
  return `<?xml version="1.0" encoding="UTF-8"?>\n` + element(root, withNs);
}
