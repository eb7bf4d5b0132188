import { describe, expect, test } from "bun:test";
import { AUDIO_EXTENSIONS } from "../../src/music-dir/index.ts";
import { readTags, UNKNOWN_ALBUM, UNKNOWN_ARTIST } from "../../src/library/tags.ts";
import { fixture } from "./helpers.ts";

const size = (name: string) => Bun.file(fixture(name)).size;

/** What each fixture's container can carry (see test/fixtures/README.md). */
const READABLE = ["mp3", "ogg", "flac", "m4a", "aac", "mp4", "alac", "wav", "wv", "mpc", "aiff", "aif", "opus", "spx", "ape", "wma"];
const NO_ALBUM_ARTIST = new Set(["wav"]); // RIFF INFO has no such field
const RATE: Record<string, number> = {
  mp3: 44100, ogg: 44100, flac: 11025, m4a: 44100, aac: 44100, mp4: 44100, alac: 11025, wav: 11025, wv: 11025,
  mpc: 44100, aiff: 11025, aif: 11025, opus: 48000, spx: 16000, ape: 44100, wma: 22050,
};

describe("readTags", () => {
  test("the fixtures cover all 18 extensions", () => {
    expect(new Set([...READABLE, "ac3", "sid"])).toEqual(new Set(AUDIO_EXTENSIONS));
  });

  for (const ext of READABLE) {
    test(`.${ext}: non-ASCII tags, length, sample rate`, async () => {
      const t = await readTags(fixture(`tagged.${ext}`), size(`tagged.${ext}`));
      expect(t.parseError).toBeNull();
      expect({ title: t.title, artist: t.artist, album: t.album, genre: t.genre, track: t.trackNumber, frequency: t.frequency }).toEqual({
        title: "Pagan Poetry — café",
        artist: "Björk",
        album: "Vespertine — 東京",
        genre: "Électronique",
        track: 3,
        frequency: RATE[ext]!,
      });
      expect(t.albumArtist).toBe(NO_ALBUM_ARTIST.has(ext) ? "Björk" : "Björk & Friends");
      expect(t.year).toBe(2001);
      expect(t.length).toBeGreaterThanOrEqual(400);
      expect(t.length).toBeLessThanOrEqual(700);
    });
  }

  test("a year only in the native tags is found: ffmpeg writes ASF 'date', which music-metadata does not map", async () => {
    const t = await readTags(fixture("tagged.wma"), size("tagged.wma"));
    expect({ year: t.year, yearString: t.yearString }).toEqual({ year: 2001, yearString: "2001" });
  });

  test("an extension that lies: an Ogg Vorbis file named .mp3 is read by its content, as ffprobe does", async () => {
    const t = await readTags(fixture("ogg-named.mp3"), size("ogg-named.mp3"));
    expect({ artist: t.artist, album: t.album, year: t.year, frequency: t.frequency, parseError: t.parseError }).toEqual({
      artist: "Björk", album: "Vespertine — 東京", year: 2001, frequency: 44100, parseError: null,
    });
  });

  test("a full tag set: album artist, disc, composer, bitrate in kbit/s", async () => {
    const t = await readTags(fixture("tagged.flac"), size("tagged.flac"));
    expect(t).toMatchObject({ albumArtist: "Björk & Friends", discNumber: 1, composer: "Guðmundsdóttir", yearString: "2001" });
    const mp3 = await readTags(fixture("tagged.mp3"), size("tagged.mp3"));
    expect(mp3.bitrate).toBe(32);
  });

  const unreadable: [string, RegExp][] = [
    ["tagged.ac3", /not supported/i],
    ["tagged.sid", /audio format/i],
    ["corrupt.mp3", /no audio stream/],
    ["empty.flac", /empty file/],
  ];
  for (const [name, why] of unreadable) {
    test(`${name}: indexed by file name with the error recorded`, async () => {
      const t = await readTags(fixture(name), size(name));
      expect(t).toMatchObject({ title: name.slice(0, name.lastIndexOf(".")), artist: UNKNOWN_ARTIST, album: UNKNOWN_ALBUM, albumArtist: UNKNOWN_ARTIST, length: 0 });
      expect(t.parseError).toMatch(why);
    });
  }

  test("never throws: a missing file and a folder give a row with the error", async () => {
    const missing = await readTags("/nonexistent/dir/Song Title.mp3", 10);
    expect(missing.title).toBe("Song Title");
    expect(missing.parseError).toBeTruthy();
    const folder = await readTags(import.meta.dir, 4096);
    expect(folder.parseError).toBeTruthy();
  });
});
