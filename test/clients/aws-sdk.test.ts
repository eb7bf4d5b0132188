/**
 * @aws-sdk/client-s3 v3 and @aws-sdk/lib-storage with their defaults (new
 * default checksums: CRC32 in a header for buffers, in an aws-chunked
 * trailer for streams): PutObject with a buffer body and with a stream
 * body, lib-storage Upload (multipart in 5 MiB parts), paginated listing,
 * GetObject byte-equal, a size+ETag mirror twice, and DeleteObjects.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  DEBUG_ENV,
  expectedEtag,
  expectedSyncTree,
  filesUnder,
  identities,
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
import { sdkClient } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";

/** lib-storage's defaults: 5 MiB parts, one PutObject when the body fits in one part. */
const LIB_STORAGE = { partSize: 5 * MiB, threshold: 5 * MiB + 1 };
const STREAM_KEY = "Björk/Vespertine 東京/Long Mix (stream body).flac";
const UPLOAD_KEY = "Björk/Vespertine 東京/Long Mix (lib-storage).flac";

let server: TestServer;
let fx: Fixture;
let s3: S3Client;

beforeAll(async () => {
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("aws-sdk");
  s3 = sdkClient(server);
  s3.middlewareStack.add(
    (next) => async (args: any) => {
      const h: Record<string, string> = args.request.headers;
      sent.push({
        method: args.request.method,
        payload: h["x-amz-content-sha256"] ?? "",
        checksum: Object.keys(h).filter((k) => /^x-amz-(checksum-|trailer$)/.test(k)).map((k) => `${k}: ${h[k]}`),
      });
      return next(args);
    },
    { step: "deserialize", name: "recordPayloadMode" },
  );
});
afterAll(async () => {
  s3?.destroy();
  await server?.[Symbol.asyncDispose]();
  if (fx) rmSync(fx.dir, { recursive: true, force: true });
});

/** The payload mode (x-amz-content-sha256) and checksum headers of every request the SDK sent. */
const sent: { method: string; payload: string; checksum: string[] }[] = [];

const traced = <T>(fn: () => Promise<T>) => tracedOn(server, fn);

async function listAll(prefix = ""): Promise<{ Key: string; Size: number; ETag: string }[]> {
  const out: { Key: string; Size: number; ETag: string }[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "music", Prefix: prefix })) {
    for (const c of page.Contents ?? []) out.push({ Key: c.Key!, Size: c.Size!, ETag: c.ETag! });
  }
  return out;
}

const upload = (Key: string, path: string) =>
  new Upload({ client: s3, params: { Bucket: "music", Key, Body: createReadStream(path) } }).done();

describe("@aws-sdk/client-s3", () => {
  test("PutObject with a buffer body (signed SHA-256, CRC32 header): byte-equal on disk, MD5 ETag", async () => {
    const body = readFileSync(fx.small);
    sent.length = 0;
    const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: SMALL_KEY, Body: body }));
    expect(put.ETag).toBe(await expectedEtag(fx.small));
    expect(put.ChecksumCRC32).toBeTruthy();
    // Over plain HTTP the SDK signs the payload's SHA-256, plus its default CRC32 header.
    const sha256 = new Bun.CryptoHasher("sha256").update(body).digest("hex");
    expect(sent.map((r) => [r.payload, r.checksum.map((c) => c.split(":")[0])])).toEqual([[sha256, ["x-amz-checksum-crc32"]]]);
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
  }, 60_000);

  test("PutObject with a 17 MiB stream body (aws-chunked, CRC32 trailer): byte-equal on disk", async () => {
    sent.length = 0;
    const { value: put, requests } = await traced(() =>
      s3.send(new PutObjectCommand({ Bucket: "music", Key: STREAM_KEY, Body: createReadStream(fx.large), ContentLength: LARGE_SIZE })),
    );
    expect(opCounts(requests), summarizeOps(requests)).toEqual({ PutObject: 1 });
    expect(sent).toEqual([{ method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", checksum: ["x-amz-trailer: x-amz-checksum-crc32"] }]);
    expect(put.ETag).toBe(await expectedEtag(fx.large));
    expect(filesUnder(server.musicDir, "Björk")[STREAM_KEY]).toBe(await md5File(fx.large));
  }, 120_000);

  test("lib-storage Upload of a 17 MiB stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
    const { value: done, requests } = await traced(() => upload(UPLOAD_KEY, fx.large));
    expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    expect(done.ETag).toBe(await expectedEtag(fx.large, LIB_STORAGE));
    expect(filesUnder(server.musicDir, "Björk")[UPLOAD_KEY]).toBe(await md5File(fx.large));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "music", Key: UPLOAD_KEY }));
    expect([head.ContentLength, head.ETag]).toEqual([LARGE_SIZE, await expectedEtag(fx.large, LIB_STORAGE)]);
  }, 120_000);

  test("lib-storage Upload of a small file: one PutObject", async () => {
    const key = "lib-storage/Sigur Rós — Hoppípolla (東京).flac";
    const { value: done, requests } = await traced(() => upload(key, fx.small));
    expect(opCounts(requests), summarizeOps(requests)).toEqual({ PutObject: 1 });
    expect(done.ETag).toBe(await expectedEtag(fx.small));
    expect(filesUnder(server.musicDir, "lib-storage")).toEqual({ [key]: await md5File(fx.small) });
  }, 60_000);

  test("ListObjectsV2 (paginated) lists everything with sizes and ETags", async () => {
    expect(await listAll("Björk/")).toEqual([
      { Key: SMALL_KEY, Size: SMALL_SIZE, ETag: await expectedEtag(fx.small) },
      { Key: UPLOAD_KEY, Size: LARGE_SIZE, ETag: await expectedEtag(fx.large, LIB_STORAGE) },
      { Key: STREAM_KEY, Size: LARGE_SIZE, ETag: await expectedEtag(fx.large) },
    ].sort((a, b) => Buffer.compare(Buffer.from(a.Key), Buffer.from(b.Key))));
  }, 60_000);

  test("GetObject the small file byte-equal", async () => {
    const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: SMALL_KEY }));
    expect(md5(await get.Body!.transformToByteArray())).toBe(await md5File(fx.small));
  }, 60_000);

  for (const [label, Key] of [["stream-body", STREAM_KEY], ["lib-storage", UPLOAD_KEY]] as const) {
    test(`GetObject the ${label} large file byte-equal (streamed)`, async () => {
      const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key }));
      const h = new Bun.CryptoHasher("md5");
      for await (const chunk of get.Body as Readable) h.update(chunk as Uint8Array);
      expect(h.digest("hex")).toBe(await md5File(fx.large));
    }, 120_000);
  }

  test("mirror a folder twice (size + ETag, lib-storage Upload): the second run uploads nothing", async () => {
    const mirror = async () => {
      const remote = new Map((await listAll("Sync/")).map((o) => [o.Key, { size: o.Size, etag: o.ETag }]));
      const todo = await planSync(fx.syncDir, "Sync", remote, LIB_STORAGE);
      for (const rel of todo) await upload(`Sync/${rel}`, join(fx.syncDir, rel));
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

  test("DeleteObjects everything listed: the music folder is empty", async () => {
    const keys = (await listAll()).map((o) => o.Key);
    expect(keys.length).toBeGreaterThan(0);
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: "music", Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect({ deleted: del.Deleted?.map((d) => d.Key).sort(), errors: del.Errors ?? [] }).toEqual({ deleted: [...keys].sort(), errors: [] });
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(await listAll()).toEqual([]);
  }, 60_000);
});
