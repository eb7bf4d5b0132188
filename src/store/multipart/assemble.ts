/**
 * Concatenates parts (files of their own, or ranges of the upload's data
 * file) into one temp file and fsyncs it, ready to be renamed into place —
 * the path for a Complete whose parts do not already lie in place (slots.ts;
 * fillSlots, checksumsOf and sealDataFile below serve the in-place one). The kernel copies the bytes (copy_file_range, a
 * reflink where the filesystem shares extents) unless a full-object
 * checksum has to see every byte: then, or where the kernel copy is refused,
 * reads and writes go through the thread pool with one 1 MiB buffer. Either
 * way a multi-gigabyte Complete neither blocks the event loop for long nor
 * grows memory.
 *
 * Why not combine the parts' CRCs instead of reading for FULL_OBJECT: the
 * expected value may be a SHA-1/SHA-256, which does not combine, and parts
 * need not carry the algorithm at all; the read path stays exact for every
 * case, and the clients measured here (awscli, SDK v3, boto3) send
 * composite or no checksums on Complete, so they all take the kernel path.
 */
import { mkdirSync, rmSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { nextTurn } from "../../event-loop/turns.ts";
import { type Checksum, type ChecksumAlgorithm, createChecksum, toBase64 } from "../../s3/checksum.ts";
import { S3Error } from "../../s3/errors.ts";
import { fsError } from "../atomic-write.ts";
import { copyFileRange } from "../copy-file-range.ts";
import type { Layout } from "../layout.ts";

const BUFFER_BYTES = 1024 * 1024;

/**
 * Bytes per copy_file_range call. The call is synchronous on the JS thread;
 * between slices the event loop runs, so a part read back from a slow SD
 * card stalls other requests for one slice at most.
 */
const KERNEL_SLICE = 4 * 1024 * 1024;

export interface Assembled {
  tmpPath: string;
  size: number;
  /** Full-object checksums (algorithm → base64) computed on the way. */
  checksums: Record<string, string>;
  /** Of `size`, the bytes copy_file_range moved (the rest went through our buffer). */
  kernelBytes: number;
}

export interface AssembleOptions {
  /** Try copy_file_range first (default); false keeps every byte on the read/write path. */
  kernelCopy?: boolean;
}

/** A part's bytes: a whole file (a path, read to its end) or a range of one (a slot of the shared data file). */
export type PartSource = string | { path: string; start: number; length: number };

/**
 * Copies ranges between files at explicit offsets: by kernel while it
 * serves, else read and written through one buffer, feeding `sums` on that
 * path (which the caller picks by passing kernel = false).
 */
class RangeCopier {
  kernelBytes = 0;
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);

  constructor(
    private kernel: boolean,
    private readonly sums: Checksum[],
  ) {}

  /** Copies up to `length` bytes (to the end of `src`); returns how many. */
  async copy(src: FileHandle, from: number, length: number, out: FileHandle, to: number): Promise<number> {
    let done = 0;
    while (this.kernel) {
      const ask = Math.min(KERNEL_SLICE, length - done);
      if (ask <= 0) return done;
      const n = copyFileRange(src.fd, out.fd, ask, { in: from + done, out: to + done });
      if (n === null) this.kernel = false; // refused for this filesystem: the rest goes the read/write way
      else {
        done += n;
        this.kernelBytes += n;
        if (n < ask) return done;
        await nextTurn();
      }
    }
    for (;;) {
      const ask = Math.min(this.buf.length, length - done);
      if (ask <= 0) return done;
      const { bytesRead } = await src.read(this.buf, 0, ask, from + done);
      if (bytesRead === 0) return done;
      const chunk = this.buf.subarray(0, bytesRead);
      for (const s of this.sums) s.update(chunk);
      for (let off = 0; off < bytesRead; ) off += (await out.write(chunk, off, bytesRead - off, to + done + off)).bytesWritten;
      done += bytesRead;
    }
  }
}

const rangeOf = (source: PartSource) =>
  typeof source === "string" ? { path: source, start: 0, length: Infinity } : source;

/** A part shorter than its record says: its bytes are gone (cut off by an earlier, failed Complete). */
const partMissing = () => new S3Error("InternalError", "A part's bytes are missing from the upload.");

export async function assembleParts(
  layout: Layout, sources: readonly PartSource[], fullObject: readonly ChecksumAlgorithm[], options: AssembleOptions = {},
): Promise<Assembled> {
  mkdirSync(layout.tmpDir, { recursive: true });
  const tmpPath = layout.newTempPath();
  const sums = fullObject.map(createChecksum);
  const copier = new RangeCopier((options.kernelCopy ?? true) && sums.length === 0, sums);
  let out: FileHandle | null = null;
  try {
    out = await open(tmpPath, "wx", 0o644);
    let size = 0;
    for (const source of sources) {
      const { path, start, length } = rangeOf(source);
      const src = await open(path, "r");
      try {
        const copied = await copier.copy(src, start, length, out, size);
        if (length !== Infinity && copied !== length) throw partMissing();
        size += copied;
      } finally {
        await src.close();
      }
    }
    await out.sync();
    await out.close();
    out = null;
    return { tmpPath, size, checksums: digests(sums), kernelBytes: copier.kernelBytes };
  } catch (e) {
    await out?.close().catch(() => {});
    rmSync(tmpPath, { force: true });
    throw fsError(e);
  }
}

const digests = (sums: Checksum[]) => Object.fromEntries(sums.map((s) => [s.algorithm, toBase64(s.digest())]));

/**
 * Copies parts that sit in files of their own into their slots of the
 * upload's data file (the only bytes an in-place Complete moves); returns
 * the bytes copy_file_range moved.
 */
export async function fillSlots(dataFile: string, moves: ReadonlyArray<{ path: string; size: number; at: number }>, options: AssembleOptions = {}): Promise<number> {
  if (moves.length === 0) return 0;
  const copier = new RangeCopier(options.kernelCopy ?? true, []);
  try {
    const out = await open(dataFile, "r+");
    try {
      for (const move of moves) {
        const src = await open(move.path, "r");
        try {
          if ((await copier.copy(src, 0, move.size, out, move.at)) !== move.size) throw partMissing();
        } finally {
          await src.close();
        }
      }
    } finally {
      await out.close();
    }
    return copier.kernelBytes;
  } catch (e) {
    throw fsError(e);
  }
}

/** Full-object checksums of the first `length` bytes of `path`, read in place (nothing read when none is asked for). */
export async function checksumsOf(path: string, length: number, fullObject: readonly ChecksumAlgorithm[]): Promise<Record<string, string>> {
  if (fullObject.length === 0) return {};
  const sums = fullObject.map(createChecksum);
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  const file = await open(path, "r");
  try {
    for (let at = 0; at < length; ) {
      const { bytesRead } = await file.read(buf, 0, Math.min(buf.length, length - at), at);
      if (bytesRead === 0) throw partMissing();
      for (const s of sums) s.update(buf.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await file.close();
  }
  return digests(sums);
}

/** Cuts the data file to the object's length and makes it durable, ready to be renamed into place. */
export async function sealDataFile(dataFile: string, size: number): Promise<void> {
  try {
    const file = await open(dataFile, "r+");
    try {
      await file.truncate(size);
      await file.sync();
    } finally {
      await file.close();
    }
  } catch (e) {
    throw fsError(e);
  }
}
