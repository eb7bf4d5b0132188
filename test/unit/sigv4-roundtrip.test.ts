/**
 * Keys with every awkward character (SPEC §5) signed by real clients and
 * verified by authenticate(): the AWS SDK v3 (its request captured before it
 * leaves), minio-js presigned URLs, and a client that signs its own raw
 * encoding of the path.
 */
import { PutObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, test } from "bun:test";
import * as Minio from "minio";
import { Readable } from "node:stream";
import { trailerChecksumCheck } from "../../src/s3/body-check.ts";
import { percentDecode } from "../../src/s3/keys.ts";
import { authenticate, decodeAwsChunked, type IncomingRequest } from "../../src/s3/sigv4/index.ts";
import { readQuery } from "../../src/s3/raw-target.ts";

const CREDS = { accessKey: "AKIDROCKBOX", secretKey: "wJalr/XUtn+FEMI=K7MDENG" };
const KEYS = [
  "a b+c.flac",
  "plus+and&equals=sign.mp3",
  "it's (live) [1].flac",
  "é/漢字/😀 track.flac",
  "percent%20literal.flac",
  "question?hash#semi;colon:at@.flac",
  "~tilde_-.dot/!bang$dollar*star,comma.ogg",
];

interface Captured {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  body?: unknown;
}

/** An S3Client whose requests are captured, signed, instead of being sent. */
function capturingClient(): { client: S3Client; captured: Captured[] } {
  const captured: Captured[] = [];
  const client = new S3Client({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:9000",
    forcePathStyle: true,
    credentials: { accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secretKey },
    requestHandler: {
      handle: async (request: Captured) => {
        captured.push(request);
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    } as never,
  });
  return { client, captured };
}

/** The SDK's query encoding on the wire (@smithy/querystring-builder). */
function wireQuery(query: Record<string, string | undefined>): string {
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return Object.keys(query)
    .sort()
    .map((k) => (query[k] === undefined ? escape(k) : `${escape(k)}=${escape(query[k]!)}`))
    .join("&");
}

function incoming(r: Captured): IncomingRequest {
  const headers = new Headers();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers.set(k, v);
  return { method: r.method, rawPath: r.path, query: readQuery(wireQuery(r.query)), headers };
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const part of body as AsyncIterable<Uint8Array | string>) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

describe("AWS SDK v3", () => {
  test("PutObject and GetObject of each key verify, and the path decodes back to the key", async () => {
    const { client, captured } = capturingClient();
    for (const key of KEYS) {
      await client.send(new PutObjectCommand({ Bucket: "music", Key: key, Body: "hello" }));
      await client.send(new GetObjectCommand({ Bucket: "music", Key: key, Range: "bytes=0-1" }));
    }
    expect(captured).toHaveLength(KEYS.length * 2);
    captured.forEach((r, i) => {
      const req = incoming(r);
      expect(percentDecode(req.rawPath)).toBe(`/music/${KEYS[Math.floor(i / 2)]}`);
      const result = authenticate(req, CREDS);
      expect(result.accessKey).toBe(CREDS.accessKey);
      expect(result.payload.kind).toBe("sha256");
    });
  });

  test("ListObjectsV2 with every awkward character in the prefix verifies", async () => {
    const { client, captured } = capturingClient();
    for (const key of KEYS) {
      await client.send(new ListObjectsV2Command({ Bucket: "music", Prefix: key, StartAfter: key })).catch(() => {});
    }
    for (const r of captured) expect(authenticate(incoming(r), CREDS).presigned).toBe(false);
  });

  test("a streamed PutObject arrives aws-chunked with an unsigned CRC32 trailer", async () => {
    const { client, captured } = capturingClient();
    const data = Buffer.from("x".repeat(100_000));
    await client.send(
      new PutObjectCommand({ Bucket: "music", Key: KEYS[3], Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]) }),
    );
    const req = incoming(captured[0]!);
    const result = authenticate(req, CREDS);
    expect(result.payload).toEqual({ kind: "chunked", signed: false, trailer: true, signer: null });

    const check = trailerChecksumCheck(req.headers)!;
    expect(check.algorithm).toBe("CRC32");
    const body = await bytesOf(captured[0]!.body);
    const gen = decodeAwsChunked(Readable.from([body]), { signer: null, trailer: true });
    const out: Buffer[] = [];
    let step = await gen.next();
    for (; !step.done; step = await gen.next()) {
      check.update(step.value);
      out.push(Buffer.from(step.value));
    }
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(Object.keys(step.value)).toEqual(["x-amz-checksum-crc32"]);
    expect(check.finish(step.value)).toBe(step.value["x-amz-checksum-crc32"]!);
  });
});

describe("minio-js presigned URLs", () => {
  const minio = new Minio.Client({
    endPoint: "127.0.0.1", port: 9000, useSSL: false, region: "us-east-1",
    accessKey: CREDS.accessKey, secretKey: CREDS.secretKey,
  });

  test("presigned GET and PUT of each key verify", async () => {
    for (const key of KEYS) {
      const urls = [
        ["GET", await minio.presignedGetObject("music", key, 600)],
        ["PUT", await minio.presignedPutObject("music", key, 600)],
      ] as const;
      for (const [method, url] of urls) {
        const u = new URL(url);
        const req: IncomingRequest = {
          method,
          rawPath: u.pathname,
          query: readQuery(u.search.slice(1)),
          headers: new Headers({ host: u.host }),
        };
        expect(percentDecode(req.rawPath)).toBe(`/music/${key}`);
        expect(authenticate(req, CREDS)).toEqual({ accessKey: CREDS.accessKey, presigned: true, payload: { kind: "unsigned" } });
      }
    }
  });
});

/** AWS's signer as the S3 client configures it: the path is signed as given. */
function awsSigner(): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secretKey },
    region: "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
}

describe("a client that signs its own encoding of the path", () => {
  test("a raw path with ' ( ) [ ] $ ! that it also signed raw verifies through the fallback", async () => {
    const path = "/music/it's%20(live)%20[1]$!.flac";
    const signed = await awsSigner().sign(
      new HttpRequest({
        method: "GET", hostname: "127.0.0.1", port: 9000, path, query: {},
        headers: { host: "127.0.0.1:9000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      }),
    );
    const req: IncomingRequest = { method: "GET", rawPath: path, query: readQuery(""), headers: new Headers(signed.headers) };
    expect(authenticate(req, CREDS).payload).toEqual({ kind: "unsigned" });
  });

  test("query values sent with '+' for space verify as %20", async () => {
    const signed = await awsSigner().sign(
      new HttpRequest({
        method: "GET", hostname: "127.0.0.1", port: 9000, path: "/music", query: { prefix: "a b/c", "list-type": "2" },
        headers: { host: "127.0.0.1:9000", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
      }),
    );
    const req: IncomingRequest = {
      method: "GET", rawPath: "/music", query: readQuery("list-type=2&prefix=a+b%2Fc"), headers: new Headers(signed.headers),
    };
    expect(authenticate(req, CREDS).presigned).toBe(false);
  });
});
