/**
 * Streams a verified body into a temp file in the working folder, fsyncs,
 * and only then renames it into place: a reader never sees a partial file,
 * and a failed upload leaves nothing behind. The body checks itself (see
 * s3/verified-body.ts): it throws at its end when it broke a promise, so
 * writing until it ends cleanly is all the verification the store does.
 */
import { closeSync, fdatasync, fsync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { S3Error } from "../s3/errors.ts";
import { freeBuffer } from "../s3/spent-chunks.ts";
import type { VerifiedBody } from "../s3/verified-body.ts";
import { BlockPool } from "./block-pool.ts";
import type { Layout } from "./layout.ts";

export const fsyncAsync = promisify(fsync);
export const fdatasyncAsync = promisify(fdatasync);

/**
 * Flush written pages in the background every this many bytes, so the disk
 * works while we hash and receive; the final fsync then has little left.
 */
const FLUSH_EVERY = 32 * 1024 ** 2;

/**
 * Bodies arrive in socket-sized pieces (~64 KiB); each write(2) into
 * music_dir wakes the recursive watcher, which has to read and drop the
 * event. Writing whole 1 MiB blocks cut that thread's cost about fivefold
 * (issue 11's profile), for one copy into a buffer we reuse.
 */
const WRITE_BLOCK = 1024 ** 2;
/**
 * Blocks kept between the parts of multipart uploads, which arrive ten at a
 * time from awscli and boto3 (see block-pool.ts). Not for whole objects:
 * one block per upload gains nothing. 64 KiB, not 1 MiB: ten kept 1 MiB
 * blocks took a 10-way multipart upload's peak RSS from 70 to 76 MB and
 * the 24-client soak's from 94–99 to 99–108 MB (256 KiB: 68, and 95–100).
 * At 64 KiB: 66, and 95–97, for the same CPU per GiB as either.
 */
const PART_BLOCK = 64 * 1024;
export const partBlocks = new BlockPool(PART_BLOCK, 10, 1000);

export interface Received {
  tmpPath: string;
  size: number;
  md5Hex: string;
}

/** Maps filesystem failures to S3 errors a client understands. */
export function fsError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return new S3Error("InsufficientStorage");
  if (code === "ENOTDIR" || code === "EISDIR" || code === "EEXIST" || code === "ENOTEMPTY")
    return new S3Error("ObjectConflict");
  if (code === "ENAMETOOLONG") return new S3Error("KeyTooLongError");
  return e;
}

export async function receiveToTemp(layout: Layout, body: VerifiedBody): Promise<Received> {
  const tmpPath = layout.newTempPath();
  mkdirSync(layout.tmpDir, { recursive: true });
  const fd = openSync(tmpPath, "wx", 0o644);
  let closed = false;
  try {
    const size = await writeBody(fd, body, 0, Number.MAX_SAFE_INTEGER);
    await fsyncAsync(fd);
    closeSync(fd);
    closed = true;
    return { tmpPath, size, md5Hex: body.md5 };
  } catch (e) {
    if (!closed) closeSync(fd);
    rmSync(tmpPath, { force: true });
    throw fsError(e);
  }
}

/**
 * Writes the body at `start` onwards with positional writes, at most
 * `limit` bytes: a multipart part into its slot of the upload's shared data
 * file, where a body longer than it promised must not spill into the next
 * part's slot (it fails as IncompleteBody, as VerifiedBody would at its end).
 * Returns the byte count once the body ended cleanly; the caller syncs.
 * `part`: the body is a multipart part, whose write block is kept for the next.
 */
export async function writeBody(fd: number, body: VerifiedBody, start: number, limit: number, part = false): Promise<number> {
  let size = 0;
  let flushedAt = 0;
  let flushing: Promise<void> | null = null;
  const block = part ? partBlocks.take() : Buffer.allocUnsafe(WRITE_BLOCK);
  const blockSize = block.byteLength;
  let filled = 0;
  let position = start;
  const writeAll = (bytes: Uint8Array) => {
    for (let off = 0; off < bytes.byteLength; ) {
      const n = writeSync(fd, bytes, off, bytes.byteLength - off, position);
      off += n;
      position += n;
    }
  };
  const writeBlock = () => {
    writeAll(block.subarray(0, filled));
    filled = 0;
  };
  body.freeEachChunk(); // each chunk is written or copied into `block` before the next is asked for
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > limit) throw new S3Error("IncompleteBody");
      if (filled + chunk.byteLength > blockSize && filled > 0) writeBlock();
      if (chunk.byteLength >= blockSize) writeAll(chunk);
      else {
        block.set(chunk, filled);
        filled += chunk.byteLength;
      }
      if (size - flushedAt >= FLUSH_EVERY && flushing === null) {
        flushedAt = size;
        flushing = fdatasyncAsync(fd).finally(() => (flushing = null));
      }
    }
    if (filled > 0) writeBlock();
    await flushing;
    return size;
  } catch (e) {
    await flushing?.catch(() => {});
    throw e;
  } finally {
    if (part) partBlocks.give(block);
    else freeBuffer(block);
  }
}

/** Renames a finished temp file to its key's path, creating parent folders. */
export function commitTemp(tmpPath: string, dest: string): void {
  try {
    renameInto(tmpPath, dest);
  } catch (e) {
    rmSync(tmpPath, { force: true });
    throw e;
  }
}

/** Renames a finished file to its key's path, creating parent folders; on failure the file stays where it was. */
export function renameInto(path: string, dest: string): void {
  try {
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(path, dest);
  } catch (e) {
    throw fsError(e);
  }
  syncDir(dirname(dest));
}

/** fsync a folder so that a rename in it survives a power cut. */
export function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsync(fd, () => closeSync(fd));
    } catch {
      closeSync(fd);
    }
  } catch {
    // Best effort: some filesystems refuse to open or fsync a folder.
  }
}

/** Removes leftovers of uploads that were in flight when we last stopped. */
export function cleanTemp(layout: Layout): number {
  let removed = 0;
  try {
    for (const name of readdirSync(layout.tmpDir)) {
      rmSync(`${layout.tmpDir}/${name}`, { force: true, recursive: true });
      removed++;
    }
  } catch {
    // No tmp folder yet: nothing to clean.
  }
  return removed;
}
