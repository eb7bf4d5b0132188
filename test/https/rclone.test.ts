/**
 * rclone (Debian 1.60) over HTTPS against the built executable, trusting a
 * test CA with `--ca-cert`, otherwise with its defaults. A small `copyto` is
 * one PUT; `rcat` streams the 17 MiB file as a multipart upload in 5 MiB
 * parts. AWS_CA_BUNDLE stays out of its environment: with it set, rclone
 * refuses to start an S3 remote.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { expectedEtag, LARGE_SIZE, makeFixture, md5File, SMALL_SIZE, type Fixture } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts, type Recorder, recordingProxy } from "../helpers/clients/recorder.ts";
import { sdkClient } from "../helpers/clients.ts";
import { RCLONE_PARTS, rcloneBin, writeRcloneConfig } from "../helpers/clients/rclone.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";
import { makeTestCa, type TestCa, tlsSettings, trustingAgent } from "../helpers/test-ca.ts";

const SMALL = "rclone/Hildur Guðnadóttir/01 Bathroom Dance (東京).flac";
const STREAMED = "rclone/Hildur Guðnadóttir/Long Mix (streamed).flac";

let ca: TestCa;
let server: TestServer;
/** The proxy clients talk to: it records what they send. */
let recorder: Recorder;
let fx: Fixture;
let home: string;
let bin: string;
let config: string;

const rclone = (args: string[], opts: { stdin?: { file: string }; ca?: boolean } = {}): Promise<RunResult> =>
  run([bin, "--config", config, ...(opts.ca === false ? [] : ["--ca-cert", ca.caPem]), ...args], {
    env: clientEnv(home),
    recorder,
    stdin: opts.stdin,
    timeoutMs: 120_000,
  });

beforeAll(async () => {
  bin = rcloneBin();
  ca = makeTestCa();
  server = await startServer({ settings: tlsSettings(ca), command: await executableCommand() });
  recorder = await recordingProxy(server, ca);
  fx = makeFixture("https-rclone");
  home = tempDir("https-rclone-home");
  config = writeRcloneConfig(home, recorder.url);
}, 120_000);
afterAll(async () => {
  await recorder?.[Symbol.asyncDispose]();
  await server?.[Symbol.asyncDispose]();
  ca?.[Symbol.dispose]();
  for (const d of [fx?.dir, home]) if (d) rmSync(d, { recursive: true, force: true });
});

describe("rclone over HTTPS", () => {
  test("refuses the server without --ca-cert", async () => {
    // One try: rclone otherwise retries the handshake for a minute.
    const r = await rclone(["lsf", "--retries", "1", "--low-level-retries", "1", "rb:music"], { ca: false });
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/x509: certificate signed by unknown authority/);
  }, 60_000);

  test("copyto a small file: one PUT, byte-equal on disk", async () => {
    const r = await rclone(["copyto", fx.small, `rb:music/${SMALL}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ PutObject: 1 });
    expect(filesUnder(server.musicDir, "rclone")).toEqual({ [SMALL]: await md5File(fx.small) });
  }, 60_000);

  test("rcat the 17 MiB file as a stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
    const r = await rclone(["rcat", `rb:music/${STREAMED}`], { stdin: { file: fx.large } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    expect(filesUnder(server.musicDir, "rclone")[STREAMED]).toBe(await md5File(fx.large));
  }, 120_000);

  test("lsjson lists both with sizes; ETags as uploaded", async () => {
    const r = must(await rclone(["lsjson", "-R", "--files-only", "rb:music"]));
    expect((JSON.parse(r.stdout) as any[]).map((e) => [e.Path, e.Size])).toEqual([
      [SMALL, SMALL_SIZE],
      [STREAMED, LARGE_SIZE],
    ]);
    const s3 = sdkClient(server, { requestHandler: { httpsAgent: trustingAgent(ca) } });
    const etag = async (Key: string) => (await s3.send(new HeadObjectCommand({ Bucket: "music", Key }))).ETag;
    try {
      expect([await etag(SMALL), await etag(STREAMED)]).toEqual([
        await expectedEtag(fx.small),
        await expectedEtag(fx.large, RCLONE_PARTS),
      ]);
    } finally {
      s3.destroy();
    }
  }, 60_000);

  test("copyto both down byte-equal", async () => {
    for (const [key, src] of [[SMALL, fx.small], [STREAMED, fx.large]] as const) {
      const path = join(fx.downloads, key.replaceAll("/", "_"));
      must(await rclone(["copyto", `rb:music/${key}`, path]));
      expect(await md5File(path)).toBe(await md5File(src));
    }
  }, 120_000);

  test("purge deletes both: the music folder is empty", async () => {
    const r = await rclone(["purge", "rb:music/rclone"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(must(await rclone(["lsf", "-R", "rb:music"])).stdout).toBe("");
  }, 60_000);
});
