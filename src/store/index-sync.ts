/**
 * Keeps the object index true to the disk for paths that changed by any
 * means: S3 writes call it directly, the library's sync queue calls it for
 * what the watcher and reconcile find.
 */
import { readdirSync, type Stats } from "node:fs";
import { dirname, join } from "node:path";
import { fileIdentity, isAudioPath, sameIdentity, statOrNull, type FileIdentity } from "../music-dir/index.ts";
import { isValidKey } from "../s3/keys.ts";
import { isWorkPath, type Layout } from "./layout.ts";
import type { ObjectIndex, ObjectRow } from "./object-index.ts";

/** A reconcile walk's entry (the library's walker yields these). */
export interface WalkEntry {
  rel: string;
  isDir: boolean;
  empty: boolean;
  size: number;
  mtimeMs: number;
  ino: number;
}

/**
 * A stable ETag for a file that appeared by other means, until its MD5 is
 * known. The "-1" suffix tells clients it is not a plain MD5 (as multipart
 * ETags do), so none of them compares it with their own hash.
 */
export function provisionalEtag({ size, mtimeMs, ino }: FileIdentity): string {
  return new Bun.CryptoHasher("md5").update(`${size}:${mtimeMs}:${ino}`).digest("hex") + "-1";
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).every((n) => n === ".rockboxd-s3");
  } catch {
    return false;
  }
}

export class IndexSync {
  /** Called after a row with a provisional ETag was written (main.ts wakes the hasher). */
  onProvisional: () => void = () => {};

  constructor(
    private readonly index: ObjectIndex,
    private readonly layout: Layout,
  ) {}

  /** The PathSink entry point: many paths in one transaction. */
  sync(rels: readonly string[]): void {
    this.index.transaction(() => {
      for (const rel of rels) this.syncPath(rel);
    });
  }

  /** Brings one path (file or folder, present or gone) in line; returns its visible row. */
  syncPath(rel: string): ObjectRow | null {
    if (rel === "" || isWorkPath(rel)) return null;
    const st = statOrNull(join(this.layout.musicDir, rel));
    if (st === null) {
      this.removeTree(rel);
      this.syncFolderMarker(parentOf(rel));
      return null;
    }
    if (st.isDirectory()) {
      this.index.delete(rel);
      this.clearAncestorMarkers(rel);
      return this.syncFolderMarker(rel);
    }
    if (!st.isFile() || !isAudioPath(rel) || !isValidKey(rel)) {
      // Not (or no longer) an object (a name S3 cannot carry, such as one with a control character, is not one); if it used to be a folder, what was under it is gone.
      this.removeTree(rel + "/");
      return null;
    }
    // The common case (every GET and HEAD): nothing changed, so nothing is written.
    const known = this.index.get(rel);
    const id = fileIdentity(st);
    if (known && sameIdentity(known, id)) return known;
    return this.recordFile({
      key: rel,
      ...id,
      etag: provisionalEtag(id),
      etagProvisional: true,
      contentType: null,
      meta: null,
      checksums: null,
    });
  }

  /**
   * Records a file's row (S3 writes call this with the real MD5 ETag): what
   * the path was before (a folder and its contents) and the folder markers
   * above it, now non-empty, go.
   */
  recordFile(row: ObjectRow): ObjectRow {
    this.removeTree(row.key + "/");
    this.clearAncestorMarkers(row.key);
    this.index.put(row);
    if (row.etagProvisional) this.onProvisional();
    return row;
  }

  /** An empty folder is listed as "folder/"; a folder with content is not. */
  private syncFolderMarker(rel: string): ObjectRow | null {
    if (rel === "") return null;
    const key = rel + "/";
    const path = join(this.layout.musicDir, rel);
    const st = statOrNull(path);
    if (!st?.isDirectory() || !isEmptyDir(path) || !isValidKey(key)) {
      this.index.delete(key);
      return null;
    }
    const known = this.index.get(key);
    if (known) return known;
    const row = folderRow(key, st);
    this.index.put(row);
    return row;
  }

  private clearAncestorMarkers(rel: string): void {
    for (let dir = parentOf(rel); dir !== ""; dir = parentOf(dir)) this.index.delete(dir + "/");
  }

  /** The row at `rel` and every row under `rel + "/"` (a folder key "a/" removes "a/" and below). */
  private removeTree(rel: string): void {
    this.index.delete(rel);
    for (const key of this.index.keysUnder(rel.endsWith("/") ? rel : rel + "/")) this.index.delete(key);
  }

  /**
   * Follows a reconcile walk of music_dir (the library's, so the folder is
   * walked once): adds and updates what changed as entries arrive, and at the
   * end removes what the walk did not see, unless the walk cannot be trusted.
   */
  entry(e: WalkEntry): void {
    this.walk ??= { known: this.index.identities(), seen: new Set(), changed: [] };
    const key = e.isDir ? e.rel + "/" : e.rel;
    if (e.isDir && !e.empty) return;
    this.walk.seen.add(key);
    const k = this.walk.known.get(key);
    if (!k || (!e.isDir && !sameIdentity(k, e))) this.walk.changed.push(e.rel);
    if (this.walk.changed.length >= 500) this.flushWalk();
  }

  end(trusted: boolean, unreadable: readonly string[]): void {
    const walk = this.walk;
    this.walk = null;
    if (!walk) return;
    this.flushWalk(walk);
    if (!trusted) return;
    const gone = [...walk.known.keys()].filter((key) => !walk.seen.has(key) && !unreadable.some((dir) => key.startsWith(dir)));
    this.index.transaction(() => {
      for (const key of gone) this.index.delete(key);
    });
  }

  private walk: { known: Map<string, FileIdentity>; seen: Set<string>; changed: string[] } | null = null;

  private flushWalk(walk = this.walk): void {
    if (!walk || walk.changed.length === 0) return;
    this.sync(walk.changed.splice(0));
  }
}

export const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

/** A folder as an object: "folder/", zero bytes, the empty MD5. */
export function folderRow(key: string, st: Stats): ObjectRow {
  return { key, ...fileIdentity(st), size: 0, etag: EMPTY_MD5, etagProvisional: false, contentType: null, meta: null, checksums: null };
}

export function parentOf(rel: string): string {
  const d = dirname(rel);
  return d === "." ? "" : d;
}
