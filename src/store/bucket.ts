/**
 * The bucket on disk: object operations over music_dir, the atomic writer
 * and the object index. Knows nothing of HTTP.
 */
import { mkdirSync, rmdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { fileIdentity, type MusicDir } from "../music-dir/index.ts";
import { checkConditions } from "../s3/conditionals.ts";
import { S3Error } from "../s3/errors.ts";
import { isFolderKey } from "../s3/keys.ts";
import type { VerifiedBody } from "../s3/verified-body.ts";
import { commitTemp, fsError, receiveToTemp } from "./atomic-write.ts";
import { isVisibleKey } from "./audio-keys.ts";
import { type CopyRequest, type CopySource, fileBody, fullObjectOnly, SELF_COPY } from "./copy-object.ts";
import { deleteEach, type DeleteOutcome } from "./delete-many.ts";
import { md5OfFile } from "./file-md5.ts";
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

  /** The row and its bytes, streamed from disk (Bun.file: sendfile, ranges by slice). */
  open(key: string): { row: ObjectRow; body: Blob } {
    const row = this.head(key);
    return { row, body: isFolderKey(key) || row.size === 0 ? new Blob([]) : Bun.file(this.layout.pathOf(key)) };
  }

  /** A copy's source row and file, once its x-amz-copy-source-if-* conditions hold. */
  openSource(source: CopySource): { row: ObjectRow; path: string } {
    const row = this.head(source.key);
    checkConditions(source.conditions, { etag: row.etag, lastModifiedMs: row.mtimeMs }, "copy");
    return { row, path: this.layout.pathOf(source.key) };
  }

  /** CopyObject: a new file written like any upload, or new metadata on the same bytes. */
  async copy(r: CopyRequest): Promise<ObjectRow> {
    const { row: src, path } = this.openSource(r.source);
    if (isFolderKey(src.key) !== isFolderKey(r.dest))
      throw new S3Error("InvalidRequest", "A folder (key ending in '/') can only be copied to a folder.");
    if (isFolderKey(r.dest)) return this.putFolder(r.dest);
    const fields = r.replace ?? { contentType: src.contentType, meta: src.meta };
    const checksums = fullObjectOnly(src.checksums);
    if (src.key === r.dest && r.checksumAlgorithm === null) {
      if (r.replace === null) throw new S3Error("InvalidRequest", SELF_COPY);
      // Same bytes, new metadata: nothing to copy.
      const etag = src.etagProvisional ? ((await md5OfFile(path)) ?? src.etag) : src.etag;
      return this.recordWrite(r.dest, path, etag, { ...fields, checksums });
    }
    const dest = this.layout.pathOf(r.dest);
    const body = fileBody(path, src.size);
    if (r.checksumAlgorithm) body.compute(r.checksumAlgorithm);
    const received = await receiveToTemp(this.layout, body);
    commitTemp(received.tmpPath, dest);
    return this.recordWrite(r.dest, dest, received.md5Hex, { ...fields, checksums: { ...checksums, ...body.checksums() } });
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

  /** DeleteObjects: each key on its own (see delete-many.ts). */
  deleteMany(keys: readonly string[], onInternalError: (key: string, e: unknown) => void): DeleteOutcome {
    return deleteEach(keys, (key) => this.delete(key), onInternalError);
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
