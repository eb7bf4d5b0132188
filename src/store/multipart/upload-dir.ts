/**
 * One multipart upload on disk, in .rockboxd-s3/multipart/<uploadId>/:
 *   upload.json        the manifest (key, content type, metadata, checksum algorithm)
 *   00042.json         the record of part 42 (size, ETag, checksums, its data file)
 *   slots.dat          the upload's data file: part n at (n-1)*S, S the slot size (slots.ts)
 *   00042-<rand>.bin   the bytes of part 42 when it could not go to its slot
 * A part is replaced by renaming a new record over the old one, so a reader
 * sees the old part or the new one, never a mix; a slot holding a committed
 * part is never written again (a re-upload goes to its own file).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { ChecksumAlgorithm } from "../../s3/checksum.ts";
import type { ChecksumType } from "../../s3/multipart-checksum.ts";
import { syncDir } from "../atomic-write.ts";

export interface Manifest {
  uploadId: string;
  key: string;
  initiatedMs: number;
  contentType: string | null;
  meta: Record<string, string> | null;
  checksumAlgorithm: ChecksumAlgorithm | null;
  checksumType: ChecksumType | null;
  /** The slot size, fixed by the first part that declared its length (slots.ts); absent until then. */
  slotSize?: number;
  /** slots.dat's inode: after a crash between Complete's rename and its marker, the object is recognised by it. */
  dataIno?: number;
}

export interface PartRecord {
  partNumber: number;
  /** The data file's name inside the upload folder. */
  file: string;
  /** Where the part starts in `file` when that is the shared data file; absent for a file of its own. */
  offset?: number;
  size: number;
  /** Hex MD5 of the part, unquoted. */
  etag: string;
  lastModifiedMs: number;
  /** Algorithm → base64 digest. */
  checksums: Record<string, string>;
}

/** Upload IDs are 32 base64url characters: safe as a folder name, checked before any path is built. */
const UPLOAD_ID = /^[A-Za-z0-9_-]{32}$/;

export function newUploadId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
}

export function isUploadId(text: string): boolean {
  return UPLOAD_ID.test(text);
}

const MANIFEST = "upload.json";
/** Not "*.bin", so a part's own files are told apart from it by name. */
export const DATA_FILE = "slots.dat";
const pad = (n: number) => String(n).padStart(5, "0");
const RECORD = /^(\d{5})\.json$/;

/** A folder's entries; none when it does not exist (yet). */
export function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return null;
  }
}

/** Writes, fsyncs, then renames into place: the file is whole or absent. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o644);
  try {
    const bytes = Buffer.from(JSON.stringify(value));
    for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export class UploadDir {
  constructor(readonly dir: string) {}

  static of(multipartDir: string, uploadId: string): UploadDir {
    return new UploadDir(join(multipartDir, uploadId));
  }

  create(manifest: Manifest): void {
    mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(join(this.dir, MANIFEST), manifest);
    syncDir(this.dir);
  }

  /** Rewrites the manifest (whole or absent, as at create). */
  updateManifest(manifest: Manifest): void {
    writeJsonAtomic(join(this.dir, MANIFEST), manifest);
    syncDir(this.dir);
  }

  get dataFile(): string {
    return join(this.dir, DATA_FILE);
  }

  manifest(): Manifest | null {
    return readJson<Manifest>(join(this.dir, MANIFEST));
  }

  part(partNumber: number): PartRecord | null {
    return readJson<PartRecord>(join(this.dir, `${pad(partNumber)}.json`));
  }

  /** Part numbers with a record, ascending. */
  partNumbers(): number[] {
    const numbers: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const m = RECORD.exec(name);
      if (m) numbers.push(Number(m[1]));
    }
    return numbers.sort((a, b) => a - b);
  }

  dataPath(record: PartRecord): string {
    return join(this.dir, record.file);
  }

  /**
   * Moves a received (fsynced) temp file in as part `partNumber`, replacing
   * any earlier upload of that part. Synchronous, so no other request of
   * this process sees it half done.
   */
  commitPart(tmpPath: string, record: Omit<PartRecord, "file">): PartRecord {
    const file = `${pad(record.partNumber)}-${crypto.randomUUID()}.bin`;
    renameSync(tmpPath, join(this.dir, file));
    return this.commitRecord({ ...record, file });
  }

  /** Records a part written (and fdatasynced) into its slot of the data file. */
  commitSlotPart(record: Omit<PartRecord, "file">, offset: number): PartRecord {
    return this.commitRecord({ ...record, file: DATA_FILE, offset });
  }

  private commitRecord(full: PartRecord): PartRecord {
    const previous = this.part(full.partNumber);
    writeJsonAtomic(join(this.dir, `${pad(full.partNumber)}.json`), full);
    syncDir(this.dir);
    // A part in the shared data file stays: its slot is simply never read again.
    if (previous && previous.file !== full.file && previous.offset === undefined) rmSync(join(this.dir, previous.file), { force: true });
    return full;
  }

  /** When the upload was last touched: a part commit renames into the folder. */
  lastTouchedMs(): number | null {
    try {
      return statSync(this.dir).mtimeMs;
    } catch {
      return null;
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
