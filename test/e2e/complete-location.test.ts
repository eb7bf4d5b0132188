/**
 * CompleteMultipartUpload's <Location> is an absolute URL a client can use:
 * https when we serve TLS, the scheme a TLS-terminating proxy reports in
 * X-Forwarded-Proto otherwise (SPEC §5, the README's nginx recipe), the
 * bucket in the host for virtual-hosted requests, and nothing of a Host that
 * is not a valid host[:port] (signed as sent, so it reaches the handler).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { sdkClient } from "../helpers/clients.ts";
import { buildMessage, exchange, parseResponses, serialize } from "../helpers/raw.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { serverForSuite } from "../helpers/suite.ts";
import { makeTestCa, type TestCa, tlsSettings, trustingAgent } from "../helpers/test-ca.ts";

/** An upload of `key` with one part, ready to complete; returns the Complete body. */
async function oneParted(s3: S3Client, key: string): Promise<{ uploadId: string; body: string }> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "music", Key: key }));
  const { ETag } = await s3.send(new UploadPartCommand({ Bucket: "music", Key: key, UploadId, PartNumber: 1, Body: "only part" }));
  return {
    uploadId: UploadId!,
    body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`,
  };
}

describe("plain HTTP", () => {
  const suite = serverForSuite();

  /** Completes `key` with a request signed over `headers` (Host included), sent byte for byte. */
  async function complete(key: string, headers: Record<string, string>, style: "path" | "vhost" = "path") {
    const { uploadId, body } = await oneParted(suite.s3, key);
    const path = (style === "path" ? "/music/" : "/") + key.split("/").map(encodeURIComponent).join("/");
    const message = await buildMessage(suite.server, { method: "POST", path, query: { uploadId }, headers, body });
    // Header bytes are Latin-1 on the wire (Bun reads them so): a Host "ü" is one byte, as the signer saw it.
    const res = parseResponses((await exchange(suite.server.port, [serialize({ ...message, latin1: true })])).bytes, ["POST"])[0]!;
    return { status: res.status, body: res.body, location: res.body.match(/<Location>([^<]*)<\/Location>/)?.[1] ?? null };
  }

  const own = () => `127.0.0.1:${suite.server.port}`;

  test("the Host the client used, path-style", async () => {
    expect(await complete("Loc/plain.mp3", {})).toMatchObject({ status: 200, location: `http://${own()}/music/Loc/plain.mp3` });
  });

  test("X-Forwarded-Proto: https from a TLS-terminating proxy makes it https", async () => {
    expect(await complete("Loc/proxied.mp3", { "x-forwarded-proto": "https" })).toMatchObject({
      status: 200,
      location: `https://${own()}/music/Loc/proxied.mp3`,
    });
  });

  test("a proxy chain's X-Forwarded-Proto: the client-facing (first) entry counts", async () => {
    expect((await complete("Loc/chain.mp3", { "x-forwarded-proto": "HTTPS, http" })).location).toBe(`https://${own()}/music/Loc/chain.mp3`);
  });

  test("an X-Forwarded-Proto that is neither http nor https is ignored, never echoed", async () => {
    for (const [n, proto] of ["javascript", "https<x/>", "ftp", ""].entries()) {
      const key = `Loc/odd-proto-${n}.mp3`;
      expect(await complete(key, { "x-forwarded-proto": proto })).toMatchObject({ status: 200, location: `http://${own()}/music/${key}` });
    }
  });

  test("virtual-hosted style: the bucket is in the host, the path is the key", async () => {
    const host = `music.localhost:${suite.server.port}`;
    expect(await complete("Loc/vhost.mp3", { host }, "vhost")).toMatchObject({ status: 200, location: `http://${host}/Loc/vhost.mp3` });
  });

  test("the key is URL-encoded, so the XML carries it as text", async () => {
    expect((await complete("Loc/a b&c <d>.mp3", {})).location).toBe(`http://${own()}/music/Loc/a%20b%26c%20%3Cd%3E.mp3`);
  });

  test("a Host that is not a valid host[:port] falls back to the address we listen on", async () => {
    const hostile = ['evil"><Injected>x</Injected><x a="', "a b", "h:99999", "user@host", "host/path", "[::1", "münchen.example"];
    for (const [n, host] of hostile.entries()) {
      const key = `Loc/hostile-${n}.mp3`;
      const got = await complete(key, { host });
      expect({ host, ...got, body: undefined }).toEqual({ host, status: 200, location: `http://${own()}/music/${key}`, body: undefined });
      expect(got.body).not.toContain("Injected");
    }
  });
});

describe("HTTPS served by us", () => {
  let ca: TestCa;
  let server: TestServer;
  let s3: S3Client;
  beforeAll(async () => {
    ca = makeTestCa();
    server = await startServer({ settings: tlsSettings(ca) });
    s3 = sdkClient(server, { requestHandler: { httpsAgent: trustingAgent(ca) } });
  }, 60_000);
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    ca?.[Symbol.dispose]();
  });

  test("https, and a forwarded http cannot downgrade it", async () => {
    expect(server.url).toStartWith("https://");
    const key = "Loc/tls.mp3";
    const { uploadId, body } = await oneParted(s3, key);
    s3.middlewareStack.add(
      (next) => (args: any) => {
        args.request.headers["x-forwarded-proto"] = "http";
        return next(args);
      },
      { step: "build", name: "forwardedHttp" },
    );
    const etag = body.match(/<ETag>([^<]*)<\/ETag>/)![1]!;
    const done = await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: "music", Key: key, UploadId: uploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }] } }),
    );
    expect(done.Location).toBe(`https://127.0.0.1:${server.port}/music/${key}`);
  });
});
