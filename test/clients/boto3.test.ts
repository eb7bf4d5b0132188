/**
 * boto3 1.43 (botocore 1.43: new default checksums) with its defaults,
 * driven through test/clients/boto3_e2e.py: upload_file (TransferManager,
 * multipart over 8 MiB), put_object, paginated listing, download_file,
 * a size+ETag mirror twice, and a recursive delete with DeleteObjects.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  clientEnv,
  DEBUG_ENV,
  describeRun,
  expectedEtag,
  expectedSyncTree,
  filesUnder,
  identities,
  LARGE_KEY,
  LARGE_SIZE,
  makeFixture,
  md5File,
  MiB,
  musicLeft,
  workLeftovers,
  opCounts,
  requireTool,
  run,
  SMALL_KEY,
  SMALL_SIZE,
  SYNC_FILES,
  type Fixture,
  type RunResult,
} from "../helpers/cli-clients.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";

const SCRIPT = join(import.meta.dir, "boto3_e2e.py");
/** boto3's TransferConfig defaults. */
const TRANSFER = { partSize: 8 * MiB, threshold: 8 * MiB };

let server: TestServer;
let fx: Fixture;
let home: string;
let python: string;

beforeAll(async () => {
  python = requireTool("python3 (with boto3)", ["python3"], "Install Python 3 and `pip install 'boto3>=1.36'` (the image ships boto3 1.43).");
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("boto3");
  home = tempDir("boto3-home");
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

interface Boto3Result {
  run: RunResult;
  /** The script's JSON answer (an {error} object when boto3 raised a ClientError). */
  out: any;
}

async function boto3(op: string, args: Record<string, unknown> = {}, timeoutMs = 90_000): Promise<Boto3Result> {
  const r = await run([python, SCRIPT, JSON.stringify({ endpoint: server.url, op, ...args })], { env: clientEnv(home), server, timeoutMs });
  let out: any;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    out = undefined;
  }
  return { run: r, out };
}

/** The answer of a step that must succeed. */
async function ok(op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<any> {
  const { run: r, out } = await boto3(op, args, timeoutMs);
  if (r.exitCode !== 0 || out === undefined) throw new Error(`boto3 ${op} failed\n${describeRun(r)}`);
  return out;
}

describe("boto3", () => {
  test("is boto3 with default request checksums (botocore ≥ 1.36)", async () => {
    const v = await ok("versions");
    const [major, minor] = String(v.botocore).split(".").map(Number);
    expect(major === 1 && minor! >= 36, JSON.stringify(v)).toBe(true);
  }, 30_000);

  test("upload_file a small file: single PUT, byte-equal on disk, MD5 ETag", async () => {
    const { run: r, out } = await boto3("upload_file", { path: fx.small, key: SMALL_KEY });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests)).toMatchObject({ PutObject: 1 });
    expect(out).toEqual({ ETag: await expectedEtag(fx.small), ContentLength: SMALL_SIZE, expectedETag: await expectedEtag(fx.small) });
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
  }, 60_000);

  test("put_object with a file body (signed SHA-256 + default CRC32 header over HTTP)", async () => {
    const key = "put_object/Sigur Rós — Hoppípolla (東京).flac";
    const { run: r, out } = await boto3("put_object", { path: fx.small, key });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(out.ETag).toBe(await expectedEtag(fx.small));
    // Over plain HTTP botocore signs the payload instead of sending an aws-chunked trailer.
    const sha256 = new Bun.CryptoHasher("sha256").update(await Bun.file(fx.small).bytes()).digest("hex");
    expect(out.sent).toEqual([{ method: "PUT", payload: sha256, checksum: ["x-amz-checksum-crc32"] }]);
    expect(Object.keys(out.checksums)).toContain("ChecksumCRC32");
    expect(filesUnder(server.musicDir, "put_object")).toEqual({ [key]: await md5File(fx.small) });
  }, 60_000);

  test("upload_file a file over 16 MiB: multipart in 8 MiB parts, byte-equal on disk", async () => {
    const { run: r, out } = await boto3("upload_file", { path: fx.large, key: LARGE_KEY }, 120_000);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
    expect(out).toEqual({ ETag: await expectedEtag(fx.large, TRANSFER), ContentLength: LARGE_SIZE, expectedETag: await expectedEtag(fx.large, TRANSFER) });
    expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
  }, 120_000);

  test("list_objects_v2 (paginated) lists both with sizes and ETags", async () => {
    expect(await ok("list", { prefix: "Björk/" })).toEqual([
      { Key: SMALL_KEY, Size: SMALL_SIZE, ETag: await expectedEtag(fx.small) },
      { Key: LARGE_KEY, Size: LARGE_SIZE, ETag: await expectedEtag(fx.large, TRANSFER) },
    ]);
  }, 60_000);

  test("download_file / get_object the small file byte-equal", async () => {
    const path = join(fx.downloads, "small.flac");
    expect(await ok("download_file", { key: SMALL_KEY, path })).toEqual({ md5: await md5File(fx.small) });
    expect(await ok("get_object", { key: SMALL_KEY })).toEqual({ md5: await md5File(fx.small), size: SMALL_SIZE });
  }, 60_000);

  test("download_file the large file byte-equal (ranged parts)", async () => {
    const path = join(fx.downloads, "large.flac");
    expect(await ok("download_file", { key: LARGE_KEY, path }, 120_000)).toEqual({ md5: await md5File(fx.large) });
  }, 120_000);

  test("mirror a folder twice (size + ETag): the second run uploads nothing", async () => {
    const first = await boto3("sync", { dir: fx.syncDir, prefix: "Sync" }, 120_000);
    expect(first.run.exitCode, describeRun(first.run)).toBe(0);
    expect(first.out).toEqual(Object.keys(SYNC_FILES).map((rel) => `Sync/${rel}`).sort());
    expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));

    const before = identities(server.musicDir);
    const second = await boto3("sync", { dir: fx.syncDir, prefix: "Sync" });
    expect(second.run.exitCode, describeRun(second.run)).toBe(0);
    expect(second.out, describeRun(second.run)).toEqual([]);
    expect(identities(server.musicDir)).toEqual(before);
  }, 180_000);

  test("delete everything with DeleteObjects: the music folder is empty", async () => {
    const { run: r, out } = await boto3("delete_prefix", { prefix: "" });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(out.listed.length).toBeGreaterThan(0);
    expect(out, describeRun(r)).toEqual({ listed: out.listed, deleted: out.listed, errors: [] });
    expect(opCounts(r.requests)).toMatchObject({ DeleteObjects: 1 });
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(await ok("list")).toEqual([]);
  }, 60_000);
});
