/**
 * Streams a body into a temp file in the working folder while hashing it,
 * fsyncs, and only then renames it into place: a reader never sees a partial
 * file, and a failed upload leaves nothing behind.
 */
import { closeSync, fdatasync, fsync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import { contentMd5Matches } from "../s3/body-check.ts";
import { S3Error } from "../s3/errors.ts";
import { Digests } from "./digests.ts";
import type { Layout } from "./layout.ts";

const fsyncAsync = promisify(fsync);
const fdatasyncAsync = promisify(fdatasync);

/**
 * Flush written pages in the background every this many bytes, so the disk
 * works while we hash and receive; the final fsync then has little left.
 */
const FLUSH_EVERY = 32 * 1024 ** 2;

/** Something that sees every byte of the body and may reject it at the end. */
export interface BodyObserver {
  update(chunk: Uint8Array): void;
  /** Throws an S3Error when the body is not what the request promised. */
  finish(): void;
}

export interface Body {
  chunks: AsyncIterable<Uint8Array>;
  /** Verified after the last byte, before anything becomes visible. */
  checks: readonly BodyObserver[];
  /** Exceeding it while streaming is EntityTooLarge. */
  maxBytes: number;
  /** When the request declared its length: a different count is IncompleteBody. */
  expectedBytes?: number;
  /** x-amz-content-sha256 of a signed payload (hex): the body must hash to it. */
  sha256Hex?: string;
  /** Content-MD5 (base64), checked against the MD5 we compute anyway for the ETag. */
  contentMd5?: string | null;
  /** Checksums the client sent (algorithm → base64), known once the body is read. */
  checksums?: () => Record<string, string>;
}

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

export async function receiveToTemp(layout: Layout, body: Body): Promise<Received> {
  const tmpPath = layout.newTempPath();
  mkdirSync(layout.tmpDir, { recursive: true });
  const fd = openSync(tmpPath, "wx", 0o644);
  const digests = new Digests(body.sha256Hex ? ["md5", "sha256"] : ["md5"]);
  let size = 0;
  let closed = false;
  let flushedAt = 0;
  let flushing: Promise<void> | null = null;
  try {
    for await (const chunk of body.chunks) {
      size += chunk.byteLength;
      if (size > body.maxBytes) throw new S3Error("EntityTooLarge");
      digests.update(chunk);
      for (const c of body.checks) c.update(chunk);
      for (let off = 0; off < chunk.byteLength; ) off += writeSync(fd, chunk, off);
      if (size - flushedAt >= FLUSH_EVERY && flushing === null) {
        flushedAt = size;
        flushing = fdatasyncAsync(fd).finally(() => (flushing = null));
      }
    }
    await flushing;
    if (body.expectedBytes !== undefined && size !== body.expectedBytes) throw new S3Error("IncompleteBody");
    for (const c of body.checks) c.finish();
    const { md5: digest, sha256 } = digests.digest();
    if (body.sha256Hex !== undefined && sha256!.toString("hex") !== body.sha256Hex.toLowerCase())
      throw new S3Error("XAmzContentSHA256Mismatch");
    if (body.contentMd5 != null) contentMd5Matches(digest!.toString("hex"), body.contentMd5);
    await fsyncAsync(fd);
    closeSync(fd);
    closed = true;
    return { tmpPath, size, md5Hex: digest!.toString("hex") };
  } catch (e) {
    await flushing?.catch(() => {});
    if (!closed) closeSync(fd);
    rmSync(tmpPath, { force: true });
    throw fsError(e);
  }
}

/** Renames a finished temp file to its key's path, creating parent folders. */
export function commitTemp(tmpPath: string, dest: string): void {
  try {
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(tmpPath, dest);
  } catch (e) {
    rmSync(tmpPath, { force: true });
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
