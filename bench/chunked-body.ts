/**
 * Writes a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body to a file, every chunk
 * signed as an AWS SDK would, so the timed upload measures the server's
 * decoding, not a client's signing. The framing is the tests' own.
 */
import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";
import { type ChunkSigning, chunkFrames } from "../test/helpers/aws-chunked.ts";

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
