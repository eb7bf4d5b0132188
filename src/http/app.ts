/**
 * The only user of hono: one catch-all route, because S3 chooses the
 * operation by host, path and query, not by path alone.
 */
import { Hono } from "hono";
import { isS3Error, S3Error } from "../s3/errors.ts";
import { BUCKET } from "../s3/limits.ts";
import { authenticate, type Credentials } from "../s3/authenticate.ts";
import type { Logger } from "../log.ts";
import type { Services } from "./context.ts";
import type { InFlightWrites } from "./in-flight.ts";
import { settleSoon } from "./keep-alive.ts";
import { drainBody } from "./drain.ts";
import { respond, respondError } from "./respond.ts";
import { findRoute, type Scope } from "./routes.ts";
import { parseTarget, rawPathOf } from "./target.ts";

export interface AppOptions {
  credentials: Credentials;
  services: Services;
  log: Logger;
  /** Told about every PUT/POST while it runs. */
  writes?: InFlightWrites;
}

let counter = 0;
/** Unique per response: time, process-local counter, randomness. */
export function newRequestId(): string {
  counter = (counter + 1) % 0x100000;
  const rand = crypto.getRandomValues(new Uint8Array(3));
  return (
    Date.now().toString(16).toUpperCase() +
    counter.toString(16).toUpperCase().padStart(5, "0") +
    Buffer.from(rand).toString("hex").toUpperCase()
  );
}

export function createApp(opts: AppOptions): Hono {
  const app = new Hono();
  app.all("*", async (c) => {
    const req = c.req.raw;
    const requestId = newRequestId();
    const { rawPath, rawQuery } = rawPathOf(req.url);
    const head = req.method === "HEAD";
    const endWrite = req.method === "PUT" || req.method === "POST" ? opts.writes?.begin() : undefined;
    try {
      const auth = authenticate({ method: req.method, rawPath, rawQuery, headers: req.headers }, opts.credentials);
      const target = parseTarget(rawPath, req.headers.get("host"));
      const scope: Scope = target.bucket === null ? "service" : target.key === null ? "bucket" : "object";
      if (target.bucket !== null && target.bucket !== BUCKET) throw new S3Error("NoSuchBucket", undefined, { BucketName: target.bucket });
      const query = new URLSearchParams(rawQuery);
      const route = findRoute(req.method, scope, query, req.headers);
      opts.log.debug("request", { id: requestId, op: route.name, key: target.key ?? "" });
      const result = await settleSoon(
        await route.handler({
          req,
          method: req.method,
          query,
          key: target.key ?? "",
          requestId,
          auth,
          services: opts.services,
          log: opts.log,
        }),
      );
      if (result.kind === "xml-later")
        result.body.catch((e) => {
          if (!isS3Error(e)) opts.log.error("internal error", { id: requestId, path: rawPath, error: (e as Error)?.stack ?? String(e) });
        });
      return respond(result, requestId, safeDecode(rawPath));
    } catch (e) {
      await drainBody(req);
      if (isS3Error(e)) {
        opts.log.debug("request failed", { id: requestId, code: e.code, path: rawPath });
        return respondError(e, safeDecode(rawPath), requestId, head);
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
