/**
 * The web console (SPEC §9): a hono sub-app under /ui/, mounted by main.ts
 * in front of the S3 app's CORS layer and authentication.
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { isS3Error } from "../s3/errors.ts";
import { renderPage } from "./render.ts";
import { assetResponse } from "./assets.ts";
import { clearSessionCookie, requireSession, sessionOf, setSessionCookie, signIn } from "./auth.ts";
import type { ConsoleEnv, ConsoleOptions } from "./env.ts";
import { fromOwnOrigin } from "./guard.ts";
import { libraryRoutes } from "./library-routes.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { rawPathOf } from "../s3/raw-target.ts";
import { BASE, isConsolePath, ownsRequest } from "./routing.ts";
import { addSecurityHeaders } from "./security-headers.ts";
import { Sessions } from "./session.ts";
import { SignInThrottle } from "./throttle.ts";
import { objectRoutes } from "./object-routes.tsx";
import { infoRoutes } from "./info-routes.tsx";

export type { ConsoleOptions, SyncState } from "./env.ts";

export interface Console {
  owns(req: Request): boolean;
  fetch(req: Request, client: { address: string | null }): Response | Promise<Response>;
}

export function createConsole(opts: ConsoleOptions): Console {
  const sessions = new Sessions(opts.credentials.secretKey, Date.now, opts.revocations);
  const throttle = new SignInThrottle();
  const app = new Hono<ConsoleEnv>();

  app.use("*", async (c, next) => {
    await next();
    addSecurityHeaders(c.res.headers);
  });
  app.onError((e, c) => {
    // The store's refusals keep their S3 status and message; a body that fails zod is the caller's mistake.
    if (isS3Error(e)) return c.json({ error: e.message, code: e.code }, e.status as ContentfulStatusCode);
    if (e instanceof ZodError) return c.json({ error: "Bad request" }, 400);
    opts.log.error("console: internal error", { path: c.req.path, error: (e as Error)?.stack ?? String(e) });
    return c.json({ error: "Internal error" }, 500);
  });

  // A browser's GET / and a bare /ui land on the console's front page.
  app.get("*", (c, next) => {
    const { rawPath: path } = rawPathOf(c.req.url);
    return isConsolePath(path) && path !== BASE ? next() : c.redirect(`${BASE}/`, 303);
  });
  app.get(`${BASE}/assets/:name`, (c) => assetResponse(c.req.param("name"), c.req.header("if-none-match")) ?? c.notFound());

  app.get(`${BASE}/sign-in`, async (c) => (sessionOf(c, sessions) ? c.redirect(`${BASE}/`, 303) : c.html(renderPage(<SignInPage />))));
  app.post(`${BASE}/api/sign-in`, async (c) => {
    const form = await c.req.parseBody();
    const accessKey = typeof form.access_key === "string" ? form.access_key : "";
    const outcome = signIn(
      {
        accessKey,
        secretKey: typeof form.secret_key === "string" ? form.secret_key : "",
        address: c.env.address ?? "unknown",
        sameOrigin: fromOwnOrigin(c.req.raw),
      },
      { credentials: opts.credentials, sessions, throttle },
    );
    if (outcome.ok) {
      setSessionCookie(c, outcome.cookie);
      return c.redirect(`${BASE}/`, 303);
    }
    if (outcome.retryAfter) c.header("Retry-After", String(outcome.retryAfter));
    return c.html(renderPage(<SignInPage error={outcome.message} accessKey={accessKey} />), outcome.status);
  });

  app.use(`${BASE}/*`, requireSession(sessions));
  app.post(`${BASE}/api/sign-out`, (c) => {
    sessions.revoke(c.get("session"));
    clearSessionCookie(c);
    // A form post gets the sign-in page; a script's fetch only needs the status.
    return c.req.header("accept")?.includes("text/html") ? c.redirect(`${BASE}/sign-in`, 303) : c.body(null, 204);
  });
  app.route("/", libraryRoutes(opts));
  app.route("/", objectRoutes(opts));
  app.route("/", infoRoutes(opts));
  app.all(`${BASE}/api/*`, (c) => c.json({ error: "Not found" }, 404));

  return {
    owns: ownsRequest,
    fetch: (req, client) => app.fetch(req, { address: client.address }),
  };
}
