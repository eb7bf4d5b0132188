/**
 * s3cmd (Debian 2.3) with its defaults, from a ~/.s3cfg in a throwaway HOME
 * that only says where the server is and to use SigV4 over plain HTTP.
 * Files over 15 MiB go up multipart in 15 MiB parts; `sync` compares MD5s
 * (for multipart objects, the MD5 s3cmd stored in x-amz-meta-s3cmd-attrs);
 * `del --recursive` uses DeleteObjects.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import {
  clientEnv,
  DEBUG_ENV,
  describeRun,
  etagOf,
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
  writeS3cmdConfig,
  must,
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

/** s3cmd's default multipart_chunk_size_mb = 15. */
const S3CMD_PARTS = { partSize: 15 * MiB, threshold: 15 * MiB + 1 };

let server: TestServer;
let fx: Fixture;
let home: string;
let bin: string;

const s3cmd = (args: string[], timeoutMs = 90_000): Promise<RunResult> => run([bin, ...args], { env: clientEnv(home), server, timeoutMs });

beforeAll(async () => {
  bin = requireTool("s3cmd", ["s3cmd"], "Install it with `apt-get install s3cmd` (.ci/run does).");
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("s3cmd");
  home = tempDir("s3cmd-home");
  writeS3cmdConfig(home, server, ["signature_v2 = False"]);
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("s3cmd", () => {
  test("is s3cmd 2.x", async () => {
    const r = must(await s3cmd(["--version"]));
    expect(r.stdout + r.stderr).toMatch(/s3cmd version 2\./);
  }, 30_000);

  test("put a small file: byte-equal on disk, MD5 ETag", async () => {
    const r = await s3cmd(["put", fx.small, `s3://music/${SMALL_KEY}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
    expect(await etagOf(server, SMALL_KEY)).toBe(await expectedEtag(fx.small));
  }, 60_000);

  test("put a file over 16 MiB: multipart in 15 MiB parts, byte-equal on disk", async () => {
    const r = await s3cmd(["put", fx.large, `s3://music/${LARGE_KEY}`], 120_000);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
    expect(await etagOf(server, LARGE_KEY)).toBe(await expectedEtag(fx.large, S3CMD_PARTS));
  }, 120_000);

  test("ls --recursive lists both with their sizes", async () => {
    const r = must(await s3cmd(["ls", "--recursive", "s3://music/"]));
    const rows = r.stdout.trim().split("\n").map((l) => l.match(/^\S+ \S+\s+(\d+)\s+s3:\/\/music\/(.+)$/)?.slice(1));
    expect(rows).toEqual([
      [String(SMALL_SIZE), SMALL_KEY],
      [String(LARGE_SIZE), LARGE_KEY],
    ]);
  }, 60_000);

  test("get the small file byte-equal", async () => {
    const path = join(fx.downloads, "small.flac");
    must(await s3cmd(["get", `s3://music/${SMALL_KEY}`, path]));
    expect(await md5File(path)).toBe(await md5File(fx.small));
  }, 60_000);

  test("get the large file byte-equal (s3cmd checks the MD5 it stored)", async () => {
    const path = join(fx.downloads, "large.flac");
    const r = must(await s3cmd(["get", `s3://music/${LARGE_KEY}`, path], 120_000));
    expect(r.stderr + r.stdout, describeRun(r)).not.toMatch(/MD5 signatures do not match|WARNING/);
    expect(await md5File(path)).toBe(await md5File(fx.large));
  }, 120_000);

  test("sync a folder twice: the second run transfers nothing", async () => {
    const first = await s3cmd(["sync", `${fx.syncDir}/`, "s3://music/Sync/"], 120_000);
    expect(first.exitCode, describeRun(first)).toBe(0);
    expect(first.stdout.match(/^upload: /gm)?.length ?? 0, describeRun(first)).toBe(Object.keys(SYNC_FILES).length);
    expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));

    const before = identities(server.musicDir);
    const second = await s3cmd(["sync", `${fx.syncDir}/`, "s3://music/Sync/"]);
    expect(second.exitCode, describeRun(second)).toBe(0);
    expect(second.stdout, describeRun(second)).not.toMatch(/^(upload|remote copy|delete): /m);
    const writes = second.requests.filter((q) => q.op && /Put|Multipart|UploadPart|Copy|Delete/.test(q.op));
    expect(writes, describeRun(second)).toEqual([]);
    expect(identities(server.musicDir)).toEqual(before);
  }, 180_000);

  test("del --recursive (DeleteObjects): the music folder is empty", async () => {
    const sync = await s3cmd(["del", "--recursive", "s3://music/Sync/"]);
    expect(sync.exitCode, describeRun(sync)).toBe(0);
    expect(filesUnder(server.musicDir, "Sync")).toEqual({});
    const all = await s3cmd(["del", "--recursive", "--force", "s3://music/"]);
    expect(all.exitCode, describeRun(all)).toBe(0);
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(must(await s3cmd(["ls", "--recursive", "s3://music/"])).stdout).toBe("");
  }, 60_000);
});
