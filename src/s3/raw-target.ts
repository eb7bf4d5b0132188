/**
 * The request target as the client sent it, still percent-encoded: SigV4
 * signs the raw path, and keys are decoded exactly once, by our own code
 * (keys.ts). `Request.url` is absolute, and the path starts at the first
 * "/" after the authority, unless the Host header was missing (HTTP/1.0) or
 * not a valid host: then Bun leaves it relative, "/music/k?x".
 */
import { parseQuery, type QueryParam } from "./sigv4/canonical.ts";

export function rawPathOf(url: string): { rawPath: string; rawQuery: string } {
  const start = url.startsWith("/") ? 0 : url.indexOf("/", url.indexOf("//") + 2);
  const rest = start < 0 ? "/" : url.slice(start);
  const q = rest.indexOf("?");
  return q < 0 ? { rawPath: rest, rawQuery: "" } : { rawPath: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}

/**
 * The query as sent and the pairs it decodes to. One per request: the
 * signature checks and the handlers read the same pairs, and SigV4 still
 * has the raw text for clients that sign their query verbatim.
 */
export interface RawQuery {
  /** Without "?", may be "". */
  readonly raw: string;
  readonly params: readonly QueryParam[];
}

/** Throws InvalidURI for a bad percent escape. */
export function readQuery(raw: string): RawQuery {
  return { raw, params: parseQuery(raw) };
}
