import { describe, expect, test } from "bun:test";
import { appendFileSync, rmSync, renameSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { SyncQueue, TrackStore } from "../../src/library/index.ts";
import { TagPool } from "../../src/library/tag-pool.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { fixture, place, TempLibrary } from "./helpers.ts";

function queueFor(t: TempLibrary, debounceMs = 30) {
  const store = new TrackStore(t.db, t.musicDir);
  const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs });
  const queue = new SyncQueue({ dir, store, log: t.log });
  dir.follow(queue);
  const title = (rel: string) => (t.db.query("SELECT title FROM track WHERE rel_path = ?").get(rel) as { title: string } | null)?.title;
  return { store, queue, title };
}

describe("SyncQueue", () => {
  test("immediate enqueue: the row exists as soon as the queue is idle; delete removes it", async () => {
    await using t = new TempLibrary();
    const { queue, title } = queueFor(t);
    place(t.musicDir, "Björk/Vespertine/03 café.flac", "tagged.flac");
    queue.enqueue("Björk/Vespertine/03 café.flac", { immediate: true });
    await queue.idle();
    expect(title("Björk/Vespertine/03 café.flac")).toBe("Pagan Poetry — café");
    rmSync(join(t.musicDir, "Björk/Vespertine/03 café.flac"));
    queue.enqueue("Björk/Vespertine/03 café.flac", { immediate: true });
    await queue.idle();
    expect(t.count("track")).toBe(0);
    expect(t.count("album")).toBe(0);
  });

  test("an immediate path (an S3 write) asks the tag reader for an urgent parse; a walk's paths do not", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs: 30 });
    const asked: [string, boolean][] = [];
    const tags = new TagPool({ log: t.log, threads: 0 });
    const recording = { read: (path: string, size: number, urgent = false) => (asked.push([path.slice(t.musicDir.length + 1), urgent]), tags.read(path, size, urgent)) };
    const queue = new SyncQueue({ dir, store, log: t.log, tags: recording as unknown as TagPool });
    place(t.musicDir, "walked.ogg", "tagged.ogg");
    place(t.musicDir, "uploaded.flac", "tagged.flac");
    queue.enqueueNow(["walked.ogg"]);
    queue.enqueue("uploaded.flac", { immediate: true });
    await queue.idle();
    expect(asked.sort()).toEqual([["uploaded.flac", true], ["walked.ogg", false]]);
    expect(t.count("track")).toBe(2);
  });

  test("a walk that finds a few files parses them on the main thread; a backlog starts the tag worker", async () => {
    await using t = new TempLibrary();
    const store = new TrackStore(t.db, t.musicDir);
    const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs: 30 });
    const tags = new TagPool({ log: t.log, threads: 1, idleMs: 60_000 });
    const queue = new SyncQueue({ dir, store, log: t.log, tags });
    const started = () => t.log.lines.filter((l) => l.message === "library: tag worker started").length;
    /** `count` new files under `folder`, handed over as a reconcile walk does. */
    const walk = async (folder: string, count: number) => {
      const backlog = queue.walkBacklog();
      for (let i = 0; i < count; i++) {
        place(t.musicDir, `${folder}/${i}.ogg`, "tagged.ogg");
        backlog.push(`${folder}/${i}.ogg`);
      }
      queue.walked(backlog);
      await queue.idle();
    };
    await walk("few", 3);
    expect(t.count("track")).toBe(3);
    expect(started()).toBe(0);
    await walk("many", 40);
    expect(t.count("track")).toBe(43);
    expect(started()).toBe(1);
    await queue.close();
    tags.close();
  });

  test("idempotent: the same path enqueued many times is parsed once; unchanged files are not parsed again", async () => {
    await using t = new TempLibrary();
    const { queue } = queueFor(t);
    place(t.musicDir, "x.ogg", "tagged.ogg");
    for (let i = 0; i < 10; i++) queue.enqueue("x.ogg", { immediate: i % 2 === 0 });
    await queue.idle();
    expect(queue.stats.parsed).toBe(1);
    queue.enqueue("x.ogg", { immediate: true });
    await queue.idle();
    expect(queue.stats.parsed).toBe(1);
    expect(t.count("track")).toBe(1);
  });

  test("debounced enqueue waits until size/mtime stop moving, even with no further events", async () => {
    await using t = new TempLibrary();
    const { queue, title } = queueFor(t, 100);
    const bytes = await Bun.file(fixture("tagged.mp3")).bytes();
    const path = join(t.musicDir, "growing.mp3");
    writeFileSync(path, bytes.subarray(0, 200));
    queue.enqueue("growing.mp3"); // one event, as from a writer on a network share
    for (let at = 200; at < bytes.length; at += 200) {
      await Bun.sleep(10); // well inside the 100 ms debounce: the probe sees the file move each time
      appendFileSync(path, bytes.subarray(at, at + 200));
    }
    await queue.idle();
    expect(title("growing.mp3")).toBe("Pagan Poetry — café");
    expect(t.db.query("SELECT filesize FROM track").get()).toEqual({ filesize: bytes.length });
    expect(queue.stats.parsed).toBe(1); // never parsed half-written
  });

  test("a folder expands into its files; a missing folder removes every track below it", async () => {
    await using t = new TempLibrary();
    const { queue } = queueFor(t);
    for (const ext of ["mp3", "flac", "ogg"]) place(t.musicDir, `Album/CD1/t.${ext}`, `tagged.${ext}`);
    place(t.musicDir, "Albumen/keep.mp3", "other.mp3");
    queue.enqueue("Album", { immediate: true });
    queue.enqueue("Albumen/keep.mp3", { immediate: true });
    await queue.idle();
    expect(t.count("track")).toBe(4);
    rmSync(join(t.musicDir, "Album"), { recursive: true });
    queue.enqueue("Album", { immediate: true });
    await queue.idle();
    expect(t.db.query("SELECT rel_path FROM track").all()).toEqual([{ rel_path: "Albumen/keep.mp3" }]);
  });

  test("a folder renamed: both names enqueued, ids follow", async () => {
    await using t = new TempLibrary();
    const { queue, store } = queueFor(t);
    place(t.musicDir, "Old/a.mp3", "tagged.mp3");
    place(t.musicDir, "Old/b.flac", "tagged.flac");
    queue.enqueue("Old", { immediate: true });
    await queue.idle();
    const ids = [store.get("Old/a.mp3")!.id, store.get("Old/b.flac")!.id];
    renameSync(join(t.musicDir, "Old"), join(t.musicDir, "New"));
    queue.enqueue("Old");
    queue.enqueue("New");
    await queue.idle();
    expect([store.get("New/a.mp3")?.id, store.get("New/b.flac")?.id]).toEqual(ids);
    expect(store.relsUnder("Old")).toEqual([]);
  });

  test("music_dir gone or replaced: missing paths remove nothing", async () => {
    await using t = new TempLibrary();
    const { queue } = queueFor(t);
    place(t.musicDir, "a.mp3", "tagged.mp3");
    queue.enqueue("a.mp3", { immediate: true });
    await queue.idle();
    renameSync(t.musicDir, `${t.musicDir}.away`);
    queue.enqueue("a.mp3", { immediate: true });
    await queue.idle();
    expect(t.count("track")).toBe(1);
    mkdirSync(t.musicDir); // an empty mount point left by an unmounted share
    queue.enqueue("a.mp3", { immediate: true });
    queue.enqueue("", { immediate: true });
    await queue.idle();
    expect(t.count("track")).toBe(1);
    expect(t.log.has("warn", /not removing any track/)).toBe(true);
  });

  test("tags parsed inline (one core): a long backlog still gives the event loop its turns", async () => {
    await using t = new TempLibrary();
    const FILES = 400;
    for (let i = 0; i < FILES; i++) place(t.musicDir, `inline/${String(i).padStart(3, "0")}.mp3`, "tagged.mp3");
    const library = t.open({ tagThreads: 0 });
    await library.reconcile(); // the walk: every file queued, none parsed yet
    let pendingWhenTimerRan = -1;
    setTimeout(() => (pendingWhenTimerRan = library.queue.pending), 1);
    await library.queue.idle();
    expect(t.count("track")).toBe(FILES);
    // Without the turns the timer ran only after the last parse (0 pending).
    expect(pendingWhenTimerRan).toBeGreaterThan(FILES / 2);
  });
});
