import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, schemaVersion } from "../../src/db/database.ts";
import { MIGRATIONS } from "../../src/db/migrations/index.ts";
import { library } from "../../src/db/migrations/002-library.ts";

const LIBRARY_TABLES = ["album", "album_tracks", "artist", "artist_tracks", "genre", "track", "track_fts"];

function tables(db: ReturnType<typeof openDatabase>): string[] {
  return (db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rockboxd-s3-mig-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("migration 002 (music library)", () => {
  const latest = MIGRATIONS.at(-1)!.version;

  test("is number 2 in a gapless list", () => {
    expect(MIGRATIONS[1]).toBe(library);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  test("from an empty database: every upstream table", () => {
    withTempDir((dir) => {
      const db = openDatabase(join(dir, "lib.db"));
      expect(schemaVersion(db)).toBe(latest);
      for (const t of LIBRARY_TABLES) expect(tables(db)).toContain(t);
      const trackColumns = (db.query("PRAGMA table_info(track)").all() as { name: string }[]).map((c) => c.name);
      for (const c of ["id", "path", "title", "artist", "album", "album_artist", "genre", "year", "track_number", "disc_number",
        "composer", "length", "bitrate", "frequency", "filesize", "rel_path", "mtime_ms", "inode", "parse_error",
        "artist_id", "album_id", "genre_id", "created_at", "updated_at"])
        expect(trackColumns).toContain(c);
      db.close();
    });
  });

  test("from a version-1 database: object rows kept, library added", () => {
    withTempDir((dir) => {
      const path = join(dir, "lib.db");
      const v1 = openDatabase(path, MIGRATIONS.slice(0, 1));
      expect(schemaVersion(v1)).toBe(1);
      expect(tables(v1)).not.toContain("track");
      v1.run("INSERT INTO object (key, size, mtime_ms, etag) VALUES ('a/b.mp3', 3, 1, 'x')");
      v1.close();

      const db = openDatabase(path, MIGRATIONS.slice(0, 2));
      expect(schemaVersion(db)).toBe(2);
      expect(db.query("SELECT key, size FROM object").all()).toEqual([{ key: "a/b.mp3", size: 3 }]);
      for (const t of LIBRARY_TABLES) expect(tables(db)).toContain(t);
      db.close();
    });
  });

  test("join rows cascade when a track row is deleted, and FTS follows inserts, updates and deletes", () => {
    withTempDir((dir) => {
      const db = openDatabase(join(dir, "lib.db"));
      db.run("INSERT INTO artist (id, name) VALUES (1, 'Björk')");
      db.run("INSERT INTO album (id, title, artist, md5, artist_id) VALUES (1, 'Vespertine', 'Björk', 'm', 1)");
      db.run(`INSERT INTO track (id, path, rel_path, md5, title, artist, album, album_artist, filesize, mtime_ms)
              VALUES (7, '/m/a.mp3', 'a.mp3', 'h', 'Pagan Poetry', 'Björk', 'Vespertine', 'Björk', 1, 1)`);
      db.run("INSERT INTO album_tracks (album_id, track_id) VALUES (1, 7)");
      db.run("INSERT INTO artist_tracks (artist_id, track_id) VALUES (1, 7)");
      const match = (q: string) => (db.query("SELECT id FROM track_fts WHERE track_fts MATCH ?").all(q) as { id: number }[]).map((r) => r.id);
      expect(match("bjork")).toEqual([7]); // diacritics removed
      db.run("UPDATE track SET title = 'Hidden Place' WHERE id = 7");
      expect(match("poetry")).toEqual([]);
      expect(match("hidden")).toEqual([7]);
      db.run("DELETE FROM track WHERE id = 7");
      expect(match("hidden")).toEqual([]);
      expect(db.query("SELECT count(*) AS n FROM album_tracks").get()).toEqual({ n: 0 });
      expect(db.query("SELECT count(*) AS n FROM artist_tracks").get()).toEqual({ n: 0 });
      db.run("INSERT INTO track_fts (track_fts) VALUES ('integrity-check')"); // throws if the index drifted
      db.close();
    });
  });
});
