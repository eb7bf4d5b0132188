/**
 * The bucket on disk: object operations over music_dir, the atomic writer
 * and the object index. Knows nothing of HTTP.
 */
import { mkdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { fileIdentity, type MusicDir } from "../music-dir/index.ts";
import { S3Error } from "../s3/errors.ts";
import { isFolderKey } from "../s3/keys.ts";
import type { VerifiedBody } from "../s3/verified-body.ts";
import { commitTemp, fsError, receiveToTemp } from "./atomic-write.ts";
import { isVisibleKey } from "./audio-keys.ts";
import { folderRow, type IndexSync, parentOf } from "./index-sync.ts";
import type { Layout } from "./layout.ts";
import { listPage, type ListPage, type ListQuery } from "./listing.ts";
import type { ObjectIndex, ObjectRow } from "./object-index.ts";

export interface ObjectFields {
  contentType: string | null;
  meta: Record<string, string> | null;
  checksums: Record<string, string> | null;
}

/**
 * How the bucket looks at what it wrote and tells music_dir, which hands
 * the change (with that one look) to the library.
 */
export type FolderWrites = Pick<MusicDir, "look" | "wrote">;

export class Bucket {
  constructor(
    readonly layout: Layout,
    private readonly index: ObjectIndex,
    private readonly sync: IndexSync,
    private readonly dir: FolderWrites,
  ) {}

  /** The current row of a visible object; NoSuchKey otherwise. */
  head(key: string): ObjectRow {
    if (!isVisibleKey(key)) throw new S3Error("NoSuchKey");
    const row = this.sync.syncPath(key.replace(/\/$/, ""));
    if (!row || row.key !== key) throw new S3Error("NoSuchKey");
    return row;
  }

  /** The row and the file to stream it from. */
  open(key: string): { row: ObjectRow; path: string } {
    const row = this.head(key);
    return { row, path: this.layout.pathOf(key) };
  }

  async put(key: string, body: VerifiedBody, fields: ObjectFields): Promise<ObjectRow> {
    const dest = this.layout.pathOf(key);
    const received = await receiveToTemp(this.layout, body);
    commitTemp(received.tmpPath, dest);
    const sent = body.checksums();
    const checksums = fields.checksums ?? (Object.keys(sent).length ? sent : null);
    return this.recordWrite(key, dest, received.md5Hex, { ...fields, checksums });
  }

  /** Records a file we just renamed into place, with its real MD5 ETag. */
  recordWrite(key: string, dest: string, etag: string, fields: ObjectFields): ObjectRow {
    const st = this.dir.look(key);
    if (typeof st === "string") throw new Error(`${dest} is ${st} right after it was renamed into place`);
    const row: ObjectRow = {
      key,
      ...fileIdentity(st),
      etag,
      etagProvisional: false,
      ...fields,
    };
    this.index.transaction(() => this.sync.recordFile(row));
    this.dir.wrote(key, st, this.sync);
    return row;
  }

  /** A zero-byte PUT of "folder/": creates the folder. */
  putFolder(key: string): ObjectRow {
    const path = this.layout.pathOf(key);
    try {
      mkdirSync(path, { recursive: true });
    } catch (e) {
      throw fsError(e);
    }
    const rel = key.slice(0, -1);
    const st = this.dir.look(rel);
    if (typeof st === "string" || !st.isDirectory()) throw new S3Error("ObjectConflict");
    const row = this.sync.syncPath(rel, st);
    this.dir.wrote(rel, st, this.sync);
    // A folder that holds objects is not listed as "folder/", but creating it
    // again is still a success (s3fs and rclone PUT folder markers freely).
    return row ?? folderRow(key, st);
  }

  /** 204 semantics: a key that is not there is not an error. */
  delete(key: string): void {
    if (!isVisibleKey(key)) return;
    const path = this.layout.pathOf(key);
    const rel = key.replace(/\/$/, "");
    try {
      if (isFolderKey(key)) rmdirSync(path);
      else unlinkSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Gone already, a folder that still holds files, or a key that names a folder: nothing to do.
      if (code === "ENOENT" || code === "ENOTDIR" || code === "ENOTEMPTY" || code === "EEXIST" || code === "EISDIR")
        return;
      throw fsError(e);
    }
    this.pruneEmptyParents(dirname(path));
    this.sync.sync([rel, ...ancestors(rel)]);
    this.dir.wrote(rel, "missing", this.sync);
  }

  list(q: ListQuery): ListPage {
    return listPage(this.index, q);
  }

  /** Removes folders a delete left empty, up to (never including) music_dir. */
  private pruneEmptyParents(dir: string): void {
    while (dir.startsWith(this.layout.musicDir + "/")) {
      try {
        rmdirSync(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }
}

function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = parentOf(rel); d !== ""; d = parentOf(d)) out.push(d);
  return out;
}
