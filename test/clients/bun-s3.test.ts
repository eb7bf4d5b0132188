/**
 * Bun's built-in Bun.S3Client with its defaults: write() of bytes (one PUT)
 * and of a Bun.file (multipart in 5 MiB parts once it is over one part),
 * file().writer() (streaming multipart), file().text()/bytes()/stream(),
 * list(), presign() fetched with plain fetch, a size+ETag mirror twice,
 * and a recursive delete (list, then delete each: Bun has no batch delete).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  DEBUG_ENV,
  expectedEtag,
  expectedSyncTree,
  filesUnder,
  identities,
  LARGE_KEY,
  LARGE_SIZE,
  makeFixture,
  md5,
  md5File,
  MiB,
  musicLeft,
  workLeftovers,
  opCounts,
  planSync,
  SMALL_KEY,
  SMALL_SIZE,
  summarizeOps,
  SYNC_FILES,
  traced as tracedOn,
  type Fixture,
} from "../helpers/cli-clients.ts";
import { bunS3 } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

/** Bun's default partSize: 5 MiB. */
const BUN_PARTS = { partSize: 5 * MiB, threshold: 5 * MiB + 1 };
const WRITER_KEY = "Björk/Vespertine 東京/Long Mix (writer, 東京).flac";
const TEXT_KEY = "text/Björk — Jóga (東京) #1.mp3";

let server: TestServer;
let fx: Fixture;
let s3: Bun.S3Client;

beforeAll(async () => {
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("bun-s3");
  s3 = bunS3(server);
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

const traced = <T>(fn: () => Promise<T>) => tracedOn(server, fn);

async function listAll(prefix = ""): Promise<{ key: string; size: number | undefined; etag: string | undefined }[]> {
  const out: { key: string; size: number | undefined; etag: string | undefined }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.list({ prefix, continuationToken: token });
    for (const c of page.contents ?? []) out.push({ key: c.key, size: c.size, etag: c.eTag });
    token = page.isTruncated ? page.nextContinuationToken : undefined;
  } while (token);
  return out;
}

describe("Bun.S3Client", () => {
  test("write a small Bun.file: byte-equal on disk, MD5 ETag", async () => {
    const { value: written, requests } = await traced(() => s3.write(SMALL_KEY, Bun.file(fx.small)));
    expect(written).toBe(SMALL_SIZE);
    expect(opCounts(requests), summarizeOps(requests)).toEqual({ PutObject: 1 });
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
    expect((await s3.file(SMALL_KEY).stat()).etag).toBe(await expectedEtag(fx.small));
  }, 60_000);

  test("write a string, read it back with file().text()", async () => {
    const text = "Björk — Jóga, 東京 ✓\n".repeat(50);
    await s3.write(TEXT_KEY, text);
    expect(await s3.file(TEXT_KEY).text()).toBe(text);
    expect(filesUnder(server.musicDir, "text")).toEqual({ [TEXT_KEY]: md5(text) });
  }, 60_000);

  test("write a 17 MiB Bun.file: multipart in 5 MiB parts, byte-equal on disk", async () => {
    const { value: written, requests } = await traced(() => s3.write(LARGE_KEY, Bun.file(fx.large)));
    expect(written).toBe(LARGE_SIZE);
    expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
    expect((await s3.file(LARGE_KEY).stat()).etag).toBe(await expectedEtag(fx.large, BUN_PARTS));
  }, 120_000);

  test("file().writer() streaming 17 MiB in 1 MiB writes: multipart, byte-equal on disk", async () => {
    const bytes = await Bun.file(fx.large).bytes();
    const { requests } = await traced(async () => {
      const w = s3.file(WRITER_KEY).writer();
      for (let off = 0; off < bytes.length; off += MiB) await w.write(bytes.subarray(off, off + MiB));
      await w.end();
    });
    expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "Björk")[WRITER_KEY]).toBe(await md5File(fx.large));
  }, 120_000);

  test("list() shows everything with sizes and ETags", async () => {
    expect(await listAll("Björk/")).toEqual([
      { key: SMALL_KEY, size: SMALL_SIZE, etag: await expectedEtag(fx.small) },
      { key: LARGE_KEY, size: LARGE_SIZE, etag: await expectedEtag(fx.large, BUN_PARTS) },
      { key: WRITER_KEY, size: LARGE_SIZE, etag: expect.stringMatching(/^"[0-9a-f]{32}-\d+"$/) as unknown as string },
    ]);
  }, 60_000);

  test("file().bytes() of the small file is byte-equal", async () => {
    expect(md5(await s3.file(SMALL_KEY).bytes())).toBe(await md5File(fx.small));
  }, 60_000);

  test("file().stream() of the large file is byte-equal", async () => {
    const h = new Bun.CryptoHasher("md5");
    for await (const chunk of s3.file(LARGE_KEY).stream()) h.update(chunk);
    expect(h.digest("hex")).toBe(await md5File(fx.large));
  }, 120_000);

  test("presign() URL of the small file works with plain fetch", async () => {
    const small = await fetch(s3.presign(SMALL_KEY, { expiresIn: 600 }));
    expect(small.status).toBe(200);
    expect(md5(new Uint8Array(await small.arrayBuffer()))).toBe(await md5File(fx.small));
  }, 60_000);

  test("presign() URL of the large file works with plain fetch", async () => {
    const large = await fetch(s3.presign(LARGE_KEY, { expiresIn: 600 }));
    expect(large.status).toBe(200);
    expect(md5(new Uint8Array(await large.arrayBuffer()))).toBe(await md5File(fx.large));
  }, 120_000);

  test("mirror a folder twice (size + ETag, write(Bun.file)): the second run uploads nothing", async () => {
    const mirror = async () => {
      const remote = new Map((await listAll("Sync/")).map((o) => [o.key, { size: o.size ?? -1, etag: o.etag ?? "" }]));
      const todo = await planSync(fx.syncDir, "Sync", remote, BUN_PARTS);
      for (const rel of todo) await s3.write(`Sync/${rel}`, Bun.file(join(fx.syncDir, rel)));
      return todo;
    };
    expect(await mirror()).toEqual(Object.keys(SYNC_FILES).sort());
    expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));
    const before = identities(server.musicDir);
    const { value: second, requests } = await traced(mirror);
    expect(second).toEqual([]);
    expect(opCounts(requests), summarizeOps(requests)).toEqual({ ListObjectsV2: 1 });
    expect(identities(server.musicDir)).toEqual(before);
  }, 180_000);

  test("delete everything listed: the music folder is empty", async () => {
    const keys = (await listAll()).map((o) => o.key);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) await s3.delete(key);
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(await listAll()).toEqual([]);
  }, 60_000);
});
