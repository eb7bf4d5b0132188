/**
 * rclone (Debian 1.60, provider Other) with its defaults, configured from a
 * config file in a throwaway HOME. rclone uploads files below its
 * upload_cutoff (200 MiB) in one PUT, so the 17 MiB file goes up as a single
 * PUT; multipart is exercised with `rclone rcat` (a stream of unknown length
 * is always uploaded in 5 MiB parts). AWS_CA_BUNDLE is kept out of its
 * environment: with it set, rclone refuses to start an S3 remote.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
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
import { ACCESS_KEY, SECRET_KEY, startServer, tempDir, type TestServer, waitFor } from "../helpers/server.ts";
import { copyIntoMusicKeepingTimes, handFiles, listedTimes, mtimesIn, setFractionalMtimes } from "../helpers/sync-times.ts";

/** rclone's default chunk_size for multipart (and so for rcat). */
const RCLONE_PARTS = { partSize: 5 * MiB, threshold: 0 };
const STREAMED_KEY = "Björk/Vespertine 東京/Long Mix (streamed, 東京).flac";

let server: TestServer;
let fx: Fixture;
let home: string;
let bin: string;
let config: string;
/** Files that reach the bucket by hand, not through S3: no mtime metadata of rclone's. */
let byHand: string;

const rclone = (args: string[], opts: { stdin?: { file: string }; timeoutMs?: number } = {}): Promise<RunResult> =>
  run([bin, "--config", config, ...args], { env: clientEnv(home), server, stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? 90_000 });

/** A sync that found everything up to date: it says so, logs no change, and the server saw no write. */
function expectNothingDone(r: RunResult): void {
  expect(r.exitCode, describeRun(r)).toBe(0);
  expect(r.stderr, describeRun(r)).toContain("There was nothing to transfer");
  expect(r.stderr, describeRun(r)).not.toMatch(/Copied|Updated modification time|Deleted/);
  expect(r.requests.filter((q) => q.op && /Put|Multipart|UploadPart|Copy|Delete/.test(q.op)), describeRun(r)).toEqual([]);
}

beforeAll(async () => {
  bin = requireTool("rclone", ["rclone"], "Install it with `apt-get install rclone` (.ci/run does).");
  server = await startServer({ env: DEBUG_ENV });
  fx = makeFixture("rclone");
  // Real files have sub-second mtimes; whole seconds would hide how times are rounded.
  setFractionalMtimes(fx.syncDir);
  byHand = handFiles(fx.dir);
  home = tempDir("rclone-home");
  config = join(home, "rclone.conf");
  writeFileSync(
    config,
    [
      "[rb]",
      "type = s3",
      "provider = Other",
      "env_auth = false",
      `access_key_id = ${ACCESS_KEY}`,
      `secret_access_key = ${SECRET_KEY}`,
      `endpoint = ${server.url}`,
      "region = us-east-1",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("rclone", () => {
  test("is rclone 1.x", async () => {
    const r = must(await rclone(["version"]));
    expect(r.stdout).toMatch(/^rclone v1\.\d+/);
  }, 30_000);

  test("copyto a small file: byte-equal on disk, MD5 ETag", async () => {
    const r = await rclone(["copyto", fx.small, `rb:music/${SMALL_KEY}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
    expect(await etagOf(server, SMALL_KEY)).toBe(await expectedEtag(fx.small));
  }, 60_000);

  test("copyto a 17 MiB file: one PUT (below rclone's 200 MiB upload_cutoff), byte-equal on disk", async () => {
    const r = await rclone(["copyto", fx.large, `rb:music/${LARGE_KEY}`], { timeoutMs: 120_000 });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ PutObject: 1 });
    expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
    expect(await etagOf(server, LARGE_KEY)).toBe(await expectedEtag(fx.large));
  }, 120_000);

  test("rcat the 17 MiB file as a stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
    const r = await rclone(["rcat", `rb:music/${STREAMED_KEY}`], { stdin: { file: fx.large }, timeoutMs: 120_000 });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "Björk")[STREAMED_KEY]).toBe(await md5File(fx.large));
    expect(await etagOf(server, STREAMED_KEY)).toBe(await expectedEtag(fx.large, RCLONE_PARTS));
  }, 120_000);

  test("lsjson --hash lists all three, with MD5s from the ETags", async () => {
    const r = must(await rclone(["lsjson", "-R", "--files-only", "--hash", "rb:music"]));
    const listed = (JSON.parse(r.stdout) as any[]).map((e) => ({ Path: e.Path, Size: e.Size, md5: e.Hashes?.md5 ?? null }));
    expect(listed).toEqual([
      { Path: SMALL_KEY, Size: SMALL_SIZE, md5: await md5File(fx.small) },
      { Path: LARGE_KEY, Size: LARGE_SIZE, md5: await md5File(fx.large) },
      { Path: STREAMED_KEY, Size: LARGE_SIZE, md5: null }, // multipart from a stream: rclone knows no MD5 for it
    ]);
  }, 60_000);

  test("copyto the small file down byte-equal", async () => {
    const path = join(fx.downloads, "small.flac");
    must(await rclone(["copyto", `rb:music/${SMALL_KEY}`, path]));
    expect(await md5File(path)).toBe(await md5File(fx.small));
  }, 60_000);

  test("copyto the large file down byte-equal", async () => {
    const path = join(fx.downloads, "large.flac");
    must(await rclone(["copyto", `rb:music/${LARGE_KEY}`, path], { timeoutMs: 120_000 }));
    expect(await md5File(path)).toBe(await md5File(fx.large));
  }, 120_000);

  test("copyto the streamed (multipart) file down byte-equal", async () => {
    const path = join(fx.downloads, "streamed.flac");
    must(await rclone(["copyto", `rb:music/${STREAMED_KEY}`, path], { timeoutMs: 120_000 }));
    expect(existsSync(path), `rclone exited 0 but wrote no ${path}`).toBe(true);
    expect(await md5File(path)).toBe(await md5File(fx.large));
  }, 120_000);

  test("sync a folder twice: the second run transfers nothing; rclone check agrees", async () => {
    const first = await rclone(["sync", "-v", fx.syncDir, "rb:music/Sync"], { timeoutMs: 120_000 });
    expect(first.exitCode, describeRun(first)).toBe(0);
    expect(first.stderr.match(/: Copied \(new\)/g)?.length ?? 0, describeRun(first)).toBe(Object.keys(SYNC_FILES).length);
    expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));

    const before = identities(server.musicDir);
    const second = await rclone(["sync", "-v", fx.syncDir, "rb:music/Sync"]);
    expectNothingDone(second);
    expect(identities(server.musicDir)).toEqual(before);

    const check = await rclone(["check", fx.syncDir, "rb:music/Sync"]);
    expect(check.exitCode, describeRun(check)).toBe(0);
    expect(check.stderr).toContain("0 differences found");
  }, 180_000);

  // rclone takes an object's time from its own x-amz-meta-mtime, else from HEAD's Last-Modified, and
  // compares it with a local mtime to the nanosecond; a download gives the file that time.
  test("sync down twice into an empty folder: the second run transfers nothing", async () => {
    // Besides rclone's uploads (with their mtime metadata), files that came in by hand (without).
    const handKeys = await copyIntoMusicKeepingTimes(server, byHand, "Sync/By Hand");
    const down = join(fx.dir, "sync-down");
    const inSync = Object.fromEntries(Object.entries(filesUnder(server.musicDir, "Sync")).map(([k, v]) => [k.slice(5), v]));
    const first = await rclone(["sync", "-v", "rb:music/Sync", down], { timeoutMs: 120_000 });
    expect(first.exitCode, describeRun(first)).toBe(0);
    expect(first.stderr.match(/: Copied \(new\)/g)?.length ?? 0, describeRun(first)).toBe(Object.keys(inSync).length);
    expect(filesUnder(down)).toEqual(inSync);
    // rclone's own uploads come back with the local file's exact mtime, the others with the object's time.
    const listed = await listedTimes(server, "Sync/");
    const expected: Record<string, number> = { ...mtimesIn(fx.syncDir) };
    for (const key of handKeys) expected[key.slice(5)] = listed[key] ?? NaN;
    expect(mtimesIn(down)).toEqual(expected);

    const before = identities(down);
    const second = await rclone(["sync", "-v", "rb:music/Sync", down]);
    expectNothingDone(second);
    expect(opCounts(second.requests).GetObject ?? 0, describeRun(second)).toBe(0);
    expect(identities(down)).toEqual(before);

    // And back up: a folder synced down is up to date with the bucket.
    const back = await rclone(["sync", "-v", down, "rb:music/Sync"]);
    expectNothingDone(back);
  }, 180_000);

  test("sync up onto copies that kept their sub-second times: no bytes sent, rclone stores its mtime once", async () => {
    const keys = await copyIntoMusicKeepingTimes(server, fx.syncDir, "Kept");
    // Without its metadata rclone compares times to the nanosecond, so whole seconds differ from the local
    // fraction however they are rounded; it then compares MD5s, which needs the hasher's ETags.
    for (const key of keys) {
      const want = await expectedEtag(join(fx.syncDir, key.slice("Kept/".length)));
      await waitFor(async () => (await etagOf(server, key)) === want, 30_000, `the MD5 ETag of ${key}`);
    }
    const first = await rclone(["sync", "-v", fx.syncDir, "rb:music/Kept"]);
    expect(first.exitCode, describeRun(first)).toBe(0);
    expect(first.stderr, describeRun(first)).toContain("There was nothing to transfer");
    expect(first.stderr.match(/Updated modification time in destination/g)?.length ?? 0, describeRun(first)).toBe(keys.length);
    expect(opCounts(first.requests), describeRun(first)).not.toHaveProperty("PutObject");
    expect(filesUnder(server.musicDir, "Kept")).toEqual(await expectedSyncTree(fx.syncDir, "Kept"));

    const before = identities(server.musicDir);
    const second = await rclone(["sync", "-v", fx.syncDir, "rb:music/Kept"]);
    expectNothingDone(second);
    expect(identities(server.musicDir)).toEqual(before);
  }, 120_000);

  test("the README recipe: copy a folder up, ls shows every file with its size", async () => {
    must(await rclone(["copy", fx.syncDir, "rb:music/Copied"], { timeoutMs: 120_000 }));
    expect(filesUnder(server.musicDir, "Copied")).toEqual(await expectedSyncTree(fx.syncDir, "Copied"));
    const ls = must(await rclone(["ls", "rb:music/Copied"]));
    const listed = Object.fromEntries(
      ls.stdout.trim().split("\n").map((line) => {
        const m = /^\s*(\d+) (.*)$/.exec(line)!;
        return [m[2]!, Number(m[1])];
      }),
    );
    const expected = Object.fromEntries(Object.keys(SYNC_FILES).map((rel) => [rel, statSync(join(fx.syncDir, rel)).size]));
    expect(listed).toEqual(expected);
    must(await rclone(["purge", "rb:music/Copied"]));
  }, 180_000);

  test("purge a folder and delete the rest: the music folder is empty", async () => {
    const purge = await rclone(["purge", "rb:music/Sync"]);
    expect(purge.exitCode, describeRun(purge)).toBe(0);
    expect(filesUnder(server.musicDir, "Sync")).toEqual({});
    const del = await rclone(["delete", "rb:music"]);
    expect(del.exitCode, describeRun(del)).toBe(0);
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    const ls = must(await rclone(["lsf", "-R", "rb:music"]));
    expect(ls.stdout).toBe("");
  }, 60_000);
});
