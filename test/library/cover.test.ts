/** Migration 004 and where an album's cover comes from (SPEC §7, §9), on a real database and folder. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase, schemaVersion } from "../../src/db/database.ts";
import { MIGRATIONS } from "../../src/db/migrations/index.ts";
import { trackCover } from "../../src/db/migrations/004-track-cover.ts";
import { albumCover, type CoverRow } from "../../src/library/cover.ts";
import { LibraryQueries } from "../../src/library/queries.ts";
import { TrackStore } from "../../src/library/track-store.ts";

function withTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "rockboxd-s3-cover-"));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const INSERT_V3_TRACK = `INSERT INTO track (path, rel_path, md5, title, artist, album, album_artist, filesize, mtime_ms)
  VALUES (?1, ?2, ?2, 't', 'a', 'b', 'a', 3, 1)`;

describe("migration 004 (track cover)", () => {
  test("is number 4, and from an empty database the track has both columns", () => {
    expect(MIGRATIONS[3]).toBe(trackCover);
    withTempDir((dir) => {
      const db = openDatabase(join(dir, "lib.db"), MIGRATIONS.slice(0, 4));
      expect(schemaVersion(db)).toBe(4);
      const columns = (db.query("PRAGMA table_info(track)").all() as { name: string }[]).map((c) => c.name);
      expect(columns).toContain("cover_embedded");
      expect(columns).toContain("cover_image");
      db.close();
    });
  });

  test("from a version-3 database: tracks kept with covers not known, so the console looks on disk", () => {
    withTempDir((dir) => {
      const path = join(dir, "lib.db");
      const music = join(dir, "Music", "Old");
      mkdirSync(music, { recursive: true });
      writeFileSync(join(music, "01.wav"), "x");
      writeFileSync(join(music, "cover.jpg"), "jpeg");
      const v3 = openDatabase(path, MIGRATIONS.slice(0, 3));
      v3.run(INSERT_V3_TRACK, [join(music, "01.wav"), "Old/01.wav"]);
      v3.close();
      const db = openDatabase(path, MIGRATIONS.slice(0, 4));
      const rows = db.query("SELECT path, filesize, mtime_ms, cover_embedded, cover_image FROM track").all() as CoverRow[];
      expect(rows.map((r) => [r.cover_embedded, r.cover_image])).toEqual([[null, null]]);
      expect(albumCover(rows)).toMatchObject({ path: join(music, "cover.jpg"), embedded: false });
      db.close();
    });
  });
});

describe("albumCover", () => {
  const row = (over: Partial<CoverRow>): CoverRow => ({ path: "/m/A/01.wav", filesize: 10, mtime_ms: 5, cover_embedded: 0, cover_image: "", ...over });

  test("a side image first, else the first track with a picture, else none — without touching the disk for the last two", () => {
    expect(albumCover([row({}), row({ path: "/m/A/02.wav" })])).toBeNull();
    const embedded = albumCover([row({}), row({ path: "/nowhere/02.wav", cover_embedded: 1 })]);
    expect(embedded).toMatchObject({ path: "/nowhere/02.wav", embedded: true });
    expect(embedded!.etag).toMatch(/^"[\w-]{22}"$/);
    // The same file changed: a new ETag.
    expect(albumCover([row({ path: "/nowhere/02.wav", cover_embedded: 1, mtime_ms: 6 })])!.etag).not.toBe(embedded!.etag);
    withTempDir((dir) => {
      writeFileSync(join(dir, "Front.JPG"), "jpeg");
      const rows = [row({ path: join(dir, "01.wav"), cover_embedded: 1, cover_image: "Front.JPG" })];
      expect(albumCover(rows)).toMatchObject({ path: join(dir, "Front.JPG"), embedded: false });
      // Gone since (an event missed): the embedded picture, not a broken image.
      rmSync(join(dir, "Front.JPG"));
      expect(albumCover(rows)).toMatchObject({ path: join(dir, "01.wav"), embedded: true });
    });
  });
});

describe("TrackStore.setFolderImage", () => {
  test("changes the tracks directly in that folder, not those below it or beside it", () => {
    withTempDir((dir) => {
      const db = openDatabase(join(dir, "lib.db"));
      const store = new TrackStore(db, dir);
      for (const rel of ["top.wav", "A/01.wav", "A/02.wav", "A/B/01.wav", "A0/01.wav", "AB/01.wav"])
        db.run("INSERT INTO track (path, rel_path, md5, title, artist, album, album_artist, filesize, mtime_ms, cover_image) VALUES (?1, ?2, ?2, 't', 'a', 'b', 'a', 3, 1, '')", [join(dir, rel), rel]);
      store.setFolderImage("A", "cover.jpg");
      store.setFolderImage("", "folder.png");
      const images = db.query("SELECT rel_path, cover_image FROM track ORDER BY rel_path").all();
      expect(images).toEqual([
        { rel_path: "A/01.wav", cover_image: "cover.jpg" },
        { rel_path: "A/02.wav", cover_image: "cover.jpg" },
        { rel_path: "A/B/01.wav", cover_image: "" },
        { rel_path: "A0/01.wav", cover_image: "" },
        { rel_path: "AB/01.wav", cover_image: "" },
        { rel_path: "top.wav", cover_image: "folder.png" },
      ]);
      expect(new LibraryQueries(db).albumCoverRows(1)).toEqual([]);
      db.close();
    });
  });
});
