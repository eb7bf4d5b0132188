/** Read-only views of the library for `rockboxd-s3 library` (and anything else that lists it). */
import type { Database } from "bun:sqlite";

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

const TRACK_FIELDS = `t.id, t.path, t.rel_path, t.title, t.artist, t.album, t.album_artist, t.genre, t.year,
  t.track_number, t.disc_number, t.composer, t.length, t.bitrate, t.frequency, t.filesize, t.parse_error`;
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

  /** Full-text search over title, artist, album, album artist, genre and path; every word must match (as a prefix). */
  search(text: string, limit = 100): TrackRow[] {
    const match = toFtsQuery(text);
    if (match === "") return [];
    return this.db
      .query<TrackRow, [string, number]>(
        `SELECT ${TRACK_FIELDS} FROM track_fts f JOIN track t ON t.id = f.rowid
         WHERE track_fts MATCH ? ORDER BY f.rank LIMIT ?`,
      )
      .all(match, limit);
  }
}

/** Each word becomes a quoted prefix term, so user text never reaches FTS5 query syntax. */
export function toFtsQuery(text: string): string {
  return text
    .split(/[\s\p{P}\p{S}]+/u)
    .filter((w) => w.length > 0)
    .map((w) => `"${w.replaceAll('"', '""')}"*`)
    .join(" ");
}
