/**
 * Requests no well-behaved client would send (traversal, lies about length),
 * signed with AWS's own SigV4 signer and written byte for byte to a socket,
 * so that nothing normalises the path on the way.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { connect } from "node:net";
import { ACCESS_KEY, SECRET_KEY, type TestServer } from "./server.ts";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as given, e.g. "/music/a/%2e%2e/b.mp3". */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Sign with this payload hash (default UNSIGNED-PAYLOAD). */
  payloadHash?: string;
  /** Skip signing entirely. */
  unsigned?: boolean;
  /** Added after signing, as an attacker would add them to a captured request. */
  addedHeaders?: Record<string, string>;
  secret?: string;
  accessKey?: string;
  region?: string;
  signingDate?: Date;
}

export async function signHeaders(server: TestServer, r: RawRequest): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: r.accessKey ?? ACCESS_KEY, secretAccessKey: r.secret ?? SECRET_KEY },
    region: r.region ?? "us-east-1",
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const headers: Record<string, string> = {
    host: `127.0.0.1:${server.port}`,
    "x-amz-content-sha256": r.payloadHash ?? "UNSIGNED-PAYLOAD",
    ...(r.headers ?? {}),
  };
  const req = new HttpRequest({ method: r.method, hostname: "127.0.0.1", port: server.port, path: r.path, query: r.query ?? {}, headers });
  const signed = await signer.sign(req, { signingDate: r.signingDate });
  return signed.headers as Record<string, string>;
}

export async function rawRequest(server: TestServer, r: RawRequest): Promise<RawResponse> {
  const body = typeof r.body === "string" ? new TextEncoder().encode(r.body) : (r.body ?? new Uint8Array());
  const headers = r.unsigned
    ? { host: `127.0.0.1:${server.port}`, ...(r.headers ?? {}) }
    : await signHeaders(server, r);
  Object.assign(headers, r.addedHeaders ?? {});
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-length" || h.toLowerCase() === "transfer-encoding"))
    headers["content-length"] = String(body.length);
  const qs = r.query ? "?" + Object.entries(r.query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&") : "";
  const head = `${r.method} ${r.path}${qs} HTTP/1.1\r\n` + Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n") + "\r\nconnection: close\r\n\r\n";
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect(server.port, "127.0.0.1", () => {
      sock.write(head);
      if (body.length) sock.write(body);
    });
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("error", reject);
    sock.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [top = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = top.split("\r\n");
      const hdrs: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(":");
        if (i > 0) hdrs[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: hdrs, body: rest.join("\r\n\r\n") });
    });
  });
}

/** The <Code> of an S3 error document. */
export function errorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}
