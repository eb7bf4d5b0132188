/**
 * Parts written at their final offsets in the upload's data file
 * (src/store/multipart/slots.ts), in-process on a temp music folder wired as
 * src/main.ts wires it. A Complete of 1..n in their slots moves no byte: the
 * hook reports every byte in place and the object is the data file itself
 * (same inode). Anything else — a re-upload, a gap, a part of unknown
 * length, a last part that arrived first — still gives the right bytes.
 * On a filesystem without holes (by statfs) no part is slotted.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, utimesSync } from "node:fs";
import { dirname, join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { ABANDONED_UPLOAD_MS, MIN_PART_SIZE } from "../../src/s3/limits.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { Bucket } from "../../src/store/bucket.ts";
import { IndexSync } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { type ListedPart, Multipart, type NewUpload } from "../../src/store/multipart/multipart.ts";
import { DATA_FILE } from "../../src/store/multipart/upload-dir.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { bytes, md5Hex } from "../helpers/bytes.ts";
import { tempDir } from "../helpers/server.ts";

const KEY = "Low/Double Negative/Quorum.flac";
const NO_FIELDS: NewUpload = { contentType: null, meta: null, checksumAlgorithm: null, checksumType: null };
const S = MIN_PART_SIZE;

let root: string;
let musicDir: string;
let layout: Layout;
let multipart: Multipart;
let assembled: { size: number; kernelBytes: number; inPlaceBytes: number }[];

beforeEach(() => {
  root = tempDir("rbs3-slots");
  musicDir = join(root, "Music");
  const index = new ObjectIndex(openDatabase(join(root, "index.db")));
  layout = new Layout(musicDir);
  const dir = new MusicDir({ root: musicDir, log: silentLogger });
  multipart = new Multipart(new Bucket(layout, index, new IndexSync(index, layout, dir), dir), layout);
  assembled = [];
  multipart.onAssembled = (_key, size, kernelBytes, inPlaceBytes) => assembled.push({ size, kernelBytes, inPlaceBytes });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A body in 1 MiB pieces; `declared` false sends no length (chunked without a decoded length). */
function body(b: Uint8Array, opts: { declared?: boolean; gate?: Promise<void>; declaredAs?: number } = {}): VerifiedBody {
  const pieces = async function* () {
    for (let at = 0; at < b.length || at === 0; at += 1024 ** 2) {
      if (at > 0 && opts.gate) await opts.gate;
      yield b.subarray(at, at + 1024 ** 2);
      if (b.length === 0) return;
    }
  };
  const expectedBytes = opts.declared === false ? undefined : (opts.declaredAs ?? b.length);
  return new VerifiedBody(pieces(), { maxBytes: 2 * S, expectedBytes });
}

const uploadDir = (uploadId: string) => join(layout.multipartDir, uploadId);
const dataFile = (uploadId: string) => join(uploadDir(uploadId), DATA_FILE);
const ownFiles = (uploadId: string) => readdirSync(uploadDir(uploadId)).filter((n) => n.endsWith(".bin"));
const object = () => readFileSync(join(musicDir, KEY));

async function put(uploadId: string, n: number, b: Uint8Array, opts: Parameters<typeof body>[1] = {}): Promise<ListedPart> {
  const rec = await multipart.uploadPart(uploadId, KEY, n, body(b, opts));
  return { partNumber: rec.partNumber, etag: rec.etag, checksums: {} };
}

const p1 = bytes(S, 1);
const p2 = bytes(S, 2);
const p3 = bytes(S, 3);
const last = bytes(1_000, 4);

describe("parts in their slots", () => {
  test("Complete of 1..n moves no byte: the data file becomes the object", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, p2), await put(uploadId, 3, last)];
    expect(ownFiles(uploadId)).toEqual([]);
    const ino = statSync(dataFile(uploadId)).ino;
    await multipart.complete(uploadId, KEY, listed, null);
    const size = 2 * S + last.length;
    expect(assembled).toEqual([{ size, kernelBytes: 0, inPlaceBytes: size }]);
    expect(statSync(join(musicDir, KEY)).ino).toBe(ino);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2, last])));
    expect(existsSync(uploadDir(uploadId))).toBe(false);
  });

  test("parallel parts arriving out of order write disjoint slots", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const gates = [0, 1, 2].map(() => Promise.withResolvers<void>());
    const order = [2, 3, 1];
    const started = order.map((n) => multipart.uploadPart(uploadId, KEY, n, body([p1, p2, last][n - 1]!, { gate: gates[n - 1]!.promise })));
    // Each has written its first piece; they finish in yet another order.
    for (const n of [3, 1, 2]) gates[n - 1]!.resolve();
    const records = await Promise.all(started);
    const listed = [1, 2, 3].map((n) => records.find((r) => r.partNumber === n)!).map((r) => ({ partNumber: r.partNumber, etag: r.etag, checksums: {} }));
    expect(ownFiles(uploadId)).toEqual([]);
    await multipart.complete(uploadId, KEY, listed, null);
    expect(assembled[0]).toMatchObject({ kernelBytes: 0, inPlaceBytes: 2 * S + last.length });
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2, last])));
  });

  test("a re-uploaded part goes to its own file and its bytes win; only it is copied", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    await put(uploadId, 1, p1);
    const again = await put(uploadId, 1, p3);
    const listed = [again, await put(uploadId, 2, last)];
    expect(ownFiles(uploadId)).toHaveLength(1);
    expect(multipart.listParts(uploadId, KEY, 0, 10).parts.map((p) => p.etag)).toEqual([md5Hex(p3), md5Hex(last)]);
    await multipart.complete(uploadId, KEY, listed, null);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p3, last])));
    expect(assembled[0]).toEqual({ size: S + last.length, kernelBytes: S, inPlaceBytes: last.length });
  });

  test("a single part that is also the last, and a small last part that arrived first", async () => {
    const single = multipart.create(KEY, NO_FIELDS).uploadId;
    await multipart.complete(single, KEY, [await put(single, 1, last)], null);
    expect(assembled[0]).toEqual({ size: last.length, kernelBytes: 0, inPlaceBytes: last.length });
    expect(md5Hex(object())).toBe(md5Hex(last));

    // The small part 3 cannot fix the slot size (every other part would overflow it): it waits in its own file.
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const l3 = await put(uploadId, 3, last);
    expect(existsSync(dataFile(uploadId))).toBe(false);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, p2), l3];
    await multipart.complete(uploadId, KEY, listed, null);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2, last])));
    expect(assembled[1]).toEqual({ size: 2 * S + last.length, kernelBytes: last.length, inPlaceBytes: 2 * S });
  });

  test("a subset or gapped list is assembled by copying the listed slots", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, p2), await put(uploadId, 3, p3), await put(uploadId, 5, last)];
    await multipart.complete(uploadId, KEY, [listed[0]!, listed[2]!, listed[3]!], null);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p3, last])));
    expect(assembled[0]).toMatchObject({ size: 2 * S + last.length, inPlaceBytes: 0 });
  });

  test("a leading subset is assembled by copy too: parts beyond it stay intact for a later Complete", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, p2), await put(uploadId, 3, last)];
    // A full-object checksum that does not match: BadDigest, and nothing may have been cut off.
    await expect(multipart.complete(uploadId, KEY, listed, { algorithm: "CRC32", value: checksumBase64("CRC32", p1) })).rejects.toMatchObject({ code: "BadDigest" });
    await multipart.complete(uploadId, KEY, listed.slice(0, 2), null);
    expect(assembled.at(-1)).toMatchObject({ inPlaceBytes: 0 });
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2])));
  });

  test("a full-object checksum is computed over the data file in place, and a mismatch leaves the upload whole", async () => {
    const { uploadId } = multipart.create(KEY, { ...NO_FIELDS, checksumAlgorithm: "CRC32", checksumType: "FULL_OBJECT" });
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, last)];
    const whole = Buffer.concat([p1, last]);
    await expect(multipart.complete(uploadId, KEY, listed, { algorithm: "SHA256", value: checksumBase64("SHA256", p1) })).rejects.toMatchObject({ code: "BadDigest" });
    expect(existsSync(join(musicDir, KEY))).toBe(false);
    const done = await multipart.complete(uploadId, KEY, listed, { algorithm: "SHA256", value: checksumBase64("SHA256", whole) });
    expect(done.checksums).toEqual({ CRC32: checksumBase64("CRC32", whole) });
    expect(assembled.at(-1)).toEqual({ size: whole.length, kernelBytes: 0, inPlaceBytes: whole.length });
    expect(md5Hex(object())).toBe(md5Hex(whole));
  });
});

describe("parts kept apart", () => {
  test("a length unknown up front (chunked without a decoded length) goes to its own file, as before", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const listed = [await put(uploadId, 1, p1, { declared: false }), await put(uploadId, 2, last, { declared: false })];
    expect(existsSync(dataFile(uploadId))).toBe(false);
    expect(ownFiles(uploadId)).toHaveLength(2);
    await multipart.complete(uploadId, KEY, listed, null);
    expect(assembled[0]).toMatchObject({ kernelBytes: S + last.length, inPlaceBytes: 0 });
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, last])));
  });

  test("a part larger than S goes to its own file", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const big = bytes(S + 5, 9);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, big)];
    expect(ownFiles(uploadId)).toHaveLength(1);
    await multipart.complete(uploadId, KEY, listed, null);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, big])));
  });

  test("a body longer than it declared fails without touching the next slot", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const l1 = await put(uploadId, 1, p1);
    const l3 = await put(uploadId, 3, last);
    const tooLong = bytes(2 * S, 7);
    await expect(multipart.uploadPart(uploadId, KEY, 2, body(tooLong, { declaredAs: S }))).rejects.toMatchObject({ code: "IncompleteBody" });
    // The failed part released its slot: the retry takes it.
    const l2 = await put(uploadId, 2, p2);
    await multipart.complete(uploadId, KEY, [l1, l2, l3], null);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2, last])));
    expect(assembled[0]).toMatchObject({ inPlaceBytes: 2 * S + last.length });
  });
});

describe("on a filesystem without holes (exFAT, FAT, NTFS, FUSE)", () => {
  test("every part goes to its own file, Complete copies them in the kernel; one statfs for the staging folder", async () => {
    const asked: string[] = [];
    multipart.filesystemType = (dir) => (asked.push(dir), 0x2011bab0); // EXFAT_SUPER_MAGIC
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    // Part 2 first: in a slot it would have been written at offset S, after S bytes of zeros.
    const l2 = await put(uploadId, 2, p2);
    const listed = [await put(uploadId, 1, p1), l2, await put(uploadId, 3, last)];
    expect(existsSync(dataFile(uploadId))).toBe(false);
    expect(ownFiles(uploadId)).toHaveLength(3);
    await multipart.complete(uploadId, KEY, listed, null);
    const size = 2 * S + last.length;
    expect(assembled).toEqual([{ size, kernelBytes: size, inPlaceBytes: 0 }]);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, p2, last])));

    const other = multipart.create(KEY, NO_FIELDS).uploadId;
    await put(other, 1, p1);
    expect(existsSync(dataFile(other))).toBe(false);
    expect(asked).toEqual([layout.multipartDir]);
  });
});

describe("lifecycle", () => {
  test("Abort and the sweeper remove the data file with the upload", async () => {
    const aborted = multipart.create(KEY, NO_FIELDS).uploadId;
    await put(aborted, 1, p1);
    expect(existsSync(dataFile(aborted))).toBe(true);
    await multipart.abort(aborted, KEY);
    expect(existsSync(uploadDir(aborted))).toBe(false);

    const stale = multipart.create(KEY, NO_FIELDS).uploadId;
    await put(stale, 1, p1);
    const old = (Date.now() - ABANDONED_UPLOAD_MS - 60_000) / 1000;
    utimesSync(uploadDir(stale), old, old);
    expect(multipart.sweep()).toBe(1);
    expect(existsSync(uploadDir(stale))).toBe(false);
  });

  test("a Complete cut short after its rename is finished by the retry, with the same answer", async () => {
    const { uploadId } = multipart.create(KEY, NO_FIELDS);
    const listed = [await put(uploadId, 1, p1), await put(uploadId, 2, last)];
    // What a SIGKILL between the rename and the completed marker leaves behind.
    truncateSync(dataFile(uploadId), S + last.length);
    mkdirSync(dirname(join(musicDir, KEY)), { recursive: true });
    renameSync(dataFile(uploadId), join(musicDir, KEY));
    const done = await multipart.complete(uploadId, KEY, listed, null);
    expect(done.etag).toMatch(/-2$/);
    expect(md5Hex(object())).toBe(md5Hex(Buffer.concat([p1, last])));
    expect(existsSync(uploadDir(uploadId))).toBe(false);
    expect(await multipart.complete(uploadId, KEY, listed, null)).toEqual(done);
  });
});
