/**
 * Keeps the object index true to the disk for paths that changed by any
 * means: S3 writes record their rows directly; everything else comes from
 * music_dir as changes (the watcher's, the library's reconcile walk) with
 * the look already taken, so nothing here stats a path a change describes.
 * HEAD and GET still look at the one path they serve.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileIdentity, isAudioPath, sameIdentity, type Change, type FileIdentity, type Follower, type Look, type MusicDir, type WalkEntry } from "../music-dir/index.ts";
import { isValidKey } from "../s3/keys.ts";
import { isWorkPath, type Layout } from "./layout.ts";
import type { KeyCursor } from "../db/key-cursor.ts";
import type { IdentityRow, ObjectIndex, ObjectRow } from "./object-index.ts";

/**
 * A stable ETag for a file that appeared by other means, until its MD5 is
 * known. The "-1" suffix tells clients it is not a plain MD5 (as multipart
 * ETags do), so none of them compares it with their own hash.
 */
export function provisionalEtag({ size, mtimeMs, ino }: FileIdentity): string {
  return Bun.CryptoHasher.hash("md5", `${size}:${mtimeMs}:${ino}`, "hex") + "-1";
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).every((n) => n === ".rockboxd-s3");
  } catch {
    return false;
  }
}

/**
 * A walk being followed, merged with the index's rows under its prefix (both
 * in UTF-8 byte order of the key, the rows read a page at a time): the rows
 * the walk passed without a matching entry (missed), what it found changed.
 */
interface Walk {
  rows: KeyCursor<IdentityRow>;
  changed: WalkEntry[];
  missed: string[];
}

export class IndexSync implements Follower {
  /** Called after a row with a provisional ETag was written (main.ts wakes the hasher). */
  onProvisional: () => void = () => {};
  private walk: Walk | null = null;

  constructor(
    private readonly index: ObjectIndex,
    private readonly layout: Layout,
    private readonly dir: Pick<MusicDir, "look">,
    /** Rows per page when a walk is merged with the index (tests make it small). */
    private readonly pageSize?: number,
  ) {}

  /** A change music_dir handed over, written in one transaction. */
  changed(change: Change): void {
    this.index.transaction(() => {
      if (change.kind === "gone") this.syncPath(change.rel, "missing");
      else if (change.kind === "file") this.syncPath(change.rel, change.stat);
      else this.syncFolder(change);
    });
  }

  /** Many paths in one transaction, each looked at now (a delete and the folders it emptied). */
  sync(rels: readonly string[]): void {
    this.index.transaction(() => {
      for (const rel of rels) this.syncPath(rel);
    });
  }

  /** Brings one path (file or folder, present or gone) in line with `look`; returns its visible row. */
  syncPath(rel: string, look: Look = this.dir.look(rel)): ObjectRow | null {
    if (rel === "" || isWorkPath(rel)) return null;
    if (typeof look === "string") {
      this.removeTree(rel);
      this.syncFolderMarker(parentOf(rel));
      return null;
    }
    if (look.isDirectory()) {
      this.index.delete(rel);
      this.clearAncestorMarkers(rel);
      return this.syncFolderMarker(rel, look);
    }
    // The common case (every GET and HEAD): nothing changed, so nothing is
    // written, and the key, already validated by the request, is not again.
    const known = look.isFile() ? this.index.get(rel) : null;
    const id = fileIdentity(look);
    if (known && sameIdentity(known, id)) return known;
    if (!look.isFile() || !isAudioPath(rel) || !isValidKey(rel)) {
      // Not (or no longer) an object (a name S3 cannot carry, such as one with a control character, is not one); if it used to be a folder, what was under it is gone.
      this.removeTree(rel + "/");
      return null;
    }
    return this.recordFile(provisionalRow(rel, id));
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

  /** A folder appeared or changed: the folder itself, then everything below it as music_dir walked it. */
  private syncFolder(change: Extract<Change, { kind: "folder" }>): void {
    this.syncPath(change.rel, change.stat);
    const walk = this.startWalk(change.rel === "" ? "" : `${change.rel}/`);
    for (const e of change.below) this.follow(walk, e);
    this.endWalk(walk, change.trusted, change.unreadable);
  }

  /** An empty folder is listed as "folder/"; a folder with content is not. */
  private syncFolderMarker(rel: string, st?: Look): ObjectRow | null {
    if (rel === "") return null;
    const key = rel + "/";
    const path = join(this.layout.musicDir, rel);
    const look = st ?? this.dir.look(rel);
    if (typeof look === "string" || !look.isDirectory() || !isEmptyDir(path) || !isValidKey(key)) {
      this.index.delete(key);
      return null;
    }
    const known = this.index.get(key);
    if (known) return known;
    const row = folderRow(key, look);
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
    this.walk ??= this.startWalk("");
    this.follow(this.walk, e);
    if (this.walk.changed.length >= 500) this.flushWalk(this.walk);
  }

  end(trusted: boolean, unreadable: readonly string[]): void {
    const walk = this.walk;
    this.walk = null;
    if (walk) this.endWalk(walk, trusted, unreadable);
  }

  /** The folder's own marker is not the walk's to judge (the walk does not yield its start): rows after it. */
  private startWalk(prefix: string): Walk {
    return { rows: this.index.identities(prefix, this.pageSize), changed: [], missed: [] };
  }

  /**
   * One entry of the walk, in key order: rows before its key were not where
   * the walk looked; its own row is compared. A folder with content is no
   * object, so a marker row left for it is missed too.
   */
  private follow(walk: Walk, e: WalkEntry): void {
    const key = e.isDir ? e.rel + "/" : e.rel;
    walk.rows.skipBelow(key, (row) => walk.missed.push(row[0]));
    const row = walk.rows.take(key);
    if (e.isDir && !e.empty) {
      if (row) walk.missed.push(key);
    } else if (!row || (!e.isDir && !sameIdentity(identityOf(row), e))) walk.changed.push(e);
  }

  /**
   * Writes what a walk found changed. The walk yields to requests as it goes,
   * so by now an S3 write or delete may have changed an entry it saw: each
   * changed path is looked at again here (unchanged ones are not), or a stale
   * look would bring back a deleted object or hide a newer one.
   */
  private flushWalk(walk: Walk): void {
    if (walk.changed.length === 0) return;
    const changed = walk.changed.splice(0);
    this.index.transaction(() => {
      for (const e of changed) this.syncPath(e.rel);
    });
  }

  /**
   * After a trusted walk, the rows it missed are looked at, not deleted
   * blind: pages were read as the walk went on, and an S3 write landing in a
   * pause may have put a row after the walk passed its key (or listed its
   * folder), so the walk never saw a file that is there: what exists goes
   * through syncPath (kept or updated), what is missing is deleted (a marker
   * "a/" is judged as the folder "a"). Rows under a folder that could not be
   * read are kept. 50,000 missed rows: 0.5 s (0.9 s through syncPath).
   */
  private endWalk(walk: Walk, trusted: boolean, unreadable: readonly string[]): void {
    this.flushWalk(walk);
    if (trusted) {
      walk.rows.rest((row) => walk.missed.push(row[0]));
      const missed = walk.missed.filter((key) => !unreadable.some((dir) => key.startsWith(dir)));
      this.index.transaction(() => {
        for (const key of missed) {
          const rel = key.endsWith("/") ? key.slice(0, -1) : key;
          const look = this.dir.look(rel);
          // Gone, the common case (a folder deleted while the server was down):
          // the row goes; the walk already saw any folder this left empty.
          if (look === "missing") this.index.delete(key);
          else this.syncPath(rel, look);
        }
      });
    }
    walk.missed.length = 0;
  }
}

function identityOf(row: IdentityRow): FileIdentity {
  return { size: row[1], mtimeMs: row[2], ino: row[3] };
}

function provisionalRow(key: string, id: FileIdentity): ObjectRow {
  return { key, ...id, etag: provisionalEtag(id), etagProvisional: true, contentType: null, meta: null, checksums: null };
}

export const EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

/** A folder as an object: "folder/", zero bytes, the empty MD5. */
export function folderRow(key: string, st: FileIdentity): ObjectRow {
  return { key, size: 0, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino, etag: EMPTY_MD5, etagProvisional: false, contentType: null, meta: null, checksums: null };
}

export function parentOf(rel: string): string {
  const d = dirname(rel);
  return d === "." ? "" : d;
}
