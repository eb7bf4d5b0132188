import { describe, expect, test } from "bun:test";
import { TrackStore, type TrackUpsert } from "../../src/library/track-store.ts";
import { RecentlyRemoved } from "../../src/library/recently-removed.ts";
import type { TrackTags } from "../../src/library/tags.ts";
import { TempLibrary } from "./helpers.ts";

function tags(over: Partial<TrackTags> = {}): TrackTags {
  return {
    title: "Pagan Poetry", artist: "Björk", album: "Vespertine", albumArtist: "Björk", genre: "Electronic",
    year: 2001, yearString: "2001", trackNumber: 3, discNumber: 1, composer: "", length: 300_000, bitrate: 320,
    frequency: 44100, embeddedCover: false, parseError: null, ...over,
  };
}

function file(rel: string, ino: number, over: Partial<TrackTags> = {}, size = 1000): TrackUpsert {
  return { rel, size, mtimeMs: 1_700_000_000_000, ino, tags: tags(over) };
}

describe("TrackStore", () => {
  test("insert, then re-tag the same path: same id, new tags, old album/artist/genre removed", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    store.apply([file("a/1.flac", 11)], []);
    const id = store.get("a/1.flac")!.id;
    expect(t.db.query("SELECT path, title, album, artist FROM track").all()).toEqual([
      { path: `${t.musicDir}/a/1.flac`, title: "Pagan Poetry", album: "Vespertine", artist: "Björk" },
    ]);

    store.apply([file("a/1.flac", 12, { title: "Svefn-g-englar", artist: "Sigur Rós", albumArtist: "Sigur Rós", album: "Ágætis byrjun", genre: "Post-rock" })], []);
    expect(store.get("a/1.flac")!.id).toBe(id);
    expect(t.db.query("SELECT name FROM artist").all()).toEqual([{ name: "Sigur Rós" }]);
    expect(t.db.query("SELECT title FROM album").all()).toEqual([{ title: "Ágætis byrjun" }]);
    expect(t.db.query("SELECT name FROM genre").all()).toEqual([{ name: "Post-rock" }]);
    expect(t.count("album_tracks")).toBe(1);
    expect(t.count("artist_tracks")).toBe(1);
  });

  test("an album's year is the first one a track gives it, within a batch and across batches", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    store.apply([file("y/1.flac", 31, { year: null, yearString: null }), file("y/2.flac", 32, { year: 1997, yearString: "1997" }), file("y/3.flac", 33, { year: 2001, yearString: "2001" })], []);
    expect(t.db.query("SELECT year, year_string FROM album").all()).toEqual([{ year: 1997, year_string: "1997" }]);
    store.apply([file("y/4.flac", 34, { year: 2005, yearString: "2005" })], []);
    expect(t.db.query("SELECT year FROM album").all()).toEqual([{ year: 1997 }]);
    expect(t.count("album_tracks")).toBe(4);
  });

  test("delete cascades to join rows and prunes albums, artists and genres left empty, keeps shared ones", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    store.apply([
      file("v/1.flac", 1),
      file("v/2.flac", 2, { title: "Cocoon" }),
      file("x/1.mp3", 3, { artist: "Sigur Rós", albumArtist: "Various Artists", album: "Mix", genre: "Post-rock" }),
    ], []);
    expect(t.count("artist")).toBe(3);
    store.apply([], ["v/1.flac", "x/1.mp3"]);
    expect(t.db.query("SELECT rel_path FROM track").all()).toEqual([{ rel_path: "v/2.flac" }]);
    expect(t.db.query("SELECT title FROM album").all()).toEqual([{ title: "Vespertine" }]);
    expect(t.db.query("SELECT name FROM artist").all()).toEqual([{ name: "Björk" }]);
    expect(t.db.query("SELECT name FROM genre").all()).toEqual([{ name: "Electronic" }]);
    expect(t.count("album_tracks")).toBe(1);
    expect(t.count("artist_tracks")).toBe(1);
    store.apply([], ["v/2.flac"]);
    expect([t.count("track"), t.count("album"), t.count("artist"), t.count("genre"), t.count("album_tracks"), t.count("artist_tracks")]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test("a rename (same inode and size) keeps the id, in one batch or in the next", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    store.apply([file("old/a.mp3", 42), file("old/b.mp3", 43)], []);
    const [a, b] = [store.get("old/a.mp3")!.id, store.get("old/b.mp3")!.id];
    expect(store.apply([file("new/a.mp3", 42)], ["old/a.mp3"])).toEqual({ upserted: 1, removed: 1, renamed: 1 });
    expect(store.get("new/a.mp3")!.id).toBe(a);
    store.apply([], ["old/b.mp3"]);
    store.apply([file("new/b.mp3", 43)], []);
    expect(store.get("new/b.mp3")!.id).toBe(b);
    expect(t.db.query("SELECT count(*) AS n FROM album_tracks WHERE track_id IN (?, ?)").get(a, b)).toEqual({ n: 2 });
  });

  test("no rename without the same inode and size, nor after the memory expires; ids are never reused", async () => {
    await using t = new TempLibrary();
    let now = 0;
    const store = new TrackStore(t.db, t.musicDir, new RecentlyRemoved(10_000, () => now));
    store.apply([file("a.mp3", 7), file("b.mp3", 8)], []);
    const a = store.get("a.mp3")!.id;
    const b = store.get("b.mp3")!.id;
    store.apply([file("c.mp3", 7, {}, 999)], ["a.mp3"]); // same inode, other size
    expect(store.get("c.mp3")!.id).toBeGreaterThan(b);
    store.apply([], ["b.mp3"]);
    now = 20_000;
    store.apply([file("d.mp3", 8)], []);
    const d = store.get("d.mp3")!.id;
    expect([d === a, d === b]).toEqual([false, false]);
  });

  test("relsUnder matches the folder and nothing that merely shares its prefix", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    store.apply(["A/1.mp3", "A/B/2.mp3", "AB/3.mp3", "A.mp3", "A-/4.mp3", "Z/5.mp3"].map((rel, i) => file(rel, i + 1)), []);
    expect(store.relsUnder("A")).toEqual(["A/1.mp3", "A/B/2.mp3"]);
    expect(store.relsUnder("").length).toBe(6);
  });

  test("recorded() reads every track's identity and recorded cover image in rel_path byte order, page by page", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    expect(store.hasTracks()).toBe(false);
    // "😀" sorts after "\uFFFD" in bytes (not in UTF-16); "A b/" before "A/" (" " < "/").
    const rels = ["x.ogg", "A/y.ogg", "A b/z.ogg", "\uFFFD.ogg", "😀.ogg"];
    store.apply(rels.map((rel, i) => ({ ...file(rel, i + 1), coverImage: rel === "A/y.ogg" ? "Folder.PNG" : undefined })), []);
    expect(store.hasTracks()).toBe(true);
    const cursor = store.recorded(2); // three pages, the last one short
    const read: unknown[] = [];
    for (let row = cursor.next(); row !== undefined; row = cursor.next()) read.push(row);
    const id = (rel: string) => store.get(rel)!.id;
    expect(read).toEqual([
      ["A b/z.ogg", id("A b/z.ogg"), 1000, 1_700_000_000_000, 3, null],
      ["A/y.ogg", id("A/y.ogg"), 1000, 1_700_000_000_000, 2, "Folder.PNG"],
      ["x.ogg", id("x.ogg"), 1000, 1_700_000_000_000, 1, null],
      ["\uFFFD.ogg", id("\uFFFD.ogg"), 1000, 1_700_000_000_000, 4, null],
      ["😀.ogg", id("😀.ogg"), 1000, 1_700_000_000_000, 5, null],
    ]);
    expect(cursor.peek()).toBeUndefined();
  });

  test("a moved music_dir rewrites absolute paths and keeps ids", async () => {
    await using t = new TempLibrary();
    new TrackStore(t.db, t.musicDir).apply([file("x.ogg", 5)], []);
    const before = t.db.query("SELECT id FROM track").get();
    new TrackStore(t.db, "/srv/music");
    expect(t.db.query("SELECT id, path FROM track").get()).toEqual({ ...(before as object), path: "/srv/music/x.ogg" });
  });
});
