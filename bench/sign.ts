/** Request signing for the benchmark's curl calls, with AWS's own signer. */
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
