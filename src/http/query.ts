/** zod at the edge: query parameters shared by several handlers. */
import { z } from "zod";
import { S3Error } from "../s3/errors.ts";
import { awsUriEncode } from "../s3/keys.ts";
import { MAX_KEYS } from "../s3/limits.ts";
import { parseQuery } from "../s3/sigv4/canonical.ts";

/** C0 controls and DEL: no S3 parameter holds one, and most could not be echoed in XML or a header. */
const CONTROL = /[\u0000-\u001F\u007F]/;

/**
 * The request's query, decoded strictly (a bad escape is InvalidURI, where
 * URLSearchParams would keep "%zz" as text), with control characters refused
 * before any handler can echo them into a listing or a header.
 */
export function requestQuery(rawQuery: string): URLSearchParams {
  const params = parseQuery(rawQuery);
  for (const [name, value] of params)
    if (CONTROL.test(name) || CONTROL.test(value))
      throw new S3Error("InvalidArgument", "A query parameter holds a control character.", { ArgumentName: name.replace(CONTROL, "?") });
  return new URLSearchParams(params as [string, string][]);
}

const maxKeysSchema = z.coerce.number().int().min(0);

export function maxKeysOf(query: URLSearchParams, name = "max-keys"): number {
  const text = query.get(name);
  if (text === null || text === "") return MAX_KEYS;
  const parsed = maxKeysSchema.safeParse(text);
  if (!parsed.success)
    throw new S3Error("InvalidArgument", `Provided ${name} not an integer or within integer range`, {
      ArgumentName: name,
      ArgumentValue: text,
    });
  return Math.min(parsed.data, MAX_KEYS);
}

/** encoding-type=url: keys, prefixes and delimiters in a listing are URL-encoded (slashes kept). */
export function listingEncoder(query: URLSearchParams): { encoding: "url" | null; enc: (s: string) => string } {
  const encoding = encodingTypeOf(query);
  return { encoding, enc: encoding === "url" ? (s: string) => awsUriEncode(s, true) : (s: string) => s };
}

function encodingTypeOf(query: URLSearchParams): "url" | null {
  const text = query.get("encoding-type");
  if (text === null || text === "") return null;
  if (text.toLowerCase() !== "url")
    throw new S3Error("InvalidArgument", "Invalid Encoding Method specified in Request", {
      ArgumentName: "encoding-type",
      ArgumentValue: text,
    });
  return "url";
}

/** Latin-1 text without controls: what a header value can carry (RFC 9110 §5.5), for response-* overrides. */
export function headerValueOf(query: URLSearchParams, name: string): string | null {
  const value = query.get(name);
  if (value !== null && !/^[\t\u0020-\u007E\u0080-\u00FF]*$/.test(value))
    throw new S3Error("InvalidArgument", `${name} is not a valid header value.`, { ArgumentName: name });
  return value;
}

export function booleanOf(query: URLSearchParams, name: string): boolean {
  return query.get(name)?.toLowerCase() === "true";
}
