/**
 * GetObject and HeadObject: streamed from disk with Bun.file (sendfile),
 * never read whole into memory.
 */
import { checkConditions, conditionsFrom } from "../../s3/conditionals.ts";
import { parseRange } from "../../s3/range.ts";
import type { Handler } from "../context.ts";
import { objectHeaders, RESPONSE_OVERRIDES } from "../headers.ts";
import { headerValueOf } from "../query.ts";
import type { Result } from "../result.ts";

export const getObject: Handler = (ctx): Result => {
  const head = ctx.method === "HEAD";
  const { row, body: whole } = ctx.services.bucket.open(ctx.key);
  checkConditions(conditionsFrom(ctx.req.headers), { etag: row.etag, lastModifiedMs: row.mtimeMs }, "read");
  const range = parseRange(ctx.req.headers.get("range"), row.size);
  const wantChecksums = ctx.req.headers.get("x-amz-checksum-mode")?.toUpperCase() === "ENABLED" && range === null;
  const headers = objectHeaders(row, wantChecksums);
  for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
    const value = headerValueOf(ctx.query, param);
    if (value !== null) headers[header] = value;
  }
  if (range === null) {
    headers["Content-Length"] = String(row.size);
    return { kind: "file", status: 200, headers, file: whole, head };
  }
  headers["Content-Range"] = `bytes ${range.start}-${range.end}/${row.size}`;
  headers["Content-Length"] = String(range.end - range.start + 1);
  return { kind: "file", status: 206, headers, file: whole.slice(range.start, range.end + 1), head };
};
