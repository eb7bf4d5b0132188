/** Header formats shared by the handlers. */
import { objectTime } from "../s3/object-time.ts";
import type { ObjectRow } from "../store/object-index.ts";
import { contentTypeFor } from "../store/content-type.ts";
import { checksumHeaders } from "./checksum-fields.ts";

export const isoDate = (ms: number): string => new Date(Math.floor(ms)).toISOString();
export const httpDate = (ms: number): string => new Date(Math.floor(ms)).toUTCString();
export const quoted = (etag: string): string => `"${etag}"`;

/** x-amz-meta-* request headers, lower-case names without the prefix. */
export function userMetadata(headers: Headers): Record<string, string> {
  const meta: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name.startsWith("x-amz-meta-")) meta[name.slice(11)] = value;
  });
  return meta;
}

/**
 * Clients that know nothing of the file send a generic type (the JS SDK
 * sends application/octet-stream); the extension tells more, so keep none.
 */
export function explicitContentType(headers: Headers): string | null {
  const type = headers.get("content-type");
  if (!type || /^(application|binary)\/octet-stream$/i.test(type.trim())) return null;
  return type;
}

/** The headers HEAD and GET return for an object. */
export function objectHeaders(row: ObjectRow, withChecksums: boolean): Record<string, string> {
  const h: Record<string, string> = {
    "Content-Type": row.contentType ?? contentTypeFor(row.key),
    ETag: quoted(row.etag),
    "Last-Modified": httpDate(objectTime(row.mtimeMs)),
    "Accept-Ranges": "bytes",
  };
  for (const [k, v] of Object.entries(row.meta ?? {})) h[`x-amz-meta-${k}`] = v;
  return withChecksums ? { ...h, ...checksumHeaders(row.checksums) } : h;
}

/** GetObject's response-* query parameters override these headers. */
export const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "Content-Type",
  "response-content-language": "Content-Language",
  "response-expires": "Expires",
  "response-cache-control": "Cache-Control",
  "response-content-disposition": "Content-Disposition",
  "response-content-encoding": "Content-Encoding",
};
