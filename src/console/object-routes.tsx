/**
 * The bucket through the console: streaming for the player, uploads
 * (whole or multipart), deletes, presigned links, and the Upload and Files
 * views. Every write goes through the store functions S3's handlers call,
 * with the same verified body stream: one write path, atomic and verified.
 */
import { Hono, type Context } from "hono";
import { z } from "zod";
import { MAX_PUT_SIZE, MAX_PART_SIZE } from "../s3/limits.ts";
import { isFolderKey, percentDecode, validateKey } from "../s3/keys.ts";
import { parseRange } from "../s3/range.ts";
import { presignGet } from "../s3/sigv4/presign.ts";
import { FreshChunks } from "../s3/spent-chunks.ts";
import { VerifiedBody } from "../s3/verified-body.ts";
import { AUDIO_EXTENSIONS, requireAudioKey } from "../store/audio-keys.ts";
import type { ConsoleEnv, ConsoleOptions } from "./env.ts";
import { FilesView, FILES_PER_PAGE } from "./pages/files.tsx";
import { Layout } from "./pages/layout.tsx";
import { UploadView } from "./pages/upload.tsx";
import { renderPage } from "./render.ts";
import { rawPathOf } from "../s3/raw-target.ts";
import { BASE } from "./routing.ts";

/** SPEC §9: "Copy link" is a presigned GET valid 7 days. */
export const LINK_SECONDS = 7 * 24 * 3600;

/** The key after a route's prefix, decoded and validated like an S3 key. */
function keyAfter(c: Context, prefix: string): string {
  const { rawPath: path } = rawPathOf(c.req.url);
  const key = percentDecode(path.slice(prefix.length));
  validateKey(key);
  return key;
}

function bodyOf(c: Context, maxBytes: number): VerifiedBody {
  const length = c.req.header("content-length");
  const source = c.req.raw.body ?? new ReadableStream<Uint8Array>({ start: (ctl) => ctl.close() });
  return new VerifiedBody(new FreshChunks(source), { maxBytes, expectedBytes: length === undefined ? undefined : Number(length) });
}

const prefixQuery = z.string().max(1024).catch("");
const completeBody = z.object({
  key: z.string().min(1),
  parts: z.array(z.object({ partNumber: z.number().int().min(1), etag: z.string().min(1) })).min(1),
});

export function objectRoutes(opts: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { bucket, multipart } = opts;

  app.get(`${BASE}/upload`, (c) => {
    const prefix = prefixQuery.parse(c.req.query("prefix") ?? "");
    return c.html(
      renderPage(
        <Layout title="Upload" view="Upload" csrf={c.get("session").csrf} scripts={["upload.js"]}>
          <UploadView prefix={prefix} extensions={[...AUDIO_EXTENSIONS]} />
        </Layout>,
      ),
    );
  });

  app.get(`${BASE}/files`, (c) => {
    const prefix = prefixQuery.parse(c.req.query("prefix") ?? "");
    const after = prefixQuery.parse(c.req.query("after") ?? "");
    const page = bucket.list({ prefix, delimiter: "/", maxKeys: FILES_PER_PAGE, after });
    return c.html(
      renderPage(
        <Layout title="Files" view="Files" csrf={c.get("session").csrf} scripts={["files.js"]}>
          <FilesView prefix={prefix} page={page} />
        </Layout>,
      ),
    );
  });

  // The player's source: the object's bytes with Range, as GetObject serves them.
  app.get(`${BASE}/api/stream/*`, (c) => {
    const { row, body } = bucket.open(keyAfter(c, `${BASE}/api/stream/`));
    const range = parseRange(c.req.header("range") ?? null, row.size);
    const headers: Record<string, string> = {
      "Accept-Ranges": "bytes",
      "Content-Type": row.contentType ?? "application/octet-stream",
      ETag: `"${row.etag}"`,
      "Cache-Control": "private, no-cache",
    };
    if (!range) return new Response(body, { headers });
    headers["Content-Range"] = `bytes ${range.start}-${range.end}/${row.size}`;
    return new Response(body.slice(range.start, range.end + 1), { status: 206, headers });
  });

  app.put(`${BASE}/api/objects/*`, async (c) => {
    const key = keyAfter(c, `${BASE}/api/objects/`);
    requireAudioKey(key);
    const row = await bucket.put(key, bodyOf(c, MAX_PUT_SIZE), { contentType: c.req.header("content-type") || null, meta: null, checksums: null });
    return c.json({ key: row.key, etag: row.etag, size: row.size });
  });

  app.delete(`${BASE}/api/objects/*`, (c) => {
    bucket.delete(keyAfter(c, `${BASE}/api/objects/`));
    return c.json({ deleted: 1 });
  });

  // A folder and everything under it, a listing page at a time.
  app.delete(`${BASE}/api/folders/*`, (c) => {
    const prefix = keyAfter(c, `${BASE}/api/folders/`);
    if (!isFolderKey(prefix)) return c.json({ error: "A folder name ends with '/'." }, 400);
    let deleted = 0;
    const failed: string[] = [];
    for (;;) {
      const page = bucket.list({ prefix, delimiter: "", maxKeys: 1000, after: "" });
      const keys = page.objects.map((o) => o.key);
      if (keys.length === 0) break;
      bucket.deleteMany(keys, (key, e) => {
        failed.push(key);
        opts.log.warn("console: could not delete", { key, error: String(e) });
      });
      deleted += keys.length - failed.length;
      if (failed.length > 0 || !page.isTruncated) break;
    }
    bucket.delete(prefix); // the folder itself, when it is an object of its own
    return failed.length ? c.json({ deleted, failed }, 500) : c.json({ deleted });
  });

  app.get(`${BASE}/api/link/*`, (c) => {
    const key = keyAfter(c, `${BASE}/api/link/`);
    bucket.head(key);
    const url = presignGet({ origin: new URL(c.req.url).origin, key, ...opts.credentials, expiresSeconds: LINK_SECONDS });
    return c.json({ url, expiresSeconds: LINK_SECONDS });
  });

  app.post(`${BASE}/api/multipart`, async (c) => {
    const { key } = z.object({ key: z.string().min(1) }).parse(await c.req.json());
    validateKey(key);
    requireAudioKey(key);
    const manifest = multipart.create(key, { contentType: null, meta: null, checksumAlgorithm: null, checksumType: null });
    return c.json({ uploadId: manifest.uploadId });
  });

  app.put(`${BASE}/api/multipart/:uploadId/:part`, async (c) => {
    const part = z.coerce.number().int().min(1).max(10_000).parse(c.req.param("part"));
    const key = z.string().min(1).parse(c.req.query("key"));
    const record = await multipart.uploadPart(c.req.param("uploadId"), key, part, bodyOf(c, MAX_PART_SIZE));
    return c.json({ partNumber: part, etag: record.etag });
  });

  app.post(`${BASE}/api/multipart/:uploadId/complete`, async (c) => {
    const { key, parts } = completeBody.parse(await c.req.json());
    const done = await multipart.complete(c.req.param("uploadId"), key, parts.map((p) => ({ ...p, checksums: {} })), null);
    return c.json({ key: done.key, etag: done.etag });
  });

  app.delete(`${BASE}/api/multipart/:uploadId`, async (c) => {
    await multipart.abort(c.req.param("uploadId"), z.string().min(1).parse(c.req.query("key")));
    return c.json({ aborted: true });
  });

  return app;
}
