/**
 * @aws-sdk/client-s3 v3 and @aws-sdk/lib-storage with their defaults (new
 * default checksums: CRC32 in a header for buffers, in an aws-chunked
 * trailer for streams): PutObject with a buffer body and with a stream
 * body, lib-storage Upload (multipart in 5 MiB parts), paginated listing,
 * GetObject byte-equal, a size+ETag mirror twice, and DeleteObjects.
 */
import { expect, test } from "bun:test";
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, paginateListObjectsV2, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createReadStream, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { md5Hex, MiB } from "../helpers/bytes.ts";
import { sdkClient } from "../helpers/clients.ts";
import { expectedEtag, LARGE_SIZE, md5File, planSync, SMALL_KEY, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder } from "../helpers/clients/music-folder.ts";
import { opCounts, summarizeOps, traced } from "../helpers/clients/recorder.ts";
import { clientConformance, type Listed } from "./conformance.ts";
import { recordSdkRequests, type SentBySdk } from "../helpers/clients/sdk-sent.ts";

/** lib-storage's defaults: 5 MiB parts, one PutObject when the body fits in one part. */
const LIB_STORAGE = { partSize: 5 * MiB, threshold: 5 * MiB + 1 };
const STREAM_KEY = "Streams/Long Mix (stream body, 東京).flac";
const SMALL_UPLOAD_KEY = "lib-storage/Sigur Rós — Hoppípolla (東京).flac";

let s3: S3Client;
/** The payload mode (x-amz-content-sha256) and checksum headers of every request the SDK sent. */
const sent: SentBySdk[] = [];

async function listAll(prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "music", Prefix: prefix })) {
    for (const c of page.Contents ?? []) out.push({ key: c.Key!, size: c.Size!, etag: c.ETag! });
  }
  return out;
}

const upload = async (Key: string, path: string) => (await new Upload({ client: s3, params: { Bucket: "music", Key, Body: createReadStream(path) } }).done()).ETag;

clientConformance(
  "@aws-sdk/client-s3",
  {
    setup(w) {
      s3 = sdkClient(w.recorder);
      recordSdkRequests(s3, sent);
    },
    teardown: () => s3?.destroy(),
    upload: (_w, path, key) => upload(key, path),
    list: (_w, prefix) => listAll(prefix),
    async download(_w, key, path) {
      const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: key }));
      await Bun.write(path, new Response(get.Body!.transformToWebStream()));
    },
    async sync(w, dir, prefix) {
      const remote = new Map((await listAll(`${prefix}/`)).map((o) => [o.key, { size: o.size, etag: o.etag! }]));
      const todo = await planSync(dir, prefix, remote, LIB_STORAGE);
      for (const rel of todo) await upload(`${prefix}/${rel}`, join(dir, rel));
      return todo.length;
    },
    async deleteAll(_w, keys) {
      const del = await s3.send(new DeleteObjectsCommand({ Bucket: "music", Delete: { Objects: keys.map((Key) => ({ Key })) } }));
      expect(del.Errors ?? []).toEqual([]);
      return (del.Deleted ?? []).map((d) => d.Key!);
    },
  },
  {
    parts: LIB_STORAGE,
    words: { upload: "lib-storage Upload of", large: "multipart in 5 MiB parts", list: "ListObjectsV2 (paginated)", download: "GetObject", sync: "mirror (size + ETag, lib-storage Upload)", delete: "DeleteObjects everything listed" },
    largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 },
    smallUploadOps: { PutObject: 1 },
    listsEtags: true,
    secondSyncOps: { ListObjectsV2: 1 },
    deleteOps: { DeleteObjects: 1 },
    extra: {
      afterUploads(w) {
        test("PutObject with a buffer body (signed SHA-256, CRC32 header): byte-equal on disk, MD5 ETag", async () => {
          const key = "PutObject/Björk — Jóga (buffer, 東京).flac";
          const body = readFileSync(w.fx.small);
          sent.length = 0;
          const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: key, Body: body }));
          expect(put.ETag).toBe(await expectedEtag(w.fx.small));
          expect(put.ChecksumCRC32).toBeTruthy();
          // Over plain HTTP the SDK signs the payload's SHA-256, plus its default CRC32 header.
          const sha256 = new Bun.CryptoHasher("sha256").update(body).digest("hex");
          expect(sent.map((r) => [r.payload, r.checksum.map((c) => c.split(":")[0])])).toEqual([[sha256, ["x-amz-checksum-crc32"]]]);
          expect(filesUnder(w.server.musicDir, "PutObject")).toEqual({ [key]: await md5File(w.fx.small) });
        }, 60_000);

        test("PutObject with a 17 MiB stream body (aws-chunked, CRC32 trailer): byte-equal on disk", async () => {
          sent.length = 0;
          const { value: put, requests } = await traced(w.recorder, () =>
            s3.send(new PutObjectCommand({ Bucket: "music", Key: STREAM_KEY, Body: createReadStream(w.fx.large), ContentLength: LARGE_SIZE })),
          );
          expect(opCounts(requests), summarizeOps(requests)).toEqual({ PutObject: 1 });
          expect(sent).toEqual([{ method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", checksum: ["x-amz-trailer: x-amz-checksum-crc32"] }]);
          expect(put.ETag).toBe(await expectedEtag(w.fx.large));
          expect(filesUnder(w.server.musicDir, "Streams")[STREAM_KEY]).toBe(await md5File(w.fx.large));
          expect(await listAll("Streams/")).toEqual([{ key: STREAM_KEY, size: LARGE_SIZE, etag: await expectedEtag(w.fx.large) }]);
        }, 120_000);

        test("lib-storage Upload of a small file elsewhere: one PutObject; HEAD agrees on size and ETag", async () => {
          const { value: etag, requests } = await traced(w.recorder, () => upload(SMALL_UPLOAD_KEY, w.fx.small));
          expect(opCounts(requests), summarizeOps(requests)).toEqual({ PutObject: 1 });
          expect(etag).toBe(await expectedEtag(w.fx.small));
          expect(filesUnder(w.server.musicDir, "lib-storage")).toEqual({ [SMALL_UPLOAD_KEY]: await md5File(w.fx.small) });
          const head = await s3.send(new HeadObjectCommand({ Bucket: "music", Key: SMALL_UPLOAD_KEY }));
          expect([head.ContentLength, head.ETag]).toEqual([SMALL_SIZE, await expectedEtag(w.fx.small)]);
        }, 60_000);
      },
      afterDownloads(w) {
        test("GetObject the stream-body large file byte-equal (streamed)", async () => {
          const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: STREAM_KEY }));
          const h = new Bun.CryptoHasher("md5");
          for await (const chunk of get.Body as Readable) h.update(chunk as Uint8Array);
          expect(h.digest("hex")).toBe(await md5File(w.fx.large));
        }, 120_000);

        test("GetObject transformToByteArray of the small file byte-equal", async () => {
          const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: SMALL_KEY }));
          expect(md5Hex(await get.Body!.transformToByteArray())).toBe(await md5File(w.fx.small));
        }, 60_000);
      },
    },
  },
);
