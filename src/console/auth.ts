/**
 * Sign-in, sign-out and the two gates every other console route passes:
 * a live session, and for a state-changing request its CSRF token from the
 * console's own origin (guard.ts). A refusal changes nothing.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ConsoleEnv } from "./env.ts";
import { csrfMatches, fromOwnOrigin } from "./guard.ts";
import { BASE } from "./routing.ts";
import { equalText, SESSION_COOKIE, SESSION_MS, type Session, type Sessions } from "./session.ts";
import type { SignInThrottle } from "./throttle.ts";

export const WRONG_KEYS = "Wrong access key or secret key";
export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD"]);

export function sessionOf(c: Context<ConsoleEnv>, sessions: Sessions): Session | null {
  return sessions.verify(getCookie(c, SESSION_COOKIE));
}

/** Secure only when the browser reached us over HTTPS: on plain HTTP it would not be stored at all. */
function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

export function setSessionCookie(c: Context, value: string): void {
  setCookie(c, SESSION_COOKIE, value, {
    path: BASE,
    httpOnly: true,
    sameSite: "Strict",
    secure: isHttps(c),
    maxAge: SESSION_MS / 1000,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: BASE, httpOnly: true, sameSite: "Strict", secure: isHttps(c) });
}

export type SignInOutcome = { ok: true; cookie: string } | { ok: false; status: 401 | 403 | 429; message: string; retryAfter?: number };

/** The rules of a sign-in attempt, apart from HTTP. */
export function signIn(
  input: { accessKey: string; secretKey: string; address: string; sameOrigin: boolean },
  deps: { credentials: { accessKey: string; secretKey: string }; sessions: Sessions; throttle: SignInThrottle },
): SignInOutcome {
  // A login form posted from another site would sign the victim into the attacker's console.
  if (!input.sameOrigin) return { ok: false, status: 403, message: "Sign in from the console's own page." };
  const wait = deps.throttle.retryAfter(input.address);
  if (wait > 0) return { ok: false, status: 429, message: `Too many failed sign-ins. Try again in ${wait} seconds.`, retryAfter: wait };
  const keyOk = equalText(input.accessKey, deps.credentials.accessKey);
  const secretOk = equalText(input.secretKey, deps.credentials.secretKey);
  if (!(keyOk && secretOk)) {
    deps.throttle.failed(input.address);
    return { ok: false, status: 401, message: WRONG_KEYS };
  }
  deps.throttle.succeeded(input.address);
  return { ok: true, cookie: deps.sessions.create().cookie };
}

/**
 * Every route after this one needs a session: pages send the browser to
 * the sign-in form, /ui/api/ answers 401. A state-changing request also
 * needs the token and the origin, else 403.
 */
export function requireSession(sessions: Sessions): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = sessionOf(c, sessions);
    const api = c.req.path.startsWith(`${BASE}/api/`);
    if (!session) {
      if (api) return c.json({ error: "Sign in first." }, 401);
      return c.redirect(`${BASE}/sign-in`, 303);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const token = c.req.header(CSRF_HEADER) ?? (await formToken(c));
      if (!api || !fromOwnOrigin(c.req.raw) || !csrfMatches(session, token)) return c.json({ error: "Refused: not from this console." }, 403);
    }
    c.set("session", session);
    await next();
  };
}

/** The token of a plain HTML form (sign-out works without script). */
async function formToken(c: Context): Promise<string | null> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) return null;
  const form = await c.req.parseBody();
  return typeof form.csrf === "string" ? form.csrf : null;
}
