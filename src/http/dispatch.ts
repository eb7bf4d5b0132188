/**
 * An authenticated request, from its target to its response: which bucket
 * and key, which operation, the handler, and the one place results become
 * responses. The app calls it after authentication; the handler tests call
 * it with in-memory services, so both exercise the same mapping.
 */
import type { Logger } from "../log.ts";
import { S3Error } from "../s3/errors.ts";
import { BUCKET } from "../s3/limits.ts";
import type { QueryParam } from "../s3/sigv4/canonical.ts";
import type { AuthResult } from "../s3/sigv4/index.ts";
import type { Services } from "./context.ts";
import { settleSoon } from "./keep-alive.ts";
import type { Listener } from "./location.ts";
import { requestQuery } from "./query.ts";
import { respond } from "./respond.ts";
import { findRoute, type Scope } from "./routes.ts";
import { parseTarget } from "./target.ts";

export interface Authenticated {
  req: Request;
  rawPath: string;
  /** The pairs authentication read: the query is decoded once per request. */
  params: readonly QueryParam[];
  requestId: string;
  auth: AuthResult;
  services: Services;
  listener: Listener;
  log: Logger;
  /** What an error document inside a keep-alive 200 names. */
  resource: string;
}

/** Throws S3Error for anything the client got wrong; the caller turns it into the error document. */
export async function dispatch(a: Authenticated): Promise<Response> {
  const { req, requestId, log } = a;
  const target = parseTarget(a.rawPath, req.headers.get("host"));
  const scope: Scope = target.bucket === null ? "service" : target.key === null ? "bucket" : "object";
  if (target.bucket !== null && target.bucket !== BUCKET) throw new S3Error("NoSuchBucket", undefined, { BucketName: target.bucket });
  const query = requestQuery(a.params);
  const route = findRoute(req.method, scope, query, req.headers);
  log.debug("request", { id: requestId, op: route.name, key: target.key ?? "" });
  const result = await settleSoon(
    await route.handler({ req, method: req.method, query, key: target.key ?? "", requestId, auth: a.auth, services: a.services, listener: a.listener, log }),
  );
  if (result.kind === "xml-later")
    result.body.catch((e) => {
      if (!(e instanceof S3Error)) log.error("internal error", { id: requestId, path: a.rawPath, error: (e as Error)?.stack ?? String(e) });
    });
  return respond(result, requestId, a.resource);
}
