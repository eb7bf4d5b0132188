/**
 * boto3 1.43 (botocore 1.43: new default checksums) with its defaults,
 * driven through test/clients/boto3_e2e.py: upload_file (TransferManager,
 * multipart over 8 MiB), put_object, paginated listing, download_file,
 * a size+ETag mirror twice, and a recursive delete with DeleteObjects.
 */
import { expect, test } from "bun:test";
import { BOTO3_TRANSFER, boto3, boto3Ok, type Boto3Target, python3 } from "../helpers/clients/boto3.ts";
import { expectedEtag, md5File, SMALL_KEY, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder } from "../helpers/clients/music-folder.ts";
import { describeRun } from "../helpers/clients/process.ts";
import { clientConformance } from "./conformance.ts";

let py: Boto3Target;

clientConformance(
  "boto3",
  {
    setup(w) {
      py = { python: python3(), recorder: w.recorder, home: w.home };
    },
    async checkVersion() {
      // Default request checksums came with botocore 1.36.
      const v = await boto3Ok(py, "versions");
      const [major, minor] = String(v.botocore).split(".").map(Number);
      expect(major === 1 && minor! >= 36, JSON.stringify(v)).toBe(true);
    },
    async upload(_w, path, key) {
      const out = await boto3Ok(py, "upload_file", { path, key });
      // The script's own reading of TransferConfig's part plan agrees with ours, and HEAD's length with the file.
      expect(out.expectedETag).toBe(out.ETag);
      expect(out.ContentLength).toBe(Bun.file(path).size);
      return out.ETag as string;
    },
    async list(_w, prefix) {
      return ((await boto3Ok(py, "list", { prefix })) as any[]).map((c) => ({ key: c.Key, size: c.Size, etag: c.ETag }));
    },
    async download(_w, key, path) {
      expect(await boto3Ok(py, "download_file", { key, path })).toEqual({ md5: await md5File(path) });
    },
    async sync(_w, dir, prefix) {
      return ((await boto3Ok(py, "sync", { dir, prefix })) as string[]).length;
    },
    async deleteAll(_w, keys) {
      const out = await boto3Ok(py, "delete_prefix", { prefix: "" });
      expect(out).toEqual({ listed: [...keys].sort(), deleted: out.deleted, errors: [] });
      return out.deleted;
    },
  },
  {
    parts: BOTO3_TRANSFER,
    words: { upload: "upload_file", large: "multipart in 8 MiB parts", list: "list_objects_v2 (paginated)", download: "download_file", sync: "mirror (size + ETag)", delete: "delete everything with DeleteObjects" },
    smallUploadOps: { PutObject: 1, HeadObject: 1 },
    largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 },
    listsEtags: true,
    secondSyncOps: { ListObjectsV2: 1 },
    deleteOps: { DeleteObjects: 1 },
    extra: {
      afterUploads(w) {
        test("put_object with a file body (signed SHA-256 + default CRC32 header over HTTP)", async () => {
          const key = "put_object/Sigur Rós — Hoppípolla (東京).flac";
          const { run: r, out } = await boto3(py, "put_object", { path: w.fx.small, key });
          expect(r.exitCode, describeRun(r)).toBe(0);
          expect(out.ETag).toBe(await expectedEtag(w.fx.small));
          // Over plain HTTP botocore signs the payload instead of sending an aws-chunked trailer.
          const sha256 = new Bun.CryptoHasher("sha256").update(await Bun.file(w.fx.small).bytes()).digest("hex");
          expect(out.sent).toEqual([{ method: "PUT", payload: sha256, checksum: ["x-amz-checksum-crc32"] }]);
          expect(Object.keys(out.checksums)).toContain("ChecksumCRC32");
          expect(filesUnder(w.server.musicDir, "put_object")).toEqual({ [key]: await md5File(w.fx.small) });
        }, 60_000);
      },
      afterDownloads(w) {
        test("get_object the small file byte-equal", async () => {
          expect(await boto3Ok(py, "get_object", { key: SMALL_KEY })).toEqual({ md5: await md5File(w.fx.small), size: SMALL_SIZE });
        }, 60_000);
      },
    },
  },
);
