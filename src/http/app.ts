/**
 * The only user of hono: one catch-all route, because S3 chooses the
 * operation by host, path and query, not by path alone.
 */
import { Hono } from "hono";
import { isS3Error, S3Error } from "../s3/errors.ts";
import { authenticate, type Credentials } from "../s3/authenticate.ts";
import type { Logger } from "../log.ts";
import type { Services } from "./context.ts";
import type { InFlightWrites } from "./in-flight.ts";
import { cors } from "./cors.ts";
import { dispatch } from "./dispatch.ts";
import { drainBody } from "./drain.ts";
import type { Listener } from "./location.ts";
import { respondError } from "./respond.ts";
import { newRequestId } from "./request-id.ts";
import { rawPathOf, readQuery } from "../s3/raw-target.ts";

export interface AppOptions {
  credentials: Credentials;
  services: Services;
  log: Logger;
  /** Told about every PUT/POST while it runs. */
  writes?: InFlightWrites;
  /** The web console (SPEC §9), when s3_console is on; main.ts builds it. */
  console?: ConsoleHandler;
}

/**
 * What the S3 app needs of the web console: which requests are its own
 * (/ui/ on path-style hosts, a browser's GET /), and their answers. They
 * are answered before CORS and before S3 authentication: the console has
 * its own sign-in, and no other origin may read its responses.
 */
export interface ConsoleHandler {
  owns(req: Request): boolean;
  fetch(req: Request, client: { address: string | null }): Response | Promise<Response>;
}

/**
 * Bun.serve passes itself as the second argument: the peer's address, for
 * the console's sign-in throttle, and where we listen, for URLs naming us.
 */
type BunEnv =
  | { requestIP?(req: Request): { address: string } | null; protocol?: string | null; hostname?: string; port?: number }
  | undefined;

/** What Bun.serve calls. */
export interface App {
  fetch(req: Request, server?: BunEnv): Promise<Response>;
}

/**
 * The console and CORS wrap the S3 app as plain functions in front of it:
 * the console's requests never reach S3 or CORS, and every S3 answer,
 * errors included, passes through CORS.
 */
export function createApp(opts: AppOptions): App {
  const s3 = s3App(opts);
  const ui = opts.console;
  // Before everything, authentication included: preflights carry no signature.
  const corsLayer = cors({ origins: opts.services.corsOrigins, skip: ui ? (req) => ui.owns(req) : undefined });
  return {
    async fetch(req, server) {
      if (ui?.owns(req)) return ui.fetch(req, { address: server?.requestIP?.(req)?.address ?? null });
      return corsLayer(req, async () => s3.fetch(req, { listener: listenerOf(req, server) }));
    },
  };
}

/** Bun.serve's own facts; an in-process caller (a test) passes no server, and the request's URL tells TLS. */
function listenerOf(req: Request, server: BunEnv): Listener {
  if (server?.protocol && server.hostname !== undefined && server.port !== undefined)
    return { tls: server.protocol === "https", hostname: server.hostname, port: server.port };
  return { tls: req.url.startsWith("https:"), hostname: "localhost", port: null };
}

function s3App(opts: AppOptions): Hono<{ Bindings: { listener: Listener } }> {
  const app = new Hono<{ Bindings: { listener: Listener } }>();
  app.all("*", async (c) => {
    const req = c.req.raw;
    const requestId = newRequestId();
    const { rawPath, rawQuery } = rawPathOf(req.url);
    const head = req.method === "HEAD";
    const endWrite = req.method === "PUT" || req.method === "POST" ? opts.writes?.begin() : undefined;
    try {
      const query = readQuery(rawQuery);
      const auth = authenticate({ method: req.method, rawPath, query, headers: req.headers }, opts.credentials);
      return await dispatch({ req, rawPath, params: query.params, requestId, auth, services: opts.services, listener: c.env.listener, log: opts.log, resource: safeDecode(rawPath) });
    } catch (e) {
      await drainBody(req);
      if (isS3Error(e)) {
        opts.log.debug("request failed", { id: requestId, code: e.code, path: rawPath });
        return respondError(e, safeDecode(rawPath), requestId, head);
      }
      // A client that hangs up mid-body makes the body stream throw; that is not our failure.
      if (req.signal.aborted) {
        opts.log.debug("client disconnected", { id: requestId, path: rawPath });
        return respondError(new S3Error("IncompleteBody"), safeDecode(rawPath), requestId, head);
      }
      opts.log.error("internal error", { id: requestId, path: rawPath, error: (e as Error)?.stack ?? String(e) });
      return respondError(new S3Error("InternalError"), safeDecode(rawPath), requestId, head);
    } finally {
      endWrite?.();
    }
  });
  return app;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
