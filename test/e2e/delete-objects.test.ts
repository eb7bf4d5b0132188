/**
 * DeleteObjects: batches through the SDK (which sends a checksum header),
 * quiet mode, per-key errors, digests, and hostile documents — a 10 MB body
 * or an entity-expansion bomb gets a clear 400, bounded memory and an
 * untouched music folder.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { DeleteObjectsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { rawRequest, type RawRequest } from "../helpers/raw.ts";
import { expectRejected } from "../helpers/rejects.ts";
import { serverForSuite } from "../helpers/suite.ts";

const t = serverForSuite();

const put = (Key: string, Body: string | Uint8Array = "bytes") => t.s3.send(new PutObjectCommand({ Bucket: "music", Key, Body }));
const exists = (key: string) => existsSync(join(t.server.musicDir, key));
const md5Base64 = (text: string) => new Bun.CryptoHasher("md5").update(text).digest("base64");
const escape = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
const deleteXml = (keys: string[], quiet = false) =>
  `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${keys.map((k) => `<Object><Key>${escape(k)}</Key></Object>`).join("")}${quiet ? "<Quiet>true</Quiet>" : ""}</Delete>`;
const post = (body: string | Uint8Array, headers: Record<string, string> = {}): RawRequest => ({
  method: "POST",
  path: "/music",
  query: { delete: "" },
  body,
  headers,
});

const rejects = (req: RawRequest, status: number, code: string) => expectRejected(t.server, req, status, code);

describe("batches", () => {
  test("the SDK deletes existing and missing keys alike; empty folders go too", async () => {
    await put("Batch/One/a.mp3");
    await put("Batch/One/b.mp3");
    await put("Batch/Two/c.flac");
    const r = await t.s3.send(
      new DeleteObjectsCommand({
        Bucket: "music",
        Delete: { Objects: ["Batch/One/a.mp3", "Batch/One/b.mp3", "Batch/Two/c.flac", "Batch/never.mp3"].map((Key) => ({ Key })) },
      }),
    );
    expect(r.Deleted?.map((d) => d.Key).sort()).toEqual(["Batch/One/a.mp3", "Batch/One/b.mp3", "Batch/Two/c.flac", "Batch/never.mp3"]);
    expect(r.Errors ?? []).toEqual([]);
    expect(exists("Batch")).toBe(false);
  });

  test("quiet mode lists nothing but errors", async () => {
    await put("Quiet/a.ogg");
    const r = await t.s3.send(new DeleteObjectsCommand({ Bucket: "music", Delete: { Objects: [{ Key: "Quiet/a.ogg" }], Quiet: true } }));
    expect({ deleted: r.Deleted ?? [], errors: r.Errors ?? [] }).toEqual({ deleted: [], errors: [] });
    expect(exists("Quiet/a.ogg")).toBe(false);
  });

  test("a bad key is an <Error> entry while the others are deleted", async () => {
    await put("Mixed/good.mp3");
    const res = await rawRequest(t.server, post(deleteXml(["Mixed/good.mp3", "Mixed/../../escape.mp3", ""], true)));
    expect(res.status).toBe(200);
    const errors = [...res.body.matchAll(/<Error><Key>([^<]*)<\/Key><Code>([^<]*)<\/Code>/g)].map((m) => [m[1], m[2]]);
    expect(errors).toEqual([
      ["Mixed/../../escape.mp3", "InvalidObjectName"],
      ["", "InvalidObjectName"],
    ]);
    expect(res.body).not.toContain("<Deleted>");
    expect(exists("Mixed/good.mp3")).toBe(false);
  });

  test("keys with spaces at the ends, XML escapes, folders; other files are never touched", async () => {
    await put(" Edge/ spaced .mp3");
    await put("Edge/a&b<c.flac");
    await put("Edge/Empty/", new Uint8Array());
    mkdirSync(join(t.server.musicDir, "Edge"), { recursive: true });
    writeFileSync(join(t.server.musicDir, "Edge", "cover.jpg"), "art");
    const res = await rawRequest(t.server, post(deleteXml([" Edge/ spaced .mp3", "Edge/a&b<c.flac", "Edge/Empty/", "Edge/cover.jpg"])));
    expect(res.status).toBe(200);
    expect([...res.body.matchAll(/<Deleted><Key>([^<]*)<\/Key>/g)].map((m) => m[1])).toEqual([
      " Edge/ spaced .mp3",
      "Edge/a&amp;b&lt;c.flac",
      "Edge/Empty/",
      "Edge/cover.jpg",
    ]);
    expect([exists(" Edge/ spaced .mp3"), exists("Edge/a&b<c.flac"), exists("Edge/Empty")]).toEqual([false, false, false]);
    expect(readFileSync(join(t.server.musicDir, "Edge", "cover.jpg"), "utf8")).toBe("art");
  });
});

describe("digests", () => {
  test("a right Content-MD5 or checksum header, or none at all, is accepted", async () => {
    for (const headers of [
      (doc: string) => ({ "content-md5": md5Base64(doc) }),
      (doc: string) => ({ "x-amz-checksum-crc32": checksumBase64("CRC32", new TextEncoder().encode(doc)) }),
      () => ({}),
    ]) {
      await put("Digest/a.mp3");
      const doc = deleteXml(["Digest/a.mp3"]);
      const res = await rawRequest(t.server, post(doc, headers(doc)));
      expect(res.status).toBe(200);
      expect(exists("Digest/a.mp3")).toBe(false);
    }
  });

  test("a signed payload hash is verified", async () => {
    await put("Digest/signed.mp3");
    const doc = deleteXml(["Digest/signed.mp3"]);
    const sha256 = (t: string) => new Bun.CryptoHasher("sha256").update(t).digest("hex");
    await rejects({ ...post(doc), payloadHash: sha256("another document") }, 400, "XAmzContentSHA256Mismatch");
    expect(exists("Digest/signed.mp3")).toBe(true);
    expect((await rawRequest(t.server, { ...post(doc), payloadHash: sha256(doc) })).status).toBe(200);
    expect(exists("Digest/signed.mp3")).toBe(false);
  });

  test("a wrong one is BadDigest and deletes nothing", async () => {
    await put("Digest/keep.mp3");
    const doc = deleteXml(["Digest/keep.mp3"]);
    await rejects(post(doc, { "content-md5": md5Base64("something else") }), 400, "BadDigest");
    await rejects(post(doc, { "x-amz-checksum-crc32": checksumBase64("CRC32", new TextEncoder().encode("other")) }), 400, "BadDigest");
    await rejects(post(doc, { "content-md5": "not base64!" }), 400, "InvalidDigest");
    expect(exists("Digest/keep.mp3")).toBe(true);
  });
});

describe("hostile documents", () => {
  beforeAll(async () => {
    await put("Hostile/keep.mp3");
  });

  test("malformed, empty, wrong root, more than 1000 keys", async () => {
    await rejects(post("<Delete><Object><Key>Hostile/keep.mp3</Key>"), 400, "MalformedXML");
    await rejects(post(""), 400, "MalformedXML");
    await rejects(post("<Delete></Delete>"), 400, "MalformedXML");
    await rejects(post("<Other><Object><Key>Hostile/keep.mp3</Key></Object></Other>"), 400, "MalformedXML");
    await rejects(post(deleteXml(Array.from({ length: 1001 }, (_, i) => `Hostile/${i}.mp3`))), 400, "MalformedXML");
    await rejects(post(new Uint8Array([0x3c, 0x44, 0xff, 0xfe, 0x3e])), 400, "MalformedXML");
  });

  test("an entity-expansion bomb", async () => {
    const lol = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Delete><Object><Key>&lol4;</Key></Object><Object><Key>Hostile/keep.mp3</Key></Object></Delete>`;
    const res = await rejects(post(lol), 400, "MalformedXML");
    expect(res.body).toContain("Document type declarations are not allowed");
  });

  test("10 MB of XML, declared or streamed, is refused with bounded memory", async () => {
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${t.server.proc.pid}/status`, "utf8"))![1]) * 1024;
    const big = "<Delete>" + "<Object><Key>Hostile/keep.mp3</Key></Object>".repeat(230_000) + "</Delete>";
    expect(big.length).toBeGreaterThan(10_000_000);
    const before = rss();
    await rejects(post(big), 400, "MaxMessageLengthExceeded");
    // Without a length: chunked transfer encoding, cut off at the cap while streaming.
    const bytes = new TextEncoder().encode(big);
    const framed: Uint8Array[] = [];
    for (let off = 0; off < bytes.length; off += 65536) {
      const piece = bytes.subarray(off, off + 65536);
      framed.push(new TextEncoder().encode(piece.length.toString(16) + "\r\n"), piece, new TextEncoder().encode("\r\n"));
    }
    framed.push(new TextEncoder().encode("0\r\n\r\n"));
    for (let i = 0; i < 3; i++)
      await rejects(post(Buffer.concat(framed), { "transfer-encoding": "chunked" }), 400, "MaxMessageLengthExceeded");
    expect(rss() - before).toBeLessThan(24 * 1024 * 1024);
    expect(exists("Hostile/keep.mp3")).toBe(true);
  });
});
