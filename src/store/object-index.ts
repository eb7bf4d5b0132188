/**
 * The object index (migration 001): every visible object with what a listing
 * or HEAD needs. Prepared statements are built once.
 */
import type { Database } from "../db/database.ts";
import { KEY_PAGE, KeyCursor } from "../db/key-cursor.ts";
import type { FileIdentity } from "../music-dir/index.ts";

/** A visible object: its file's identity (size, mtime, inode) and what S3 shows of it. */
export interface ObjectRow extends FileIdentity {
  key: string;
  etag: string;
  /** True while the ETag is derived from (size, mtime, inode), before the MD5 is known. */
  etagProvisional: boolean;
  contentType: string | null;
  meta: Record<string, string> | null;
  checksums: Record<string, string> | null;
}

/** A key with its file's identity, as a walk is merged with it: key, size, mtime_ms, inode. */
export type IdentityRow = [key: string, size: number, mtimeMs: number, ino: number];

interface Raw {
  key: string;
  size: number;
  mtime_ms: number;
  inode: number;
  etag: string;
  etag_provisional: number;
  content_type: string | null;
  meta: string | null;
  checksums: string | null;
}

const fromRaw = (r: Raw): ObjectRow => ({
  key: r.key,
  size: r.size,
  mtimeMs: r.mtime_ms,
  ino: r.inode,
  etag: r.etag,
  etagProvisional: r.etag_provisional === 1,
  contentType: r.content_type,
  meta: r.meta ? JSON.parse(r.meta) : null,
  checksums: r.checksums ? JSON.parse(r.checksums) : null,
});

/** The smallest string greater than every string that starts with `prefix`. */
export function prefixEnd(prefix: string): string | null {
  const cps = [...prefix];
  while (cps.length > 0) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      const next = cp === 0xd7ff ? 0xe000 : cp + 1;
      return cps.join("") + String.fromCodePoint(next);
    }
  }
  return null;
}

export class ObjectIndex {
  private readonly getStmt;
  private readonly putStmt;
  private readonly deleteStmt;
  private readonly rangeStmt;
  private readonly rangeOpenStmt;
  private readonly countStmt;
  private readonly identitiesStmt;
  private readonly identitiesOpenStmt;
  private readonly provisionalStmt;
  private readonly setEtagStmt;

  constructor(private readonly db: Database) {
    this.getStmt = db.query<Raw, [string]>("SELECT * FROM object WHERE key = ?");
    this.putStmt = db.query(
      `INSERT INTO object (key, size, mtime_ms, inode, etag, etag_provisional, content_type, meta, checksums)
       VALUES ($key, $size, $mtime, $inode, $etag, $prov, $ct, $meta, $checksums)
       ON CONFLICT (key) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, inode = excluded.inode,
         etag = excluded.etag, etag_provisional = excluded.etag_provisional, content_type = excluded.content_type,
         meta = excluded.meta, checksums = excluded.checksums`,
    );
    this.deleteStmt = db.query("DELETE FROM object WHERE key = ?");
    this.rangeStmt = db.query<Raw, [string, string, string, number]>(
      "SELECT * FROM object WHERE key > ? AND key >= ? AND key < ? ORDER BY key LIMIT ?",
    );
    this.rangeOpenStmt = db.query<Raw, [string, string, number]>(
      "SELECT * FROM object WHERE key > ? AND key >= ? ORDER BY key LIMIT ?",
    );
    this.countStmt = db.query<{ n: number }, []>("SELECT count(*) AS n FROM object");
    this.identitiesStmt = db.query<unknown, [string, string, number]>(
      "SELECT key, size, mtime_ms, inode FROM object WHERE key > ? AND key < ? ORDER BY key LIMIT ?",
    );
    this.identitiesOpenStmt = db.query<unknown, [string, number]>(
      "SELECT key, size, mtime_ms, inode FROM object WHERE key > ? ORDER BY key LIMIT ?",
    );
    this.provisionalStmt = db.query<Raw, [string, number]>(
      "SELECT * FROM object WHERE etag_provisional = 1 AND key > ? ORDER BY key LIMIT ?",
    );
    this.setEtagStmt = db.query(
      "UPDATE object SET etag = ?, etag_provisional = 0 WHERE key = ? AND size = ? AND mtime_ms = ? AND inode = ?",
    );
  }

  get(key: string): ObjectRow | null {
    const r = this.getStmt.get(key);
    return r ? fromRaw(r) : null;
  }

  put(row: ObjectRow): void {
    this.putStmt.run({
      key: row.key,
      size: row.size,
      mtime: row.mtimeMs,
      inode: row.ino,
      etag: row.etag,
      prov: row.etagProvisional ? 1 : 0,
      ct: row.contentType,
      meta: row.meta && Object.keys(row.meta).length ? JSON.stringify(row.meta) : null,
      checksums: row.checksums && Object.keys(row.checksums).length ? JSON.stringify(row.checksums) : null,
    });
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }

  /** Rows with after < key, from <= key < before (before null: no bound), in UTF-8 byte order. */
  range(after: string, from: string, before: string | null, limit: number): ObjectRow[] {
    const rows =
      before === null ? this.rangeOpenStmt.all(after, from, limit) : this.rangeStmt.all(after, from, before, limit);
    return rows.map(fromRaw);
  }

  /** Every row whose key starts with `prefix`. */
  keysUnder(prefix: string): string[] {
    const end = prefixEnd(prefix);
    const rows =
      end === null
        ? this.db.query<{ key: string }, [string]>("SELECT key FROM object WHERE key >= ?").all(prefix)
        : this.db.query<{ key: string }, [string, string]>("SELECT key FROM object WHERE key >= ? AND key < ?").all(prefix, end);
    return rows.map((r) => r.key);
  }

  /**
   * Every key after `prefix` and starting with it, with its identity, in key
   * order, read a page at a time (a walk is merged with it). The prefix's
   * own key ("folder/") is not among them.
   */
  identities(prefix = "", pageSize = KEY_PAGE): KeyCursor<IdentityRow> {
    const end = prefixEnd(prefix);
    const read =
      prefix === "" || end === null
        ? (after: string, limit: number) => this.identitiesOpenStmt.values(after, limit) as IdentityRow[]
        : (after: string, limit: number) => this.identitiesStmt.values(after, end, limit) as IdentityRow[];
    return new KeyCursor(read, prefix, pageSize);
  }

  count(): number {
    return this.countStmt.get()!.n;
  }

  /** Rows whose ETag is still provisional, in key order, after `after`. */
  provisional(limit: number, after = ""): ObjectRow[] {
    return this.provisionalStmt.all(after, limit).map(fromRaw);
  }

  /** Records a computed MD5, unless the file changed meanwhile. */
  settleEtag(row: ObjectRow, md5Hex: string): void {
    this.setEtagStmt.run(md5Hex, row.key, row.size, row.mtimeMs, row.ino);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
