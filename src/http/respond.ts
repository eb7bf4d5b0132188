/** The one place that writes status lines, headers and XML. */
import { errorXml, isS3Error, S3Error } from "../s3/errors.ts";
import { toXml } from "../s3/xml-writer.ts";
import { keepAliveStream } from "./keep-alive.ts";
import type { Result } from "./result.ts";

/** `resource` names the request in an error document sent inside a keep-alive 200. */
export function respond(result: Result, requestId: string, resource = ""): Response {
  const headers = new Headers(result.headers);
  headers.set("x-amz-request-id", requestId);
  headers.set("x-amz-id-2", requestId);
  headers.set("Server", "rockboxd-s3");
  switch (result.kind) {
    case "xml":
      headers.set("Content-Type", "application/xml");
      return new Response(toXml(result.root, result.body), { status: result.status ?? 200, headers });
    case "empty":
      if (!headers.has("Content-Length") && result.status !== 204 && result.status !== 304)
        headers.set("Content-Length", "0");
      return new Response(null, { status: result.status, headers });
    case "file":
      return new Response(result.head ? null : result.file, { status: result.status, headers });
    case "xml-later": {
      headers.set("Content-Type", "application/xml");
      const document = result.body.then(
        (body) => toXml(result.root, body),
        (e) => errorXml(isS3Error(e) ? e : new S3Error("InternalError"), resource, requestId),
      );
      return new Response(keepAliveStream(document), { status: 200, headers });
    }
  }
}

export function respondError(err: S3Error, resource: string, requestId: string, head: boolean): Response {
  const headers = new Headers({ "x-amz-request-id": requestId, "x-amz-id-2": requestId, Server: "rockboxd-s3" });
  if (err.status === 304) return new Response(null, { status: 304, headers });
  if (head) return new Response(null, { status: err.status, headers });
  headers.set("Content-Type", "application/xml");
  return new Response(errorXml(err, resource, requestId), { status: err.status, headers });
}
