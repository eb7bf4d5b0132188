/**
 * `s3_cors_origins`: which web pages may call the server from a browser.
 * Browsers send `Origin` as a serialized origin (RFC 6454 §6.2: scheme,
 * lowercase host, no default port, no path), so each configured entry is
 * normalised to that form once here and compared as a plain string later.
 */
import { z } from "zod";

/** Every origin; safe as a default because every request still needs a signature. */
export const ANY_ORIGIN = "*";

const origin = z.string().transform((text, ctx) => {
  if (text === ANY_ORIGIN) return text;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  // A trailing "/" is forgiven (people paste it from the address bar); any other path is a mistake.
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== "/" || url.search || url.hash || url.username) {
    ctx.addIssue({ code: "custom", message: `'${text}' is not an origin like "http://pi.local:8080"` });
    return z.NEVER;
  }
  return url.origin;
});

export const corsOriginsSchema = z.array(origin).min(1, "list at least one origin, or \"*\"");

export const CORS_ORIGINS_HINT = 'a list of origins, e.g. s3_cors_origins = ["http://pi.local:8080"], or ["*"] for any page';
