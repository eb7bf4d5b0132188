/**
 * Concatenates part files into one temp file and fsyncs it, ready to be
 * renamed into place. Reads and writes go through the thread pool with one
 * 1 MiB buffer, so a multi-gigabyte Complete neither blocks the event loop
 * nor grows memory.
 */
import { mkdirSync, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { type ChecksumAlgorithm, createChecksum, toBase64 } from "../../s3/checksum.ts";
import { fsError } from "../atomic-write.ts";
import type { Layout } from "../layout.ts";

const BUFFER_BYTES = 1024 * 1024;

export interface Assembled {
  tmpPath: string;
  size: number;
  /** Full-object checksums (algorithm → base64) computed on the way. */
  checksums: Record<string, string>;
}

async function append(out: FileHandle, path: string, buf: Buffer, onChunk: (b: Buffer) => void): Promise<number> {
  const src = await open(path, "r");
  let total = 0;
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, buf.length, null);
      if (bytesRead === 0) return total;
      const chunk = buf.subarray(0, bytesRead);
      onChunk(chunk);
      for (let off = 0; off < bytesRead; ) off += (await out.write(chunk, off, bytesRead - off)).bytesWritten;
      total += bytesRead;
    }
  } finally {
    await src.close();
  }
}

export async function assembleParts(layout: Layout, files: readonly string[], fullObject: readonly ChecksumAlgorithm[]): Promise<Assembled> {
  mkdirSync(layout.tmpDir, { recursive: true });
  const tmpPath = layout.newTempPath();
  const sums = fullObject.map(createChecksum);
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let out: FileHandle | null = null;
  try {
    out = await open(tmpPath, "wx", 0o644);
    let size = 0;
    for (const file of files) size += await append(out, file, buf, (chunk) => sums.forEach((s) => s.update(chunk)));
    await out.sync();
    await out.close();
    out = null;
    return { tmpPath, size, checksums: Object.fromEntries(sums.map((s) => [s.algorithm, toBase64(s.digest())])) };
  } catch (e) {
    await out?.close().catch(() => {});
    rmSync(tmpPath, { force: true });
    throw fsError(e);
  }
}
