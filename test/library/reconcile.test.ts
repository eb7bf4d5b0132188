import { describe, expect, test } from "bun:test";
import { readdirSync, renameSync, rmSync, utimesSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { join } from "node:path";
import { SHORT_BACKSTOP_MS } from "../../src/library/index.ts";
import { AUDIO_EXTENSIONS, extensionOf, isNetworkFilesystem, walkTree, WORK_DIR_NAME, type WatchFn } from "../../src/music-dir/index.ts";
import { AUDIO_FIXTURES, fixture, place, TempLibrary, waitFor } from "./helpers.ts";

describe("reconcile", () => {
  test("all 18 extensions, the corrupt and the empty file (and an Ogg named .mp3) get a row", async () => {
    await using t = new TempLibrary();
    for (const name of readdirSync(AUDIO_FIXTURES).filter((n) => !n.startsWith("covered."))) place(t.musicDir, `all/${name}`, name); // covers.test.ts has those
    const library = t.open();
    const result = await library.reconcile({ wait: true });
    expect(result).toMatchObject({ ok: true, seen: 22, changed: 22, gone: 0 });
    const rows = library.queries.tracks();
    expect(new Set(rows.map((r) => extensionOf(r.rel_path)))).toEqual(new Set(AUDIO_EXTENSIONS));
    expect(rows.length).toBe(22);
    const byName = new Map(rows.map((r) => [r.rel_path.slice(4), r]));
    for (const name of ["tagged.ac3", "tagged.sid", "corrupt.mp3", "empty.flac"]) {
      expect(byName.get(name)).toMatchObject({ artist: "Unknown Artist", album: "Unknown Album", title: name.replace(/\.[^.]+$/, "") });
      expect(byName.get(name)!.parse_error).toBeTruthy();
    }
    expect(rows.filter((r) => r.parse_error === null).length).toBe(18);
    expect(library.queue.stats).toMatchObject({ parsed: 22, errors: 4 });
  });

  test("changes made while stopped are reconciled at start; unchanged files are not parsed again", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "keep.mp3", "tagged.mp3");
    place(t.musicDir, "change.mp3", "tagged.mp3");
    place(t.musicDir, "gone/a.flac", "tagged.flac");
    await t.open().reconcile({ wait: true });
    const ids = { keep: t.track("keep.mp3")!.id, change: t.track("change.mp3")!.id };

    await t.library!.close(); // stopped: nobody watches
    copyFileSync(fixture("other.mp3"), join(t.musicDir, "change.mp3"));
    utimesSync(join(t.musicDir, "change.mp3"), new Date(), new Date(Date.now() + 5000));
    rmSync(join(t.musicDir, "gone"), { recursive: true });
    place(t.musicDir, "new/b.ogg", "tagged.ogg");

    const library = await t.restart();
    await library.start();
    await waitFor(() => t.track("new/b.ogg") && !t.track("gone/a.flac") && t.track("change.mp3")?.title === "Svefn-g-englar", 5000, "the reconcile");
    await library.queue.idle();
    expect(t.track("keep.mp3")!.id).toBe(ids.keep);
    expect(t.track("change.mp3")!.id).toBe(ids.change);
    expect(library.queue.stats.parsed).toBe(2); // change.mp3 and new/b.ogg only
  });

  test("music_dir moved away, or replaced by an empty folder: nothing is purged", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "a/1.mp3", "tagged.mp3");
    place(t.musicDir, "a/2.flac", "tagged.flac");
    await t.open().reconcile({ wait: true });
    renameSync(t.musicDir, `${t.musicDir}.unmounted`);

    let library = await t.restart();
    expect(await library.start()).toMatchObject({ ok: false });
    await library.reconcile({ wait: true });
    expect(t.count("track")).toBe(2);
    expect(t.log.has("warn", /reconcile skipped, nothing removed: music_dir cannot be read/)).toBe(true);

    mkdirSync(t.musicDir); // the empty mount point of an unmounted share
    library = await t.restart();
    expect(await library.reconcile({ wait: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(t.count("track")).toBe(2);
    expect(t.count("album")).toBeGreaterThan(0);
  });

  test("a failed watch (ENOSPC) is a warning and a short backstop, never a crash", async () => {
    await using t = new TempLibrary();
    const failing: WatchFn = () => {
      throw Object.assign(new Error("ENOSPC: System limit for number of file watchers reached"), { code: "ENOSPC" });
    };
    const library = t.open({ watchFn: failing, shortBackstopMs: 50 });
    await library.start();
    expect(library.watching).toBe(false);
    expect(library.backstopMs).toBe(50);
    expect(t.log.has("warn", /inotify watch limit/)).toBe(true);
    place(t.musicDir, "late.mp3", "tagged.mp3"); // no watcher: the backstop must find it
    await waitFor(() => t.track("late.mp3"), 5000, "the backstop reconcile");
    expect(SHORT_BACKSTOP_MS).toBe(30_000);
  });

  test("the walker: stat-only entries, folders included, working folder and non-audio files skipped", async () => {
    await using t = new TempLibrary();
    place(t.musicDir, "A/B/x.mp3", "tagged.mp3");
    mkdirSync(join(t.musicDir, WORK_DIR_NAME, "parts"), { recursive: true });
    writeFileSync(join(t.musicDir, WORK_DIR_NAME, "parts", "1.mp3"), "x");
    writeFileSync(join(t.musicDir, "A", "cover.jpg"), "x");
    const entries = [...walkTree(t.musicDir)].sort((a, b) => a.rel.localeCompare(b.rel));
    expect(entries.map((e) => [e.rel, e.isDir])).toEqual([["A", true], ["A/B", true], ["A/B/x.mp3", false]]);
    expect(entries[2]).toMatchObject({ size: Bun.file(fixture("tagged.mp3")).size, mtimeMs: expect.any(Number), ino: expect.any(Number) });
    // The skipped files' names, for whoever asks (the library's cover images); never the working folder's.
    writeFileSync(join(t.musicDir, "notes.txt"), "x");
    const others: string[] = [];
    const yielded = [...walkTree(t.musicDir, "", { onOther: (dir, name) => others.push(`${dir}|${name}`) })];
    expect(yielded.length).toBe(3);
    expect(others.sort()).toEqual(["A|cover.jpg", "|notes.txt"]);
    expect(() => [...walkTree(join(t.root, "nope"))]).toThrow();
  });

  test("network filesystems are recognised from /proc/mounts", () => {
    const mounts = [
      "/dev/sda1 / ext4 rw 0 0",
      "nas:/export/music /mnt/nas nfs4 rw 0 0",
      "//nas/share /mnt/smb\\040share cifs rw 0 0",
      "user@host:/m /mnt/ssh fuse.sshfs rw 0 0",
    ].join("\n");
    expect(isNetworkFilesystem("/mnt/nas/Albums", mounts)).toBe(true);
    expect(isNetworkFilesystem("/mnt/smb share/x", mounts)).toBe(true);
    expect(isNetworkFilesystem("/mnt/ssh", mounts)).toBe(true);
    expect(isNetworkFilesystem("/mnt/nasty", mounts)).toBe(false);
    expect(isNetworkFilesystem("/home/me/Music", mounts)).toBe(false);
  });
});
