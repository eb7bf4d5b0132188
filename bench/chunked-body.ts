/**
 * Writes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body to a file, every chunk
 * signed as an AWS SDK would, so the timed upload measures the server's
 * decoding, not a client's signing. The framing is the tests' own.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { type ChunkSigning, chunkFrames, formatAmzDate } from "../test/helpers/aws-chunked.ts";
import type { BenchServer } from "./servers.ts";
import { signedHeaders } from "./sign.ts";

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

export function writeChunkedBody(path: string, chunk: Uint8Array, count: number, signing: ChunkSigning): void {
  const fd = openSync(path, "w");
  const repeated = function* () {
    for (let i = 0; i < count; i++) yield chunk;
  };
  for (const part of chunkFrames(repeated(), signing)) writeSync(fd, part);
  // Flushed before the timed upload, so its writeback does not compete with the server's.
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * A signed aws-chunked PUT of `size` bytes (`block`'s first `chunkSize`
 * bytes, repeated) to `key`, framed and signed into `path` before anything
 * is timed: its headers and the body file.
 */
export async function prepareChunkedPut(
  server: BenchServer, key: string, path: string, block: Uint8Array, size: number, chunkSize = 64 * 1024,
): Promise<{ body: string; headers: Record<string, string> }> {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const extra = {
    "content-encoding": "aws-chunked",
    "x-amz-decoded-content-length": String(size),
    "content-length": String(framedLength(size, chunkSize)),
  };
  const headers = await signedHeaders(server, "PUT", `/music/${key}`, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", extra, now);
  const seedSignature = /Signature=([0-9a-f]{64})/.exec(headers.authorization ?? headers.Authorization ?? "")![1]!;
  writeChunkedBody(path, block.subarray(0, chunkSize), size / chunkSize, { secretKey: server.secretKey, amzDate: formatAmzDate(now.getTime()), seedSignature });
  return { body: path, headers };
}
