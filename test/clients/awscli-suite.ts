/**
 * The awscli end-to-end suite, shared by the two awscli builds we support:
 * Debian's awscli 2.9 (old checksum behaviour: signed payloads, Content-MD5)
 * and the Python awscli 1.45 (new default checksums: CRC32 on every PUT and
 * part, COMPOSITE CRC32 multipart uploads). Both run with their defaults —
 * the only environment is the credentials, region us-east-1, a UTF-8 locale,
 * no pager and a throwaway HOME. Each test says which path the client took
 * (from the server's debug log) so a silent fallback cannot pass unnoticed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { delimiter, join } from "node:path";
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
  must,
  opCounts,
  run,
  SMALL_KEY,
  SMALL_SIZE,
  SYNC_FILES,
  type Fixture,
  type RunResult,
  workLeftovers,
} from "../helpers/cli-clients.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";
import { copyIntoMusicKeepingTimes, handFiles, listedTimes, mtimesIn, setFractionalMtimes } from "../helpers/sync-times.ts";

/** awscli's defaults: multipart_threshold = multipart_chunksize = 8 MiB. */
const AWSCLI_MULTIPART = { partSize: 8 * MiB, threshold: 8 * MiB };

export interface AwscliFlavour {
  label: string;
  /** Resolves the binary (throws a clear error when it is missing). */
  bin: () => string;
  /** Asserts `aws --version` is the build this suite is about. */
  checkVersion: (versionLine: string) => void;
  /** Asserts what a default `s3 cp` of a small file sends: payload mode and integrity headers (lower-cased name → value). */
  checkPutHeaders: (headers: Record<string, string>) => void;
}

/** The request headers (lower-cased name → value) of every PUT in an `aws --debug` log, in order. */
export function sentPuts(debugLog: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of debugLog.matchAll(/Sending http request: <AWSPreparedRequest stream_output=False, method=PUT[^\n]*/g)) {
    const headers: Record<string, string> = {};
    for (const h of m[0].matchAll(/'([A-Za-z0-9-]+)': b?'([^']*)'/g)) headers[h[1]!.toLowerCase()] = h[2]!;
    out.push(headers);
  }
  return out;
}

/** The request headers of the (first) PUT in an `aws --debug` log. */
const putHeaders = (debugLog: string): Record<string, string> => sentPuts(debugLog)[0] ?? {};

/** Every `aws` executable on PATH, in PATH order. */
export function awsOnPath(): string[] {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  return [...new Set(dirs.map((d) => join(d, "aws")).filter((p) => existsSync(p)))];
}

export function awscliSuite(flavour: AwscliFlavour): void {
  let server: TestServer;
  let fx: Fixture;
  let home: string;
  let bin: string;
  /** Files that reach the bucket by hand, not through S3. */
  let byHand: string;

  const aws = (args: string[], timeoutMs = 90_000): Promise<RunResult> =>
    run([bin, "--endpoint-url", server.url, ...args], { env: clientEnv(home, { AWS_PAGER: "" }), server, timeoutMs });
  // awscli 2 prints nothing at all for an empty listing (no Contents, nothing else set).
  const json = async (args: string[]) => JSON.parse(must(await aws(args)).stdout.trim() || "{}");
  const headEtag = async (key: string) => (await json(["s3api", "head-object", "--bucket", "music", "--key", key])).ETag as string;

  beforeAll(async () => {
    bin = flavour.bin();
    server = await startServer({ env: DEBUG_ENV });
    fx = makeFixture(flavour.label);
    // Real files have sub-second mtimes; whole seconds would hide how the server rounds its times.
    setFractionalMtimes(fx.syncDir);
    byHand = handFiles(fx.dir);
    home = tempDir(`${flavour.label}-home`);
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  describe(flavour.label, () => {
    test("is the awscli build this suite is about", async () => {
      const r = must(await aws(["--version"]));
      flavour.checkVersion((r.stdout + r.stderr).trim());
    }, 30_000);

    test("s3 cp a small file up: byte-equal on disk, MD5 ETag", async () => {
      const r = await aws(["--debug", "s3", "cp", fx.small, `s3://music/${SMALL_KEY}`]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      flavour.checkPutHeaders(putHeaders(r.stderr));
      expect(filesUnder(server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
      expect(await headEtag(SMALL_KEY)).toBe(await expectedEtag(fx.small));
    }, 60_000);

    test("s3 cp a file over 16 MiB up: multipart in 8 MiB parts, byte-equal on disk", async () => {
      const r = await aws(["s3", "cp", fx.large, `s3://music/${LARGE_KEY}`]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
      expect(filesUnder(server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(fx.large));
      expect(await headEtag(LARGE_KEY)).toBe(await expectedEtag(fx.large, AWSCLI_MULTIPART));
    }, 120_000);

    test("s3 ls and s3api list-objects-v2 list both, with sizes and ETags", async () => {
      const ls = must(await aws(["s3", "ls", "--recursive", "s3://music/"]));
      const lines = ls.stdout.trim().split("\n").map((l) => l.match(/^\S+ \S+\s+(\d+) (.+)$/)?.slice(1));
      expect(lines).toEqual([
        [String(SMALL_SIZE), SMALL_KEY],
        [String(LARGE_SIZE), LARGE_KEY],
      ]);
      const list = await json(["s3api", "list-objects-v2", "--bucket", "music", "--prefix", "Björk/"]);
      expect(list.Contents.map((c: any) => [c.Key, c.Size, c.ETag])).toEqual([
        [SMALL_KEY, SMALL_SIZE, await expectedEtag(fx.small)],
        [LARGE_KEY, LARGE_SIZE, await expectedEtag(fx.large, AWSCLI_MULTIPART)],
      ]);
    }, 60_000);

    test("s3 cp the small file down byte-equal", async () => {
      const small = join(fx.downloads, "small.flac");
      must(await aws(["s3", "cp", `s3://music/${SMALL_KEY}`, small]));
      expect(await md5File(small)).toBe(await md5File(fx.small));
    }, 60_000);

    test("s3 cp the large file down byte-equal (in ranged parts)", async () => {
      const large = join(fx.downloads, "large.flac");
      const r = must(await aws(["s3", "cp", `s3://music/${LARGE_KEY}`, large], 120_000));
      expect(r.requests.filter((q) => q.op === "GetObject").length, describeRun(r)).toBeGreaterThan(1);
      expect(await md5File(large)).toBe(await md5File(fx.large));
    }, 120_000);

    test("s3 sync a folder twice: the second run transfers nothing", async () => {
      const first = await aws(["s3", "sync", fx.syncDir, "s3://music/Sync"], 120_000);
      expect(first.exitCode, describeRun(first)).toBe(0);
      // Progress lines end in \r, not \n: count the announcements, not lines.
      expect(first.stdout.match(/upload: /g)?.length ?? 0).toBe(Object.keys(SYNC_FILES).length);
      expect(filesUnder(server.musicDir, "Sync")).toEqual(await expectedSyncTree(fx.syncDir, "Sync"));

      const before = identities(server.musicDir);
      const second = await aws(["s3", "sync", fx.syncDir, "s3://music/Sync"]);
      expect(second.exitCode, describeRun(second)).toBe(0);
      expect(second.stdout.trim(), describeRun(second)).toBe("");
      const writes = second.requests.filter((q) => q.op && /Put|Multipart|UploadPart|Copy/.test(q.op));
      expect(writes, describeRun(second)).toEqual([]);
      expect(identities(server.musicDir)).toEqual(before);
    }, 180_000);

    // awscli's rule (syncstrategy/base.py compare_time): upload when the local mtime is later than
    // LastModified; download when the local mtime is later, and then set it to int(LastModified).
    test("s3 sync up onto copies that kept their sub-second times (cp -p): nothing is uploaded", async () => {
      await copyIntoMusicKeepingTimes(server, fx.syncDir, "Kept");
      const before = identities(server.musicDir);
      const r = await aws(["s3", "sync", fx.syncDir, "s3://music/Kept"]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(r.stdout.trim(), describeRun(r)).toBe("");
      expect(r.requests.filter((q) => q.op && /Put|Multipart|UploadPart|Copy/.test(q.op)), describeRun(r)).toEqual([]);
      expect(identities(server.musicDir)).toEqual(before);
    }, 60_000);

    test("s3 sync down twice into an empty folder: the second run transfers nothing", async () => {
      // Besides the synced uploads, the bucket holds files that came in by hand, with sub-second mtimes.
      await copyIntoMusicKeepingTimes(server, byHand, "Sync/By Hand");
      const listed = await listedTimes(server, "Sync/");
      const down = join(fx.dir, "sync-down");
      const first = await aws(["s3", "sync", "s3://music/Sync", down], 120_000);
      expect(first.exitCode, describeRun(first)).toBe(0);
      expect(first.stdout.match(/download: /g)?.length ?? 0, describeRun(first)).toBe(Object.keys(listed).length);
      expect(filesUnder(down)).toEqual(Object.fromEntries(Object.entries(filesUnder(server.musicDir, "Sync")).map(([k, v]) => [k.slice(5), v])));
      // awscli gives each file the listing's time: whole seconds, so nothing is lost.
      expect(mtimesIn(down)).toEqual(Object.fromEntries(Object.entries(listed).map(([k, v]) => [k.slice(5), v])));

      const before = identities(down);
      const second = await aws(["s3", "sync", "s3://music/Sync", down]);
      expect(second.exitCode, describeRun(second)).toBe(0);
      expect(second.stdout.trim(), describeRun(second)).toBe("");
      expect(opCounts(second.requests).GetObject ?? 0, describeRun(second)).toBe(0);
      expect(identities(down)).toEqual(before);

      // And back up: a folder synced down is up to date with the bucket.
      const back = await aws(["s3", "sync", down, "s3://music/Sync"]);
      expect(back.exitCode, describeRun(back)).toBe(0);
      expect(back.stdout.trim(), describeRun(back)).toBe("");
      expect(back.requests.filter((q) => q.op && /Put|Multipart|UploadPart|Copy/.test(q.op)), describeRun(back)).toEqual([]);
    }, 180_000);

    test("s3 rm --recursive empties the music folder", async () => {
      const existing = (await json(["s3api", "list-objects-v2", "--bucket", "music"])).Contents ?? [];
      expect(existing.length).toBeGreaterThan(0);
      const r = await aws(["s3", "rm", "--recursive", "s3://music/"]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(r.stdout.match(/delete: /g)?.length ?? 0, describeRun(r)).toBe(existing.length);
      expect(musicLeft(server.musicDir)).toEqual([]);
      expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
      const list = await json(["s3api", "list-objects-v2", "--bucket", "music"]);
      expect(list.Contents ?? []).toEqual([]);
    }, 60_000);
  });
}
