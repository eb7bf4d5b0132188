/**
 * minio-js 8 with its defaults (signed SHA-256 payloads over plain HTTP,
 * region discovered with GetBucketLocation): fPutObject small and large
 * (minio-js goes multipart only above its 64 MiB part size, so "large" here
 * is 65 MiB; it first looks for an upload to resume with
 * ListMultipartUploads, and numbers its parts from 2), listObjectsV2,
 * fGetObject, presignedGetObject fetched with plain fetch, an `mc mirror`-
 * like size+ETag mirror twice, and removeObjects (DeleteObjects, quiet).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as Minio from "minio";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  DEBUG_ENV,
  expectedEtag,
  expectedSyncTree,
  filesUnder,
  identities,
  LARGE_KEY,
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
import { ACCESS_KEY, SECRET_KEY, startServer, type TestServer } from "../helpers/server.ts";

/** minio-js's default part size: 64 MiB, one PUT up to that. */
const MINIO_PARTS = { partSize: 64 * MiB, threshold: 64 * MiB + 1 };
const MINIO_LARGE_SIZE = 65 * MiB + 4_321;

let server: TestServer;
let fx: Fixture;
let mc: Minio.Client;

beforeAll(async () => {
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("minio", MINIO_LARGE_SIZE);
  mc = new Minio.Client({ endPoint: "127.0.0.1", port: server.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

const traced = <T>(fn: () => Promise<T>) => tracedOn(server, fn);

async function listAll(prefix = ""): Promise<{ name: string; size: number; etag: string }[]> {
  const out: { name: string; size: number; etag: string }[] = [];
  for await (const o of mc.listObjectsV2("music", prefix, true)) out.push({ name: o.name!, size: o.size, etag: `"${o.etag}"` });
  return out;
}

describe("minio-js", () => {
  test("fPutObject a small file: byte-equal on disk, MD5 ETag", async () => {
    const put = await mc.fPutObject("music", SMALL_KEY, fx.small);
    expect(`"${put.etag}"`).toBe(await expectedEtag(fx.small));
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
  }, 60_000);

  test("fPutObject a 65 MiB file: multipart in 64 MiB parts, byte-equal on disk", async () => {
    const { value: put, requests } = await traced(() => mc.fPutObject("music", LARGE_KEY, fx.large));
    expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 });
    expect(`"${put.etag}"`).toBe(await expectedEtag(fx.large, MINIO_PARTS));
    expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
  }, 120_000);

  test("listObjectsV2 lists both with sizes and ETags", async () => {
    expect(await listAll()).toEqual([
      { name: SMALL_KEY, size: SMALL_SIZE, etag: await expectedEtag(fx.small) },
      { name: LARGE_KEY, size: MINIO_LARGE_SIZE, etag: await expectedEtag(fx.large, MINIO_PARTS) },
    ]);
  }, 60_000);

  test("fGetObject the small file byte-equal", async () => {
    const path = join(fx.downloads, "small.flac");
    await mc.fGetObject("music", SMALL_KEY, path);
    expect(await md5File(path)).toBe(await md5File(fx.small));
  }, 60_000);

  test("fGetObject the large file byte-equal", async () => {
    const path = join(fx.downloads, "large.flac");
    await mc.fGetObject("music", LARGE_KEY, path);
    expect(await md5File(path)).toBe(await md5File(fx.large));
  }, 120_000);

  test("presignedGetObject, fetched with plain fetch: byte-equal", async () => {
    const url = await mc.presignedGetObject("music", SMALL_KEY, 600);
    expect(url).toContain("X-Amz-Signature=");
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(md5(new Uint8Array(await res.arrayBuffer()))).toBe(await md5File(fx.small));
  }, 60_000);

  test("presignedGetObject of the large file: byte-equal", async () => {
    const res = await fetch(await mc.presignedGetObject("music", LARGE_KEY, 600));
    expect(res.status).toBe(200);
    const h = new Bun.CryptoHasher("md5");
    for await (const chunk of res.body!) h.update(chunk);
    expect(h.digest("hex")).toBe(await md5File(fx.large));
  }, 120_000);

  test("mirror a folder twice (size + ETag, fPutObject): the second run uploads nothing", async () => {
    const mirror = async () => {
      const remote = new Map((await listAll("Sync/")).map((o) => [o.name, { size: o.size, etag: o.etag }]));
      const todo = await planSync(fx.syncDir, "Sync", remote, MINIO_PARTS);
      for (const rel of todo) await mc.fPutObject("music", `Sync/${rel}`, join(fx.syncDir, rel));
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

  test("removeObjects everything listed: the music folder is empty", async () => {
    const keys = (await listAll()).map((o) => o.name);
    expect(keys.length).toBeGreaterThan(0);
    const { value: errors, requests } = await traced(() => mc.removeObjects("music", keys));
    expect(errors).toEqual([]);
    expect(opCounts(requests), summarizeOps(requests)).toEqual({ DeleteObjects: 1 });
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(await listAll()).toEqual([]);
  }, 60_000);
});
