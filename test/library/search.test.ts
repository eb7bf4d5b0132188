/**
 * Library search: the console's search asks FTS5 once per request for both
 * its tracks and its albums, returns what the two separate statements did,
 * and user text never reaches FTS5 query syntax.
 */
import type { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import type { ConsoleOptions } from "../../src/console/env.ts";
import { libraryRoutes } from "../../src/console/library-routes.tsx";
import { LibraryQueries, toFtsQuery } from "../../src/library/queries.ts";
import type { TrackTags } from "../../src/library/tags.ts";
import { TrackStore, type TrackUpsert } from "../../src/library/track-store.ts";
import { TempLibrary } from "./helpers.ts";

const WORDS = ["aurora", "borealis", "cocoon", "dusk", "ember", "fjord", "glacier", "harbour", "isle", "juniper"];

function tags(over: Partial<TrackTags>): TrackTags {
  return {
    title: "", artist: "", album: "", albumArtist: "", genre: "Ambient", year: 2001, yearString: "2001", trackNumber: 1,
    discNumber: 1, composer: "", length: 200_000, bitrate: 320, frequency: 44100, embeddedCover: false, parseError: null, ...over,
  };
}

/**
 * 40 albums of 10 tracks whose titles repeat the words at different rates, so
 * bm25 ranks differ from track to track and from album to album.
 */
function seed(t: TempLibrary): void {
  const files: TrackUpsert[] = [];
  for (let i = 0; i < 400; i++) {
    const album = Math.floor(i / 10);
    const title = Array.from({ length: 1 + (i % 4) }, (_, k) => WORDS[(i * (k + 3) + album) % WORDS.length]).join(" ");
    const artist = `Artist ${album % 7} ${WORDS[album % WORDS.length]}`;
    files.push({
      rel: `${artist}/Album ${album}/${(i % 10) + 1}.flac`, size: 1000 + i, mtimeMs: 1_700_000_000_000, ino: 10_000 + i,
      tags: tags({ title, artist, albumArtist: artist, album: `Album ${album} ${WORDS[(album * 3) % WORDS.length]}`, trackNumber: (i % 10) + 1 }),
    });
  }
  new TrackStore(t.db, t.musicDir).apply(files, []);
}

/** The database, with every statement LibraryQueries asks for written down. */
function recording(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === "query") return (sql: string) => (statements.push(sql), target.query(sql));
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, statements };
}

/** How many times these statements scan the FTS index, by SQLite's own query plans. */
function ftsScans(db: Database, statements: readonly string[]): number {
  let scans = 0;
  for (const sql of statements)
    for (const row of db.query<{ detail: string }, []>(`EXPLAIN QUERY PLAN ${sql}`).all())
      if (/^SCAN track_fts VIRTUAL TABLE/.test(row.detail)) scans++;
  return scans;
}

/** The console's library routes over real queries (the search fragment needs no session). */
function consoleSearch(queries: LibraryQueries) {
  const library = Object.assign(Object.create(queries) as LibraryQueries, { cover: () => null, readCover: async () => null });
  const app = libraryRoutes({ library } as unknown as ConsoleOptions);
  return (q: string) => app.request(`/ui/search?fragment=1&q=${encodeURIComponent(q)}`);
}

describe("library search", () => {
  test("a console search scans the FTS index once for its tracks and its albums", async () => {
    await using t = new TempLibrary();
    seed(t);
    const { db, statements } = recording(t.db);
    const search = consoleSearch(new LibraryQueries(db));
    const res = await search("aurora");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<ul class="albums" aria-label="Albums">');
    expect(html).toContain('<span class="track-title">aurora</span>');
    expect(statements.length).toBeGreaterThan(0);
    expect(ftsScans(t.db, statements)).toBe(1);
  });

  test("the same tracks and albums, in the same order, as one statement for each did", async () => {
    await using t = new TempLibrary();
    seed(t);
    const q = new LibraryQueries(t.db);
    const fields = `t.id, t.path, t.rel_path, t.title, t.artist, t.album, t.album_artist, t.genre, t.year,
      t.track_number, t.disc_number, t.composer, t.length, t.bitrate, t.frequency, t.filesize, t.parse_error`;
    const matches = "(SELECT rowid, rank FROM track_fts WHERE track_fts MATCH ? LIMIT 2000)";
    const tracksBefore = (text: string, limit: number) =>
      t.db.query(`SELECT ${fields} FROM ${matches} f JOIN track t ON t.id = f.rowid ORDER BY f.rank LIMIT ?`).all(toFtsQuery(text), limit);
    const albumsBefore = (text: string, limit: number) =>
      t.db
        .query(
          `SELECT a.id, a.title, a.artist, a.year, 0 AS tracks, 0 AS length
           FROM (SELECT t.album_id, min(f.rank) AS rank FROM ${matches} f JOIN track t ON t.id = f.rowid GROUP BY t.album_id) m
           JOIN album a ON a.id = m.album_id ORDER BY m.rank LIMIT ?`,
        )
        .all(toFtsQuery(text), limit);
    for (const text of ["aurora", "bor", "dusk ember", "artist 3", "juniper isle", "album 1", "flac"])
      for (const [trackLimit, albumLimit] of [[50, 24], [5, 3], [1000, 1000]] as const) {
        const found = q.searchWithAlbums(text, trackLimit, albumLimit);
        expect(found.tracks.length).toBeGreaterThan(0);
        expect(found.albums.length).toBeGreaterThan(0);
        expect(found).toEqual({ tracks: tracksBefore(text, trackLimit), albums: albumsBefore(text, albumLimit) } as never);
        expect(q.search(text, trackLimit)).toEqual(found.tracks);
      }
    expect(q.searchWithAlbums("nothing-like-this", 50, 24)).toEqual({ tracks: [], albums: [] });
    expect(q.searchWithAlbums(" \t-*", 50, 24)).toEqual({ tracks: [], albums: [] });
  });

  test("FTS5 query syntax in the text is searched for as words, never parsed", async () => {
    await using t = new TempLibrary();
    seed(t);
    const search = consoleSearch(new LibraryQueries(t.db));
    const hostile = [
      '"', '""', '"aurora', "aurora\"", "'", "(", ")", "((aurora", "aurora)", "*", "aurora*", "^aurora", "-aurora", "+aurora",
      "NEAR(aurora dusk)", "NEAR(aurora dusk, 2)", "aurora NEAR dusk", "title:aurora", "{title artist}: aurora", "- title: x",
      "aurora AND", "OR", "NOT aurora", "aurora OR dusk", "AND NOT OR", "a:b:c", "\u0000", "\\", "%", "_", ";", "--", "/* x */", "💿",
    ];
    for (const q of hostile) {
      const res = await search(q);
      expect({ q: JSON.stringify(q), status: res.status }).toEqual({ q: JSON.stringify(q), status: 200 });
      await res.text();
    }
    // Operators are words: NEAR/AND/NOT match nothing here, the rest of the text still must.
    const q = new LibraryQueries(t.db);
    expect(q.search("NEAR(aurora dusk)")).toEqual([]);
    expect(q.search("title:aurora")).toEqual([]);
    const aurora = q.search("(aurora*");
    expect(aurora.length).toBeGreaterThan(0);
    expect(aurora).toEqual(q.search("aurora"));
    // FTS5 reads its query as a C string: a NUL would end it inside a quoted term.
    const two = q.search("aurora dusk");
    expect(two.length).toBeGreaterThan(0);
    expect(q.search("aurora\u0000dusk")).toEqual(two);
  });
});
