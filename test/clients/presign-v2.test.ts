/**
 * Presigned links from the tools that make Signature V2 URLs with their
 * default settings (SPEC §5), against the built executable, fetched and
 * uploaded with curl as a user would: boto3 1.43 generate_presigned_url
 * (GET and PUT) and `aws s3 presign` from pip awscli 1.45.
 * aws-sdk v2's getSignedUrl is in aws-sdk-v2.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { md5File, payload } from "../helpers/clients/fixture.ts";
import { filesUnder } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, requireTool, run, type RunResult } from "../helpers/clients/process.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";

const SCRIPT = join(import.meta.dir, "boto3_presign.py");
/** Space, "+", "&", "=", quote, brackets, accents, CJK and an emoji: each must round-trip. */
const KEY = "Presign/Sigur Rós + Björk & Co = 東京 'live' (1) [2] 🎵.mp3";

let server: TestServer;
let home: string;
let python: string;
let curl: string;
let aws: string;
let song: string;
/** Every boto3 URL the tests use, made in one python run (each start costs seconds here). */
let urls: Record<string, string> = {};

const TYPED_KEY = "Presign/typed & tagged.mp3";
const SONG = payload(300_001, 7);
const SONG_MD5_BASE64 = new Bun.CryptoHasher("md5").update(SONG).digest("base64");
const PRESIGNS: Record<string, Presign> = {
  get: { method: "get_object", params: { Key: KEY } },
  put: { method: "put_object", params: { Key: KEY } },
  overrides: {
    method: "get_object",
    params: { Key: KEY, ResponseContentDisposition: 'attachment; filename="Hoppipolla + more.mp3"', ResponseContentType: "audio/x-test" },
  },
  typedPut: { method: "put_object", params: { Key: TYPED_KEY, ContentType: "audio/mpeg" } },
  copyPut: { method: "put_object", params: { Key: "Presign/copy.mp3" } },
  expired: { method: "get_object", params: { Key: KEY }, expires: -60 },
  md5Put: { method: "put_object", params: { Key: "Presign/checked.mp3", ContentMD5: SONG_MD5_BASE64 } },
};

beforeAll(async () => {
  python = requireTool("python3 (with boto3)", ["python3"], "Install Python 3 and `pip install 'boto3>=1.36'` (the image ships boto3 1.43).");
  curl = requireTool("curl", ["curl"], "Install it with `apt-get install curl` (.ci/run does).");
  aws = requireTool("awscli v1 (pip)", ["/root/.pyenv/shims/aws", "aws"], "Install it with `pip install awscli` (the image ships 1.45).");
  server = await startServer({ command: await executableCommand() });
  home = tempDir("presign-home");
  song = join(home, "song.mp3");
  writeFileSync(song, SONG);
  const names = Object.keys(PRESIGNS);
  const made = await boto3Urls(...names.map((n) => PRESIGNS[n]!));
  urls = Object.fromEntries(names.map((n, i) => [n, made[i]!]));
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
  if (home) rmSync(home, { recursive: true, force: true });
});

interface Presign {
  method: "get_object" | "put_object";
  params: Record<string, unknown>;
  expires?: number;
}

async function boto3Urls(...urls: Presign[]): Promise<string[]> {
  const r = must(await run([python, SCRIPT, JSON.stringify({ endpoint: server.url, urls })], { env: clientEnv(home) }));
  return JSON.parse(r.stdout).urls;
}

/** curl as a user runs it; `-g` so brackets in a URL are not globs. Prints the status last. */
function curlRun(args: string[]): Promise<RunResult> {
  return run([curl, "-sS", "-g", "-w", "\n%{http_code}", ...args], { env: clientEnv(home) });
}

function status(r: RunResult): number {
  return Number(r.stdout.trim().split("\n").pop());
}

/** The query parameters a presigned URL carries, by name. */
function queryNames(url: string): string[] {
  return [...new URL(url).searchParams.keys()].sort();
}

describe("boto3 generate_presigned_url (default settings)", () => {
  test("makes Signature V2 URLs (AWSAccessKeyId, Signature, Expires)", () => {
    expect(queryNames(urls.get!)).toEqual(["AWSAccessKeyId", "Expires", "Signature"]);
    expect(queryNames(urls.put!)).toEqual(["AWSAccessKeyId", "Expires", "Signature"]);
  });

  test("PUT with `curl -T` to a presigned put_object URL: 200, byte-equal on disk", async () => {
    const r = await curlRun(["-T", song, urls.put!]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(filesUnder(server.musicDir, "Presign")).toEqual({ [KEY]: await md5File(song) });
  }, 30_000);

  test("GET with curl from a presigned get_object URL: byte-equal", async () => {
    const out = join(home, "got.mp3");
    const r = await curlRun(["-o", out, urls.get!]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(await md5File(out)).toBe(await md5File(song));
  }, 30_000);

  test("response-* overrides are signed and applied", async () => {
    expect(urls.overrides).toContain("response-content-disposition=");
    const headers = join(home, "headers.txt");
    const r = await curlRun(["-o", "/dev/null", "-D", headers, urls.overrides!]);
    expect(status(r), describeRun(r)).toBe(200);
    const text = readFileSync(headers, "utf8").toLowerCase();
    expect(text).toContain('content-disposition: attachment; filename="hoppipolla + more.mp3"');
    expect(text).toContain("content-type: audio/x-test");
  }, 30_000);

  test("a presigned put_object with ContentType: PUT with that Content-Type works, another one is refused", async () => {
    const wrong = await curlRun(["-T", song, "-H", "Content-Type: text/html", urls.typedPut!]);
    expect(status(wrong), describeRun(wrong)).toBe(403);
    expect(wrong.stdout).toContain("<Code>SignatureDoesNotMatch</Code>");
    const r = await curlRun(["-T", song, "-H", "Content-Type: audio/mpeg", urls.typedPut!]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(filesUnder(server.musicDir, "Presign")[TYPED_KEY]).toBe(await md5File(song));
  }, 30_000);

  test("a presigned GET cannot be used to DELETE or to PUT", async () => {
    const del = await curlRun(["-X", "DELETE", urls.get!]);
    expect(status(del), describeRun(del)).toBe(403);
    expect(del.stdout).toContain("<Code>SignatureDoesNotMatch</Code>");
    const put = await curlRun(["-T", song, urls.get!]);
    expect(status(put), describeRun(put)).toBe(403);
    expect(filesUnder(server.musicDir, "Presign")[KEY]).toBe(await md5File(song));
  }, 30_000);

  test("a presigned PUT cannot be turned into a CopyObject by adding x-amz-copy-source", async () => {
    const r = await curlRun(["-X", "PUT", "-H", `x-amz-copy-source: /music/${encodeURIComponent(KEY)}`, urls.copyPut!]);
    expect(status(r), describeRun(r)).toBe(403);
    expect(r.stdout).toContain("<Code>SignatureDoesNotMatch</Code>");
    expect(Object.keys(filesUnder(server.musicDir, "Presign"))).not.toContain("Presign/copy.mp3");
  }, 30_000);

  test("V2 signs no body hash, but Content-MD5 is still checked: a body that does not match is 400 BadDigest", async () => {
    const other = join(home, "other.mp3");
    writeFileSync(other, payload(300_001, 8));
    const bad = await curlRun(["-T", other, "-H", `Content-MD5: ${SONG_MD5_BASE64}`, urls.md5Put!]);
    expect(status(bad), describeRun(bad)).toBe(400);
    expect(bad.stdout).toContain("<Code>BadDigest</Code>");
    expect(Object.keys(filesUnder(server.musicDir, "Presign"))).not.toContain("Presign/checked.mp3");
    const good = await curlRun(["-T", song, "-H", `Content-MD5: ${SONG_MD5_BASE64}`, urls.md5Put!]);
    expect(status(good), describeRun(good)).toBe(200);
    expect(filesUnder(server.musicDir, "Presign")["Presign/checked.mp3"]).toBe(await md5File(song));
  }, 30_000);

  test("an expired URL: 403 AccessDenied, Request has expired", async () => {
    const r = await curlRun([urls.expired!]);
    expect(status(r), describeRun(r)).toBe(403);
    expect(r.stdout).toContain("<Code>AccessDenied</Code><Message>Request has expired</Message>");
  }, 30_000);
});

describe("aws s3 presign (pip awscli v1, default settings)", () => {
  test("is awscli 1.x", async () => {
    const r = must(await run([aws, "--version"], { env: clientEnv(home) }));
    expect(r.stdout + r.stderr).toMatch(/^aws-cli\/1\./);
  }, 30_000);

  test("makes a V2 URL that curl downloads byte-equal", async () => {
    const r = must(await run([aws, "--endpoint-url", server.url, "s3", "presign", `s3://music/${KEY}`], { env: clientEnv(home) }));
    const url = r.stdout.trim();
    expect(queryNames(url)).toEqual(["AWSAccessKeyId", "Expires", "Signature"]);
    const out = join(home, "aws-got.mp3");
    const got = await curlRun(["-o", out, url]);
    expect(status(got), describeRun(got)).toBe(200);
    expect(await md5File(out)).toBe(await md5File(song));
  }, 30_000);

  test("--expires-in is honoured: the URL's Expires is that far ahead", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = must(await run([aws, "--endpoint-url", server.url, "s3", "presign", `s3://music/${KEY}`, "--expires-in", "120"], { env: clientEnv(home) }));
    const after = Math.ceil(Date.now() / 1000);
    const expires = Number(new URL(r.stdout.trim()).searchParams.get("Expires"));
    expect(expires).toBeGreaterThanOrEqual(before + 120);
    expect(expires).toBeLessThanOrEqual(after + 120);
    const got = await curlRun(["-o", "/dev/null", r.stdout.trim()]);
    expect(status(got), describeRun(got)).toBe(200);
  }, 30_000);
});
