/**
 * Writes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body to a file, every chunk
 * signed as an AWS SDK would (sigv4-streaming.html), so the timed upload
 * measures the server's decoding, not a client's signing.
 */
import { createHash, createHmac } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";

const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

export interface ChunkedSigning {
  secretKey: string;
  amzDate: string;
  seedSignature: string;
}

function signingKey(secret: string, date: string): Buffer {
  const k1 = createHmac("sha256", `AWS4${secret}`).update(date).digest();
  const k2 = createHmac("sha256", k1).update("us-east-1").digest();
  const k3 = createHmac("sha256", k2).update("s3").digest();
  return createHmac("sha256", k3).update("aws4_request").digest();
}

/** The framed length for `total` bytes in `chunkSize` chunks (for Content-Length). */
export function framedLength(total: number, chunkSize: number): number {
  const line = (n: number) => n.toString(16).length + ";chunk-signature=".length + 64 + 2;
  let len = 0;
  for (let left = total; left > 0; left -= chunkSize) {
    const n = Math.min(chunkSize, left);
    len += line(n) + n + 2;
  }
  return len + line(0) + 2;
}

export function writeChunkedBody(path: string, chunk: Uint8Array, count: number, s: ChunkedSigning): void {
  const date = s.amzDate.slice(0, 8);
  const scope = `${date}/us-east-1/s3/aws4_request`;
  const key = signingKey(s.secretKey, date);
  const chunkHash = createHash("sha256").update(chunk).digest("hex");
  const fd = openSync(path, "w");
  let previous = s.seedSignature;
  const frame = (data: Uint8Array, hash: string) => {
    const toSign = ["AWS4-HMAC-SHA256-PAYLOAD", s.amzDate, scope, previous, EMPTY_SHA256, hash].join("\n");
    previous = createHmac("sha256", key).update(toSign).digest("hex");
    writeSync(fd, `${data.length.toString(16)};chunk-signature=${previous}\r\n`);
    if (data.length) writeSync(fd, data);
    writeSync(fd, "\r\n");
  };
  for (let i = 0; i < count; i++) frame(chunk, chunkHash);
  frame(new Uint8Array(0), EMPTY_SHA256);
  closeSync(fd);
}
