/**
 * An album's pages are read from the track_album_order index (migration
 * 005), never by reading and sorting all of an album's tracks: the query
 * plan of each album-scoped query the console runs, checked with SQLite's
 * EXPLAIN QUERY PLAN on a real database.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/database.ts";
import { MIGRATIONS } from "../../src/db/migrations/index.ts";
import { LibraryQueries } from "../../src/library/queries.ts";

/** The SQL each call of `run` prepares, against a real database with every migration. */
function statementsOf(run: (q: LibraryQueries) => unknown): { db: Database; sql: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "album-order-"));
  const db = openDatabase(join(dir, "lib.db"));
  rmSync(dir, { recursive: true, force: true }); // the open database keeps its file
  const sql: string[] = [];
  const recording = new Proxy(db, {
    get: (target, name) => (name === "query" ? (text: string) => (sql.push(text), target.query(text)) : Reflect.get(target, name, target)),
  });
  run(new LibraryQueries(recording));
  return { db, sql };
}

const plan = (db: Database, sql: string) => (db.query(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail);

test.each([
  ["an album page's tracks", (q: LibraryQueries) => q.albumTracks(1, 200, 200)],
  ["an album's count and length", (q: LibraryQueries) => q.album(1)],
  ["an album's cover rows", (q: LibraryQueries) => q.albumCoverRows(1)],
  ["the albums grid's counts", (q: LibraryQueries) => q.albumsPage(48, 0)],
])("%s: the track table read through track_album_order, nothing sorted", (_, run) => {
  const { db, sql } = statementsOf(run);
  const tracks = sql.flatMap((s) => plan(db, s)).filter((d) => /\b(track|t)\b/.test(d) && !/^(SCAN|SEARCH) a\b/.test(d));
  expect(tracks.length).toBeGreaterThan(0);
  for (const detail of tracks) expect(detail).toMatch(/INDEX track_album_order \(album_id=\?\)/);
  const ordered = sql.filter((s) => /ORDER BY (t\.)?disc_number/.test(s));
  for (const s of ordered) expect(plan(db, s).some((d) => d.includes("TEMP B-TREE"))).toBe(false);
  db.close();
});

test("a version-4 library gains the index on upgrade, keeps its rows, and loses the index it replaces", () => {
  const dir = mkdtempSync(join(tmpdir(), "album-order-"));
  try {
    const path = join(dir, "lib.db");
    const v4 = openDatabase(path, MIGRATIONS.slice(0, 4));
    v4.run("INSERT INTO album (id, title, artist, md5) VALUES (1, 'Vespertine', 'Björk', 'm')");
    v4.run(`INSERT INTO track (id, path, rel_path, md5, title, artist, album, album_artist, filesize, mtime_ms, length, album_id)
            VALUES (7, '/m/a.mp3', 'a.mp3', 'h', 'Pagan Poetry', 'Björk', 'Vespertine', 'Björk', 1, 1, 314000, 1)`);
    v4.close();
    const db = openDatabase(path);
    const indexes = (db.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'track'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain("track_album_order");
    expect(indexes).not.toContain("track_album_id");
    expect(new LibraryQueries(db).album(1)).toMatchObject({ tracks: 1, length: 314000 });
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
