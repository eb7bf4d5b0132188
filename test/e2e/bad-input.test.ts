/**
 * Every rejected request gets a clear S3 error and leaves the music folder
 * exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sdkClient } from "../helpers/clients.ts";
import { errorCode, rawRequest, type RawRequest } from "../helpers/raw.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { leftovers, snapshot } from "../helpers/tree.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
  mkdirSync(join(server.musicDir, "Albums"), { recursive: true });
  writeFileSync(join(server.musicDir, "Albums", "keep.mp3"), "precious");
  writeFileSync(join(server.musicDir, "notes.txt"), "not audio");
  mkdirSync(join(server.musicDir, "Dir.mp3"));
  writeFileSync(join(server.musicDir, "Dir.mp3", "inside.mp3"), "inside");
  writeFileSync(join(server.home, "outside.mp3"), "outside the music folder");
});
afterAll(async () => {
  await server?.[Symbol.asyncDispose]();
});

/** Sends the request and asserts status, code, and an unchanged music folder. */
async function rejects(req: RawRequest, status: number, code: string | string[]) {
  const before = snapshot(server.musicDir);
  const res = await rawRequest(server, req);
  const got = errorCode(res.body) ?? "";
  const codes = Array.isArray(code) ? code : [code];
  expect({ status: res.status, code: codes.includes(got) ? codes[0] : got }).toEqual({ status, code: codes[0]! });
  expect(res.headers["x-amz-request-id"]).toBeTruthy();
  expect(snapshot(server.musicDir)).toEqual(before);
  expect(leftovers(server.musicDir)).toEqual([]);
  return res;
}

const SHA_OF_HELLO = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

describe("keys", () => {
  // Bun.serve resolves "." and ".." segments (even %2e%2e) before a handler sees the URL,
  // so such a request names another path than the one signed: it fails the signature.
  test("traversal with .. or %2e%2e never reaches the disk", async () => {
    await rejects({ method: "PUT", path: "/music/../outside.mp3", body: "x" }, 403, "SignatureDoesNotMatch");
    await rejects({ method: "GET", path: "/music/Albums/../../outside.mp3" }, 403, "SignatureDoesNotMatch");
    await rejects({ method: "PUT", path: "/music/%2e%2e/outside.mp3", body: "x" }, 403, "SignatureDoesNotMatch");
  });
  test("percent-encoded slashes are decoded, then the .. segments rejected", async () => {
    await rejects({ method: "PUT", path: "/music/Albums%2f..%2f..%2foutside.mp3", body: "x" }, 400, "InvalidObjectName");
    await rejects({ method: "DELETE", path: "/music/%2E%2E%2Foutside.mp3" }, 400, "InvalidObjectName");
  });
  test("empty segments, NUL, invalid UTF-8", async () => {
    await rejects({ method: "PUT", path: "/music/Albums//x.mp3", body: "x" }, 400, "InvalidObjectName");
    await rejects({ method: "PUT", path: "/music/a%00b.mp3", body: "x" }, 400, "InvalidObjectName");
    await rejects({ method: "PUT", path: "/music/bad%ff%fe.mp3", body: "x" }, 400, "InvalidObjectName");
  });
  test("too long: key over 1024 bytes, segment over 255 bytes", async () => {
    await rejects({ method: "PUT", path: `/music/${"a/".repeat(520)}x.mp3`, body: "x" }, 400, "KeyTooLongError");
    await rejects({ method: "PUT", path: `/music/${"%C3%A9".repeat(130)}.mp3`, body: "x" }, 400, "KeyTooLongError");
  });
  test("non-audio key", async () => {
    const res = await rejects({ method: "PUT", path: "/music/cover.jpg", body: "jpeg" }, 400, "InvalidRequest");
    expect(res.body).toContain("Only audio file extensions are accepted");
    await rejects({ method: "PUT", path: "/music/notes.txt", body: "overwrite?" }, 400, "InvalidRequest");
  });
  test("our working folder is not addressable", async () => {
    await rejects({ method: "PUT", path: "/music/.rockboxd-s3/tmp/x.mp3", body: "x" }, 400, "InvalidObjectName");
  });
  test("a key under an existing file is a 409 conflict", async () => {
    await rejects({ method: "PUT", path: "/music/Albums/keep.mp3/inside.mp3", body: "x" }, 409, "ObjectConflict");
    await rejects({ method: "PUT", path: "/music/Dir.mp3", body: "x" }, 409, "ObjectConflict");
  });
});

describe("bodies", () => {
  test("declared length over 2 GiB is refused before the body is read", async () => {
    await rejects({ method: "PUT", path: "/music/huge.flac", headers: { "content-length": String(2 * 1024 ** 3 + 1) } }, 400, "EntityTooLarge");
  });
  test("a body that does not match its signed SHA-256", async () => {
    await rejects({ method: "PUT", path: "/music/Albums/keep.mp3", body: "hellO", payloadHash: SHA_OF_HELLO }, 400, "XAmzContentSHA256Mismatch");
  });
  test("a large body (hashed on the worker thread) that does not match its signed SHA-256", async () => {
    const body = new Uint8Array(9 * 1024 * 1024).fill(3);
    const wrong = new Bun.CryptoHasher("sha256").update(body.subarray(1)).digest("hex");
    await rejects({ method: "PUT", path: "/music/Albums/keep.mp3", body, payloadHash: wrong }, 400, "XAmzContentSHA256Mismatch");
    const right = new Bun.CryptoHasher("sha256").update(body).digest("hex");
    const ok = await rawRequest(server, { method: "PUT", path: "/music/large-signed.flac", body, payloadHash: right });
    expect(ok.status).toBe(200);
    expect(ok.headers.etag).toBe(`"${new Bun.CryptoHasher("md5").update(body).digest("hex")}"`);
  });
  test("a bad Content-MD5", async () => {
    const wrong = Buffer.from(new Bun.CryptoHasher("md5").update("other").digest()).toString("base64");
    await rejects({ method: "PUT", path: "/music/Albums/keep.mp3", body: "hello", headers: { "content-md5": wrong } }, 400, "BadDigest");
    await rejects({ method: "PUT", path: "/music/Albums/keep.mp3", body: "hello", headers: { "content-md5": "not-base64!" } }, 400, "InvalidDigest");
  });
  test("the signed hash matching the body is accepted", async () => {
    const res = await rawRequest(server, { method: "PUT", path: "/music/signed.mp3", body: "hello", payloadHash: SHA_OF_HELLO });
    expect(res.status).toBe(200);
  });
});

describe("auth", () => {
  test("no auth at all", async () => {
    const res = await rejects({ method: "PUT", path: "/music/x.mp3", body: "x", unsigned: true }, 403, "AccessDenied");
    expect(res.body).toContain("Authorization header missing");
  });
  test("unknown access key", async () => {
    await rejects({ method: "PUT", path: "/music/x.mp3", body: "x", accessKey: "AKIAUNKNOWN000000000" }, 403, "InvalidAccessKeyId");
  });
  test("wrong secret", async () => {
    await rejects({ method: "PUT", path: "/music/x.mp3", body: "x", secret: "wrong" }, 403, "SignatureDoesNotMatch");
  });
  test("clock skew over 15 minutes", async () => {
    await rejects({ method: "PUT", path: "/music/x.mp3", body: "x", signingDate: new Date(Date.now() - 20 * 60_000) }, 403, "RequestTimeTooSkewed");
  });
  test("wrong region names the right one", async () => {
    const res = await rejects({ method: "PUT", path: "/music/x.mp3", body: "x", region: "eu-west-1" }, 400, "AuthorizationHeaderMalformed");
    expect(res.body).toContain("<Region>us-east-1</Region>");
  });
  test("a client with the wrong secret is refused", async () => {
    const s3 = sdkClient(server, { credentials: { accessKeyId: "RBTESTACCESSKEY00001", secretAccessKey: "nope" } });
    const before = snapshot(server.musicDir);
    const err = await s3.send(new PutObjectCommand({ Bucket: "music", Key: "x.mp3", Body: "x" })).catch((e) => e);
    expect(err.name).toBe("SignatureDoesNotMatch");
    expect(snapshot(server.musicDir)).toEqual(before);
  });
});

describe("buckets and operations", () => {
  test("any other bucket is NoSuchBucket", async () => {
    await rejects({ method: "PUT", path: "/videos/x.mp3", body: "x" }, 404, "NoSuchBucket");
    await rejects({ method: "GET", path: "/videos", query: { "list-type": "2" } }, 404, "NoSuchBucket");
  });
  test("an operation we do not serve is 501 NotImplemented", async () => {
    await rejects({ method: "PUT", path: "/music", query: { policy: "" }, body: "{}" }, 501, "NotImplemented");
    await rejects({ method: "GET", path: "/music", query: { website: "" } }, 501, "NotImplemented");
  });
  test("missing key is NoSuchKey with the XML document", async () => {
    const res = await rawRequest(server, { method: "GET", path: "/music/nothing-here.mp3" });
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe("NoSuchKey");
    expect(res.body).toContain("<RequestId>");
    expect(res.body).toContain("<Resource>/music/nothing-here.mp3</Resource>");
  });
});
