/** zod at the edge: query parameters shared by several handlers. */
import { z } from "zod";
import { S3Error } from "../s3/errors.ts";
import { awsUriEncode } from "../s3/keys.ts";
import { MAX_KEYS } from "../s3/limits.ts";
import type { QueryParam } from "../s3/sigv4/canonical.ts";

/**
 * What no S3 parameter holds and a listing or header could not echo: C0
 * controls but TAB, DEL, U+FFFE/U+FFFF, lone surrogates, and U+FFFD, which
 * is what bytes that were not UTF-8 decode to.
 */
const UNECHOABLE = /[\u0000-\u0008\u000A-\u001F\u007F\uFFFD-\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a listing or a header could carry `text` back as it is. */
export function isEchoable(text: string): boolean {
  return !UNECHOABLE.test(text);
}

/**
 * The request's query as the signature check decoded it (strictly: a bad
 * escape was InvalidURI, where URLSearchParams would keep "%zz" as text),
 * with what could not be echoed refused before any handler can put it into
 * a listing or a header.
 */
export function requestQuery(params: readonly QueryParam[]): URLSearchParams {
  for (const [name, value] of params)
    if (!isEchoable(name) || !isEchoable(value))
      throw new S3Error("InvalidArgument", "A query parameter holds a control character or text that is not UTF-8.", {
        ArgumentName: name.replace(new RegExp(UNECHOABLE, "g"), "?"),
      });
  return new URLSearchParams(params as [string, string][]);
}

// Digits only, within a signed 32-bit integer, as S3 takes it ("1e3", "0x10", " 5" are not numbers there).
const maxKeysSchema = z.string().regex(/^\d{1,10}$/).transform(Number).pipe(z.number().max(2147483647));

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
