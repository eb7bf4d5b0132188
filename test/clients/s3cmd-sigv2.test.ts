/**
 * s3cmd 2.3 (Debian) with --signature-v2: the header form of Signature V2
 * (`Authorization: AWS key:sig`) that older tools still send, against the
 * built executable. put (single and multipart: ?uploads, ?uploadId, and
 * ?partNumber are V2 sub-resources), ls, get, del and del --recursive
 * (?delete).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { makeFixture, md5File, type Fixture } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts, type Recorder, recordingProxy } from "../helpers/clients/recorder.ts";
import { s3cmdBin, writeS3cmdConfig } from "../helpers/clients/s3cmd.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";

/** Space, "+", "&", "=", quote, brackets, accents, CJK and an emoji. */
const SMALL_KEY = "V2/Sigur Rós + Björk & Co = 東京 'live' (1) [2] 🎵.flac";
const LARGE_KEY = "V2/Long Mix (Side A+B) é.flac";

let server: TestServer;
/** The proxy clients talk to: it records what they send. */
let recorder: Recorder;
let fx: Fixture;
let home: string;
let bin: string;

const s3cmd = (args: string[], timeoutMs = 90_000): Promise<RunResult> =>
  run([bin, "--signature-v2", ...args], { env: clientEnv(home), recorder, timeoutMs });

beforeAll(async () => {
  bin = s3cmdBin();
  server = await startServer({ command: await executableCommand() });
  recorder = await recordingProxy(server);
  fx = makeFixture("s3cmd-v2");
  home = tempDir("s3cmd-v2-home");
  writeS3cmdConfig(home, recorder);
}, 120_000);
afterAll(async () => {
  await recorder?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("s3cmd --signature-v2", () => {
  test("put a small file: signed with V2 only, byte-equal on disk", async () => {
    const r = await s3cmd(["--debug", "put", fx.small, `s3://music/${SMALL_KEY}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stderr).toContain("Using signature v2");
    expect(r.stderr).not.toContain("Using signature v4");
    // s3cmd's V2 string to sign: empty Date position, x-amz-date among the amz headers.
    expect(r.stderr).toMatch(/SignHeaders: 'PUT\\n\\napplication\/octet-stream\\n\\nx-amz-date:/);
    expect(filesUnder(server.musicDir, "V2")).toEqual({ [SMALL_KEY]: await md5File(fx.small) });
  }, 60_000);

  test("put a file over 15 MiB: multipart (uploads, uploadId, partNumber signed), byte-equal on disk", async () => {
    const r = await s3cmd(["put", fx.large, `s3://music/${LARGE_KEY}`], 120_000);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "V2")[LARGE_KEY]).toBe(await md5File(fx.large));
  }, 120_000);

  test("ls lists both", async () => {
    const r = must(await s3cmd(["ls", "--recursive", "s3://music/V2/"]));
    const keys = r.stdout.trim().split("\n").map((l) => l.match(/s3:\/\/music\/(.+)$/)?.[1]);
    expect(keys.sort()).toEqual([LARGE_KEY, SMALL_KEY].sort());
  }, 60_000);

  test("get both byte-equal", async () => {
    for (const [key, source] of [[SMALL_KEY, fx.small], [LARGE_KEY, fx.large]] as const) {
      const path = join(fx.downloads, `${source === fx.small ? "small" : "large"}.flac`);
      const r = must(await s3cmd(["get", "--force", `s3://music/${key}`, path], 120_000));
      expect(r.stderr + r.stdout, describeRun(r)).not.toMatch(/MD5 signatures do not match|WARNING/);
      expect(await md5File(path)).toBe(await md5File(source));
    }
  }, 120_000);

  test("del one object, then del --recursive (DeleteObjects): the music folder is empty", async () => {
    must(await s3cmd(["del", `s3://music/${SMALL_KEY}`]));
    expect(Object.keys(filesUnder(server.musicDir, "V2"))).toEqual([LARGE_KEY]);
    const r = await s3cmd(["del", "--recursive", "--force", "s3://music/"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests)).toMatchObject({ DeleteObjects: 1 });
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir)).toEqual([]);
  }, 60_000);
});
