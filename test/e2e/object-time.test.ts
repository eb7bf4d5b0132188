/**
 * One time per object, in whole seconds, the same in every place a client
 * can read it — ListObjectsV2, ListObjects v1, HEAD and GET Last-Modified,
 * CopyObjectResult, CopyPartResult and ListParts — and the one the
 * conditionals compare with. Rounded up from the file's mtime (why: the
 * comment in src/s3/object-time.ts).
 */
import { describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { mkdirSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { rawRequest } from "../helpers/raw.ts";
import { waitFor } from "../helpers/server.ts";
import { serverForSuite } from "../helpers/suite.ts";

const t = serverForSuite();

/** Puts a file into the music folder by hand with the given mtime (ISO, with milliseconds), and waits until it is listed. */
async function dropFile(key: string, mtimeIso: string): Promise<void> {
  const path = join(t.server.musicDir, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.part`, `bytes of ${key}`);
  const s = Date.parse(mtimeIso) / 1000;
  utimesSync(`${path}.part`, s, s);
  renameSync(`${path}.part`, path);
  await waitFor(async () => (await listV2Xml(key)).includes(`<Key>${key}</Key>`), 10_000, `${key} to be listed`);
}

const get = (path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}, method = "GET") =>
  rawRequest(t.server, { method, path, query, headers });

const listV2Xml = async (prefix: string) => (await get("/music", { "list-type": "2", prefix })).body;
const listV1Xml = async (prefix: string) => (await get("/music", { prefix })).body;
const lastModifiedIn = (xml: string): string[] => [...xml.matchAll(/<LastModified>([^<]*)<\/LastModified>/g)].map((m) => m[1]!);

/** Every time S3 shows for `key`, as the text on the wire. */
async function timesOf(key: string) {
  const path = `/music/${encodeURI(key)}`;
  const head = await get(path, {}, {}, "HEAD");
  const body = await get(path);
  return {
    v2: lastModifiedIn(await listV2Xml(key)),
    v1: lastModifiedIn(await listV1Xml(key)),
    head: head.headers["last-modified"],
    get: body.headers["last-modified"],
  };
}

const httpDate = (iso: string) => new Date(iso).toUTCString();

describe("an object's time", () => {
  test("a file with a fraction of a second: every place says the next whole second", async () => {
    await dropFile("Times/dropped.flac", "2023-05-06T07:08:09.616Z");
    expect(await timesOf("Times/dropped.flac")).toEqual({
      v2: ["2023-05-06T07:08:10.000Z"],
      v1: ["2023-05-06T07:08:10.000Z"],
      head: "Sat, 06 May 2023 07:08:10 GMT",
      get: "Sat, 06 May 2023 07:08:10 GMT",
    });
  });

  test("a file on a whole second keeps that second", async () => {
    await dropFile("Times/whole.flac", "2023-05-06T07:08:09.000Z");
    expect(await timesOf("Times/whole.flac")).toEqual({
      v2: ["2023-05-06T07:08:09.000Z"],
      v1: ["2023-05-06T07:08:09.000Z"],
      head: "Sat, 06 May 2023 07:08:09 GMT",
      get: "Sat, 06 May 2023 07:08:09 GMT",
    });
  });

  test("If-Modified-Since / If-Unmodified-Since with exactly that time: 304 / 200; a second earlier: 200 / 412", async () => {
    const path = "/music/Times/dropped.flac";
    const at = "Sat, 06 May 2023 07:08:10 GMT";
    const before = "Sat, 06 May 2023 07:08:09 GMT";
    const status = async (method: string, headers: Record<string, string>) => (await get(path, {}, headers, method)).status;
    expect(await status("GET", { "if-modified-since": at })).toBe(304);
    expect(await status("HEAD", { "if-modified-since": at })).toBe(304);
    expect(await status("GET", { "if-modified-since": before })).toBe(200);
    expect(await status("GET", { "if-unmodified-since": at })).toBe(200);
    expect(await status("GET", { "if-unmodified-since": before })).toBe(412);
    // The SDK sends the Date it read from HEAD.
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Times/dropped.flac" }));
    const again = await t.s3.send(new GetObjectCommand({ Bucket: "music", Key: "Times/dropped.flac", IfModifiedSince: head.LastModified })).catch((e) => e);
    expect(again.$metadata.httpStatusCode).toBe(304);
  });

  test("copy-source conditionals compare the same time", async () => {
    const copy = (headers: Record<string, string>) =>
      rawRequest(t.server, { method: "PUT", path: "/music/Times/cond-copy.flac", headers: { "x-amz-copy-source": "/music/Times/dropped.flac", ...headers } });
    expect((await copy({ "x-amz-copy-source-if-modified-since": "Sat, 06 May 2023 07:08:10 GMT" })).status).toBe(412);
    expect((await copy({ "x-amz-copy-source-if-unmodified-since": "Sat, 06 May 2023 07:08:09 GMT" })).status).toBe(412);
    expect((await copy({ "x-amz-copy-source-if-unmodified-since": "Sat, 06 May 2023 07:08:10 GMT" })).status).toBe(200);
    expect((await copy({ "x-amz-copy-source-if-modified-since": "Sat, 06 May 2023 07:08:09 GMT" })).status).toBe(200);
  });

  test("a PUT: listings, HEAD and GET agree, in whole seconds, never before the file's mtime", async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "Times/put.flac", Body: "fresh" }));
    const mtimeMs = statSync(join(t.server.musicDir, "Times/put.flac")).mtimeMs;
    const times = await timesOf("Times/put.flac");
    const iso = times.v2[0]!;
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(times).toEqual({ v2: [iso], v1: [iso], head: httpDate(iso), get: httpDate(iso) });
    // Rounded up: a client comparing its file's mtime with ours never finds ours older.
    expect(Date.parse(iso)).toBeGreaterThanOrEqual(mtimeMs);
    expect(Date.parse(iso) - mtimeMs).toBeLessThan(1000);
    expect((await get("/music/Times/put.flac", {}, { "if-modified-since": httpDate(iso) })).status).toBe(304);
  });

  test("CopyObject's LastModified is the copy's time everywhere", async () => {
    const r = await rawRequest(t.server, { method: "PUT", path: "/music/Times/copy.flac", headers: { "x-amz-copy-source": "/music/Times/dropped.flac" } });
    expect(r.status).toBe(200);
    const iso = lastModifiedIn(r.body)[0] ?? "";
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(await timesOf("Times/copy.flac")).toEqual({ v2: [iso], v1: [iso], head: httpDate(iso), get: httpDate(iso) });
    expect(Date.parse(iso)).toBeGreaterThanOrEqual(statSync(join(t.server.musicDir, "Times/copy.flac")).mtimeMs);
    expect((await get("/music/Times/copy.flac", {}, { "if-modified-since": httpDate(iso) })).status).toBe(304);
    // The SDK's view of the same: one Date, whole seconds, in the v1 and v2 listings and HEAD.
    const v2 = await t.s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Times/copy.flac" }));
    const v1 = await t.s3.send(new ListObjectsCommand({ Bucket: "music", Prefix: "Times/copy.flac" }));
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Times/copy.flac" }));
    expect([v2.Contents![0]!.LastModified, v1.Contents![0]!.LastModified, head.LastModified]).toEqual([new Date(iso), new Date(iso), new Date(iso)]);
  });

  test("UploadPartCopy's LastModified is the one ListParts shows, in whole seconds", async () => {
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: "Times/parts.flac" }));
    const r = await rawRequest(t.server, {
      method: "PUT",
      path: "/music/Times/parts.flac",
      query: { partNumber: "1", uploadId: UploadId! },
      headers: { "x-amz-copy-source": "/music/Times/dropped.flac" },
    });
    expect(r.status).toBe(200);
    const iso = lastModifiedIn(r.body)[0] ?? "";
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    const parts = await get("/music/Times/parts.flac", { uploadId: UploadId! });
    expect(lastModifiedIn(parts.body)).toEqual([iso]);
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: "music", Key: "Times/parts.flac", UploadId }));
  });
});
