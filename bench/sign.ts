/** Request signing for the benchmark's curl and fetch calls, with AWS's own signer. */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { BenchServer } from "./servers.ts";

export async function signedHeaders(
  server: BenchServer,
  method: string,
  path: string,
  payloadHash: string,
  extra: Record<string, string> = {},
  signingDate?: Date,
  query: Record<string, string> = {},
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
    region: "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const req = new HttpRequest({
    method,
    hostname: "127.0.0.1",
    port: server.port,
    path,
    query,
    headers: { host: `127.0.0.1:${server.port}`, "x-amz-content-sha256": payloadHash, ...extra },
  });
  return (await signer.sign(req, { signingDate })).headers as Record<string, string>;
}

/** RFC 3986 encoding, as SigV4's canonical query string has it. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** A signed request for fetch: its URL (query included) and headers (Host left to fetch). */
export async function signedRequest(
  server: BenchServer,
  method: string,
  path: string,
  payloadHash: string,
  extra: Record<string, string> = {},
  query: Record<string, string> = {},
): Promise<{ url: string; headers: Record<string, string> }> {
  const signed = await signedHeaders(server, method, path, payloadHash, extra, undefined, query);
  const headers = Object.fromEntries(Object.entries(signed).filter(([k]) => k.toLowerCase() !== "host"));
  const qs = Object.keys(query)
    .sort()
    .map((k) => (query[k] === "" ? enc(k) : `${enc(k)}=${enc(query[k]!)}`))
    .join("&");
  return { url: `http://127.0.0.1:${server.port}${path}${qs ? `?${qs}` : ""}`, headers };
}
