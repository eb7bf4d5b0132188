/**
 * The S3 core against a real server process with @aws-sdk/client-s3:
 * put, list, head, get (ranges, conditionals), delete, folders, keys that
 * need encoding, and the listing rules clients depend on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { sdkClient } from "../helpers/clients.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { leftovers } from "../helpers/tree.ts";

let server: TestServer;
let s3: S3Client;

beforeAll(async () => {
  server = await startServer();
  s3 = sdkClient(server);
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

const md5 = (b: Uint8Array | string) => new Bun.CryptoHasher("md5").update(b).digest("hex");
const bytes = (n: number, seed = 1) => {
  const b = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
};

describe("objects", () => {
  test("put, head, get byte-equal, with an MD5 ETag everywhere", async () => {
    const body = bytes(300_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Albums/Vespertine/01 Hidden Place.flac", Body: body, ContentType: "audio/flac", Metadata: { mood: "calm" } }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(readFileSync(join(server.musicDir, "Albums/Vespertine/01 Hidden Place.flac"))).toEqual(Buffer.from(body));

    const head = await s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Albums/Vespertine/01 Hidden Place.flac" }));
    expect(head.ContentLength).toBe(300_000);
    expect(head.ETag).toBe(put.ETag);
    expect(head.ContentType).toBe("audio/flac");
    expect(head.Metadata).toEqual({ mood: "calm" });
    expect(head.AcceptRanges).toBe("bytes");

    const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "Albums/Vespertine/01 Hidden Place.flac" }));
    expect(get.ETag).toBe(put.ETag);
    expect(new Uint8Array(await get.Body!.transformToByteArray())).toEqual(body);

    const list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Albums/" }));
    expect(list.Contents?.map((c) => [c.Key, c.Size, c.ETag])).toEqual([["Albums/Vespertine/01 Hidden Place.flac", 300_000, put.ETag]]);
    expect(leftovers(server.musicDir)).toEqual([]);
  });

  test("content type by extension when none was given", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "ct/a.mp3", Body: "x" }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "music", Key: "ct/a.mp3" }));
    expect(head.ContentType).toBe("audio/mpeg");
  });

  test("ranges: a-b, a-, -n, and 416 past the end", async () => {
    const body = bytes(1000, 7);
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "range.ogg", Body: body }));
    const part = async (Range: string) => {
      const r = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "range.ogg", Range }));
      return { range: r.ContentRange, bytes: new Uint8Array(await r.Body!.transformToByteArray()) };
    };
    expect(await part("bytes=10-19")).toEqual({ range: "bytes 10-19/1000", bytes: body.slice(10, 20) });
    expect(await part("bytes=990-")).toEqual({ range: "bytes 990-999/1000", bytes: body.slice(990) });
    expect(await part("bytes=-5")).toEqual({ range: "bytes 995-999/1000", bytes: body.slice(995) });
    expect(await part("bytes=900-5000")).toEqual({ range: "bytes 900-999/1000", bytes: body.slice(900) });
    const err = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "range.ogg", Range: "bytes=1000-" })).catch((e) => e);
    expect(err.name).toBe("InvalidRange");
    expect(err.$metadata.httpStatusCode).toBe(416);
  });

  test("conditionals: If-Match / If-None-Match / If-Modified-Since", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: "music", Key: "cond.mp3", Body: "abc" }));
    const ok = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "cond.mp3", IfMatch: put.ETag }));
    expect(await ok.Body!.transformToString()).toBe("abc");
    const bad = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "cond.mp3", IfMatch: '"nope"' })).catch((e) => e);
    expect(bad.$metadata.httpStatusCode).toBe(412);
    const notModified = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "cond.mp3", IfNoneMatch: put.ETag })).catch((e) => e);
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const since = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "cond.mp3", IfModifiedSince: new Date(Date.now() + 60_000) })).catch((e) => e);
    expect(since.$metadata.httpStatusCode).toBe(304);
    // If-Match wins over If-Unmodified-Since (RFC 7232 §6).
    const both = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "cond.mp3", IfMatch: put.ETag, IfUnmodifiedSince: new Date(0) }));
    expect(both.$metadata.httpStatusCode).toBe(200);
    const r = await fetch(`${server.url}/music/cond.mp3`, { method: "HEAD" });
    expect(r.status).toBe(403);
  });

  test("keys that need encoding round-trip", async () => {
    const keys = [
      "odd/space and+plus.mp3",
      "odd/a&b=c.flac",
      "odd/it's (live) [2001].ogg",
      "odd/Björk — Jóga.m4a",
      "odd/東京事変/群青日和.mp3",
      "odd/🎵 emoji.opus",
      "odd/100% ~tilde~ $dollar @at ,comma;semi.wav",
    ];
    for (const [i, Key] of keys.entries()) {
      await s3.send(new PutObjectCommand({ Bucket: "music", Key, Body: `body ${i}` }));
      expect(readFileSync(join(server.musicDir, Key), "utf8")).toBe(`body ${i}`);
      const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key }));
      expect(await get.Body!.transformToString()).toBe(`body ${i}`);
    }
    const list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "odd/" }));
    const utf8Sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(list.Contents?.map((c) => c.Key)).toEqual(utf8Sorted);
    // The SDK asks for encoding-type=url and decodes: the same keys must come back.
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: "music", Prefix: "odd/", EncodingType: "url" }));
    expect(v1.Contents?.map((c) => decodeURIComponent(c.Key!))).toEqual(utf8Sorted);
  });

  test("delete: 204 always, removes the file and the empty folders it leaves", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "del/deep/er/x.mp3", Body: "x" }));
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "del/keep.mp3", Body: "k" }));
    const r = await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: "del/deep/er/x.mp3" }));
    expect(r.$metadata.httpStatusCode).toBe(204);
    expect(existsSync(join(server.musicDir, "del/deep"))).toBe(false);
    expect(existsSync(join(server.musicDir, "del/keep.mp3"))).toBe(true);
    const again = await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: "del/deep/er/x.mp3" }));
    expect(again.$metadata.httpStatusCode).toBe(204);
    await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: "del/keep.mp3" }));
    expect(existsSync(join(server.musicDir, "del"))).toBe(false);
    expect(existsSync(server.musicDir)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "music", Key: "del/keep.mp3" })).catch((e) => e);
    expect(head.$metadata.httpStatusCode).toBe(404);
  });

  test("folders: zero-byte PUT of dir/ creates it, listed while empty, deleted only when empty", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Empty Folder/", Body: "" }));
    expect(existsSync(join(server.musicDir, "Empty Folder"))).toBe(true);
    let list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Empty" }));
    expect(list.Contents?.map((c) => [c.Key, c.Size])).toEqual([["Empty Folder/", 0]]);
    await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Empty Folder/song.mp3", Body: "s" }));
    list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Empty" }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(["Empty Folder/song.mp3"]);
    // PUT of a folder that holds files (s3fs and rclone do this) succeeds and changes nothing.
    const again = await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Empty Folder/", Body: "" }));
    expect(again.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    list = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "Empty" }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(["Empty Folder/song.mp3"]);
    await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: "Empty Folder/" }));
    expect(existsSync(join(server.musicDir, "Empty Folder/song.mp3"))).toBe(true);
    const withBody = await s3.send(new PutObjectCommand({ Bucket: "music", Key: "Other/", Body: "not empty" })).catch((e) => e);
    expect(withBody.name).toBe("InvalidRequest");
    expect(existsSync(join(server.musicDir, "Other"))).toBe(false);
  });

  test("files other programs put in music_dir are served; non-audio files stay invisible", async () => {
    mkdirSync(join(server.musicDir, "ext"), { recursive: true });
    writeFileSync(join(server.musicDir, "ext", "copied.mp3"), "copied in");
    writeFileSync(join(server.musicDir, "ext", "cover.jpg"), "jpeg");
    const get = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "ext/copied.mp3" }));
    expect(await get.Body!.transformToString()).toBe("copied in");
    const cover = await s3.send(new GetObjectCommand({ Bucket: "music", Key: "ext/cover.jpg" })).catch((e) => e);
    expect(cover.$metadata.httpStatusCode).toBe(404);
    await s3.send(new DeleteObjectCommand({ Bucket: "music", Key: "ext/cover.jpg" }));
    expect(existsSync(join(server.musicDir, "ext", "cover.jpg"))).toBe(true);
  });
});

describe("bucket", () => {
  test("ListBuckets, HeadBucket, GetBucketLocation", async () => {
    const buckets = await s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(["music"]);
    const head = await s3.send(new HeadBucketCommand({ Bucket: "music" }));
    expect(head.$metadata.httpStatusCode).toBe(200);
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: "music" }));
    expect(loc.LocationConstraint).toBeUndefined();
  });

  test("listing: delimiter, max-keys, continuation, start-after, UTF-8 byte order", async () => {
    const keys = ["L/a/1.mp3", "L/a/2.mp3", "L/b/1.mp3", "L/c.mp3", "L/d/x/y.mp3", "L/e.mp3", "L/\uFF21.mp3", "L/\u{1F3B5}.mp3"];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "music", Key, Body: Key }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "L/", Delimiter: "/" }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["L/a/", "L/b/", "L/d/"]);
    // U+FF21 sorts before U+1F3B5 in UTF-8 byte order (after it in UTF-16 order).
    expect(top.Contents?.map((c) => c.Key)).toEqual(["L/c.mp3", "L/e.mp3", "L/\uFF21.mp3", "L/\u{1F3B5}.mp3"]);
    expect(top.KeyCount).toBe(7);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "L/", Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      pages++;
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(pages).toBe(4);
    expect(seen.sort()).toEqual(["L/a/", "L/b/", "L/d/", "L/c.mp3", "L/e.mp3", "L/\uFF21.mp3", "L/\u{1F3B5}.mp3"].sort());

    const after = await s3.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "L/", StartAfter: "L/b/1.mp3" }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(["L/c.mp3", "L/d/x/y.mp3", "L/e.mp3", "L/\uFF21.mp3", "L/\u{1F3B5}.mp3"]);

    const v1: string[] = [];
    let marker: string | undefined;
    do {
      const page = await s3.send(new ListObjectsCommand({ Bucket: "music", Prefix: "L/", MaxKeys: 3, Marker: marker }));
      v1.push(...(page.Contents ?? []).map((c) => c.Key!));
      marker = page.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    expect(v1).toEqual(["L/a/1.mp3", "L/a/2.mp3", "L/b/1.mp3", "L/c.mp3", "L/d/x/y.mp3", "L/e.mp3", "L/\uFF21.mp3", "L/\u{1F3B5}.mp3"]);
  });

  test("virtual-hosted-style addressing", async () => {
    const vh = sdkClient(server, { forcePathStyle: false, endpoint: `http://localhost:${server.port}` });
    // The SDK puts the bucket in the host: music.localhost resolves to loopback.
    vh.middlewareStack.add((next) => (args: any) => {
      args.request.hostname = "127.0.0.1";
      args.request.headers.host = `music.localhost:${server.port}`;
      return next(args);
    }, { step: "finalizeRequest", priority: "low" } as any);
    await vh.send(new PutObjectCommand({ Bucket: "music", Key: "vhost/v.mp3", Body: "virtual" }));
    expect(readFileSync(join(server.musicDir, "vhost/v.mp3"), "utf8")).toBe("virtual");
    const list = await vh.send(new ListObjectsV2Command({ Bucket: "music", Prefix: "vhost/" }));
    expect(list.Contents?.map((c) => c.Key)).toEqual(["vhost/v.mp3"]);
  });
});

test("every response carries a unique request id", async () => {
  const ids = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${server.url}/music/none.mp3`);
    ids.add(r.headers.get("x-amz-request-id")!);
  }
  expect(ids.size).toBe(20);
});
