/**
 * Generated music folders for the library bench: album-like folders of the
 * committed tagged fixtures, as real copies (the scan) or as hard links (the
 * 100k library, and s3rver's copy of it).
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURES = join(import.meta.dir, "..", "test", "fixtures", "audio");

/** Every committed `tagged.<ext>` fixture (one per extension of the allowlist we could produce). */
export function taggedFixtures(): string[] {
  return readdirSync(FIXTURES)
    .filter((n) => n.startsWith("tagged."))
    .sort()
    .map((n) => join(FIXTURES, n));
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const ext = (path: string) => path.slice(path.lastIndexOf(".") + 1);

/** Key i of an album-like layout: 20 tracks per album, 10 albums per artist. */
export function trackKey(i: number, extension: string): string {
  const album = Math.floor(i / 20);
  return `Artist ${pad(Math.floor(album / 10), 4)}/Album ${pad(album % 10, 2)}/${pad((i % 20) + 1, 2)} Track ${pad(i, 6)}.${extension}`;
}

/** Writes `count` files under `dir`, cycling through `sources`; `place` copies or links. */
function generate(dir: string, count: number, sources: readonly string[], place: (source: string, dest: string) => void): string[] {
  const keys: string[] = [];
  let lastFolder = "";
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]!;
    const key = trackKey(i, ext(source));
    const folder = key.slice(0, key.lastIndexOf("/"));
    if (folder !== lastFolder) mkdirSync(join(dir, folder), { recursive: true });
    lastFolder = folder;
    place(source, join(dir, key));
    keys.push(key);
  }
  return keys;
}

/** Real copies (distinct inodes and pages, as a real collection): the scan's input. */
export function copyTree(dir: string, count: number, sources: readonly string[]): string[] {
  return generate(dir, count, sources, (s, d) => copyFileSync(s, d));
}

/**
 * Hard links, with fresh copies of a source once it has `maxLinks` links
 * (ext4 allows about 65,000 per inode).
 */
export class LinkPool {
  readonly #copies = new Map<string, { path: string; links: number }>();
  #made = 0;

  constructor(
    private readonly dir: string,
    private readonly maxLinks = 30_000,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  link(source: string, dest: string): void {
    let copy = this.#copies.get(source);
    if (!copy || copy.links >= this.maxLinks) {
      copy = { path: join(this.dir, `${this.#made++}.${ext(source)}`), links: 0 };
      copyFileSync(source, copy.path);
      this.#copies.set(source, copy);
    }
    linkSync(copy.path, dest);
    copy.links++;
  }
}

export function linkTree(dir: string, count: number, sources: readonly string[], pool: LinkPool): string[] {
  return generate(dir, count, sources, (s, d) => pool.link(s, d));
}

/**
 * s3rver's on-disk layout for the same keys (node_modules/s3rver/lib/stores/filesystem.js):
 * `<dir>/music/<folders>/<name>._S3rver_object` plus the `.md5` and
 * `._S3rver_metadata.json` files its PutObject writes next to it.
 */
export function s3rverTree(dir: string, keys: readonly string[], sourceOf: (key: string) => string, md5Of: (source: string) => string, pool: LinkPool): void {
  let lastFolder = "";
  for (const key of keys) {
    const folder = key.slice(0, key.lastIndexOf("/"));
    if (folder !== lastFolder) mkdirSync(join(dir, "music", folder), { recursive: true });
    lastFolder = folder;
    const base = join(dir, "music", key);
    const source = sourceOf(key);
    pool.link(source, `${base}._S3rver_object`);
    writeFileSync(`${base}._S3rver_object.md5`, md5Of(source));
    writeFileSync(`${base}._S3rver_metadata.json`, JSON.stringify({ "content-type": contentType(key) }, null, 2));
  }
}

function contentType(key: string): string {
  const e = ext(key);
  return e === "mp3" ? "audio/mpeg" : e === "m4a" ? "audio/mp4" : `audio/${e}`;
}
