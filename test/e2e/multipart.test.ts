/**
 * Multipart uploads against a real server: @aws-sdk/lib-storage with its
 * defaults (CRC32 composite checksums), the S3 client's multipart commands,
 * and raw requests for every error, each leaving the music folder unchanged.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { existsSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { bytes, md5Hex as md5, MiB } from "../helpers/bytes.ts";
import { sdkClient } from "../helpers/clients.ts";
import { rawRequest, type RawRequest } from "../helpers/raw.ts";
import { expectRejected } from "../helpers/rejects.ts";
import { startServer, waitFor } from "../helpers/server.ts";
import { serverForSuite } from "../helpers/suite.ts";
import { leftovers } from "../helpers/tree.ts";

const t = serverForSuite();

const multipartEtag = (parts: Uint8Array[]) =>
  `"${new Bun.CryptoHasher("md5").update(Buffer.concat(parts.map((p) => Buffer.from(md5(p), "hex")))).digest("hex")}-${parts.length}"`;
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** Upload folders in progress (the .completed markers are not uploads). */
const uploadDirs = () => {
  try {
    return readdirSync(join(t.server.musicDir, ".rockboxd-s3", "multipart")).filter((n) => !n.startsWith("."));
  } catch {
    return [];
  }
};

async function create(key: string, extra: Partial<ConstructorParameters<typeof CreateMultipartUploadCommand>[0]> = {}) {
  const r = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: key, ...extra }));
  return r.UploadId!;
}

async function part(key: string, uploadId: string, n: number, body: Uint8Array) {
  const r = await t.s3.send(new UploadPartCommand({ Bucket: "music", Key: key, UploadId: uploadId, PartNumber: n, Body: body }));
  return { PartNumber: n, ETag: r.ETag!, ChecksumCRC32: r.ChecksumCRC32 };
}

const rejects = (req: RawRequest, status: number, code: string) => expectRejected(t.server, req, status, code);

const completeXml = (parts: Array<{ PartNumber: number; ETag: string }>) =>
  `<CompleteMultipartUpload>${parts.map((p) => `<Part><PartNumber>${p.PartNumber}</PartNumber><ETag>${p.ETag}</ETag></Part>`).join("")}</CompleteMultipartUpload>`;

describe("lib-storage Upload", () => {
  test("20 MiB in 5 MiB parts: multipart ETag, bytes on disk, nothing left behind", async () => {
    const body = bytes(20 * MiB, 3);
    const upload = new Upload({
      client: t.s3,
      params: { Bucket: "music", Key: "Big/Long Track.flac", Body: body, ContentType: "audio/flac", Metadata: { origin: "lib-storage" } },
      partSize: 5 * MiB,
      queueSize: 4,
    });
    const done = await upload.done();
    const expected = multipartEtag([0, 1, 2, 3].map((i) => body.subarray(i * 5 * MiB, (i + 1) * 5 * MiB)));
    expect(done.ETag).toBe(expected);
    expect(md5(readFileSync(join(t.server.musicDir, "Big/Long Track.flac")))).toBe(md5(body));

    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Big/Long Track.flac", ChecksumMode: "ENABLED" }));
    expect({ etag: head.ETag, size: head.ContentLength, type: head.ContentType, meta: head.Metadata }).toEqual({
      etag: expected,
      size: 20 * MiB,
      type: "audio/flac",
      meta: { origin: "lib-storage" },
    });
    expect(head.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]+=*-4$/);
    // The SDK validates response checksums by default; a composite one must not trip it.
    const get = await t.s3.send(new GetObjectCommand({ Bucket: "music", Key: "Big/Long Track.flac" }));
    expect(md5(await get.Body!.transformToByteArray())).toBe(md5(body));
    expect(uploadDirs()).toEqual([]);
    expect(leftovers(t.server.musicDir)).toEqual([]);
  }, 30_000);

  test("CRC64NVME is a full-object checksum over every byte", async () => {
    const body = bytes(11 * MiB, 4);
    const upload = new Upload({
      client: t.s3,
      params: { Bucket: "music", Key: "Big/crc64.flac", Body: body, ChecksumAlgorithm: "CRC64NVME" },
      partSize: 5 * MiB,
    });
    const done = await upload.done();
    expect(done.ETag).toMatch(/-3"$/);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: "Big/crc64.flac", ChecksumMode: "ENABLED" }));
    expect(head.ChecksumCRC64NVME).toBe(checksumBase64("CRC64NVME", body));
  }, 30_000);
});

describe("multipart commands", () => {
  test("parts with gaps, metadata from Create, Complete retried gives the same result", async () => {
    const key = "Gaps/track.mp3";
    const id = await create(key, { ContentType: "audio/mpeg", Metadata: { mood: "calm" } });
    const a = bytes(5 * MiB, 10);
    const b = bytes(1000, 11);
    const p1 = await part(key, id, 1, a);
    const p7 = await part(key, id, 7, b);
    expect(p1.ETag).toBe(`"${md5(a)}"`);
    const input = { Bucket: "music", Key: key, UploadId: id, MultipartUpload: { Parts: [p1, p7] } };
    const first = await t.s3.send(new CompleteMultipartUploadCommand(input));
    expect(first.ETag).toBe(multipartEtag([a, b]));
    expect(first.Location).toBe(`${t.server.url}/music/Gaps/track.mp3`);
    const again = await t.s3.send(new CompleteMultipartUploadCommand(input));
    expect({ etag: again.ETag, key: again.Key }).toEqual({ etag: first.ETag, key });
    expect(readFileSync(join(t.server.musicDir, key))).toEqual(Buffer.concat([a, b]));
    const head = await t.s3.send(new HeadObjectCommand({ Bucket: "music", Key: key }));
    expect({ type: head.ContentType, meta: head.Metadata, etag: head.ETag }).toEqual({
      type: "audio/mpeg",
      meta: { mood: "calm" },
      etag: first.ETag,
    });
  });

  test("a retried Complete with other parts is NoSuchUpload", async () => {
    const key = "Retry/other.mp3";
    const id = await create(key);
    const p1 = await part(key, id, 1, bytes(100, 1));
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: "music", Key: key, UploadId: id, MultipartUpload: { Parts: [p1] } }));
    await rejects(
      { method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml([{ PartNumber: 1, ETag: `"${md5("x")}"` }]) },
      404,
      "NoSuchUpload",
    );
  });

  test("a part uploaded again replaces the earlier one", async () => {
    const key = "Again/track.ogg";
    const id = await create(key);
    await part(key, id, 1, bytes(500, 1));
    const second = await part(key, id, 1, bytes(600, 2));
    const parts = await t.s3.send(new ListPartsCommand({ Bucket: "music", Key: key, UploadId: id }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.ETag, p.Size])).toEqual([[1, second.ETag, 600]]);
    expect(readdirSync(join(t.server.musicDir, ".rockboxd-s3", "multipart", id)).filter((n) => n.endsWith(".bin"))).toHaveLength(1);
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: "music", Key: key, UploadId: id }));
  });

  test("UploadPartCopy with ranges from an existing object", async () => {
    const source = bytes(6 * MiB, 21);
    await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "Copy/source.flac", Body: source }));
    const key = "Copy/assembled.flac";
    const id = await create(key);
    const c1 = await t.s3.send(
      new UploadPartCopyCommand({ Bucket: "music", Key: key, UploadId: id, PartNumber: 1, CopySource: "music/Copy/source.flac", CopySourceRange: `bytes=0-${5 * MiB - 1}` }),
    );
    const c2 = await t.s3.send(
      new UploadPartCopyCommand({ Bucket: "music", Key: key, UploadId: id, PartNumber: 2, CopySource: "/music/Copy/source.flac", CopySourceRange: `bytes=${5 * MiB}-${6 * MiB - 1}` }),
    );
    expect(c1.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(0, 5 * MiB))}"`);
    const done = await t.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "music",
        Key: key,
        UploadId: id,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: c1.CopyPartResult!.ETag }, { PartNumber: 2, ETag: c2.CopyPartResult!.ETag }] },
      }),
    );
    expect(done.ETag).toBe(multipartEtag([source.subarray(0, 5 * MiB), source.subarray(5 * MiB)]));
    expect(md5(readFileSync(join(t.server.musicDir, key)))).toBe(md5(source));
  });

  test("Abort: 204, the upload is gone, then NoSuchUpload", async () => {
    const key = "Abort/track.flac";
    const id = await create(key);
    await part(key, id, 1, bytes(1000));
    expect(uploadDirs()).toContain(id);
    const res = await rawRequest(t.server, { method: "DELETE", path: `/music/${key}`, query: { uploadId: id } });
    expect(res.status).toBe(204);
    expect(uploadDirs()).not.toContain(id);
    await rejects({ method: "DELETE", path: `/music/${key}`, query: { uploadId: id } }, 404, "NoSuchUpload");
    await rejects({ method: "GET", path: `/music/${key}`, query: { uploadId: id } }, 404, "NoSuchUpload");
  });

  test("ListParts pages with max-parts and part-number-marker", async () => {
    const key = "Parts/track.wav";
    const id = await create(key);
    for (const n of [1, 2, 5, 9]) await part(key, id, n, bytes(100 + n, n));
    const page1 = await t.s3.send(new ListPartsCommand({ Bucket: "music", Key: key, UploadId: id, MaxParts: 3 }));
    expect(page1.Parts?.map((p) => p.PartNumber)).toEqual([1, 2, 5]);
    expect({ truncated: page1.IsTruncated, next: page1.NextPartNumberMarker }).toEqual({ truncated: true, next: "5" });
    const page2 = await t.s3.send(new ListPartsCommand({ Bucket: "music", Key: key, UploadId: id, MaxParts: 3, PartNumberMarker: "5" }));
    expect(page2.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([[9, 109]]);
    expect(page2.IsTruncated).toBe(false);
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: "music", Key: key, UploadId: id }));
  });

  test("ListMultipartUploads: prefix, delimiter, pagination by key and upload id", async () => {
    const ids = {
      a1: await create("Uploads/a.mp3"),
      a2: await create("Uploads/a.mp3"),
      b: await create("Uploads/b.mp3"),
      deep: await create("Uploads/sub/c.mp3"),
    };
    const all = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: "music", Prefix: "Uploads/" }));
    expect(all.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([
      ["Uploads/a.mp3", ids.a1],
      ["Uploads/a.mp3", ids.a2],
      ["Uploads/b.mp3", ids.b],
      ["Uploads/sub/c.mp3", ids.deep],
    ]);
    const grouped = await t.s3.send(new ListMultipartUploadsCommand({ Bucket: "music", Prefix: "Uploads/", Delimiter: "/" }));
    expect(grouped.Uploads?.map((u) => u.UploadId)).toEqual([ids.a1, ids.a2, ids.b]);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["Uploads/sub/"]);

    const seen: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await t.s3.send(
        new ListMultipartUploadsCommand({ Bucket: "music", Prefix: "Uploads/", MaxUploads: 1, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      seen.push(...(r.Uploads ?? []).map((u) => u.UploadId!));
      if (!r.IsTruncated) break;
      keyMarker = r.NextKeyMarker;
      uploadIdMarker = r.NextUploadIdMarker;
    }
    expect(seen).toEqual([ids.a1, ids.a2, ids.b, ids.deep]);
    for (const [k, id] of [["Uploads/a.mp3", ids.a1], ["Uploads/a.mp3", ids.a2], ["Uploads/b.mp3", ids.b], ["Uploads/sub/c.mp3", ids.deep]] as const)
      await t.s3.send(new AbortMultipartUploadCommand({ Bucket: "music", Key: k, UploadId: id }));
  });
});

describe("multipart errors leave the folder unchanged", () => {
  // A server of its own with a small folder, so that snapshots are quick.
  const own = serverForSuite();
  let key: string;
  let id: string;
  let small: Array<{ PartNumber: number; ETag: string }>;
  const fails = (req: RawRequest, status: number, code: string) => expectRejected(own.server, req, status, code);
  const uploadsHere = () => readdirSync(join(own.server.musicDir, ".rockboxd-s3", "multipart")).filter((n) => !n.startsWith("."));

  beforeAll(async () => {
    const client = own.s3;
    await client.send(new PutObjectCommand({ Bucket: "music", Key: "Errors/keep.mp3", Body: "precious" }));
    key = "Errors/track.flac";
    id = (await client.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: key }))).UploadId!;
    small = [];
    for (const n of [1, 2]) {
      const r = await client.send(new UploadPartCommand({ Bucket: "music", Key: key, UploadId: id, PartNumber: n, Body: bytes(1000, n) }));
      small.push({ PartNumber: n, ETag: r.ETag! });
    }
  });

  test("InvalidPart: an ETag that differs, or a part never uploaded", async () => {
    await fails(
      { method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml([{ PartNumber: 1, ETag: `"${md5("other")}"` }]) },
      400,
      "InvalidPart",
    );
    await fails(
      { method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml([small[0]!, { PartNumber: 3, ETag: small[1]!.ETag }]) },
      400,
      "InvalidPart",
    );
  });

  test("InvalidPartOrder: parts not ascending", async () => {
    await fails({ method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml([small[1]!, small[0]!]) }, 400, "InvalidPartOrder");
    await fails({ method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml([small[0]!, small[0]!]) }, 400, "InvalidPartOrder");
  });

  test("EntityTooSmall: a part but the last under 5 MiB", async () => {
    const res = await fails({ method: "POST", path: `/music/${key}`, query: { uploadId: id }, body: completeXml(small) }, 400, "EntityTooSmall");
    expect(tag(res.body, "ProposedSize")).toBe("1000");
  });

  test("NoSuchUpload: unknown, malformed or path-like upload ids, and a key the upload is not for", async () => {
    for (const uploadId of ["A".repeat(32), "nope", "../../../etc", `${id}/../${id}`]) {
      await fails({ method: "POST", path: `/music/${key}`, query: { uploadId }, body: completeXml(small) }, 404, "NoSuchUpload");
      await fails({ method: "PUT", path: `/music/${key}`, query: { partNumber: "1", uploadId }, body: "x" }, 404, "NoSuchUpload");
    }
    await fails({ method: "PUT", path: "/music/Errors/other.flac", query: { partNumber: "1", uploadId: id }, body: "x" }, 404, "NoSuchUpload");
  });

  test("bad part numbers", async () => {
    for (const partNumber of ["0", "10001", "-1", "1.5", "x"])
      await fails({ method: "PUT", path: `/music/${key}`, query: { partNumber, uploadId: id }, body: "x" }, 400, "InvalidArgument");
  });

  test("malformed, empty, DTD and oversized Complete documents", async () => {
    const post = (body: string): RawRequest => ({ method: "POST", path: `/music/${key}`, query: { uploadId: id }, body });
    await fails(post("<CompleteMultipartUpload><Part>"), 400, "MalformedXML");
    await fails(post(""), 400, "MalformedXML");
    await fails(post("<CompleteMultipartUpload></CompleteMultipartUpload>"), 400, "MalformedXML");
    await fails(post("<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>"), 400, "MalformedXML");
    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&c;</ETag></Part></CompleteMultipartUpload>`;
    await fails(post(bomb), 400, "MalformedXML");
    const huge = "<CompleteMultipartUpload>" + " ".repeat(10 * MiB) + "</CompleteMultipartUpload>";
    await fails(post(huge), 400, "MaxMessageLengthExceeded");
    // The upload survived all of it.
    expect(uploadsHere()).toContain(id);
  });

  test("checksums sent with Complete are verified; a mismatch writes nothing", async () => {
    const k = "Errors/checked.mp3";
    const data = bytes(1000, 5);
    const created = await rawRequest(own.server, { method: "POST", path: `/music/${k}`, query: { uploads: "" }, headers: { "x-amz-checksum-algorithm": "CRC32" } });
    const uploadId = tag(created.body, "UploadId")!;
    const uploaded = await rawRequest(own.server, { method: "PUT", path: `/music/${k}`, query: { partNumber: "1", uploadId }, body: data });
    const crc = uploaded.headers["x-amz-checksum-crc32"]!;
    expect(crc).toBe(checksumBase64("CRC32", data));
    const listed = (checksum: string) =>
      `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${uploaded.headers.etag}</ETag><ChecksumCRC32>${checksum}</ChecksumCRC32></Part></CompleteMultipartUpload>`;
    const complete = (body: string, headers: Record<string, string> = {}): RawRequest => ({ method: "POST", path: `/music/${k}`, query: { uploadId }, body, headers });
    await fails(complete(listed(checksumBase64("CRC32", bytes(10)))), 400, "InvalidPart");
    await fails(complete(listed(crc), { "x-amz-checksum-crc32": `${checksumBase64("CRC32", bytes(10))}-1` }), 400, "BadDigest");
    await fails(complete(listed(crc), { "x-amz-checksum-sha256": checksumBase64("SHA256", bytes(10)) }), 400, "BadDigest");
    const ok = await rawRequest(own.server, complete(listed(crc), { "x-amz-checksum-sha256": checksumBase64("SHA256", data) }));
    expect({ status: ok.status, crc: tag(ok.body, "ChecksumCRC32"), type: tag(ok.body, "ChecksumType") }).toEqual({
      status: 200,
      crc: `${checksumBase64("CRC32", Buffer.from(crc, "base64"))}-1`,
      type: "COMPOSITE",
    });
    expect(readFileSync(join(own.server.musicDir, k))).toEqual(Buffer.from(data));
  });

  test("a non-audio key cannot start an upload", async () => {
    await fails({ method: "POST", path: "/music/notes.txt", query: { uploads: "" } }, 400, "InvalidRequest");
    await fails({ method: "POST", path: "/music/.rockboxd-s3/tmp/x.mp3", query: { uploads: "" } }, 400, "InvalidObjectName");
    expect(uploadsHere().length).toBeGreaterThan(0);
  });
});

describe("abandoned uploads", () => {
  test("an upload untouched for over 24 h is removed at startup", async () => {
    await using first = await startServer();
    const client = sdkClient(first);
    const stale = (await client.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: "old.mp3" }))).UploadId!;
    const fresh = (await client.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: "new.mp3" }))).UploadId!;
    await first.stop();
    const dir = join(first.musicDir, ".rockboxd-s3", "multipart", stale);
    const old = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(dir, old, old);
    await using second = await startServer({ home: first.home });
    await waitFor(() => !existsSync(dir), 10_000, "the stale upload to be swept");
    const list = await sdkClient(second).send(new ListMultipartUploadsCommand({ Bucket: "music" }));
    expect(list.Uploads?.map((u) => u.UploadId)).toEqual([fresh]);
  });
});
