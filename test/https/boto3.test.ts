/**
 * boto3 1.43 over HTTPS against the built executable, trusting a test CA
 * through AWS_CA_BUNDLE, otherwise with its defaults (test/clients/boto3_e2e.py).
 * Over TLS botocore sends every PUT and part as an aws-chunked body with a
 * CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER); the tests check that
 * this is the path taken and that the server stored the trailer's checksum.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { join } from "node:path";
import { compositeCrc32, crc32Base64 } from "../helpers/checksums.ts";
import { expectedEtag, LARGE_SIZE, md5File, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { describeRun } from "../helpers/clients/process.ts";
import { opCounts } from "../helpers/clients/recorder.ts";
import { sdkClient } from "../helpers/clients.ts";
import { BOTO3_TRANSFER, boto3 as runBoto3, type Boto3Result, python3 } from "../helpers/clients/boto3.ts";
import { trustingAgent } from "../helpers/test-ca.ts";
import { httpsSuite } from "./suite.ts";

const SMALL = "boto3/Múm/01 Green Grass of Tunnel (東京).flac";
const LARGE = "boto3/Múm/Long Mix (Side A+B).flac";
/** What botocore puts on every PUT over TLS (payload mode and checksum headers, as boto3_e2e.py records them). */
const TRAILER = { method: "PUT", payload: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", checksum: ["x-amz-trailer"] };

const t = httpsSuite("boto3");
let python: string;
let s3: S3Client;

beforeAll(() => {
  python = python3();
  s3 = sdkClient(t.server, { requestHandler: { httpsAgent: trustingAgent(t.ca) } });
});
afterAll(() => s3?.destroy());

/** One boto3_e2e.py step, traced: its answer, what it sent (the script's record), what the proxy saw. */
const boto3 = (op: string, args: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<Boto3Result> =>
  runBoto3({ python, recorder: t.recorder, home: t.home, env: { AWS_CA_BUNDLE: t.ca.caPem } }, op, { trace: true, ...args }, { env });

const headChecksum = async (Key: string) =>
  (await s3.send(new HeadObjectCommand({ Bucket: "music", Key, ChecksumMode: "ENABLED" }))).ChecksumCRC32;

describe("boto3 over HTTPS", () => {
  test("refuses the server without the CA", async () => {
    const { run: r } = await boto3("list", {}, { AWS_CA_BUNDLE: "/etc/ssl/certs/ca-certificates.crt", AWS_MAX_ATTEMPTS: "1" });
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i);
  }, 60_000);

  test("upload_file a small file: one aws-chunked PUT with a CRC32 trailer, byte-equal on disk, MD5 ETag", async () => {
    const { run: r, out } = await boto3("upload_file", { path: t.fx.small, key: SMALL });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests)).toMatchObject({ PutObject: 1 });
    expect(out.sent.filter((s: any) => s.method === "PUT")).toEqual([TRAILER]);
    expect(out.result).toEqual({ ETag: await expectedEtag(t.fx.small), ContentLength: SMALL_SIZE, expectedETag: await expectedEtag(t.fx.small) });
    expect(filesUnder(t.server.musicDir, "boto3")).toEqual({ [SMALL]: await md5File(t.fx.small) });
    expect(await headChecksum(SMALL)).toBe(crc32Base64(await Bun.file(t.fx.small).bytes()));
  }, 60_000);

  test("upload_file a file over 16 MiB: multipart in 8 MiB aws-chunked parts, byte-equal on disk", async () => {
    const { run: r, out } = await boto3("upload_file", { path: t.fx.large, key: LARGE });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
    expect(out.sent.filter((s: any) => s.method === "PUT")).toEqual([TRAILER, TRAILER, TRAILER]);
    const etag = await expectedEtag(t.fx.large, BOTO3_TRANSFER);
    expect(out.result).toEqual({ ETag: etag, ContentLength: LARGE_SIZE, expectedETag: etag });
    expect(filesUnder(t.server.musicDir, "boto3")[LARGE]).toBe(await md5File(t.fx.large));
    expect(await headChecksum(LARGE)).toBe(compositeCrc32(await Bun.file(t.fx.large).bytes(), BOTO3_TRANSFER.partSize));
  }, 120_000);

  test("list_objects_v2 lists both with sizes and ETags", async () => {
    const { run: r, out } = await boto3("list", { prefix: "boto3/" });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(out.result).toEqual([
      { Key: SMALL, Size: SMALL_SIZE, ETag: await expectedEtag(t.fx.small) },
      { Key: LARGE, Size: LARGE_SIZE, ETag: await expectedEtag(t.fx.large, BOTO3_TRANSFER) },
    ]);
  }, 60_000);

  test("download_file both byte-equal", async () => {
    for (const [key, src] of [[SMALL, t.fx.small], [LARGE, t.fx.large]] as const) {
      const path = join(t.fx.downloads, key.replaceAll("/", "_"));
      const { run: r, out } = await boto3("download_file", { key, path });
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(out.result).toEqual({ md5: await md5File(src) });
    }
  }, 120_000);

  test("delete both with DeleteObjects: the music folder is empty", async () => {
    const { run: r, out } = await boto3("delete_prefix", { prefix: "boto3/" });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(out.result).toEqual({ listed: [SMALL, LARGE], deleted: [SMALL, LARGE], errors: [] });
    expect(musicLeft(t.server.musicDir)).toEqual([]);
    expect(workLeftovers(t.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
  }, 60_000);
});
