/**
 * Which requests are the console's (SPEC §9): /ui and below on path-style
 * hosts (a bucket name has at least 3 characters, so "ui" is never one;
 * on a virtual-hosted name, /ui/… is a key), and a browser's unsigned
 * GET / (Accept naming text/html; an Accept of any type is no browser page
 * load), which is sent on to /ui/. Everything else stays S3.
 */
import { rawPathOf } from "../s3/raw-target.ts";
import { virtualHostBucket } from "../s3/virtual-host.ts";

export const BASE = "/ui";

/** Query parameters that make a request an S3 presigned one (SigV4 and SigV2). */
const SIGNATURE_PARAMS = /(?:^|&)(?:X-Amz-Signature|X-Amz-Credential|Signature|AWSAccessKeyId)=/i;

export function isConsolePath(path: string): boolean {
  return path === BASE || path.startsWith(`${BASE}/`);
}

/** A browser loading the page at `/`, not an S3 client listing buckets. */
export function isBrowserRoot(req: Request, path: string, query: string): boolean {
  return (
    path === "/" &&
    (req.method === "GET" || req.method === "HEAD") &&
    !req.headers.has("authorization") &&
    !SIGNATURE_PARAMS.test(query) &&
    (req.headers.get("accept") ?? "").toLowerCase().includes("text/html")
  );
}

export function ownsRequest(req: Request): boolean {
  if (virtualHostBucket(req.headers.get("host")) !== null) return false;
  const { rawPath: path, rawQuery: query } = rawPathOf(req.url);
  return isConsolePath(path) || isBrowserRoot(req, path, query);
}
