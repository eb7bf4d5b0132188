/**
 * Library search: user text never reaches FTS5 query syntax.
 */
import { describe, expect, test } from "bun:test";
import type { ConsoleOptions } from "../../src/console/env.ts";
import { libraryRoutes } from "../../src/console/library-routes.tsx";
import { LibraryQueries } from "../../src/library/queries.ts";
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

/** The console's library routes over real queries (the search fragment needs no session). */
function consoleSearch(queries: LibraryQueries) {
  const library = Object.assign(Object.create(queries) as LibraryQueries, { cover: () => null, readCover: async () => null });
  const app = libraryRoutes({ library } as unknown as ConsoleOptions);
  return (q: string) => app.request(`/ui/search?fragment=1&q=${encodeURIComponent(q)}`);
}

describe("library search", () => {
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
