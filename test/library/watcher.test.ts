/**
 * The library against a real recursive fs.watch: files changed by other
 * programs (cp, mv, rm) show up in the library without any enqueue from us.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WORK_DIR_NAME } from "../../src/music-dir/index.ts";
import { fixture, sh, TempLibrary, waitFor } from "./helpers.ts";

async function started(t: TempLibrary) {
  const library = t.open();
  await library.start();
  expect(library.watching).toBe(true);
  return library;
}

describe("library + real fs.watch", () => {
  test("cp in → row with the right tags; rm → row, album and artist gone", async () => {
    await using t = new TempLibrary();
    await started(t);
    mkdirSync(join(t.musicDir, "Björk"));
    sh("cp", fixture("tagged.flac"), join(t.musicDir, "Björk", "03 Pagan Poetry.flac"));
    const row = await waitFor(() => t.track("Björk/03 Pagan Poetry.flac"), 5000, "the copied track");
    expect(row).toMatchObject({
      path: join(t.musicDir, "Björk", "03 Pagan Poetry.flac"), title: "Pagan Poetry — café", artist: "Björk",
      album: "Vespertine — 東京", album_artist: "Björk & Friends", genre: "Électronique", year: 2001,
      track_number: 3, disc_number: 1, frequency: 11025, parse_error: null,
    });
    sh("rm", join(t.musicDir, "Björk", "03 Pagan Poetry.flac"));
    await waitFor(() => t.track("Björk/03 Pagan Poetry.flac") === null, 5000, "the removed track to go");
    expect([t.count("track"), t.count("album"), t.count("artist"), t.count("genre"), t.count("album_tracks")]).toEqual([0, 0, 0, 0, 0]);
  });

  test("overwrite with other tags → same id, new tags, old album gone", async () => {
    await using t = new TempLibrary();
    await started(t);
    sh("cp", fixture("tagged.mp3"), join(t.musicDir, "song.mp3"));
    const first = await waitFor(() => t.track("song.mp3"), 5000, "the first version");
    sh("cp", fixture("other.mp3"), join(t.musicDir, "song.mp3"));
    const second = await waitFor(() => t.track("song.mp3")?.title === "Svefn-g-englar" && t.track("song.mp3"), 5000, "the new tags");
    expect(second).toMatchObject({ id: first.id, artist: "Sigur Rós", album: "Ágætis byrjun", year: 1999, track_number: 2 });
    expect(t.db.query("SELECT title FROM album").all()).toEqual([{ title: "Ágætis byrjun" }]);
  });

  test("mv a file and mv a whole folder → rows follow with their ids", async () => {
    await using t = new TempLibrary();
    await started(t);
    mkdirSync(join(t.musicDir, "Old", "CD1"), { recursive: true });
    for (const ext of ["mp3", "ogg", "flac"]) sh("cp", fixture(`tagged.${ext}`), join(t.musicDir, "Old", "CD1", `t.${ext}`));
    sh("cp", fixture("other.mp3"), join(t.musicDir, "single.mp3"));
    await waitFor(() => t.count("track") === 4, 5000, "four tracks");
    const idOf = (rel: string) => t.track(rel)?.id;
    const before = { single: idOf("single.mp3"), mp3: idOf("Old/CD1/t.mp3"), ogg: idOf("Old/CD1/t.ogg"), flac: idOf("Old/CD1/t.flac") };

    sh("mv", join(t.musicDir, "single.mp3"), join(t.musicDir, "renamed.mp3"));
    await waitFor(() => t.track("renamed.mp3") && !t.track("single.mp3"), 5000, "the file move");
    expect(idOf("renamed.mp3")).toBe(before.single);

    sh("mv", join(t.musicDir, "Old"), join(t.musicDir, "New Name"));
    await waitFor(() => t.library!.store.relsUnder("New Name").length === 3 && t.library!.store.relsUnder("Old").length === 0, 5000, "the folder move");
    expect({ single: idOf("renamed.mp3"), mp3: idOf("New Name/CD1/t.mp3"), ogg: idOf("New Name/CD1/t.ogg"), flac: idOf("New Name/CD1/t.flac") }).toEqual(before);
    expect(t.count("track")).toBe(4);
  });

  test("a folder moved in from outside music_dir, then rm -rf → rows appear, then all gone", async () => {
    await using t = new TempLibrary();
    await started(t);
    const outside = join(t.root, "incoming", "Album");
    mkdirSync(join(outside, "Disc 2"), { recursive: true });
    for (const ext of ["wv", "opus", "m4a"]) sh("cp", fixture(`tagged.${ext}`), join(outside, "Disc 2", `x.${ext}`));
    sh("mv", outside, join(t.musicDir, "Album"));
    await waitFor(() => t.count("track") === 3, 5000, "three tracks from the moved-in folder");
    sh("cp", fixture("tagged.ape"), join(t.musicDir, "Album", "Disc 2", "late.ape")); // inside a folder that was moved in
    await waitFor(() => t.track("Album/Disc 2/late.ape"), 5000, "a file added to the moved-in folder");
    sh("rm", "-rf", join(t.musicDir, "Album"));
    await waitFor(() => t.count("track") === 0, 5000, "every track gone");
    expect([t.count("album"), t.count("artist"), t.count("genre"), t.count("artist_tracks")]).toEqual([0, 0, 0, 0]);
  });

  test("the working folder is never indexed; other files are ignored", async () => {
    await using t = new TempLibrary();
    await started(t);
    mkdirSync(join(t.musicDir, WORK_DIR_NAME, "uploads"), { recursive: true });
    sh("cp", fixture("tagged.mp3"), join(t.musicDir, WORK_DIR_NAME, "uploads", "part.mp3"));
    writeFileSync(join(t.musicDir, "cover.jpg"), "not audio");
    sh("cp", fixture("tagged.ogg"), join(t.musicDir, "marker.ogg"));
    await waitFor(() => t.track("marker.ogg"), 5000, "the marker track");
    await t.library!.queue.idle();
    expect(t.db.query("SELECT rel_path FROM track").all()).toEqual([{ rel_path: "marker.ogg" }]);
  });
});
