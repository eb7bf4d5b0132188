/**
 * The awscli end-to-end suite, shared by the two awscli builds we support:
 * Debian's awscli 2.9 (old checksum behaviour: signed payloads, Content-MD5)
 * and the Python awscli 1.45 (new default checksums: CRC32 on every PUT and
 * part, COMPOSITE CRC32 multipart uploads). Both run with their defaults —
 * the only environment is the credentials, region us-east-1, a UTF-8 locale,
 * no pager and a throwaway HOME. The shared client checks come from
 * conformance.ts; beside them, what awscli's sync does with times.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { AWSCLI_MULTIPART, sentPuts } from "../helpers/clients/awscli.ts";
import { SMALL_KEY } from "../helpers/clients/fixture.ts";
import { filesUnder, identities } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts, writesIn } from "../helpers/clients/recorder.ts";
import { copyIntoMusicKeepingTimes, handFiles, listedTimes, mtimesIn, setFractionalMtimes } from "../helpers/sync-times.ts";
import { type ClientWorld, clientConformance } from "./conformance.ts";

export interface AwscliFlavour {
  label: string;
  /** Resolves the binary (throws a clear error when it is missing). */
  bin: () => string;
  /** Asserts `aws --version` is the build this suite is about. */
  checkVersion: (versionLine: string) => void;
  /** Asserts what a default `s3 cp` of a small file sends: payload mode and integrity headers (lower-cased name → value). */
  checkPutHeaders: (headers: Record<string, string>) => void;
}

export function awscliSuite(flavour: AwscliFlavour): void {
  let bin: string;
  /** Files that reach the bucket by hand, not through S3. */
  let byHand: string;
  /** key → the headers of the PUTs its `s3 cp` sent (from --debug). */
  const puts = new Map<string, Record<string, string>[]>();

  const aws = (w: ClientWorld, args: string[], timeoutMs = 120_000): Promise<RunResult> =>
    run([bin, "--endpoint-url", w.recorder.url, ...args], { env: clientEnv(w.home, { AWS_PAGER: "" }), recorder: w.recorder, timeoutMs });
  // awscli 2 prints nothing at all for an empty listing (no Contents, nothing else set).
  const json = async (w: ClientWorld, args: string[]) => JSON.parse(must(await aws(w, args)).stdout.trim() || "{}");
  /** The second run of a sync that found everything up to date: it says nothing and sends no write. */
  const expectNothingSent = (r: RunResult) => {
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.trim(), describeRun(r)).toBe("");
    expect(writesIn(r.requests), describeRun(r)).toEqual([]);
  };

  clientConformance(
    flavour.label,
    {
      setup(w) {
        bin = flavour.bin();
        // Real files have sub-second mtimes; whole seconds would hide how the server rounds its times.
        setFractionalMtimes(w.fx.syncDir);
        byHand = handFiles(w.fx.dir);
      },
      async checkVersion(w) {
        const r = must(await aws(w, ["--version"]));
        flavour.checkVersion((r.stdout + r.stderr).trim());
      },
      async upload(w, path, key) {
        const r = must(await aws(w, ["--debug", "s3", "cp", path, `s3://music/${key}`]));
        puts.set(key, sentPuts(r.stderr));
      },
      async list(w, prefix) {
        const list = await json(w, ["s3api", "list-objects-v2", "--bucket", "music", "--prefix", prefix]);
        return (list.Contents ?? []).map((c: any) => ({ key: c.Key, size: c.Size, etag: c.ETag }));
      },
      async download(w, key, path) {
        must(await aws(w, ["s3", "cp", `s3://music/${key}`, path]));
      },
      async sync(w, dir, prefix) {
        const r = must(await aws(w, ["s3", "sync", dir, `s3://music/${prefix}`]));
        // Progress lines end in \r, not \n: count the announcements, not lines. Any other output counts too:
        // a sync with nothing to do prints nothing at all.
        return r.stdout.match(/(upload|copy|delete): /g)?.length ?? (r.stdout.trim() ? -1 : 0);
      },
      async deleteAll(w) {
        const r = must(await aws(w, ["s3", "rm", "--recursive", "s3://music/"]));
        return r.stdout.match(/delete: /g)?.length ?? 0;
      },
    },
    {
      parts: AWSCLI_MULTIPART,
      words: { upload: "s3 cp", large: "multipart in 8 MiB parts", list: "s3api list-objects-v2", download: "s3 cp", sync: "s3 sync", delete: "s3 rm --recursive" },
      largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 },
      listsEtags: true,
      rangedDownload: true,
      extra: {
        afterUploads(w) {
          test("s3 cp of a small file sends this build's payload mode and integrity headers", () => {
            flavour.checkPutHeaders(puts.get(SMALL_KEY)?.[0] ?? {});
          });

          test("s3 ls --recursive lists both with their sizes", async () => {
            const ls = must(await aws(w, ["s3", "ls", "--recursive", "s3://music/"]));
            const lines = ls.stdout.trim().split("\n").map((l) => l.match(/^\S+ \S+\s+(\d+) (.+)$/)?.slice(1));
            const listed = await json(w, ["s3api", "list-objects-v2", "--bucket", "music"]);
            expect(lines).toEqual(listed.Contents.map((c: any) => [String(c.Size), c.Key]));
            expect(lines.length).toBe(2);
          }, 60_000);
        },
        afterSync(w) {
          // awscli's rule (syncstrategy/base.py compare_time): upload when the local mtime is later than
          // LastModified; download when the local mtime is later, and then set it to int(LastModified).
          test("s3 sync up onto copies that kept their sub-second times (cp -p): nothing is uploaded", async () => {
            await copyIntoMusicKeepingTimes(w.server, w.fx.syncDir, "Kept");
            const before = identities(w.server.musicDir);
            expectNothingSent(await aws(w, ["s3", "sync", w.fx.syncDir, "s3://music/Kept"]));
            expect(identities(w.server.musicDir)).toEqual(before);
          }, 60_000);

          test("s3 sync down twice into an empty folder: the second run transfers nothing", async () => {
            // Besides the synced uploads, the bucket holds files that came in by hand, with sub-second mtimes.
            await copyIntoMusicKeepingTimes(w.server, byHand, "Sync/By Hand");
            const listed = await listedTimes(w.server, "Sync/");
            const down = join(w.fx.dir, "sync-down");
            const first = must(await aws(w, ["s3", "sync", "s3://music/Sync", down]));
            expect(first.stdout.match(/download: /g)?.length ?? 0, describeRun(first)).toBe(Object.keys(listed).length);
            expect(filesUnder(down)).toEqual(Object.fromEntries(Object.entries(filesUnder(w.server.musicDir, "Sync")).map(([k, v]) => [k.slice(5), v])));
            // awscli gives each file the listing's time: whole seconds, so nothing is lost.
            expect(mtimesIn(down)).toEqual(Object.fromEntries(Object.entries(listed).map(([k, v]) => [k.slice(5), v])));

            const before = identities(down);
            const second = await aws(w, ["s3", "sync", "s3://music/Sync", down]);
            expectNothingSent(second);
            expect(opCounts(second.requests).GetObject ?? 0, describeRun(second)).toBe(0);
            expect(identities(down)).toEqual(before);

            // And back up: a folder synced down is up to date with the bucket.
            expectNothingSent(await aws(w, ["s3", "sync", down, "s3://music/Sync"]));
          }, 180_000);
        },
      },
    },
  );
}
