/**
 * minio-js 8 with its defaults (signed SHA-256 payloads over plain HTTP,
 * region discovered with GetBucketLocation): fPutObject small and large
 * (minio-js goes multipart only above its 64 MiB part size, so "large" here
 * is 65 MiB; it first looks for an upload to resume with
 * ListMultipartUploads, and numbers its parts from 2), listObjectsV2,
 * fGetObject, presignedGetObject fetched with plain fetch, an `mc mirror`-
 * like size+ETag mirror twice, and removeObjects (DeleteObjects, quiet).
 */
import { expect, test } from "bun:test";
import * as Minio from "minio";
import { join } from "node:path";
import { md5Hex, MiB } from "../helpers/bytes.ts";
import { LARGE_KEY, md5File, planSync, SMALL_KEY } from "../helpers/clients/fixture.ts";
import { ACCESS_KEY, SECRET_KEY } from "../helpers/server.ts";
import { clientConformance, type Listed } from "./conformance.ts";

/** minio-js's default part size: 64 MiB, one PUT up to that. */
const MINIO_PARTS = { partSize: 64 * MiB, threshold: 64 * MiB + 1 };

let mc: Minio.Client;

async function listAll(prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  for await (const o of mc.listObjectsV2("music", prefix, true)) out.push({ key: o.name!, size: o.size, etag: `"${o.etag}"` });
  return out;
}

clientConformance(
  "minio-js",
  {
    setup(w) {
      mc = new Minio.Client({ endPoint: "127.0.0.1", port: w.recorder.port, useSSL: false, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });
    },
    upload: async (_w, path, key) => `"${(await mc.fPutObject("music", key, path)).etag}"`,
    list: (_w, prefix) => listAll(prefix),
    download: (_w, key, path) => mc.fGetObject("music", key, path),
    async sync(_w, dir, prefix) {
      const remote = new Map((await listAll(`${prefix}/`)).map((o) => [o.key, { size: o.size, etag: o.etag! }]));
      const todo = await planSync(dir, prefix, remote, MINIO_PARTS);
      for (const rel of todo) await mc.fPutObject("music", `${prefix}/${rel}`, join(dir, rel));
      return todo.length;
    },
    async deleteAll(_w, keys) {
      // Quiet mode: the answer lists failures only, so no failure means every key was deleted.
      const failures = await mc.removeObjects("music", keys);
      return failures.length === 0 ? keys : failures.map((f: any) => `failed: ${JSON.stringify(f)}`);
    },
  },
  {
    largeSize: 65 * MiB + 4_321,
    parts: MINIO_PARTS,
    words: { upload: "fPutObject", large: "multipart in 64 MiB parts", list: "listObjectsV2", download: "fGetObject", sync: "mirror (size + ETag, fPutObject)", delete: "removeObjects everything listed" },
    largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 },
    listsEtags: true,
    secondSyncOps: { ListObjectsV2: 1 },
    deleteOps: { DeleteObjects: 1 },
    extra: {
      afterDownloads(w) {
        test("presignedGetObject, fetched with plain fetch: byte-equal", async () => {
          const url = await mc.presignedGetObject("music", SMALL_KEY, 600);
          expect(url).toContain("X-Amz-Signature=");
          const res = await fetch(url);
          expect(res.status).toBe(200);
          expect(md5Hex(new Uint8Array(await res.arrayBuffer()))).toBe(await md5File(w.fx.small));
        }, 60_000);

        test("presignedGetObject of the large file: byte-equal", async () => {
          const res = await fetch(await mc.presignedGetObject("music", LARGE_KEY, 600));
          expect(res.status).toBe(200);
          const h = new Bun.CryptoHasher("md5");
          for await (const chunk of res.body!) h.update(chunk);
          expect(h.digest("hex")).toBe(await md5File(w.fx.large));
        }, 120_000);
      },
    },
  },
);
