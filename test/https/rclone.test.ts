/**
 * rclone (Debian 1.60) over HTTPS against the built executable, trusting a
 * test CA with `--ca-cert`, otherwise with its defaults. A small `copyto` is
 * one PUT; `rcat` streams the 17 MiB file as a multipart upload in 5 MiB
 * parts. AWS_CA_BUNDLE stays out of its environment: with it set, rclone
 * refuses to start an S3 remote.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { join } from "node:path";
import { expectedEtag, LARGE_SIZE, md5File, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts } from "../helpers/clients/recorder.ts";
import { sdkClient } from "../helpers/clients.ts";
import { RCLONE_PARTS, rcloneBin, writeRcloneConfig } from "../helpers/clients/rclone.ts";
import { trustingAgent } from "../helpers/test-ca.ts";
import { httpsSuite } from "./suite.ts";

const SMALL = "rclone/Hildur Guðnadóttir/01 Bathroom Dance (東京).flac";
const STREAMED = "rclone/Hildur Guðnadóttir/Long Mix (streamed).flac";

const t = httpsSuite("rclone");
let bin: string;
let config: string;

const rclone = (args: string[], opts: { stdin?: { file: string }; ca?: boolean } = {}): Promise<RunResult> =>
  run([bin, "--config", config, ...(opts.ca === false ? [] : ["--ca-cert", t.ca.caPem]), ...args], {
    env: clientEnv(t.home),
    recorder: t.recorder,
    stdin: opts.stdin,
    timeoutMs: 120_000,
  });

beforeAll(() => {
  bin = rcloneBin();
  config = writeRcloneConfig(t.home, t.recorder.url);
});

describe("rclone over HTTPS", () => {
  test("refuses the server without --ca-cert", async () => {
    // One try: rclone otherwise retries the handshake for a minute.
    const r = await rclone(["lsf", "--retries", "1", "--low-level-retries", "1", "rb:music"], { ca: false });
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/x509: certificate signed by unknown authority/);
  }, 60_000);

  test("copyto a small file: one PUT, byte-equal on disk", async () => {
    const r = await rclone(["copyto", t.fx.small, `rb:music/${SMALL}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ PutObject: 1 });
    expect(filesUnder(t.server.musicDir, "rclone")).toEqual({ [SMALL]: await md5File(t.fx.small) });
  }, 60_000);

  test("rcat the 17 MiB file as a stream: multipart in 5 MiB parts, byte-equal on disk", async () => {
    const r = await rclone(["rcat", `rb:music/${STREAMED}`], { stdin: { file: t.fx.large } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 4, CompleteMultipartUpload: 1 });
    expect(filesUnder(t.server.musicDir, "rclone")[STREAMED]).toBe(await md5File(t.fx.large));
  }, 120_000);

  test("lsjson lists both with sizes; ETags as uploaded", async () => {
    const r = must(await rclone(["lsjson", "-R", "--files-only", "rb:music"]));
    expect((JSON.parse(r.stdout) as any[]).map((e) => [e.Path, e.Size])).toEqual([
      [SMALL, SMALL_SIZE],
      [STREAMED, LARGE_SIZE],
    ]);
    const s3 = sdkClient(t.server, { requestHandler: { httpsAgent: trustingAgent(t.ca) } });
    const etag = async (Key: string) => (await s3.send(new HeadObjectCommand({ Bucket: "music", Key }))).ETag;
    try {
      expect([await etag(SMALL), await etag(STREAMED)]).toEqual([
        await expectedEtag(t.fx.small),
        await expectedEtag(t.fx.large, RCLONE_PARTS),
      ]);
    } finally {
      s3.destroy();
    }
  }, 60_000);

  test("copyto both down byte-equal", async () => {
    for (const [key, src] of [[SMALL, t.fx.small], [STREAMED, t.fx.large]] as const) {
      const path = join(t.fx.downloads, key.replaceAll("/", "_"));
      must(await rclone(["copyto", `rb:music/${key}`, path]));
      expect(await md5File(path)).toBe(await md5File(src));
    }
  }, 120_000);

  test("purge deletes both: the music folder is empty", async () => {
    const r = await rclone(["purge", "rb:music/rclone"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(musicLeft(t.server.musicDir)).toEqual([]);
    expect(workLeftovers(t.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    expect(must(await rclone(["lsf", "-R", "rb:music"])).stdout).toBe("");
  }, 60_000);
});
