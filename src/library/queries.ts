/** Read-only views of the library for `rockboxd-s3 library` (and anything else that lists it). */
import type { Database } from "bun:sqlite";
import type { CoverRow } from "./cover.ts";

export interface TrackRow {
  id: number;
  path: string;
  rel_path: string;
  title: string;
  artist: string;
  album: string;
  album_artist: string;
  genre: string | null;
  year: number | null;
  track_number: number | null;
  disc_number: number;
  composer: string;
  /** Milliseconds. */
  length: number;
  /** kbit/s. */
  bitrate: number;
  /** Hz. */
  frequency: number;
  filesize: number;
  parse_error: string | null;
}

export interface AlbumRow {
  id: number;
  title: string;
  artist: string;
  year: number | null;
  tracks: number;
  length: number;
}

export interface ArtistRow {
  id: number;
  name: string;
  tracks: number;
  albums: number;
}

export interface LibraryStats {
  tracks: number;
  albums: number;
  artists: number;
  genres: number;
  /** Total play time, milliseconds. */
  length: number;
  filesize: number;
  parse_errors: number;
}

const TRACK_COLUMNS = ["id", "path", "rel_path", "title", "artist", "album", "album_artist", "genre", "year",
  "track_number", "disc_number", "composer", "length", "bitrate", "frequency", "filesize", "parse_error"] as const;
const TRACK_FIELDS = TRACK_COLUMNS.map((c) => `t.${c}`).join(", ");
/** An album's row in the track columns (a UNION ALL matches columns by position). */
const ALBUM_AS_TRACK = TRACK_COLUMNS.map((c) => (c === "id" || c === "title" || c === "artist" || c === "year" ? `a.${c}` : "NULL")).join(", ");
const TRACK_ORDER = "t.album_artist, t.album, t.disc_number, t.track_number, t.rel_path";

export class LibraryQueries {
  constructor(private readonly db: Database) {}

  stats(): LibraryStats {
    return this.db
      .query<LibraryStats, []>(
        `SELECT (SELECT count(*) FROM track) AS tracks, (SELECT count(*) FROM album) AS albums,
           (SELECT count(*) FROM artist) AS artists, (SELECT count(*) FROM genre) AS genres,
           (SELECT coalesce(sum(length), 0) FROM track) AS length,
           (SELECT coalesce(sum(filesize), 0) FROM track) AS filesize,
           (SELECT count(*) FROM track WHERE parse_error IS NOT NULL) AS parse_errors`,
      )
      .get()!;
  }

  /** Just the three counts (what an open console tab polls; stats() sums the whole track table). */
  counts(): { tracks: number; albums: number; artists: number } {
    return this.db
      .query<{ tracks: number; albums: number; artists: number }, []>(
        "SELECT (SELECT count(*) FROM track) AS tracks, (SELECT count(*) FROM album) AS albums, (SELECT count(*) FROM artist) AS artists",
      )
      .get()!;
  }

  tracks(): TrackRow[] {
    return this.db.query<TrackRow, []>(`SELECT ${TRACK_FIELDS} FROM track t ORDER BY ${TRACK_ORDER}`).all();
  }

  trackByRel(rel: string): TrackRow | null {
    return this.db.query<TrackRow, [string]>(`SELECT ${TRACK_FIELDS} FROM track t WHERE t.rel_path = ?`).get(rel);
  }

  albums(): AlbumRow[] {
    return this.db
      .query<AlbumRow, []>(
        `SELECT a.id, a.title, a.artist, a.year, count(t.id) AS tracks, coalesce(sum(t.length), 0) AS length
         FROM album a LEFT JOIN track t ON t.album_id = a.id
         GROUP BY a.id ORDER BY a.artist, a.title`,
      )
      .all();
  }

  artists(): ArtistRow[] {
    return this.db
      .query<ArtistRow, []>(
        `SELECT r.id, r.name,
           (SELECT count(*) FROM artist_tracks x WHERE x.artist_id = r.id) AS tracks,
           (SELECT count(DISTINCT t.album_id) FROM artist_tracks x JOIN track t ON t.id = x.track_id WHERE x.artist_id = r.id) AS albums
         FROM artist r ORDER BY r.name`,
      )
      .all();
  }

  /** One page of albums in grid order, optionally one artist's; the total for the pager. */
  albumsPage(limit: number, offset: number, artistId: number | null = null): { albums: AlbumRow[]; total: number } {
    const where = artistId === null ? "" : "WHERE a.artist_id = ?1";
    const albums = this.db
      .query<AlbumRow, [number | null, number, number]>(
        `SELECT a.id, a.title, a.artist, a.year,
           (SELECT count(*) FROM track t WHERE t.album_id = a.id) AS tracks,
           (SELECT coalesce(sum(t.length), 0) FROM track t WHERE t.album_id = a.id) AS length
         FROM album a ${where} ORDER BY a.artist, a.title, a.id LIMIT ?2 OFFSET ?3`,
      )
      .all(artistId, limit, offset);
    const total = this.db.query<{ n: number }, [number | null]>(`SELECT count(*) AS n FROM album a ${where}`).get(artistId)!.n;
    return { albums, total };
  }

  album(id: number): AlbumRow | null {
    return this.db
      .query<AlbumRow, [number]>(
        `SELECT a.id, a.title, a.artist, a.year, count(t.id) AS tracks, coalesce(sum(t.length), 0) AS length
         FROM album a LEFT JOIN track t ON t.album_id = a.id WHERE a.id = ? GROUP BY a.id`,
      )
      .get(id);
  }

  /** An album's tracks in playing order, a page at a time. */
  albumTracks(id: number, limit = -1, offset = 0): TrackRow[] {
    return this.db
      .query<TrackRow, [number, number, number]>(
        `SELECT ${TRACK_FIELDS} FROM track t WHERE t.album_id = ? ORDER BY t.disc_number, t.track_number, t.rel_path LIMIT ? OFFSET ?`,
      )
      .all(id, limit, offset);
  }

  artistsPage(limit: number, offset: number): { artists: (ArtistRow & { albums: number })[]; total: number } {
    const artists = this.db
      .query<ArtistRow, [number, number]>(
        `SELECT r.id, r.name,
           (SELECT count(*) FROM artist_tracks x WHERE x.artist_id = r.id) AS tracks,
           (SELECT count(*) FROM album a WHERE a.artist_id = r.id) AS albums
         FROM artist r ORDER BY r.name LIMIT ? OFFSET ?`,
      )
      .all(limit, offset);
    return { artists, total: this.db.query<{ n: number }, []>("SELECT count(*) AS n FROM artist").get()!.n };
  }

  /** What the library recorded about an album's covers, track by track in playing order. */
  albumCoverRows(id: number, limit = 50): CoverRow[] {
    return this.db
      .query<CoverRow, [number, number]>(
        "SELECT path, filesize, mtime_ms, cover_embedded, cover_image FROM track WHERE album_id = ? ORDER BY disc_number, track_number, rel_path LIMIT ?",
      )
      .all(id, limit);
  }

  /** Full-text search over title, artist, album, album artist, genre and path; every word must match (as a prefix). */
  search(text: string, limit = 100): TrackRow[] {
    return this.searchWithAlbums(text, limit, 0).tracks;
  }

  /**
   * The best `trackLimit` matching tracks and the best `albumLimit` albums
   * holding a match (an album ranks as its best track), from one evaluation
   * of the MATCH: the console shows both for every keystroke, and asking for
   * them in two statements ranked every match twice. The two lists come back
   * as the rows of one UNION ALL, each branch in its own rank order. CROSS
   * JOIN keeps the matches as the outer loop: the planner does not know `m`
   * is small and chose to scan the whole track table for the albums.
   */
  searchWithAlbums(text: string, trackLimit: number, albumLimit: number): { tracks: TrackRow[]; albums: AlbumRow[] } {
    const match = toFtsQuery(text);
    if (match === "") return { tracks: [], albums: [] };
    const rows = this.db
      .query<TrackRow & { album_row: 0 | 1 }, [string, number, number]>(
        `WITH m AS MATERIALIZED ${MATCHES}
         SELECT * FROM (SELECT 0 AS album_row, ${TRACK_FIELDS} FROM m f CROSS JOIN track t ON t.id = f.rowid ORDER BY f.rank LIMIT ?2)
         UNION ALL
         SELECT * FROM (SELECT 1, ${ALBUM_AS_TRACK}
           FROM (SELECT t.album_id, min(f.rank) AS rank FROM m f CROSS JOIN track t ON t.id = f.rowid GROUP BY t.album_id) g
           JOIN album a ON a.id = g.album_id ORDER BY g.rank LIMIT ?3)`,
      )
      .all(match, trackLimit, albumLimit);
    const tracks: TrackRow[] = [];
    const albums: AlbumRow[] = [];
    for (const { album_row, ...r } of rows) {
      if (album_row === 0) tracks.push(r);
      else albums.push({ id: r.id, title: r.title, artist: r.artist, year: r.year, tracks: 0, length: 0 });
    }
    return { tracks, albums };
  }
}

/**
 * The tracks a search matches, at most MAX_MATCHES of them, with their rank.
 * FTS5 ranks every match before ORDER BY rank can cut: a word common to a
 * whole huge folder ("vespertine" over 16,000 files) made a search take a
 * quarter of a second. Ranking the first few thousand matches keeps it fast,
 * and a search that broad wants a narrower word anyway.
 */
const MAX_MATCHES = 2000;
const MATCHES = `(SELECT rowid, rank FROM track_fts WHERE track_fts MATCH ?1 LIMIT ${MAX_MATCHES})`;

/**
 * Each word becomes a quoted prefix term, so user text never reaches FTS5
 * query syntax. Control characters separate words too: FTS5 reads the query
 * as a C string, so a NUL inside a quoted term ended it ("unterminated
 * string", a 500); the tokenizer splits words at the others already.
 */
export function toFtsQuery(text: string): string {
  return text
    .split(/[\s\p{P}\p{S}\p{Cc}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => `"${w.replaceAll('"', '""')}"*`)
    .join(" ");
}
