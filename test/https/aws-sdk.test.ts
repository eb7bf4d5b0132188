/**
 * @aws-sdk/client-s3 v3 and @aws-sdk/lib-storage over HTTPS against the
 * built executable, trusting a test CA through an https.Agent (what a Node
 * user passes as `requestHandler: { httpsAgent }`), otherwise with their
 * defaults. Over TLS as over plain HTTP the SDK's default CRC32 goes in a
 * header for buffer bodies (lib-storage parts too) and in an aws-chunked
 * trailer for streams of known length; the tests record which was sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { compositeCrc32, crc32Base64 } from "../helpers/checksums.ts";
import { MiB } from "../helpers/bytes.ts";
import { expectedEtag, LARGE_SIZE, md5File, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { opCounts, summarizeOps, traced as tracedOn } from "../helpers/clients/recorder.ts";
import { sdkClient } from "../helpers/clients.ts";
import { trustingAgent } from "../helpers/test-ca.ts";
import { recordSdkRequests, type SentBySdk } from "../helpers/clients/sdk-sent.ts";
import { httpsSuite } from "./suite.ts";

/** lib-storage's defaults: 5 MiB parts. */
const LIB_STORAGE = { partSize: 5 * MiB, threshold: 5 * MiB + 1 };
const SMALL = "aws-sdk/Ólafur Arnalds/01 Saman (東京).flac";
const LARGE = "aws-sdk/Ólafur Arnalds/Long Mix (lib-storage).flac";
const STREAMED = "aws-sdk/Ólafur Arnalds/Long Mix (stream body).flac";

const t = httpsSuite("aws-sdk");
let s3: S3Client;
/** The payload mode (x-amz-content-sha256) and checksum headers of every request the SDK sent. */
const sent: SentBySdk[] = [];

beforeAll(() => {
  s3 = sdkClient(t.recorder, { requestHandler: { httpsAgent: trustingAgent(t.ca) } });
  recordSdkRequests(s3, sent);
});
afterAll(() => s3?.destroy());

const traced = <T>(fn: () => Promise<T>) => tracedOn(t.recorder, fn);
const puts = () => sent.filter((r) => r.method === "PUT").map((r) => [r.payload, r.checksum.map((c) => c.split(":")[0]).sort()]);
const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
const head = (Key: string) => s3.send(new HeadObjectCommand({ Bucket: "music", Key, ChecksumMode: "ENABLED" }));

describe("@aws-sdk/client-s3 over HTTPS", () => {
  test("refuses the server without the CA", async () => {
    const untrusting = sdkClient(t.recorder, { maxAttempts: 1 });
    try {
      const err = await untrusting.send(new ListObjectsV2Command({ Bucket: "music" })).then(() => null, (e: Error) => e.message);
      expect(err).toMatch(/certificate/);
    } finally {
      untrusting.destroy();
    }
  }, 30_000);

  test("PutObject a small buffer: CRC32 header, byte-equal on disk, MD5 ETag", async () => {
    sent.length = 0;
    const body = readFileSync(t.fx.small);
    const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: SMALL, Body: body }));
    // A buffer body: the SDK signs its SHA-256 and sends the CRC32 as a header, over TLS too.
    expect(puts()).toEqual([[sha256(body), ["x-amz-checksum-crc32"]]]);
    expect(put.ETag).toBe(await expectedEtag(t.fx.small));
    expect(filesUnder(t.server.musicDir, "aws-sdk")).toEqual({ [SMALL]: await md5File(t.fx.small) });
    expect((await head(SMALL)).ChecksumCRC32).toBe(crc32Base64(body));
  }, 60_000);

  test("lib-storage Upload of a 17 MiB stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
    sent.length = 0;
    const { value: done, requests } = await traced(() =>
      new Upload({ client: s3, params: { Bucket: "music", Key: LARGE, Body: createReadStream(t.fx.large) } }).done(),
    );
    expect(opCounts(requests), summarizeOps(requests)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    const etag = await expectedEtag(t.fx.large, LIB_STORAGE);
    expect(done.ETag).toBe(etag);
    expect(filesUnder(t.server.musicDir, "aws-sdk")[LARGE]).toBe(await md5File(t.fx.large));
    const h = await head(LARGE);
    expect([h.ContentLength, h.ETag]).toEqual([LARGE_SIZE, etag]);
    // lib-storage hands each part over as a buffer: signed SHA-256 and a CRC32 header per
    // part, and the object gets the COMPOSITE checksum of the parts.
    const bytes = await Bun.file(t.fx.large).bytes();
    const parts = [0, 1, 2, 3].map((i) => bytes.subarray(i * LIB_STORAGE.partSize, (i + 1) * LIB_STORAGE.partSize));
    expect(puts()).toEqual(parts.map((p) => [sha256(p), ["x-amz-checksum-crc32"]]));
    expect(h.ChecksumCRC32).toBe(compositeCrc32(bytes, LIB_STORAGE.partSize));
  }, 120_000);

  test("PutObject a 17 MiB stream body: one aws-chunked PUT with a CRC32 trailer, byte-equal on disk", async () => {
    sent.length = 0;
    const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: STREAMED, Body: createReadStream(t.fx.large), ContentLength: LARGE_SIZE }));
    expect(puts()).toEqual([["STREAMING-UNSIGNED-PAYLOAD-TRAILER", ["x-amz-trailer"]]]);
    expect(put.ETag).toBe(await expectedEtag(t.fx.large));
    expect(filesUnder(t.server.musicDir, "aws-sdk")[STREAMED]).toBe(await md5File(t.fx.large));
    expect((await head(STREAMED)).ChecksumCRC32).toBe(crc32Base64(await Bun.file(t.fx.large).bytes()));
  }, 120_000);

  test("ListObjectsV2 lists all three with sizes and ETags", async () => {
    const list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "aws-sdk/" }));
    expect(list.Contents?.map((c) => [c.Key, c.Size, c.ETag])).toEqual([
      [SMALL, SMALL_SIZE, await expectedEtag(t.fx.small)],
      [LARGE, LARGE_SIZE, await expectedEtag(t.fx.large, LIB_STORAGE)],
      [STREAMED, LARGE_SIZE, await expectedEtag(t.fx.large)],
    ]);
  }, 60_000);

  test("GetObject all three byte-equal (streamed)", async () => {
    for (const [Key, src] of [[SMALL, t.fx.small], [LARGE, t.fx.large], [STREAMED, t.fx.large]] as const) {
      const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key }));
      const h = new Bun.CryptoHasher("md5");
      for await (const chunk of get.Body as Readable) h.update(chunk as Uint8Array);
      expect(h.digest("hex")).toBe(await md5File(src));
    }
  }, 120_000);

  test("DeleteObjects all three: the music folder is empty", async () => {
    const keys = [SMALL, LARGE, STREAMED];
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: "music", Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect({ deleted: del.Deleted?.map((d) => d.Key).sort(), errors: del.Errors ?? [] }).toEqual({ deleted: keys.sort(), errors: [] });
    expect(musicLeft(t.server.musicDir)).toEqual([]);
    expect(workLeftovers(t.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
  }, 60_000);
});
