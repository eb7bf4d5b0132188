import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { HELP } from "../../src/cli/help.ts";
import { runLibrary } from "../../src/cli/library.ts";
import { runScan, type Output } from "../../src/cli/scan.ts";
import { place, TempLibrary } from "./helpers.ts";

class Capture implements Output {
  text = "";
  constructor(readonly isTTY = false) {}
  write(s: string) {
    this.text += s;
  }
}

async function scanned(t: TempLibrary) {
  place(t.musicDir, "Björk/Vespertine/03.flac", "tagged.flac");
  place(t.musicDir, "Björk/Vespertine/04.mp3", "tagged.mp3");
  place(t.musicDir, "Sigur Rós/02.mp3", "other.mp3");
  place(t.musicDir, "bad/corrupt.mp3", "corrupt.mp3");
  t.db.close(); // the CLI opens the database itself, as a separate process would
  const out = new Capture();
  const code = await runScan({ musicDir: t.musicDir, dbPath: t.dbPath }, out);
  return { code, out: out.text, paths: { musicDir: t.musicDir, dbPath: t.dbPath } };
}

describe("rockboxd-s3 scan", () => {
  test("one summary line when not on a TTY; a second scan parses nothing; removals counted", async () => {
    await using t = new TempLibrary();
    const first = await scanned(t);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^scan: 4 files seen, 4 parsed, 0 removed, 1 errors, \d+\.\d s\n$/);
    const again = new Capture();
    await runScan(first.paths, again);
    expect(again.text).toMatch(/^scan: 4 files seen, 0 parsed, 0 removed, 0 errors/);
    rmSync(join(t.musicDir, "bad"), { recursive: true });
    const third = new Capture(true);
    await runScan(first.paths, third);
    expect(third.text).toContain("\r[");
    expect(third.text).toMatch(/scan: 3 files seen, 0 parsed, 1 removed, 0 errors/);
  });

  test("a missing music_dir is exit 78 and changes nothing", async () => {
    await using t = new TempLibrary();
    const { paths } = await scanned(t);
    const out = new Capture();
    expect(await runScan({ ...paths, musicDir: join(t.root, "missing") }, out)).toBe(78);
    expect(out.text).toContain("nothing was changed");
    const json = new Capture();
    runLibrary(["stats", "--json"], paths, json);
    expect(JSON.parse(json.text).tracks).toBe(4);
  });
});

describe("rockboxd-s3 library", () => {
  test("tracks --json: the upstream fields, absolute path, length in ms", async () => {
    await using t = new TempLibrary();
    const { paths } = await scanned(t);
    const out = new Capture();
    expect(runLibrary(["tracks", "--json"], paths, out)).toBe(0);
    const tracks = JSON.parse(out.text) as Record<string, unknown>[];
    expect(tracks.length).toBe(4);
    const flac = tracks.find((r) => r.path === join(t.musicDir, "Björk/Vespertine/03.flac"))!;
    expect(flac).toMatchObject({
      id: expect.any(Number), title: "Pagan Poetry — café", artist: "Björk", album: "Vespertine — 東京",
      album_artist: "Björk & Friends", genre: "Électronique", year: 2001, track_number: 3, disc_number: 1,
      bitrate: expect.any(Number), frequency: 11025, filesize: expect.any(Number),
    });
    expect(flac.length).toBeGreaterThan(400);
    expect(flac.length).toBeLessThan(700);
  });

  test("stats, albums, artists and search as tables", async () => {
    await using t = new TempLibrary();
    const { paths } = await scanned(t);
    const run = (...args: string[]) => {
      const out = new Capture();
      expect(runLibrary(args, paths, out)).toBe(0);
      return out.text;
    };
    expect(run("stats")).toMatch(/^tracks\s+4\nalbums\s+3\nartists\s+4\ngenres\s+2\n/);
    expect(run("albums")).toMatch(/ARTIST\s+ALBUM\s+YEAR\s+TRACKS\s+TIME\n/);
    expect(run("albums")).toContain("Vespertine — 東京");
    expect(run("artists")).toMatch(/Björk & Friends\s+1\s+2\n/);
    const found = run("search", "bjork", "pagan");
    expect(found.split("\n").filter((l) => l.includes("Pagan Poetry")).length).toBe(2);
    expect(run("search", "東京")).toContain("Vespertine");
    expect(run("search", "svefn")).toContain("Sigur Rós/02.mp3");
    expect(run("search", "nothing-like-this")).toBe("no matching tracks\n");
    const json = new Capture();
    runLibrary(["search", "sigur", "--json"], paths, json);
    expect(JSON.parse(json.text).map((r: { title: string }) => r.title)).toEqual(["Svefn-g-englar"]);
  });

  test("usage errors are exit 2 with the one usage text (rockboxd-s3 library --help's) on stderr", async () => {
    await using t = new TempLibrary();
    const paths = { musicDir: t.musicDir, dbPath: t.dbPath };
    for (const args of [[], ["nope"], ["search"], ["tracks", "extra"], ["tracks", "--bogus"]]) {
      const out = new Capture();
      const err = new Capture();
      expect(runLibrary(args, paths, out, err)).toBe(2);
      expect(err.text).toContain(HELP.library!);
      expect(out.text).toBe("");
    }
  });
});
