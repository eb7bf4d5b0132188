import type { Migration } from "./index.ts";

/**
 * The music library, with upstream Rockbox's table and column names
 * (rockbox-zig crates/library/migrations) so rockbox tooling can read it.
 * Differences: ids are INTEGER (upstream: cuid text); `track` has our sync
 * columns (rel_path, mtime_ms, inode, parse_error); album.md5 is
 * md5(album artist NUL album title) without the year, so a track with a stray
 * year tag does not split its album. `track_fts` is an external-content FTS5
 * table (rowid = track.id) so a delete costs an index lookup, not a scan;
 * `SELECT id FROM track_fts WHERE track_fts MATCH ?` works as upstream's does.
 */
export const library: Migration = {
  version: 2,
  name: "music library",
  sql: `
    CREATE TABLE artist (
      id    INTEGER PRIMARY KEY,
      name  TEXT NOT NULL UNIQUE,
      bio   TEXT,
      image TEXT
    );
    CREATE TABLE genre (
      id          INTEGER PRIMARY KEY,
      name        TEXT NOT NULL UNIQUE,
      description TEXT,
      image       TEXT
    );
    CREATE TABLE album (
      id          INTEGER PRIMARY KEY,
      title       TEXT NOT NULL,
      artist      TEXT NOT NULL,
      year        INTEGER,
      year_string TEXT,
      album_art   TEXT,
      md5         TEXT NOT NULL UNIQUE,
      artist_id   INTEGER REFERENCES artist (id) ON DELETE SET NULL
    );
    CREATE INDEX album_artist_id ON album (artist_id);
    CREATE TABLE track (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      path         TEXT NOT NULL UNIQUE,
      title        TEXT NOT NULL,
      artist       TEXT NOT NULL,
      album        TEXT NOT NULL,
      album_artist TEXT NOT NULL,
      bitrate      INTEGER NOT NULL DEFAULT 0,
      composer     TEXT NOT NULL DEFAULT '',
      disc_number  INTEGER NOT NULL DEFAULT 0,
      filesize     INTEGER NOT NULL,
      frequency    INTEGER NOT NULL DEFAULT 0,
      length       INTEGER NOT NULL DEFAULT 0,
      track_number INTEGER,
      year         INTEGER,
      year_string  TEXT,
      genre        TEXT,
      md5          TEXT NOT NULL UNIQUE,
      album_art    TEXT,
      artist_id    INTEGER REFERENCES artist (id) ON DELETE SET NULL,
      album_id     INTEGER REFERENCES album (id) ON DELETE SET NULL,
      genre_id     INTEGER REFERENCES genre (id) ON DELETE SET NULL,
      created_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
      updated_at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
      rel_path     TEXT NOT NULL UNIQUE,
      mtime_ms     INTEGER NOT NULL,
      inode        INTEGER NOT NULL DEFAULT 0,
      parse_error  TEXT
    );
    CREATE INDEX track_genre_id ON track (genre_id);
    CREATE INDEX track_album_id ON track (album_id);
    CREATE INDEX track_artist_id ON track (artist_id);
    CREATE TABLE album_tracks (
      id       INTEGER PRIMARY KEY,
      album_id INTEGER NOT NULL REFERENCES album (id) ON DELETE CASCADE,
      track_id INTEGER NOT NULL REFERENCES track (id) ON DELETE CASCADE,
      UNIQUE (album_id, track_id)
    );
    CREATE INDEX album_tracks_track_id ON album_tracks (track_id);
    CREATE TABLE artist_tracks (
      id        INTEGER PRIMARY KEY,
      artist_id INTEGER NOT NULL REFERENCES artist (id) ON DELETE CASCADE,
      track_id  INTEGER NOT NULL REFERENCES track (id) ON DELETE CASCADE,
      UNIQUE (artist_id, track_id)
    );
    CREATE INDEX artist_tracks_track_id ON artist_tracks (track_id);

    CREATE VIRTUAL TABLE track_fts USING fts5 (
      id UNINDEXED, title, artist, album, album_artist, genre, path,
      content = 'track', content_rowid = 'id',
      tokenize = "porter unicode61 remove_diacritics 2"
    );
    CREATE TRIGGER track_fts_ai AFTER INSERT ON track BEGIN
      INSERT INTO track_fts (rowid, id, title, artist, album, album_artist, genre, path)
      VALUES (new.id, new.id, new.title, new.artist, new.album, new.album_artist, new.genre, new.path);
    END;
    CREATE TRIGGER track_fts_ad AFTER DELETE ON track BEGIN
      INSERT INTO track_fts (track_fts, rowid, id, title, artist, album, album_artist, genre, path)
      VALUES ('delete', old.id, old.id, old.title, old.artist, old.album, old.album_artist, old.genre, old.path);
    END;
    CREATE TRIGGER track_fts_au AFTER UPDATE OF title, artist, album, album_artist, genre, path ON track BEGIN
      INSERT INTO track_fts (track_fts, rowid, id, title, artist, album, album_artist, genre, path)
      VALUES ('delete', old.id, old.id, old.title, old.artist, old.album, old.album_artist, old.genre, old.path);
      INSERT INTO track_fts (rowid, id, title, artist, album, album_artist, genre, path)
      VALUES (new.id, new.id, new.title, new.artist, new.album, new.album_artist, new.genre, new.path);
    END;
  `,
};
