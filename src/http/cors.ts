/**
 * CORS for the S3 API (SPEC §5), one layer around every S3 response: web
 * pages on other origins may use presigned URLs and signed requests.
 * Allowing an origin grants nothing by itself: every request but a
 * preflight still needs a valid signature.
 *
 * Fetch standard: https://fetch.spec.whatwg.org/#http-cors-protocol
 * S3's behaviour: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 */
import { S3Error } from "../s3/errors.ts";
import { drainBody } from "./drain.ts";
import { respond, respondError } from "./respond.ts";
import { newRequestId } from "./request-id.ts";
import { empty } from "./result.ts";
import { rawPathOf } from "../s3/raw-target.ts";
import { parseTarget } from "./target.ts";

export const ANY_ORIGIN = "*";
export const CORS_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;
/** What a page's script may read besides the safelisted headers: ETag for multipart, ranges for players. */
export const CORS_EXPOSE_HEADERS = [
  "ETag", "Content-Range", "Accept-Ranges", "Content-Length", "Last-Modified", "x-amz-request-id", "x-amz-id-2",
] as const;
/** Seconds a browser may reuse a preflight answer (Chromium caps this at 7200). */
export const CORS_MAX_AGE = 3600;

export interface CorsOptions {
  /** Serialized origins (config/cors-origins.ts normalises them), or ["*"]. */
  origins: readonly string[];
  /**
   * Requests this layer leaves entirely alone: no preflight answer, no
   * headers. The web console under /ui/ (SPEC §9) goes here: its session
   * cookie must never be readable from another origin.
   */
  skip?: (req: Request) => boolean;
}

export function allowsOrigin(origins: readonly string[], origin: string): boolean {
  return origins.includes(ANY_ORIGIN) || origins.includes(origin);
}

/** Answers preflights itself; adds the headers to whatever `next` answers. */
export type CorsLayer = (req: Request, next: () => Promise<Response>) => Promise<Response>;

export function cors(opts: CorsOptions): CorsLayer {
  return async (req, next) => {
    if (opts.skip?.(req)) return next();
    const origin = req.headers.get("origin");
    const allowed = origin !== null && allowsOrigin(opts.origins, origin) ? origin : null;
    if (req.method === "OPTIONS") {
      await drainBody(req); // browsers send none; anyone else's is never read
      return preflight(req, allowed);
    }
    const res = await next();
    addCorsHeaders(res.headers, allowed);
    return res;
  };
}

/**
 * The headers of every S3 response. `Vary: Origin` goes on all of them, not
 * only on those with an allowed Origin: a response cached for a request
 * without Origin (an `<audio>` without `crossorigin`) must not be reused
 * for a CORS fetch of the same presigned URL, which needs the Allow-Origin
 * header that the cached copy lacks.
 */
function addCorsHeaders(headers: Headers, allowedOrigin: string | null): void {
  headers.append("Vary", "Origin");
  if (allowedOrigin === null) return;
  // The request's origin is echoed even when every origin is allowed, with
  // Allow-Credentials: a browser refuses "*" for a request made with
  // credentials (fetch `credentials: "include"`, `<audio
  // crossorigin="use-credentials">`; Fetch standard, CORS check), and S3
  // does the same for a rule naming the origin. It grants nothing extra:
  // S3 requests are authorised by their signature, never by a cookie or
  // HTTP auth the browser could attach. The one cookie we will have (the
  // console's, Path=/ui) lives behind `skip`, where no CORS header is sent.
  headers.set("Access-Control-Allow-Origin", allowedOrigin);
  headers.set("Access-Control-Allow-Credentials", "true");
  headers.set("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS.join(", "));
}

/**
 * An OPTIONS request is a preflight, answered without authentication (the
 * browser sends no signature with it). S3's errors: Origin or
 * Access-Control-Request-Method missing → 400 BadRequest; origin or method
 * not allowed → 403 AccessForbidden with the method and resource type.
 */
function preflight(req: Request, allowedOrigin: string | null): Response {
  const requestId = newRequestId();
  const { rawPath } = rawPathOf(req.url);
  const method = req.headers.get("access-control-request-method");
  let error: S3Error | null = null;
  if (!req.headers.has("origin")) error = new S3Error("BadRequest", "Insufficient information. Origin request header needed.");
  else if (method === null) error = new S3Error("BadRequest", "Invalid Access-Control-Request-Method: null");
  else if (allowedOrigin === null || !(CORS_METHODS as readonly string[]).includes(method))
    error = new S3Error("AccessForbidden", undefined, { Method: method, ResourceType: resourceType(rawPath, req.headers.get("host")) });
  const res = error
    ? respondError(error, rawPath, requestId, false)
    : respond(empty(200, preflightHeaders(req)), requestId);
  addCorsHeaders(res.headers, allowedOrigin);
  if (!error) res.headers.append("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
  return res;
}

function preflightHeaders(req: Request): Record<string, string> {
  const headers: Record<string, string> = {
    "Access-Control-Allow-Methods": CORS_METHODS.join(", "),
    "Access-Control-Max-Age": String(CORS_MAX_AGE),
  };
  // Any header may be sent (AllowedHeader "*" in S3 terms): the signature decides what is honoured.
  const requested = req.headers.get("access-control-request-headers");
  if (requested) headers["Access-Control-Allow-Headers"] = requested;
  // Chromium's Private Network Access preflight, for a public page calling a Pi on the LAN:
  // https://wicg.github.io/private-network-access/#headers
  if (req.headers.get("access-control-request-private-network") === "true")
    headers["Access-Control-Allow-Private-Network"] = "true";
  return headers;
}

/** S3 names what the refused request was aimed at. */
function resourceType(rawPath: string, host: string | null): string {
  try {
    const target = parseTarget(rawPath, host);
    return target.bucket === null ? "SERVICE" : target.key === null ? "BUCKET" : "OBJECT";
  } catch {
    return "OBJECT"; // a key we would refuse anyway; the preflight is refused already
  }
}
