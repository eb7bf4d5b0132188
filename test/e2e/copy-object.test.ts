/**
 * CopyObject within the bucket: metadata directives, copy-source
 * conditionals (always 412, never 304), keys that need encoding, and the
 * errors, each leaving the music folder unchanged.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { CopyObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { md5Hex as md5 } from "../helpers/bytes.ts";
import { rawRequest, type RawRequest } from "../helpers/raw.ts";
import { expectRejected } from "../helpers/rejects.ts";
import { serverForSuite } from "../helpers/suite.ts";
import { leftovers } from "../helpers/tree.ts";

const t = serverForSuite();
let sourceEtag: string;
const SOURCE = "Src/Original Take.flac";
const body = new Uint8Array(200_000).map((_, i) => (i * 31) % 251);

beforeAll(async () => {
  const put = await t.s3.send(
    new PutObjectCommand({ Bucket: "music", Key: SOURCE, Body: body, ContentType: "audio/x-flac", Metadata: { artist: "Björk" } }),
  );
  sourceEtag = put.ETag!;
});

const rejects = (req: RawRequest, status: number, code: string) => expectRejected(t.server, req, status, code);

const copyReq = (dest: string, headers: Record<string, string>): RawRequest => ({
  method: "PUT",
  path: `/music/${dest}`,
  headers: { "x-amz-copy-source": `/music/${encodeURI(SOURCE)}`, ...headers },
});

describe("copies", () => {
  test("COPY (the default) keeps content type and metadata; the copy is a new file", async () => {
    const r = await t.s3.send(new CopyObjectCommand({ Bucket: "music", Key: "Dst/copy.flac", CopySource: `music/${encodeURI(SOURCE)}` }));
    expect(r.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    expect(r.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Dst/copy.flac" }));
    expect({ etag: head.ETag, type: head.ContentType, meta: head.Metadata, size: head.ContentLength }).toEqual({
      etag: sourceEtag,
      type: "audio/x-flac",
      meta: { artist: "Björk" },
      size: body.length,
    });
    expect(readFileSync(join(t.server.musicDir, "Dst/copy.flac"))).toEqual(Buffer.from(body));
    expect(statSync(join(t.server.musicDir, "Dst/copy.flac")).ino).not.toBe(statSync(join(t.server.musicDir, SOURCE)).ino);
    expect(leftovers(t.server.musicDir)).toEqual([]);
  });

  test("REPLACE takes content type and metadata from the request", async () => {
    await t.s3.send(
      new CopyObjectCommand({
        Bucket: "music",
        Key: "Dst/replaced.flac",
        CopySource: `/music/${encodeURI(SOURCE)}?versionId=null`,
        MetadataDirective: "REPLACE",
        ContentType: "audio/flac",
        Metadata: { mood: "new" },
      }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Dst/replaced.flac" }));
    expect({ type: head.ContentType, meta: head.Metadata, etag: head.ETag }).toEqual({ type: "audio/flac", meta: { mood: "new" }, etag: sourceEtag });
  });

  test("keys that need encoding, both ways", async () => {
    const odd = "Odd/a b+c&d=(e)[f] é 東京 🎵.mp3";
    await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: odd, Body: "odd bytes" }));
    const copySource = `music/${odd.split("/").map(encodeURIComponent).join("/")}`;
    const r = await t.s3.send(new CopyObjectCommand({ Bucket: "music", Key: `${odd}.copy.mp3`, CopySource: copySource }));
    expect(r.CopyObjectResult?.ETag).toBe(`"${md5("odd bytes")}"`);
    expect(readFileSync(join(t.server.musicDir, `${odd}.copy.mp3`), "utf8")).toBe("odd bytes");
  });

  test("onto itself with REPLACE: metadata only, same file", async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "Self/track.ogg", Body: "self", Metadata: { v: "1" } }));
    const ino = statSync(join(t.server.musicDir, "Self/track.ogg")).ino;
    await t.s3.send(
      new CopyObjectCommand({ Bucket: "music", Key: "Self/track.ogg", CopySource: "music/Self/track.ogg", MetadataDirective: "REPLACE", Metadata: { v: "2" } }),
    );
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Self/track.ogg" }));
    expect({ meta: head.Metadata, etag: head.ETag }).toEqual({ meta: { v: "2" }, etag: `"${md5("self")}"` });
    expect(statSync(join(t.server.musicDir, "Self/track.ogg")).ino).toBe(ino);
  });

  test("a file copied in by another program copies with its real MD5", async () => {
    mkdirSync(join(t.server.musicDir, "Outside"), { recursive: true });
    writeFileSync(join(t.server.musicDir, "Outside/dropped.mp3"), "dropped in by hand");
    const r = await t.s3.send(new CopyObjectCommand({ Bucket: "music", Key: "Outside/copied.mp3", CopySource: "music/Outside/dropped.mp3" }));
    expect(r.CopyObjectResult?.ETag).toBe(`"${md5("dropped in by hand")}"`);
  });

  test("a folder copies to a folder", async () => {
    await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "EmptyA/", Body: new Uint8Array() }));
    await t.s3.send(new CopyObjectCommand({ Bucket: "music", Key: "EmptyB/", CopySource: "music/EmptyA/" }));
    expect(statSync(join(t.server.musicDir, "EmptyB")).isDirectory()).toBe(true);
  });
});

describe("copy-source conditionals", () => {
  const past = new Date(Date.now() - 86_400_000).toUTCString();
  const future = new Date(Date.now() + 86_400_000).toUTCString();

  test("each failing condition is 412 PreconditionFailed", async () => {
    await rejects(copyReq("Cond/a.flac", { "x-amz-copy-source-if-match": '"0123"' }), 412, "PreconditionFailed");
    await rejects(copyReq("Cond/a.flac", { "x-amz-copy-source-if-none-match": sourceEtag }), 412, "PreconditionFailed");
    await rejects(copyReq("Cond/a.flac", { "x-amz-copy-source-if-modified-since": future }), 412, "PreconditionFailed");
    await rejects(copyReq("Cond/a.flac", { "x-amz-copy-source-if-unmodified-since": past }), 412, "PreconditionFailed");
  });

  test("conditions that hold copy; If-Match outranks If-Unmodified-Since", async () => {
    const holding: Record<string, string>[] = [
      { "x-amz-copy-source-if-match": sourceEtag },
      { "x-amz-copy-source-if-none-match": '"other"' },
      { "x-amz-copy-source-if-modified-since": past },
      { "x-amz-copy-source-if-unmodified-since": future },
      { "x-amz-copy-source-if-match": sourceEtag, "x-amz-copy-source-if-unmodified-since": past },
    ];
    for (const headers of holding) {
      const res = await rawRequest(t.server, copyReq("Cond/ok.flac", headers));
      expect({ status: res.status, headers }).toEqual({ status: 200, headers });
      expect(res.body).toContain(`<ETag>${sourceEtag.replaceAll('"', "&quot;")}</ETag>`);
    }
  });
});

describe("copy errors", () => {
  test("another bucket, a missing source, a bad source header", async () => {
    await rejects({ method: "PUT", path: "/music/x.mp3", headers: { "x-amz-copy-source": "/other/a.mp3" } }, 404, "NoSuchBucket");
    await rejects({ method: "PUT", path: "/music/x.mp3", headers: { "x-amz-copy-source": "/music/missing.mp3" } }, 404, "NoSuchKey");
    await rejects({ method: "PUT", path: "/music/x.mp3", headers: { "x-amz-copy-source": "music" } }, 400, "InvalidArgument");
    await rejects({ method: "PUT", path: "/music/x.mp3", headers: { "x-amz-copy-source": "/music/a/%2e%2e/b.mp3" } }, 400, "InvalidObjectName");
    await rejects({ method: "PUT", path: "/music/x.mp3", headers: { "x-amz-copy-source": `/music/${encodeURI(SOURCE)}?versionId=abc` } }, 400, "InvalidArgument");
  });

  test("a non-audio destination, a self-copy that changes nothing, a bad directive", async () => {
    await rejects(copyReq("notes.txt", {}), 400, "InvalidRequest");
    await rejects(copyReq(".rockboxd-s3/tmp/x.flac", {}), 400, "InvalidObjectName");
    await rejects({ method: "PUT", path: `/music/${encodeURI(SOURCE)}`, headers: { "x-amz-copy-source": `/music/${encodeURI(SOURCE)}` } }, 400, "InvalidRequest");
    await rejects(copyReq("Dst/z.flac", { "x-amz-metadata-directive": "MERGE" }), 400, "InvalidArgument");
  });

  test("a destination under a file is a 409 conflict", async () => {
    await rejects(copyReq(`${encodeURI(SOURCE)}/inside.flac`, {}), 409, "ObjectConflict");
  });
});
