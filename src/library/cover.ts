/**
 * An album's cover (SPEC §7, §9): an image beside its tracks
 * (cover/folder/front .jpg/.jpeg/.png) or the picture embedded in one of
 * them. Where it is was recorded when the tracks were parsed (track
 * cover_embedded / cover_image), so serving a cover costs a query, plus one
 * stat for a side image's ETag; the bytes are read only when a browser asks
 * and its cached copy is stale. Rows parsed before that was recorded are
 * looked up on disk as before.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { readEmbeddedCover } from "./tags.ts";

const IMAGE_NAMES = ["cover", "folder", "front"];
const IMAGE_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

export interface CoverSource {
  path: string;
  /** The picture is inside an audio file, not an image of its own. */
  embedded: boolean;
  /** Changes whenever the file does (path, size, mtime). */
  etag: string;
}

export interface CoverImage {
  bytes: Uint8Array;
  type: string;
}

/** A track of the album as the library recorded it, in playing order. */
export interface CoverRow {
  path: string;
  filesize: number;
  mtime_ms: number;
  cover_embedded: number | null;
  cover_image: string | null;
}

export function albumCover(rows: readonly CoverRow[]): CoverSource | null {
  if (rows.some((r) => r.cover_embedded === null || r.cover_image === null)) return coverSource(rows.map((r) => r.path));
  for (const r of rows) {
    if (!r.cover_image) continue;
    const image = withEtag(join(dirname(r.path), r.cover_image), false);
    if (image) return image;
  }
  const embedded = rows.find((r) => r.cover_embedded === 1);
  return embedded ? { path: embedded.path, embedded: true, etag: etagOf(embedded.path, embedded.filesize, embedded.mtime_ms) } : null;
}

/** By a look on disk: for rows parsed before the library recorded covers. */
export function coverSource(trackPaths: readonly string[]): CoverSource | null {
  for (const dir of new Set(trackPaths.map((p) => dirname(p)))) {
    const name = imageIn(dir);
    if (name) return withEtag(join(dir, name), false);
  }
  return trackPaths[0] ? withEtag(trackPaths[0], true) : null;
}

export async function readCover(source: CoverSource): Promise<CoverImage | null> {
  if (source.embedded) return readEmbeddedCover(source.path);
  const ext = source.path.slice(source.path.lastIndexOf(".") + 1).toLowerCase();
  return { bytes: new Uint8Array(await Bun.file(source.path).arrayBuffer()), type: IMAGE_TYPES[ext] ?? "application/octet-stream" };
}

/** cover.jpg, Folder.JPG, front.png…: case-insensitive, Windows rippers write Folder.jpg, others cover.JPG. */
export function isCoverImageName(name: string): boolean {
  return coverRank(name) >= 0;
}

/** 0 for cover.*, 1 folder.*, 2 front.* (the first wins when a folder has several), -1 for any other name. */
function coverRank(name: string): number {
  const dot = name.lastIndexOf(".");
  if (dot <= 0 || !(name.slice(dot + 1).toLowerCase() in IMAGE_TYPES)) return -1;
  return IMAGE_NAMES.indexOf(name.slice(0, dot).toLowerCase());
}

/** Of two names in one folder (`current` listed first), the one imageIn would choose. */
export function preferredCover(current: string | undefined, name: string): string | undefined {
  const rank = coverRank(name);
  if (rank < 0) return current;
  return current === undefined || rank < coverRank(current) ? name : current;
}

/** The name of the cover image in a folder, null when none (or unreadable). */
export function imageIn(dir: string): string | null {
  return lookImage(dir) || null;
}

/** The name of the cover image in a folder, '' when none, undefined when the folder cannot be read. */
export function lookImage(dir: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  let chosen: string | undefined;
  for (const name of names) chosen = preferredCover(chosen, name);
  return chosen ?? "";
}

/**
 * One directory look per album folder while its tracks are parsed one after
 * another (a scan), not one per track. An image added or removed later
 * comes through the watcher as its own change (PathSync), which forgets it.
 */
export class FolderImages {
  readonly #seen = new Map<string, { name: string; atMs: number }>();

  constructor(private readonly ttlMs = 2000, private readonly now: () => number = Date.now) {}

  /** The image's name, '' when the folder has none. */
  nameIn(dir: string): string {
    const hit = this.#seen.get(dir);
    if (hit && this.now() - hit.atMs < this.ttlMs) return hit.name;
    const name = imageIn(dir) ?? "";
    this.#seen.delete(dir);
    this.#seen.set(dir, { name, atMs: this.now() });
    if (this.#seen.size > 256) this.#seen.delete(this.#seen.keys().next().value!);
    return name;
  }

  forget(dir: string): void {
    this.#seen.delete(dir);
  }
}

function withEtag(path: string, embedded: boolean): CoverSource | null {
  try {
    const st = statSync(path);
    return { path, embedded, etag: etagOf(path, st.size, st.mtimeMs) };
  } catch {
    return null;
  }
}

function etagOf(path: string, size: number, mtimeMs: number): string {
  const hash = new Bun.CryptoHasher("sha1").update(`${path}\n${size}\n${mtimeMs}`).digest("base64url");
  return `"${hash.slice(0, 22)}"`;
}
