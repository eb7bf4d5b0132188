/** What x-amz-content-sha256 makes of the body, on requests signed by AWS's own signer. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { expect, test } from "bun:test";
import { authenticate, type IncomingRequest } from "../../src/s3/sigv4/index.ts";
import { readQuery } from "../../src/s3/raw-target.ts";

const CREDS = { accessKey: "AKIDROCKBOX", secretKey: "secret" };
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function awsSigner(): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: CREDS.accessKey, secretAccessKey: CREDS.secretKey },
    region: "us-east-1", service: "s3", sha256: Sha256, uriEscapePath: false, applyChecksum: false,
  });
}

async function signedWith(contentSha256: string | null): Promise<IncomingRequest> {
  const headers: Record<string, string> = { host: "localhost" };
  if (contentSha256 !== null) headers["x-amz-content-sha256"] = contentSha256;
  const signed = await awsSigner().sign(new HttpRequest({ method: "PUT", hostname: "localhost", path: "/music/a.flac", headers }));
  return { method: "PUT", rawPath: "/music/a.flac", query: readQuery(""), headers: new Headers(signed.headers) };
}

test.each([
  ["UNSIGNED-PAYLOAD", { kind: "unsigned" }],
  ["AB".repeat(32), { kind: "sha256", hex: "ab".repeat(32) }],
  ["STREAMING-UNSIGNED-PAYLOAD-TRAILER", { kind: "chunked", signed: false, trailer: true, signer: null }],
] as const)("x-amz-content-sha256: %s", async (value, payload) => {
  expect(authenticate(await signedWith(value), CREDS).payload).toEqual(payload);
});

test.each([
  ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD", false],
  ["STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", true],
] as const)("x-amz-content-sha256: %s comes with a chunk signer", async (value, trailer) => {
  const payload = authenticate(await signedWith(value), CREDS).payload;
  expect(payload).toMatchObject({ kind: "chunked", signed: true, trailer });
  expect(payload.kind === "chunked" && payload.signer !== null).toBe(true);
});

test("no x-amz-content-sha256, signed over the empty body: the body must be empty", async () => {
  // @smithy/signature-v4 hashes the (absent) body when the header is missing.
  const req = await signedWith(null);
  expect(req.headers.has("x-amz-content-sha256")).toBe(false);
  expect(authenticate(req, CREDS).payload).toEqual({ kind: "sha256", hex: EMPTY_SHA256 });
});

test("no x-amz-content-sha256, signed as UNSIGNED-PAYLOAD: unsigned", async () => {
  // The header decides the hash that is signed, but is itself left unsigned and then dropped.
  const signed = await awsSigner().sign(
    new HttpRequest({
      method: "PUT", hostname: "localhost", path: "/music/a.flac",
      headers: { host: "localhost", "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    }),
    { unsignableHeaders: new Set(["x-amz-content-sha256"]) },
  );
  const headers = new Headers(signed.headers);
  headers.delete("x-amz-content-sha256");
  const req: IncomingRequest = { method: "PUT", rawPath: "/music/a.flac", query: readQuery(""), headers };
  expect(authenticate(req, CREDS).payload).toEqual({ kind: "unsigned" });
});
