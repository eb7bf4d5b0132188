/**
 * The query string is decoded once per request: the signature check and the
 * handler read the same pairs (src/s3/raw-target.ts readQuery). Counted
 * in process through the app, for each way a request can be signed, with a
 * listing that shows the handler still sees the decoded values.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { createHmac } from "node:crypto";
import { createApp } from "../../src/http/app.ts";
import { silentLogger } from "../../src/log.ts";
import * as canonical from "../../src/s3/sigv4/canonical.ts";
import { fakeServices } from "../helpers/fake-services.ts";
import { ACCESS_KEY, SECRET_KEY } from "../helpers/server.ts";

const HOST = "s3.test";
const services = fakeServices();
services.bucket.seed("a b/c.mp3", "x");
const app = createApp({ credentials: { accessKey: ACCESS_KEY, secretKey: SECRET_KEY }, services, log: silentLogger });

// "+" for the space and "%2F" for the slash: the handler must still see "a b/c".
const LIST_QUERY = "list-type=2&prefix=a+b%2Fc";

async function headerSigned(): Promise<Request> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, region: "us-east-1", service: "s3", sha256: Sha256,
    uriEscapePath: false, applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: "GET", hostname: HOST, path: "/music", query: { "list-type": "2", prefix: "a b/c" }, headers: { host: HOST } }),
  );
  return new Request(`http://${HOST}/music?${LIST_QUERY}`, { headers: signed.headers as Record<string, string> });
}

function presignedV4(): Request {
  const s3 = new Bun.S3Client({ endpoint: `http://${HOST}`, accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY, bucket: "music", region: "us-east-1" });
  return new Request(s3.presign("a b/c.mp3", { expiresIn: 60 }), { headers: { host: HOST } });
}

/** ListObjects (V1) by a V2 query-signed URL; V2 leaves prefix out of the string to sign. */
function presignedV2(): Request {
  const expires = Math.floor(Date.now() / 1000) + 60;
  const signature = createHmac("sha1", SECRET_KEY).update(`GET\n\n\n${expires}\n/music`).digest("base64");
  const auth = `AWSAccessKeyId=${ACCESS_KEY}&Expires=${expires}&Signature=${encodeURIComponent(signature)}`;
  return new Request(`http://${HOST}/music?prefix=a+b%2Fc&${auth}`, { headers: { host: HOST } });
}

describe("one query parse per request", () => {
  const parses = spyOn(canonical, "parseQuery");
  afterEach(() => parses.mockClear());

  test("SigV4 Authorization header, ListObjectsV2", async () => {
    const res = await app.fetch(await headerSigned());
    expect({ status: res.status, parses: parses.mock.calls.length }).toEqual({ status: 200, parses: 1 });
    const body = await res.text();
    expect(body).toContain("<Prefix>a b/c</Prefix>");
    expect(body).toContain("<Key>a b/c.mp3</Key>");
  });

  test("SigV4 presigned GET", async () => {
    const res = await app.fetch(presignedV4());
    expect({ status: res.status, parses: parses.mock.calls.length }).toEqual({ status: 200, parses: 1 });
    expect(await res.text()).toBe("x");
  });

  test("Signature V2 query form, ListObjects", async () => {
    const res = await app.fetch(presignedV2());
    expect({ status: res.status, parses: parses.mock.calls.length }).toEqual({ status: 200, parses: 1 });
    expect(await res.text()).toContain("<Prefix>a b/c</Prefix>");
  });

  test("a bad escape is still InvalidURI, before any handler", async () => {
    const res = await app.fetch(new Request(`http://${HOST}/music?prefix=%zz`, { headers: { host: HOST } }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("<Code>InvalidURI</Code>");
  });
});
