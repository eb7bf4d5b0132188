/**
 * The CSRF rule for every state-changing console request (SPEC §9): the
 * session's token AND proof the request comes from the console's own
 * origin. SameSite=Strict alone is not enough: another port on the same
 * host is the same site, and its pages could post here with the cookie.
 */
import { equalText, type Session } from "./session.ts";

/**
 * The browser says where the request came from: Origin (sent with every
 * POST/PUT/DELETE by current browsers) equal to ours, or Fetch Metadata's
 * Sec-Fetch-Site: same-origin (https://www.w3.org/TR/fetch-metadata/),
 * which also holds behind a TLS-terminating proxy where our own URL says
 * http but the browser's origin says https.
 */
export function fromOwnOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (origin !== null && origin === new URL(req.url).origin) return true;
  return req.headers.get("sec-fetch-site") === "same-origin";
}

export function csrfMatches(session: Session, given: string | null | undefined): boolean {
  if (!given) return false;
  return equalText(given, session.csrf);
}
