/**
 * Bun's built-in Bun.S3Client with its defaults: write() of bytes (one PUT)
 * and of a Bun.file (multipart in 5 MiB parts once it is over one part),
 * file().writer() (streaming multipart), file().text()/bytes()/stream(),
 * list(), presign() fetched with plain fetch, a size+ETag mirror twice,
 * and a recursive delete (list, then delete each: Bun has no batch delete).
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { md5Hex, MiB } from "../helpers/bytes.ts";
import { bunS3 } from "../helpers/clients.ts";
import { LARGE_KEY, LARGE_SIZE, md5File, planSync, SMALL_KEY } from "../helpers/clients/fixture.ts";
import { filesUnder } from "../helpers/clients/music-folder.ts";
import { opCounts, summarizeOps, traced } from "../helpers/clients/recorder.ts";
import { clientConformance, type Listed } from "./conformance.ts";

/** Bun's default partSize: 5 MiB. */
const BUN_PARTS = { partSize: 5 * MiB, threshold: 5 * MiB + 1 };
const WRITER_KEY = "Streams/Long Mix (writer, 東京).flac";
const TEXT_KEY = "text/Björk — Jóga (東京) #1.mp3";

let s3: Bun.S3Client;

async function listAll(prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await s3.list({ prefix, continuationToken: token });
    for (const c of page.contents ?? []) out.push({ key: c.key, size: c.size ?? -1, etag: c.eTag });
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  return out;
}

clientConformance(
  "Bun.S3Client",
  {
    setup(w) {
      s3 = bunS3(w.recorder);
    },
    async upload(_w, path, key) {
      expect(await s3.write(key, Bun.file(path))).toBe(Bun.file(path).size);
      return (await s3.file(key).stat()).etag;
    },
    list: (_w, prefix) => listAll(prefix),
    async download(_w, key, path) {
      // stream(): the large file never sits in memory whole.
      await Bun.write(path, new Response(s3.file(key).stream()));
    },
    async sync(_w, dir, prefix) {
      const remote = new Map((await listAll(`${prefix}/`)).map((o) => [o.key, { size: o.size, etag: o.etag ?? "" }]));
      const todo = await planSync(dir, prefix, remote, BUN_PARTS);
      for (const rel of todo) await s3.write(`${prefix}/${rel}`, Bun.file(join(dir, rel)));
      return todo.length;
    },
    async deleteAll(w, keys) {
      // Bun's delete() says nothing back: count the DeleteObject requests that went out.
      const { requests } = await traced(w.recorder, async () => {
        for (const key of keys) await s3.delete(key);
      });
      return requests.filter((q) => q.op === "DeleteObject").length;
    },
  },
  {
    parts: BUN_PARTS,
    words: { upload: "write a Bun.file:", large: "multipart in 5 MiB parts", list: "list()", download: "file().stream()", sync: "mirror (size + ETag, write(Bun.file))", delete: "delete everything listed" },
    smallUploadOps: { PutObject: 1, HeadObject: 1 },
    largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 },
    listsEtags: true,
    secondSyncOps: { ListObjectsV2: 1 },
    extra: {
      afterUploads(w) {
        test("write a string, read it back with file().text()", async () => {
          const text = "Björk — Jóga, 東京 ✓\n".repeat(50);
          await s3.write(TEXT_KEY, text);
          expect(await s3.file(TEXT_KEY).text()).toBe(text);
          expect(filesUnder(w.server.musicDir, "text")).toEqual({ [TEXT_KEY]: md5Hex(text) });
        }, 60_000);

        test("file().writer() streaming 17 MiB in 1 MiB writes: multipart, byte-equal on disk", async () => {
          const bytes = await Bun.file(w.fx.large).bytes();
          const { requests } = await traced(w.recorder, async () => {
            const writer = s3.file(WRITER_KEY).writer();
            for (let off = 0; off < bytes.length; off += MiB) await writer.write(bytes.subarray(off, off + MiB));
            await writer.end();
          });
          expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, CompleteMultipartUpload: 1 });
          expect(filesUnder(w.server.musicDir, "Streams")[WRITER_KEY]).toBe(await md5File(w.fx.large));
          expect(await listAll("Streams/")).toEqual([{ key: WRITER_KEY, size: LARGE_SIZE, etag: expect.stringMatching(/^"[0-9a-f]{32}-\d+"$/) as unknown as string }]);
        }, 120_000);
      },
      afterDownloads(w) {
        test("file().bytes() of the small file is byte-equal", async () => {
          expect(md5Hex(await s3.file(SMALL_KEY).bytes())).toBe(await md5File(w.fx.small));
        }, 60_000);

        test("presign() URL of the small file works with plain fetch", async () => {
          const small = await fetch(s3.presign(SMALL_KEY, { expiresIn: 600 }));
          expect(small.status).toBe(200);
          expect(md5Hex(new Uint8Array(await small.arrayBuffer()))).toBe(await md5File(w.fx.small));
        }, 60_000);

        test("presign() URL of the large file works with plain fetch", async () => {
          const large = await fetch(s3.presign(LARGE_KEY, { expiresIn: 600 }));
          expect(large.status).toBe(200);
          expect(md5Hex(new Uint8Array(await large.arrayBuffer()))).toBe(await md5File(w.fx.large));
        }, 120_000);
      },
    },
  },
);
