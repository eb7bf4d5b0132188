/**
 * aws-sdk v2 for JavaScript (npm `aws-sdk`, in maintenance mode but still
 * everywhere) with its default settings, against the built executable.
 * Its S3 client signs operations with SigV4 but presigns URLs with the
 * region's lowest signature version, which for us-east-1 is Signature V2
 * (lib/services/s3.js getSignatureVersion, region_config_data.json
 * "us-east-1/s3": "s3"). Each test records the scheme each request used.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import AWS from "aws-sdk";
import { createReadStream, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { md5Hex as md5, MiB } from "../helpers/bytes.ts";
import { payload } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, requireTool, run, type RunResult } from "../helpers/clients/process.ts";
import { executableCommand } from "../helpers/executable.ts";
import { ACCESS_KEY, SECRET_KEY, startServer, tempDir, type TestServer } from "../helpers/server.ts";

/** Space, "+", "&", "=", quote, brackets, accents, CJK and an emoji. */
const KEY = "SDKv2/Sigur Rós + Björk & Co = 東京 'live' (1) [2] 🎵.flac";
const BIG_KEY = "SDKv2/Long Mix (Side A+B) é.flac";
const SMALL = payload(200_003, 11);
const BIG = payload(12 * MiB + 777, 12);

let server: TestServer;
let home: string;
let curl: string;
let s3: AWS.S3;

/** operation → the Authorization schemes its requests carried, as the SDK sent them. */
const schemes = new Map<string, Set<string>>();
/** What a "send" listener gets: the response, with its request (untyped in aws-sdk's .d.ts). */
interface SentResponse {
  request: { operation: string; httpRequest: { headers: Record<string, string | undefined> } };
}
/** AWS.events, the listeners every request of every client gets (untyped too). */
const globalEvents = (AWS as unknown as { events: { on(e: string, f: (r: SentResponse) => void): void; removeListener(e: string, f: (r: SentResponse) => void): void } }).events;

function recordScheme(response: SentResponse): void {
  const request = response.request;
  const auth = request.httpRequest.headers.Authorization ?? request.httpRequest.headers.authorization ?? "";
  const scheme = auth.startsWith("AWS4-HMAC-SHA256") ? "SigV4" : auth.startsWith("AWS ") ? "SigV2" : `other: ${auth.slice(0, 20)}`;
  const set = schemes.get(request.operation) ?? new Set<string>();
  set.add(scheme);
  schemes.set(request.operation, set);
}

beforeAll(async () => {
  curl = requireTool("curl", ["curl"], "Install it with `apt-get install curl` (.ci/run does).");
  server = await startServer({ command: await executableCommand() });
  home = tempDir("sdkv2-home");
  s3 = new AWS.S3({
    endpoint: server.url,
    region: "us-east-1",
    // An IP endpoint has no music.<host> name to resolve; path style as in the README's recipes.
    s3ForcePathStyle: true,
    credentials: new AWS.Credentials(ACCESS_KEY, SECRET_KEY),
  });
  // "send" runs after "sign", once per HTTP request (retries and multipart
  // parts included). AWS.events reaches the clients upload() makes for itself.
  globalEvents.on("send", recordScheme);
});
afterAll(async () => {
  globalEvents.removeListener("send", recordScheme);
  await server?.[Symbol.asyncDispose]();
  if (home) rmSync(home, { recursive: true, force: true });
});

const usedSchemes = (op: string): string[] => [...(schemes.get(op) ?? [])];

function curlRun(args: string[]): Promise<RunResult> {
  return run([curl, "-sS", "-g", "-w", "\n%{http_code}", ...args], { env: clientEnv(home) });
}
const status = (r: RunResult): number => Number(r.stdout.trim().split("\n").pop());

describe("aws-sdk v2 default-signed operations", () => {
  test("putObject with a buffer: SigV4, byte-equal on disk", async () => {
    const out = await s3.putObject({ Bucket: "music", Key: KEY, Body: SMALL }).promise();
    expect(out.ETag).toBe(`"${md5(SMALL)}"`);
    expect(filesUnder(server.musicDir, "SDKv2")).toEqual({ [KEY]: md5(SMALL) });
    expect(usedSchemes("putObject")).toEqual(["SigV4"]);
  });

  test("headObject and getObject: SigV4, byte-equal", async () => {
    const head = await s3.headObject({ Bucket: "music", Key: KEY }).promise();
    expect({ size: head.ContentLength, etag: head.ETag }).toEqual({ size: SMALL.length, etag: `"${md5(SMALL)}"` });
    const got = await s3.getObject({ Bucket: "music", Key: KEY }).promise();
    expect(md5(got.Body as Uint8Array)).toBe(md5(SMALL));
    expect([...usedSchemes("headObject"), ...usedSchemes("getObject")]).toEqual(["SigV4", "SigV4"]);
  });

  test("upload() of a 12 MiB file: multipart in 5 MiB parts, SigV4, byte-equal on disk", async () => {
    const file = join(home, "big.flac");
    writeFileSync(file, BIG);
    const out = await s3.upload({ Bucket: "music", Key: BIG_KEY, Body: createReadStream(file) }).promise();
    expect(out.ETag).toMatch(/-3"$/);
    expect(filesUnder(server.musicDir, "SDKv2")[BIG_KEY]).toBe(md5(BIG));
    for (const op of ["createMultipartUpload", "uploadPart", "completeMultipartUpload"]) expect(usedSchemes(op), op).toEqual(["SigV4"]);
  }, 120_000);

  test("listObjectsV2: SigV4, both keys with sizes", async () => {
    const out = await s3.listObjectsV2({ Bucket: "music", Prefix: "SDKv2/" }).promise();
    expect(out.Contents!.map((o) => [o.Key, o.Size])).toEqual([
      [BIG_KEY, BIG.length],
      [KEY, SMALL.length],
    ].sort(([a], [b]) => (Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)))));
    expect(usedSchemes("listObjectsV2")).toEqual(["SigV4"]);
  });
});

describe("aws-sdk v2 getSignedUrl (default settings)", () => {
  test("getObject: a Signature V2 URL that curl downloads byte-equal", async () => {
    const url = s3.getSignedUrl("getObject", { Bucket: "music", Key: KEY });
    expect([...new URL(url).searchParams.keys()].sort()).toEqual(["AWSAccessKeyId", "Expires", "Signature"]);
    const out = join(home, "got.flac");
    const r = await curlRun(["-o", out, url]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(md5(await Bun.file(out).bytes())).toBe(md5(SMALL));
  });

  test("putObject: a Signature V2 URL that `curl -T` uploads to", async () => {
    const key = "SDKv2/presigned put + é 🎧.flac";
    const url = s3.getSignedUrl("putObject", { Bucket: "music", Key: key });
    expect([...new URL(url).searchParams.keys()].sort()).toEqual(["AWSAccessKeyId", "Expires", "Signature"]);
    const file = join(home, "small.flac");
    writeFileSync(file, SMALL);
    const r = await curlRun(["-T", file, url]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(filesUnder(server.musicDir, "SDKv2")[key]).toBe(md5(SMALL));
  });

  test("virtual-hosted style (music.localhost): the bucket from the Host is signed too", async () => {
    const vhost = new AWS.S3({
      endpoint: `http://localhost:${server.port}`,
      region: "us-east-1",
      credentials: new AWS.Credentials(ACCESS_KEY, SECRET_KEY),
    });
    const url = vhost.getSignedUrl("getObject", { Bucket: "music", Key: KEY });
    expect(new URL(url).host).toBe(`music.localhost:${server.port}`);
    const out = join(home, "vhost.flac");
    const r = await curlRun(["--resolve", `music.localhost:${server.port}:127.0.0.1`, "-o", out, url]);
    expect(status(r), describeRun(r)).toBe(200);
    expect(md5(await Bun.file(out).bytes())).toBe(md5(SMALL));
  });

  test("an expired URL: 403 Request has expired", async () => {
    const url = s3.getSignedUrl("getObject", { Bucket: "music", Key: KEY, Expires: -60 });
    const r = await curlRun([url]);
    expect(status(r), describeRun(r)).toBe(403);
    expect(r.stdout).toContain("<Message>Request has expired</Message>");
  });
});

describe("aws-sdk v2 cleanup", () => {
  test("deleteObjects: SigV4, the music folder is empty", async () => {
    const listed = await s3.listObjectsV2({ Bucket: "music", Prefix: "SDKv2/" }).promise();
    const keys = listed.Contents!.map((o) => ({ Key: o.Key! }));
    expect(keys.length).toBe(3);
    const out = await s3.deleteObjects({ Bucket: "music", Delete: { Objects: keys } }).promise();
    expect(out.Errors).toEqual([]);
    expect(out.Deleted!.map((d) => d.Key).sort()).toEqual(keys.map((k) => k.Key).sort());
    expect(musicLeft(server.musicDir)).toEqual([]);
    expect(workLeftovers(server.musicDir)).toEqual([]);
    expect(usedSchemes("deleteObjects")).toEqual(["SigV4"]);
  });
});
