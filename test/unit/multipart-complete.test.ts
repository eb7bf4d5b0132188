/**
 * CompleteMultipartUpload in-process, on a temp music folder wired the way
 * src/main.ts wires it (object index, index sync, bucket, multipart): parts
 * assembled in order into the file, the S3 multipart ETag, a retried
 * Complete answered the same, and InvalidPart / InvalidPartOrder /
 * EntityTooSmall refused before anything is written.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { MIN_PART_SIZE } from "../../src/s3/limits.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { Bucket } from "../../src/store/bucket.ts";
import { IndexSync } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { type ListedPart, Multipart } from "../../src/store/multipart/multipart.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { bytes, md5Hex } from "../helpers/bytes.ts";
import { tempDir } from "../helpers/server.ts";

const KEY = "Björk/Vespertine/Long Mix (Side A+B).flac";
const NO_FIELDS = { contentType: null, meta: null, checksumAlgorithm: null, checksumType: null };

let root: string;
let index: ObjectIndex;
let multipart: Multipart;

beforeEach(() => {
  root = tempDir("rbs3-multipart");
  const musicDir = join(root, "Music");
  index = new ObjectIndex(openDatabase(join(root, "index.db")));
  const layout = new Layout(musicDir);
  const dir = new MusicDir({ root: musicDir, log: silentLogger });
  const sync = new IndexSync(index, layout, dir);
  multipart = new Multipart(new Bucket(layout, index, sync, dir), layout);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const body = (b: Uint8Array) => new VerifiedBody((async function* () {
  yield b;
})(), { maxBytes: MIN_PART_SIZE * 2, expectedBytes: b.length });

/** Uploads `parts` (part number → bytes); returns the upload id and the parts as Complete lists them. */
async function upload(parts: Record<number, Uint8Array>): Promise<{ uploadId: string; listed: ListedPart[] }> {
  const { uploadId } = multipart.create(KEY, NO_FIELDS);
  const listed: ListedPart[] = [];
  for (const [n, b] of Object.entries(parts)) {
    const rec = await multipart.uploadPart(uploadId, KEY, Number(n), body(b));
    listed.push({ partNumber: rec.partNumber, etag: rec.etag, checksums: {} });
  }
  return { uploadId, listed };
}

/** Fails with this S3 error code. */
const expectS3Error = (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ name: "S3Error", code });

/** The S3 multipart ETag (unquoted, as the store keeps it): MD5 of the parts' MD5s, then the count. */
const multipartEtag = (parts: Uint8Array[]) =>
  `${md5Hex(Buffer.concat(parts.map((p) => new Bun.CryptoHasher("md5").update(p).digest())))}-${parts.length}`;

describe("Multipart.complete", () => {
  const p1 = bytes(MIN_PART_SIZE, 1);
  const p2 = bytes(MIN_PART_SIZE + 17, 2);
  const last = bytes(1_000, 3);

  test("assembles the parts in order into the file, with the multipart ETag, and indexes it", async () => {
    const { uploadId, listed } = await upload({ 1: p1, 3: p2, 7: last });
    const done = await multipart.complete(uploadId, KEY, listed, null);
    expect(done.etag).toBe(multipartEtag([p1, p2, last]));
    expect(md5Hex(readFileSync(join(root, "Music", KEY)))).toBe(md5Hex(Buffer.concat([p1, p2, last])));
    expect(index.get(KEY)).toMatchObject({ key: KEY, size: p1.length + p2.length + last.length, etag: done.etag, etagProvisional: false });
  });

  test("a retried Complete with the same parts gets the same answer; the upload is gone otherwise", async () => {
    const { uploadId, listed } = await upload({ 1: p1, 2: last });
    const first = await multipart.complete(uploadId, KEY, listed, null);
    expect(await multipart.complete(uploadId, KEY, listed, null)).toEqual(first);
    await expectS3Error(multipart.complete(uploadId, KEY, [listed[0]!], null), "NoSuchUpload");
    await expectS3Error(multipart.abort(uploadId, KEY), "NoSuchUpload");
  });

  test("InvalidPart: a part never uploaded, or an ETag that is not the part's", async () => {
    const { uploadId, listed } = await upload({ 1: p1, 2: last });
    await expectS3Error(multipart.complete(uploadId, KEY, [listed[0]!, { partNumber: 3, etag: listed[1]!.etag, checksums: {} }], null), "InvalidPart");
    await expectS3Error(multipart.complete(uploadId, KEY, [listed[0]!, { ...listed[1]!, etag: md5Hex("other") }], null), "InvalidPart");
    expect(existsSync(join(root, "Music", KEY))).toBe(false);
  });

  test("InvalidPartOrder: parts not in ascending order", async () => {
    const { uploadId, listed } = await upload({ 1: p1, 2: p2, 3: last });
    await expectS3Error(multipart.complete(uploadId, KEY, [listed[1]!, listed[0]!, listed[2]!], null), "InvalidPartOrder");
    await expectS3Error(multipart.complete(uploadId, KEY, [listed[0]!, listed[0]!, listed[2]!], null), "InvalidPartOrder");
    // Still completable with the right list.
    expect((await multipart.complete(uploadId, KEY, listed, null)).etag).toBe(multipartEtag([p1, p2, last]));
  });

  test("EntityTooSmall: a part under 5 MiB that is not the last", async () => {
    const { uploadId, listed } = await upload({ 1: last, 2: p1 });
    await expectS3Error(multipart.complete(uploadId, KEY, listed, null), "EntityTooSmall");
    expect(existsSync(join(root, "Music", KEY))).toBe(false);
  });
});
