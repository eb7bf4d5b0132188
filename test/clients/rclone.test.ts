/**
 * rclone (Debian 1.60, provider Other) with its defaults, configured from a
 * config file in a throwaway HOME. rclone uploads files below its
 * upload_cutoff (200 MiB) in one PUT, so the 17 MiB file goes up as a single
 * PUT; multipart is exercised with `rclone rcat` (a stream of unknown length
 * is always uploaded in 5 MiB parts). AWS_CA_BUNDLE is kept out of its
 * environment: with it set, rclone refuses to start an S3 remote.
 */
import { expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { expectedEtag, expectedSyncTree, LARGE_KEY, LARGE_SIZE, md5File, SMALL_KEY, SMALL_SIZE, SYNC_FILES } from "../helpers/clients/fixture.ts";
import { etagOf, filesUnder, identities } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { RCLONE_PARTS, rcloneBin, writeRcloneConfig } from "../helpers/clients/rclone.ts";
import { opCounts, writesIn } from "../helpers/clients/recorder.ts";
import { waitFor } from "../helpers/server.ts";
import { copyIntoMusicKeepingTimes, handFiles, listedTimes, mtimesIn, setFractionalMtimes } from "../helpers/sync-times.ts";
import { type ClientWorld, clientConformance } from "./conformance.ts";

const STREAMED_KEY = "Björk/Streamed/Long Mix (streamed, 東京).flac";

let bin: string;
let config: string;
/** Files that reach the bucket by hand, not through S3: no mtime metadata of rclone's. */
let byHand: string;

const rclone = (w: ClientWorld, args: string[], opts: { stdin?: { file: string } } = {}): Promise<RunResult> =>
  run([bin, "--config", config, ...args], { env: clientEnv(w.home), recorder: w.recorder, stdin: opts.stdin, timeoutMs: 120_000 });

/** A sync that found everything up to date: it says so, logs no change, and sent no write. */
function expectNothingDone(r: RunResult): void {
  expect(r.exitCode, describeRun(r)).toBe(0);
  expect(r.stderr, describeRun(r)).toContain("There was nothing to transfer");
  expect(r.stderr, describeRun(r)).not.toMatch(/Copied|Updated modification time|Deleted/);
  expect(writesIn(r.requests), describeRun(r)).toEqual([]);
}

clientConformance(
  "rclone",
  {
    setup(w) {
      bin = rcloneBin();
      // Real files have sub-second mtimes; whole seconds would hide how times are rounded.
      setFractionalMtimes(w.fx.syncDir);
      byHand = handFiles(w.fx.dir);
      config = writeRcloneConfig(w.home, w.recorder.url);
    },
    async checkVersion(w) {
      expect(must(await rclone(w, ["version"])).stdout).toMatch(/^rclone v1\.\d+/);
    },
    async upload(w, path, key) {
      must(await rclone(w, ["copyto", path, `rb:music/${key}`]));
    },
    async list(w, prefix) {
      const r = must(await rclone(w, ["lsjson", "-R", "--files-only", `rb:music/${prefix}`]));
      return (JSON.parse(r.stdout) as any[]).map((e) => ({ key: `${prefix}${e.Path}`, size: e.Size }));
    },
    async download(w, key, path) {
      must(await rclone(w, ["copyto", `rb:music/${key}`, path]));
      expect(existsSync(path), `rclone exited 0 but wrote no ${path}`).toBe(true);
    },
    async sync(w, dir, prefix) {
      const r = must(await rclone(w, ["sync", "-v", dir, `rb:music/${prefix}`]));
      const copied = r.stderr.match(/: Copied \(new\)/g)?.length ?? 0;
      if (copied === 0) expectNothingDone(r);
      return copied;
    },
    async deleteAll(w, keys) {
      must(await rclone(w, ["purge", "rb:music/Sync"]));
      expect(filesUnder(w.server.musicDir, "Sync")).toEqual({});
      const purged = keys.filter((k) => k.startsWith("Sync/") && !existsSync(join(w.server.musicDir, k))).length;
      const r = must(await rclone(w, ["delete", "-v", "rb:music"]));
      expect(must(await rclone(w, ["lsf", "-R", "rb:music"])).stdout).toBe("");
      return purged + (r.stderr.match(/: Deleted/g)?.length ?? 0);
    },
  },
  {
    parts: null,
    words: { upload: "copyto", large: "one PUT (below rclone's 200 MiB upload_cutoff)", list: "lsjson", download: "copyto", sync: "sync", delete: "purge a folder and delete the rest" },
    largeUploadOps: { PutObject: 1 },
    // lsjson shows ETags only as MD5 hashes (--hash), and none for multipart objects: see the lsjson --hash test.
    listsEtags: false,
    extra: {
      afterUploads(w) {
        test("rcat the 17 MiB file as a stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
          const r = must(await rclone(w, ["rcat", `rb:music/${STREAMED_KEY}`], { stdin: { file: w.fx.large } }));
          expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
          expect(filesUnder(w.server.musicDir, "Björk")[STREAMED_KEY]).toBe(await md5File(w.fx.large));
          expect(await etagOf(w.server, STREAMED_KEY)).toBe(await expectedEtag(w.fx.large, RCLONE_PARTS));
        }, 120_000);

        test("lsjson --hash lists all three, with MD5s from the ETags", async () => {
          const r = must(await rclone(w, ["lsjson", "-R", "--files-only", "--hash", "rb:music"]));
          const listed = (JSON.parse(r.stdout) as any[]).map((e) => ({ Path: e.Path, Size: e.Size, md5: e.Hashes?.md5 ?? null }));
          expect(listed.sort((a, b) => a.Path.localeCompare(b.Path))).toEqual([
            { Path: STREAMED_KEY, Size: LARGE_SIZE, md5: null }, // multipart from a stream: rclone knows no MD5 for it
            { Path: LARGE_KEY, Size: LARGE_SIZE, md5: await md5File(w.fx.large) },
            { Path: SMALL_KEY, Size: SMALL_SIZE, md5: await md5File(w.fx.small) },
          ].sort((a, b) => a.Path.localeCompare(b.Path)));
        }, 60_000);
      },
      afterDownloads(w) {
        test("copyto the streamed (multipart) file down byte-equal", async () => {
          const path = join(w.fx.downloads, "streamed.flac");
          must(await rclone(w, ["copyto", `rb:music/${STREAMED_KEY}`, path]));
          expect(existsSync(path), `rclone exited 0 but wrote no ${path}`).toBe(true);
          expect(await md5File(path)).toBe(await md5File(w.fx.large));
        }, 120_000);
      },
      afterSync(w) {
        test("rclone check agrees with the synced folder", async () => {
          const check = await rclone(w, ["check", w.fx.syncDir, "rb:music/Sync"]);
          expect(check.exitCode, describeRun(check)).toBe(0);
          expect(check.stderr).toContain("0 differences found");
        }, 60_000);

        // rclone takes an object's time from its own x-amz-meta-mtime, else from HEAD's Last-Modified, and
        // compares it with a local mtime to the nanosecond; a download gives the file that time.
        test("sync down twice into an empty folder: the second run transfers nothing", async () => {
          // Besides rclone's uploads (with their mtime metadata), files that came in by hand (without).
          const handKeys = await copyIntoMusicKeepingTimes(w.server, byHand, "Sync/By Hand");
          const down = join(w.fx.dir, "sync-down");
          const inSync = Object.fromEntries(Object.entries(filesUnder(w.server.musicDir, "Sync")).map(([k, v]) => [k.slice(5), v]));
          const first = must(await rclone(w, ["sync", "-v", "rb:music/Sync", down]));
          expect(first.stderr.match(/: Copied \(new\)/g)?.length ?? 0, describeRun(first)).toBe(Object.keys(inSync).length);
          expect(filesUnder(down)).toEqual(inSync);
          // rclone's own uploads come back with the local file's exact mtime, the others with the object's time.
          const listed = await listedTimes(w.server, "Sync/");
          const expected: Record<string, number> = { ...mtimesIn(w.fx.syncDir) };
          for (const key of handKeys) expected[key.slice(5)] = listed[key] ?? NaN;
          expect(mtimesIn(down)).toEqual(expected);

          const before = identities(down);
          const second = await rclone(w, ["sync", "-v", "rb:music/Sync", down]);
          expectNothingDone(second);
          expect(opCounts(second.requests).GetObject ?? 0, describeRun(second)).toBe(0);
          expect(identities(down)).toEqual(before);

          // And back up: a folder synced down is up to date with the bucket.
          expectNothingDone(await rclone(w, ["sync", "-v", down, "rb:music/Sync"]));
        }, 180_000);

        test("sync up onto copies that kept their sub-second times: no bytes sent, rclone stores its mtime once", async () => {
          const keys = await copyIntoMusicKeepingTimes(w.server, w.fx.syncDir, "Kept");
          // Without its metadata rclone compares times to the nanosecond, so whole seconds differ from the local
          // fraction however they are rounded; it then compares MD5s, which needs the hasher's ETags.
          for (const key of keys) {
            const want = await expectedEtag(join(w.fx.syncDir, key.slice("Kept/".length)));
            await waitFor(async () => (await etagOf(w.server, key)) === want, 30_000, `the MD5 ETag of ${key}`);
          }
          const first = must(await rclone(w, ["sync", "-v", w.fx.syncDir, "rb:music/Kept"]));
          expect(first.stderr, describeRun(first)).toContain("There was nothing to transfer");
          expect(first.stderr.match(/Updated modification time in destination/g)?.length ?? 0, describeRun(first)).toBe(keys.length);
          expect(opCounts(first.requests), describeRun(first)).not.toHaveProperty("PutObject");
          expect(filesUnder(w.server.musicDir, "Kept")).toEqual(await expectedSyncTree(w.fx.syncDir, "Kept"));

          const before = identities(w.server.musicDir);
          expectNothingDone(await rclone(w, ["sync", "-v", w.fx.syncDir, "rb:music/Kept"]));
          expect(identities(w.server.musicDir)).toEqual(before);
        }, 120_000);

        test("the README recipe: copy a folder up, ls shows every file with its size", async () => {
          must(await rclone(w, ["copy", w.fx.syncDir, "rb:music/Copied"]));
          expect(filesUnder(w.server.musicDir, "Copied")).toEqual(await expectedSyncTree(w.fx.syncDir, "Copied"));
          const ls = must(await rclone(w, ["ls", "rb:music/Copied"]));
          const listed = Object.fromEntries(
            ls.stdout.trim().split("\n").map((line) => {
              const m = /^\s*(\d+) (.*)$/.exec(line)!;
              return [m[2]!, Number(m[1])];
            }),
          );
          const expected = Object.fromEntries(Object.keys(SYNC_FILES).map((rel) => [rel, statSync(join(w.fx.syncDir, rel)).size]));
          expect(listed).toEqual(expected);
          must(await rclone(w, ["purge", "rb:music/Copied"]));
        }, 180_000);
      },
    },
  },
);
