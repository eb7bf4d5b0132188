/** MusicDir's change events, driven directly: what followers get, and when an event is dropped. */
import { describe, expect, test } from "bun:test";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Change, MusicDir, WORK_DIR_NAME } from "../../src/music-dir/index.ts";
import { place, TempLibrary } from "../library/helpers.ts";

function recording(t: TempLibrary) {
  const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs: 20 });
  const changes: Change[] = [];
  dir.follow({ changed: (c) => void changes.push(c) });
  const summary = () =>
    changes.map((c) => (c.kind === "folder" ? [c.kind, c.rel, c.below.map((e) => e.rel).sort(), c.trusted] : [c.kind, c.rel, c.ours]));
  return { dir, changes, summary };
}

describe("MusicDir", () => {
  test("a touched path is handed over once settled: a file, a folder with what is below it, a gone path", async () => {
    await using t = new TempLibrary();
    const { dir, summary } = recording(t);
    place(t.musicDir, "A/x.mp3", "tagged.mp3");
    place(t.musicDir, "A/B/y.flac", "tagged.flac");
    writeFileSync(join(t.musicDir, "A", "cover.jpg"), "not music");
    dir.touch("A/x.mp3");
    dir.touch("A");
    dir.touch("gone.mp3");
    dir.touch(`${WORK_DIR_NAME}/tmp/upload.part`);
    await dir.quiet();
    expect(summary()).toEqual([
      ["file", "A/x.mp3", false],
      ["folder", "A", ["A/B", "A/B/y.flac", "A/x.mp3"], true],
      ["gone", "gone.mp3", false],
    ]);
    dir.close();
  });

  test("our own write goes out at once with its look, to every follower but the writer", async () => {
    await using t = new TempLibrary();
    const { dir, changes } = recording(t);
    const writer: Change[] = [];
    const from = { changed: (c: Change) => void writer.push(c) };
    dir.follow(from);
    place(t.musicDir, "a.mp3", "tagged.mp3");
    const look = dir.look("a.mp3");
    dir.wrote("a.mp3", look, from);
    expect(changes).toEqual([{ kind: "file", rel: "a.mp3", stat: look as never, ours: true }]);
    expect(writer).toEqual([]);
    dir.close();
  });

  test("the watcher's echo of our write is dropped; a different file at the same path is not", async () => {
    await using t = new TempLibrary();
    const { dir, changes } = recording(t);
    const path = place(t.musicDir, "a.mp3", "tagged.mp3");
    dir.wrote("a.mp3", dir.look("a.mp3"));
    dir.touch("a.mp3"); // the echo
    await dir.quiet();
    expect(changes.length).toBe(1);

    dir.wrote("a.mp3", dir.look("a.mp3"));
    rmSync(path);
    place(t.musicDir, "a.mp3", "other.mp3"); // someone else replaced it before the echo settled
    dir.touch("a.mp3");
    await dir.quiet();
    expect(changes.map((c) => [c.kind, c.ours])).toEqual([["file", true], ["file", true], ["file", false]]);
    dir.close();
  });

  test("a follower that throws is logged and the others still get the change", async () => {
    await using t = new TempLibrary();
    const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs: 20 });
    const got: string[] = [];
    dir.follow({ changed: () => { throw new Error("boom"); } });
    dir.follow({ changed: (c) => void got.push(c.rel) });
    mkdirSync(join(t.musicDir, "F"));
    dir.wrote("F", dir.look("F"));
    expect(got).toEqual(["F"]);
    expect(t.log.has("error", /follower failed/)).toBe(true);
    dir.close();
  });

  test("music_dir replaced by an empty folder: a folder change is not trusted", async () => {
    await using t = new TempLibrary();
    const { dir, changes } = recording(t);
    place(t.musicDir, "a.mp3", "tagged.mp3");
    renameSync(t.musicDir, `${t.musicDir}.away`);
    mkdirSync(t.musicDir); // an empty mount point left by an unmounted share
    dir.touch("");
    await dir.quiet();
    expect(changes.map((c) => [c.kind, c.rel, c.kind === "folder" && c.trusted])).toEqual([["folder", "", false]]);
    expect(t.log.has("warn", /not removing any track or object/)).toBe(true);
    dir.close();
  });
});
