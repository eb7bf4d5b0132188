/**
 * The request target as the client sent it, still percent-encoded: SigV4
 * signs the raw path, and keys are decoded exactly once, by our own code
 * (keys.ts). `Request.url` is absolute; the path starts at the first "/"
 * after the authority.
 */
export function rawPathOf(url: string): { rawPath: string; rawQuery: string } {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const rest = start < 0 ? "/" : url.slice(start);
  const q = rest.indexOf("?");
  return q < 0 ? { rawPath: rest, rawQuery: "" } : { rawPath: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}
