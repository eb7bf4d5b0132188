/**
 * The files every client suite moves: deterministic payloads under keys that
 * need encoding everywhere, a folder to sync, and the ETags S3 gives them.
 */
import { mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { md5Hex, MiB } from "../bytes.ts";
import { tempDir } from "../server.ts";

/** Deterministic pseudo-random bytes (xorshift32), fast enough for tens of MiB. */
export function payload(size: number, seed: number): Uint8Array {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  return new Uint8Array(words.buffer, 0, size);
}

/** An old, fixed mtime for local fixtures, so sync tools never see them as newer than the server's copy. */
export const FIXTURE_MTIME = new Date("2024-03-01T12:00:00Z");

export function writePayload(path: string, size: number, seed: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, payload(size, seed));
  utimesSync(path, FIXTURE_MTIME, FIXTURE_MTIME);
  return path;
}

/** Keys that need encoding everywhere: spaces, accents, CJK, quote, brackets, +, &, #. */
export const SMALL_KEY = "Björk/Vespertine 東京/01 It's Not Up To You.flac";
export const LARGE_KEY = "Björk/Vespertine 東京/Long Mix (Side A+B).flac";
export const SMALL_SIZE = 7_301;
/** Over 16 MiB: multipart for awscli/boto3 (8 MiB), s3cmd (15 MiB), lib-storage/Bun/rclone rcat (5 MiB). */
export const LARGE_SIZE = 17 * MiB + 4_321;

/** The folder every suite syncs twice: a few small files and one large one (multipart where the tool does it). */
export const SYNC_FILES: Record<string, number> = {
  "Björk/Vespertine 東京/02 Undo & Pagan Poetry.flac": 4_099,
  "Sigur Rós/( )/Untitled #1 [Vaka].ogg": 9_001,
  "東京事変/教育/01 林檎の唄.mp3": 3_333,
  "Mixes/Side A+B = one hour #2.flac": LARGE_SIZE,
};

export interface Fixture {
  dir: string;
  small: string;
  large: string;
  /** The folder to sync (contains exactly SYNC_FILES). */
  syncDir: string;
  /** Where downloads go. */
  downloads: string;
}

/** Writes the payloads of one suite into a fresh temp dir. */
export function makeFixture(label: string, largeSize = LARGE_SIZE): Fixture {
  const dir = tempDir(`${label}-data`);
  const syncDir = join(dir, "sync");
  let seed = 1;
  for (const [rel, size] of Object.entries(SYNC_FILES)) writePayload(join(syncDir, rel), size, seed++);
  const downloads = join(dir, "downloads");
  mkdirSync(downloads, { recursive: true });
  return {
    dir,
    small: writePayload(join(dir, "up", "small.flac"), SMALL_SIZE, 100),
    large: writePayload(join(dir, "up", "large.flac"), largeSize, 200),
    syncDir,
    downloads,
  };
}

export async function md5File(path: string): Promise<string> {
  const h = new Bun.CryptoHasher("md5");
  for await (const chunk of Bun.file(path).stream()) h.update(chunk);
  return h.digest("hex");
}

/** How a client splits an upload: parts of `partSize`, multipart once the size reaches `threshold`. */
export interface PartPlan {
  partSize: number;
  threshold?: number;
}

/**
 * The ETag S3 gives an object uploaded the way a client does it: plain MD5
 * for a single PUT, md5(concat of part MD5s)-N for multipart. Quoted, as in
 * responses.
 */
export async function expectedEtag(path: string, multipart?: PartPlan): Promise<string> {
  const bytes = await Bun.file(path).bytes();
  const threshold = multipart?.threshold ?? multipart?.partSize ?? Infinity;
  if (!multipart || bytes.length < threshold) return `"${md5Hex(bytes)}"`;
  const parts: Uint8Array[] = [];
  for (let off = 0; off < bytes.length; off += multipart.partSize) {
    parts.push(new Bun.CryptoHasher("md5").update(bytes.subarray(off, off + multipart.partSize)).digest());
  }
  return `"${md5Hex(Buffer.concat(parts))}-${parts.length}"`;
}

/** Map every key of SYNC_FILES under `prefix` to the MD5 of the local file. */
export async function expectedSyncTree(syncDir: string, prefix: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of Object.keys(SYNC_FILES)) out[`${prefix}/${rel}`] = await md5File(join(syncDir, rel));
  return out;
}

/**
 * The decision a mirror tool (`mc mirror`-like) makes for an SDK with no
 * sync of its own: which local files are missing or differ (size or ETag)
 * on the server. `remote` maps key → { size, etag }.
 */
export async function planSync(syncDir: string, prefix: string, remote: Map<string, { size: number; etag: string }>, multipart: PartPlan): Promise<string[]> {
  const todo: string[] = [];
  for (const rel of Object.keys(SYNC_FILES).sort()) {
    const path = join(syncDir, rel);
    const have = remote.get(`${prefix}/${rel}`);
    if (!have || have.size !== statSync(path).size || have.etag !== (await expectedEtag(path, multipart))) todo.push(rel);
  }
  return todo;
}
