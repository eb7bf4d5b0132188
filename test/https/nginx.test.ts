/**
 * The README's reverse-proxy recipe, as written: Debian's nginx terminating
 * TLS (the test CA's certificate) in front of the built executable on plain
 * HTTP, and the Python awscli 1.45 with its defaults going through it. Over
 * TLS awscli sends aws-chunked bodies with CRC32 trailers (chunked
 * transfer-encoding), which nginx must stream through unbuffered. The Host
 * header is signed, port included: the recipe's `$http_host` keeps it, and a
 * test shows that nginx's `$host` (port dropped) breaks every signature.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compositeCrc32, crc32Base64 } from "../helpers/checksums.ts";
import { expectedEtag, LARGE_SIZE, md5File, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts } from "../helpers/clients/recorder.ts";
import { type Nginx, readmeNginxRecipe, replaceOnce, startNginx } from "../helpers/nginx.ts";
import { AWSCLI_MULTIPART, pythonAws, sentPuts } from "../helpers/clients/awscli.ts";
import { httpsSuite } from "./suite.ts";

const SMALL = "nginx/Jóhann Jóhannsson/01 Flight from the City (東京).flac";
const LARGE = "nginx/Jóhann Jóhannsson/Long Mix (Side A+B).flac";

// The server speaks plain HTTP: nginx in front terminates TLS with the suite's CA.
const t = httpsSuite("nginx", { serverTls: false });
let nginx: Nginx;
let bin: string;

/** The README's server block, pointed at a test port, the test CA's certificate and the test server. */
function recipe(nginxPort: number, hostHeader = "$http_host"): string {
  let block = readmeNginxRecipe();
  block = replaceOnce(block, /listen 443 ssl;/, `listen 127.0.0.1:${nginxPort} ssl;`);
  block = replaceOnce(block, /ssl_certificate \S+;/, `ssl_certificate ${t.ca.certPem};`);
  block = replaceOnce(block, /ssl_certificate_key \S+;/, `ssl_certificate_key ${t.ca.keyPem};`);
  block = replaceOnce(block, /proxy_pass http:\/\/127\.0\.0\.1:9000;/, `proxy_pass http://127.0.0.1:${t.recorder.port};`);
  return replaceOnce(block, /proxy_set_header Host \$http_host;/, `proxy_set_header Host ${hostHeader};`);
}

/** nginx is up and passing requests to rockboxd-s3 (an unsigned request: 403 from us, not 502 from nginx). */
const proxying = async (port: number) =>
  (await fetch(`https://127.0.0.1:${port}/music`, { tls: { ca: readFileSync(t.ca.caPem, "utf8") } })).status === 403;

const aws = (port: number, args: string[], timeoutMs = 120_000): Promise<RunResult> =>
  run([bin, "--ca-bundle", t.ca.caPem, "--endpoint-url", `https://127.0.0.1:${port}`, ...args], {
    env: clientEnv(t.home, { AWS_PAGER: "" }),
    recorder: t.recorder,
    timeoutMs,
  });
const json = async (args: string[]) => JSON.parse(must(await aws(nginx.port, args)).stdout.trim() || "{}");

beforeAll(async () => {
  bin = pythonAws();
  nginx = await startNginx((port) => recipe(port), proxying);
}, 60_000);
afterAll(async () => {
  await nginx?.[Symbol.asyncDispose]();
});

describe("awscli 1.45 through nginx terminating TLS (the README recipe)", () => {
  test("the server itself speaks plain HTTP; nginx speaks TLS", () => {
    expect(t.server.url).toStartWith("http://127.0.0.1:");
    expect(nginx.port).not.toBe(t.server.port);
  });

  test("s3 cp a small file up: aws-chunked with a CRC32 trailer through nginx, byte-equal on disk", async () => {
    const r = await aws(nginx.port, ["--debug", "s3", "cp", t.fx.small, `s3://music/${SMALL}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(sentPuts(r.stderr).map((h) => [h["x-amz-content-sha256"], h["transfer-encoding"], h["x-amz-trailer"]])).toEqual([
      ["STREAMING-UNSIGNED-PAYLOAD-TRAILER", "chunked", "x-amz-checksum-crc32"],
    ]);
    expect(filesUnder(t.server.musicDir, "nginx")).toEqual({ [SMALL]: await md5File(t.fx.small) });
    const head = await json(["s3api", "head-object", "--bucket", "music", "--key", SMALL, "--checksum-mode", "ENABLED"]);
    expect([head.ETag, head.ChecksumCRC32]).toEqual([await expectedEtag(t.fx.small), crc32Base64(await Bun.file(t.fx.small).bytes())]);
  }, 60_000);

  test("s3 cp a file over 16 MiB up: multipart in 8 MiB parts through nginx, byte-equal on disk", async () => {
    const r = await aws(nginx.port, ["s3", "cp", t.fx.large, `s3://music/${LARGE}`]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
    expect(filesUnder(t.server.musicDir, "nginx")[LARGE]).toBe(await md5File(t.fx.large));
    const head = await json(["s3api", "head-object", "--bucket", "music", "--key", LARGE, "--checksum-mode", "ENABLED"]);
    expect([head.ETag, head.ChecksumCRC32]).toEqual([
      await expectedEtag(t.fx.large, AWSCLI_MULTIPART),
      compositeCrc32(await Bun.file(t.fx.large).bytes(), AWSCLI_MULTIPART.partSize),
    ]);
  }, 120_000);

  test("s3api list-objects-v2 lists both with sizes and ETags", async () => {
    const list = await json(["s3api", "list-objects-v2", "--bucket", "music", "--prefix", "nginx/"]);
    expect(list.Contents.map((c: any) => [c.Key, c.Size, c.ETag])).toEqual([
      [SMALL, SMALL_SIZE, await expectedEtag(t.fx.small)],
      [LARGE, LARGE_SIZE, await expectedEtag(t.fx.large, AWSCLI_MULTIPART)],
    ]);
  }, 60_000);

  test("s3 cp both down byte-equal", async () => {
    const smallOut = join(t.fx.downloads, "small.flac");
    const largeOut = join(t.fx.downloads, "large.flac");
    must(await aws(nginx.port, ["s3", "cp", `s3://music/${SMALL}`, smallOut]));
    const r = must(await aws(nginx.port, ["s3", "cp", `s3://music/${LARGE}`, largeOut]));
    expect(r.requests.filter((q) => q.op === "GetObject").length, describeRun(r)).toBeGreaterThan(1);
    expect([await md5File(smallOut), await md5File(largeOut)]).toEqual([await md5File(t.fx.small), await md5File(t.fx.large)]);
  }, 120_000);

  test("s3 rm --recursive deletes both: the music folder is empty", async () => {
    const r = await aws(nginx.port, ["s3", "rm", "--recursive", "s3://music/nginx/"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout.match(/delete: /g)?.length ?? 0, describeRun(r)).toBe(2);
    expect(musicLeft(t.server.musicDir)).toEqual([]);
    expect(workLeftovers(t.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
  }, 60_000);

  test("CompleteMultipartUpload's Location is the https URL the client used (the recipe's X-Forwarded-Proto)", async () => {
    const key = "nginx-location.flac";
    const { UploadId } = await json(["s3api", "create-multipart-upload", "--bucket", "music", "--key", key]);
    const part = await json(["s3api", "upload-part", "--bucket", "music", "--key", key, "--upload-id", UploadId, "--part-number", "1", "--body", t.fx.small]);
    const parts = JSON.stringify({ Parts: [{ PartNumber: 1, ETag: part.ETag }] });
    const done = await json(["s3api", "complete-multipart-upload", "--bucket", "music", "--key", key, "--upload-id", UploadId, "--multipart-upload", parts]);
    must(await aws(nginx.port, ["s3api", "delete-object", "--bucket", "music", "--key", key]));
    expect(done.Location).toBe(`https://127.0.0.1:${nginx.port}/music/${key}`);
  }, 60_000);

  test("why $http_host: with nginx's $host (port dropped) every signature fails", async () => {
    await using portless = await startNginx((port) => recipe(port, "$host"), proxying);
    const r = await aws(portless.port, ["s3api", "list-objects-v2", "--bucket", "music"], 60_000);
    expect(r.exitCode, describeRun(r)).not.toBe(0);
    expect(r.stderr).toContain("SignatureDoesNotMatch");
  }, 60_000);
});
