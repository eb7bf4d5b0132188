/**
 * The reconcile walk keeps each folder's recorded cover image (track
 * cover_image, SPEC §7, §9) in line with the disk: on a network share or
 * past the watch limit it is the only sync. Real folder, real SQLite.
 */
import { describe, expect, test } from "bun:test";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TrackStore } from "../../src/library/track-store.ts";
import { WalkedCovers } from "../../src/library/walked-covers.ts";
import type { WatchFn } from "../../src/music-dir/index.ts";
import { place, TempLibrary } from "./helpers.ts";

const noWatch: WatchFn = () => {
  throw Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" });
};

function images(t: TempLibrary): Record<string, string | null> {
  const rows = t.db.query("SELECT rel_path, cover_image FROM track ORDER BY rel_path").all() as { rel_path: string; cover_image: string | null }[];
  return Object.fromEntries(rows.map((r) => [r.rel_path, r.cover_image]));
}

describe("reconcile and cover images", () => {
  test("with no watcher, a cover added, renamed and removed is recorded by the next reconcile", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "A/01.mp3", "tagged.mp3");
    place(t.musicDir, "A/02.flac", "tagged.flac");
    place(t.musicDir, "B/01.ogg", "tagged.ogg");
    place(t.musicDir, "top.mp3", "tagged.mp3");
    const library = t.open({ watchFn: noWatch });
    await library.start();
    expect(library.watching).toBe(false);
    await library.queue.idle();
    const parsed = library.queue.stats.parsed;
    expect(images(t)).toEqual({ "A/01.mp3": "", "A/02.flac": "", "B/01.ogg": "", "top.mp3": "" });

    writeFileSync(join(t.musicDir, "A", "cover.jpg"), "jpeg");
    writeFileSync(join(t.musicDir, "front.png"), "png");
    await library.reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "cover.jpg", "A/02.flac": "cover.jpg", "B/01.ogg": "", "top.mp3": "front.png" });
    expect(t.log.has("info", /reconcile/)).toBe(true);

    renameSync(join(t.musicDir, "A", "cover.jpg"), join(t.musicDir, "A", "Folder.PNG"));
    await library.reconcile({ wait: true });
    expect(images(t)).toMatchObject({ "A/01.mp3": "Folder.PNG", "A/02.flac": "Folder.PNG", "B/01.ogg": "" });

    rmSync(join(t.musicDir, "A", "Folder.PNG"));
    rmSync(join(t.musicDir, "front.png"));
    await library.reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "", "A/02.flac": "", "B/01.ogg": "", "top.mp3": "" });
    expect(library.queue.stats.parsed).toBe(parsed); // the covers cost no parse
  });

  test("cover before folder before front, whatever order the folder lists them in", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "A/01.mp3", "tagged.mp3");
    place(t.musicDir, "B/01.mp3", "tagged.mp3");
    const library = t.open();
    await library.reconcile({ wait: true });
    for (const name of ["front.jpg", "Front.jpeg", "a.jpg", "cover.txt", "COVER.JPG", "folder.jpg"]) writeFileSync(join(t.musicDir, "A", name), "x");
    for (const name of ["front.jpg", "Folder.jpeg", "back.png"]) writeFileSync(join(t.musicDir, "B", name), "x");
    await library.reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "COVER.JPG", "B/01.mp3": "Folder.jpeg" });
  });

  test("a folder's tracks on both sides of a subfolder (the walk's byte order) are judged together", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "A/01.mp3", "tagged.mp3");
    place(t.musicDir, "A/B/01.mp3", "tagged.mp3");
    place(t.musicDir, "A/Z.mp3", "tagged.mp3"); // after "A/B/…": "Z" > "B/"
    writeFileSync(join(t.musicDir, "A", "cover.jpg"), "jpeg");
    const library = t.open({ watchFn: noWatch });
    await library.reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "cover.jpg", "A/B/01.mp3": "", "A/Z.mp3": "cover.jpg" });
    // One track of "A", past its subfolder, recorded no image (a write that raced the cover's arrival).
    t.db.query("UPDATE track SET cover_image = '' WHERE rel_path = 'A/Z.mp3'").run();
    await library.reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "cover.jpg", "A/B/01.mp3": "", "A/Z.mp3": "cover.jpg" });
  });

  test("a refused walk (music_dir gone, an unmounted share) changes no recorded image", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "A/01.mp3", "tagged.mp3");
    writeFileSync(join(t.musicDir, "A", "cover.jpg"), "jpeg");
    await t.open().reconcile({ wait: true });
    expect(images(t)).toEqual({ "A/01.mp3": "cover.jpg" });
    renameSync(t.musicDir, `${t.musicDir}.away`);
    expect(await t.library!.reconcile({ wait: true })).toMatchObject({ ok: false });
    expect(images(t)).toEqual({ "A/01.mp3": "cover.jpg" });
  });

  test("a folder the walk could not read (never yielded, only reported to onError) keeps its recorded image", async () => {
    // As root (CI, this machine) no folder is unreadable, so the walk's order is played to
    // WalkedCovers by hand: "Locked" fails to list, so the walk yields neither it nor its files.
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    const tags = { title: "t", artist: "a", album: "b", albumArtist: "a", genre: "", year: 0, yearString: "", trackNumber: 0, discNumber: 0, composer: "", length: 0, bitrate: 0, frequency: 0, parseError: null, embeddedCover: false };
    const row = (rel: string, coverImage: string | null) => ({ rel, size: 1, mtimeMs: 1, ino: 1, tags, coverImage: coverImage ?? undefined });
    store.apply([row("Locked/01.mp3", "cover.jpg"), row("Open/01.mp3", "cover.jpg"), row("Old/01.mp3", null)], []);
    const covers = new WalkedCovers();
    covers.folder("Old"); // parsed before covers were recorded (null): the walk's view is taken as is
    covers.other("Old", "front.png");
    covers.track("Old/01.mp3", null);
    covers.folder("Open"); // listed: no image there any more
    covers.track("Open/01.mp3", "cover.jpg");
    place(t.musicDir, "Open/01.mp3", "tagged.mp3"); // the second look at a folder that had one recorded
    expect(covers.apply(store, t.musicDir)).toBe(2);
    expect(images(t)).toEqual({ "Locked/01.mp3": "cover.jpg", "Old/01.mp3": "front.png", "Open/01.mp3": "" });
  });
});
