/**
 * The `track` table and its join rows. Tracks are keyed by their path
 * relative to music_dir; an overwrite or re-tag updates the row in place (same
 * id) and a recognised rename takes the removed row's id back. Every batch is
 * one transaction; statements are prepared once.
 */
import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { KEY_PAGE, KeyCursor } from "../db/key-cursor.ts";
import { Catalog, md5Hex, OrphanCandidates } from "./catalog.ts";
import { RecentlyRemoved } from "./recently-removed.ts";
import type { TrackTags } from "./tags.ts";

export interface FileState {
  size: number;
  mtimeMs: number;
  ino: number;
}

export interface KnownTrack extends FileState {
  id: number;
}

/**
 * A track as a reconcile reads it, in rel_path order: rel_path, id, filesize,
 * mtime_ms, inode and the cover image recorded beside it (null: not looked).
 */
export type RecordedRow = [rel: string, id: number, size: number, mtimeMs: number, ino: number, coverImage: string | null];

export interface TrackUpsert extends FileState {
  rel: string;
  tags: TrackTags;
  /** The cover image beside the file ('' none); left out: not looked at, the console looks on disk. */
  coverImage?: string;
}

export interface ApplyResult {
  upserted: number;
  removed: number;
  /** New paths that took a removed track's id back (moves). */
  renamed: number;
}

type TrackParams = Record<string, string | number | null>;

const TRACK_COLUMNS = `path, rel_path, md5, title, artist, album, album_artist, genre, year, year_string,
  track_number, disc_number, composer, length, bitrate, frequency, filesize, mtime_ms, inode, parse_error,
  artist_id, album_id, genre_id, cover_embedded, cover_image`;
const TRACK_VALUES = TRACK_COLUMNS.split(",").map((c) => `$${c.trim()}`).join(", ");
const TRACK_SETS = TRACK_COLUMNS.split(",").map((c) => `${c.trim()} = $${c.trim()}`).join(", ");

export class TrackStore {
  readonly #db: Database;
  readonly #catalog: Catalog;
  readonly #removed: RecentlyRemoved;
  readonly #recordedPage;
  readonly #any;
  readonly #byRel;
  readonly #under;
  readonly #artistsOf;
  readonly #delete;
  readonly #insert;
  readonly #update;
  readonly #setInode;
  readonly #setFolderImage;
  readonly #unlinkAlbums;
  readonly #linkAlbum;
  readonly #unlinkArtists;
  readonly #linkArtist;

  constructor(db: Database, readonly musicDir: string, removed = new RecentlyRemoved()) {
    this.#db = db;
    this.#catalog = new Catalog(db);
    this.#removed = removed;
    this.#recordedPage = db.query<unknown, [string, number]>(
      "SELECT rel_path, id, filesize, mtime_ms, inode, cover_image FROM track WHERE rel_path > ? ORDER BY rel_path LIMIT ?",
    );
    this.#any = db.query<unknown, []>("SELECT 1 FROM track LIMIT 1");
    this.#byRel = db.query<
      { id: number; filesize: number; mtime_ms: number; inode: number; album_id: number | null; genre_id: number | null; created_at: string },
      [string]
    >("SELECT id, filesize, mtime_ms, inode, album_id, genre_id, created_at FROM track WHERE rel_path = ?");
    // "/" is 0x2F and "0" is 0x30: every "dir/..." sorts between "dir/" and "dir0" (BINARY collation).
    this.#under = db.query<{ rel_path: string }, [string, string]>(
      "SELECT rel_path FROM track WHERE rel_path > ? AND rel_path < ? ORDER BY rel_path",
    );
    this.#artistsOf = db.query<{ artist_id: number }, [number]>("SELECT artist_id FROM artist_tracks WHERE track_id = ?");
    this.#delete = db.query<never, [number]>("DELETE FROM track WHERE id = ?");
    this.#insert = db.query<{ id: number }, TrackParams>(
      `INSERT INTO track (id, created_at, ${TRACK_COLUMNS}) VALUES ($id, coalesce($created_at, CURRENT_TIMESTAMP), ${TRACK_VALUES}) RETURNING id`,
    );
    this.#update = db.query<never, TrackParams>(`UPDATE track SET ${TRACK_SETS}, updated_at = CURRENT_TIMESTAMP WHERE id = $id`);
    this.#setInode = db.query<never, [number, string]>("UPDATE track SET inode = ? WHERE rel_path = ?");
    // The tracks directly in a folder (not below it): after the prefix, no further "/".
    this.#setFolderImage = db.query<never, [string, string, string]>(
      "UPDATE track SET cover_image = ?1 WHERE rel_path > ?2 AND rel_path < ?3 AND instr(substr(rel_path, length(?2) + 1), '/') = 0",
    );
    this.#unlinkAlbums = db.query<never, [number, number]>("DELETE FROM album_tracks WHERE track_id = ? AND album_id != ?");
    this.#linkAlbum = db.query<never, [number, number]>("INSERT OR IGNORE INTO album_tracks (album_id, track_id) VALUES (?, ?)");
    this.#unlinkArtists = db.query<never, [number, number, number]>(
      "DELETE FROM artist_tracks WHERE track_id = ? AND artist_id NOT IN (?, ?)",
    );
    this.#linkArtist = db.query<never, [number, number]>("INSERT OR IGNORE INTO artist_tracks (artist_id, track_id) VALUES (?, ?)");
    this.#rebasePaths();
  }

  /** Every track's file identity in rel_path order, read a page at a time (a reconcile merges its walk with it). */
  recorded(pageSize = KEY_PAGE): KeyCursor<RecordedRow> {
    return new KeyCursor((after, limit) => this.#recordedPage.values(after, limit) as RecordedRow[], "", pageSize);
  }

  /** The library has at least one track (a walk that finds nothing must not purge it). */
  hasTracks(): boolean {
    return this.#any.values().length > 0;
  }

  get(rel: string): KnownTrack | undefined {
    const r = this.#byRel.get(rel);
    return r ? { id: r.id, size: r.filesize, mtimeMs: r.mtime_ms, ino: r.inode } : undefined;
  }

  /** Relative paths of the tracks below a folder ("" for all). */
  relsUnder(relDir: string): string[] {
    const lo = relDir === "" ? "" : `${relDir}/`;
    const hi = relDir === "" ? "\u{10FFFF}" : `${relDir}0`;
    return this.#under.all(lo, hi).map((r) => r.rel_path);
  }

  /** Removals first (so their ids can be taken back by moved paths), then upserts, then orphan cleanup. */
  apply(upserts: readonly TrackUpsert[], removals: readonly string[]): ApplyResult {
    return this.#db.transaction(() => {
      const orphans = new OrphanCandidates();
      const result: ApplyResult = { upserted: 0, removed: 0, renamed: 0 };
      for (const rel of removals) if (this.#remove(rel, orphans)) result.removed++;
      for (const u of upserts) {
        if (this.#upsert(u, orphans)) result.renamed++;
        result.upserted++;
      }
      this.#catalog.prune(orphans);
      return result;
    })();
  }

  /** Same size and mtime, new inode (a remount, a copy with -p): no parse needed. */
  setInodes(changes: readonly { rel: string; ino: number }[]): void {
    this.#db.transaction(() => {
      for (const c of changes) this.#setInode.run(c.ino, c.rel);
    })();
  }

  /** A cover image appeared in, changed in or left a folder ("" for the top): its tracks' cover_image follows. */
  setFolderImage(relDir: string, name: string): void {
    this.#setFolderImage.run(name, relDir === "" ? "" : `${relDir}/`, relDir === "" ? "\u{10FFFF}" : `${relDir}0`);
  }

  /** Many folders' images at once (a reconcile), in one transaction. */
  setFolderImages(changes: readonly { relDir: string; name: string }[]): void {
    this.#db.transaction(() => {
      for (const c of changes) this.setFolderImage(c.relDir, c.name);
    })();
  }

  pruneOrphans(): void {
    this.#db.transaction(() => this.#catalog.pruneAll())();
  }

  #remove(rel: string, orphans: OrphanCandidates): boolean {
    const row = this.#byRel.get(rel);
    if (!row) return false;
    for (const a of this.#artistsOf.all(row.id)) orphans.add("artists", a.artist_id);
    orphans.add("albums", row.album_id);
    orphans.add("genres", row.genre_id);
    this.#delete.run(row.id);
    this.#removed.remember(row.inode, row.filesize, { id: row.id, createdAt: row.created_at });
    return true;
  }

  /** Returns true when a new path took back a removed track's id. */
  #upsert(u: TrackUpsert, orphans: OrphanCandidates): boolean {
    const t = u.tags;
    const artistId = this.#catalog.artistId(t.artist);
    const albumArtistId = t.albumArtist === t.artist ? artistId : this.#catalog.artistId(t.albumArtist);
    const albumId = this.#catalog.albumId(t.album, t.albumArtist, albumArtistId, t.year, t.yearString);
    const genreId = t.genre ? this.#catalog.genreId(t.genre) : null;
    const path = join(this.musicDir, u.rel);
    const params: TrackParams = {
      path, rel_path: u.rel, md5: md5Hex(path), title: t.title, artist: t.artist, album: t.album,
      album_artist: t.albumArtist, genre: t.genre, year: t.year, year_string: t.yearString,
      track_number: t.trackNumber, disc_number: t.discNumber, composer: t.composer, length: t.length,
      bitrate: t.bitrate, frequency: t.frequency, filesize: u.size, mtime_ms: u.mtimeMs, inode: u.ino,
      parse_error: t.parseError, artist_id: artistId, album_id: albumId, genre_id: genreId,
      cover_embedded: t.embeddedCover ? 1 : 0, cover_image: u.coverImage ?? null,
    };
    const existing = this.#byRel.get(u.rel);
    let id: number;
    let renamed = false;
    if (existing) {
      id = existing.id;
      for (const a of this.#artistsOf.all(id)) orphans.add("artists", a.artist_id);
      orphans.add("albums", existing.album_id);
      orphans.add("genres", existing.genre_id);
      this.#update.run({ ...params, id });
    } else {
      const back = this.#removed.take(u.ino, u.size);
      renamed = back !== undefined;
      id = this.#insert.get({ ...params, id: back?.id ?? null, created_at: back?.createdAt ?? null })!.id;
    }
    // A new row has no links to drop (a scan inserts 100k of them).
    if (existing || renamed) {
      this.#unlinkAlbums.run(id, albumId);
      this.#unlinkArtists.run(id, artistId, albumArtistId);
    }
    this.#linkAlbum.run(albumId, id);
    this.#linkArtist.run(artistId, id);
    if (albumArtistId !== artistId) this.#linkArtist.run(albumArtistId, id);
    return renamed;
  }

  /** music_dir moved (a new --music-dir, a remount elsewhere): keep the rows, fix `path`. */
  #rebasePaths(): void {
    const prefix = this.musicDir.endsWith("/") ? this.musicDir : `${this.musicDir}/`;
    const stale = this.#db
      .query<{ id: number; rel_path: string }, [string]>("SELECT id, rel_path FROM track WHERE path != ? || rel_path")
      .all(prefix);
    if (stale.length === 0) return;
    const fix = this.#db.query<never, [string, string, number]>("UPDATE track SET path = ?, md5 = ? WHERE id = ?");
    this.#db.transaction(() => {
      for (const s of stale) {
        const path = join(this.musicDir, s.rel_path);
        fix.run(path, md5Hex(path), s.id);
      }
    })();
  }
}
