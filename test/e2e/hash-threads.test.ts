/**
 * ROCKBOXD_S3_HASH_THREADS=2 (src/s3/hash-pool.ts), end to end in the built
 * executable: uploads hashed on worker threads give the same ETags and
 * checksums as inline hashing, and a body that fails its hash is refused
 * with the folder unchanged, as it is inline.
 */
import { describe, expect, test } from "bun:test";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { readdirSync, readFileSync } from "node:fs";
import { bytes, md5Hex, MiB, quotedMd5 } from "../helpers/bytes.ts";
import { executableCommand } from "../helpers/executable.ts";
import { errorCode, rawRequest } from "../helpers/raw.ts";
import { serverForSuite } from "../helpers/suite.ts";
import { snapshot } from "../helpers/tree.ts";
import { checksumBase64 } from "../../src/s3/checksum.ts";

const t = serverForSuite({ command: await executableCommand(), env: { ROCKBOXD_S3_HASH_THREADS: "2" } });

/** The server's worker threads (Bun names each one's OS thread "Worker"): the hash workers, and the tag worker once a track is parsed. */
const workers = () =>
  readdirSync(`/proc/${t.server.proc.pid}/task`).filter((id) => readFileSync(`/proc/${t.server.proc.pid}/task/${id}/comm`, "utf8").trim() === "Worker").length;

describe("uploads hashed on worker threads", () => {
  test("a signed PUT: the ETag is the MD5, and the workers are threads of the server", async () => {
    const before = workers();
    const data = bytes(3 * MiB + 5, 7);
    const sha = new Bun.CryptoHasher("sha256").update(data).digest("hex");
    const res = await rawRequest(t.server, { method: "PUT", path: "/music/pool/signed.flac", body: data, payloadHash: sha });
    expect(res.status).toBe(200);
    expect(res.headers["etag"]).toBe(quotedMd5(data));
    // Hash workers start with the first upload (and stop after 30 s idle, longer than this test);
    // on a machine with one spare core the tag pool adds at most one more.
    expect(workers()).toBeGreaterThanOrEqual(before + 2);
  });

  test("aws-chunked with a CRC32 trailer (SDK v3 defaults): checksum and ETag as inline", async () => {
    const data = bytes(5 * MiB + 11, 8);
    const put = await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "pool/sdk.flac", Body: data, ChecksumAlgorithm: "CRC32" }));
    expect(put.ETag).toBe(quotedMd5(data));
    expect(put.ChecksumCRC32).toBe(checksumBase64("CRC32", data));
    const got = await t.s3.send(new GetObjectCommand({ Bucket: "music", Key: "pool/sdk.flac" }));
    expect(md5Hex(await got.Body!.transformToByteArray())).toBe(md5Hex(data));
  });

  test("multipart, parts in parallel: the multipart ETag from the parts' MD5s", async () => {
    const data = bytes(17 * MiB, 9);
    const partSize = 5 * MiB;
    await new Upload({ client: t.s3, params: { Bucket: "music", Key: "pool/multi.flac", Body: data }, partSize, queueSize: 4 }).done();
    const parts: Uint8Array[] = [];
    for (let off = 0; off < data.length; off += partSize) parts.push(Buffer.from(md5Hex(data.subarray(off, off + partSize)), "hex"));
    const expected = `"${md5Hex(Buffer.concat(parts))}-${parts.length}"`;
    expect((await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "pool/multi.flac" }))).ETag).toBe(expected);
  });

  test("a body that does not match its signed SHA-256 is refused, nothing written", async () => {
    const before = snapshot(t.server.musicDir);
    const data = bytes(2 * MiB, 10);
    const wrong = new Bun.CryptoHasher("sha256").update("something else").digest("hex");
    const res = await rawRequest(t.server, { method: "PUT", path: "/music/pool/refused.flac", body: data, payloadHash: wrong });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe("XAmzContentSHA256Mismatch");
    expect(snapshot(t.server.musicDir)).toEqual(before);
  });

  test("a wrong Content-MD5 is refused, nothing written", async () => {
    const before = snapshot(t.server.musicDir);
    const data = bytes(MiB + 3, 11);
    const res = await rawRequest(t.server, {
      method: "PUT", path: "/music/pool/bad-md5.flac", body: data, headers: { "content-md5": Buffer.from(md5Hex("x"), "hex").toString("base64") },
    });
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe("BadDigest");
    expect(snapshot(t.server.musicDir)).toEqual(before);
  });
});
