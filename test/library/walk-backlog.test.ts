/**
 * The sync queue's walk backlog: a reconcile's new and changed paths kept as
 * UTF-8 bytes, synced after our own writes and the watcher's changes.
 * Real folders and SQLite; the tag reader is the real one, wrapped to record
 * (and, where a test says so, hold) each parse.
 */
import { describe, expect, test } from "bun:test";
import { copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { SyncQueue, TrackStore } from "../../src/library/index.ts";
import { reconcile } from "../../src/library/reconcile.ts";
import { TagPool } from "../../src/library/tag-pool.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { compareUtf8 } from "../../src/text/utf8-order.ts";
import { fixture, place, TempLibrary, waitFor } from "./helpers.ts";

/** The real tag reader on the main thread, recording each parse: its path, `waiting`, and how many of that path run at once. */
function recordingTags(t: TempLibrary) {
  const pool = new TagPool({ log: t.log, threads: 0 });
  const reads: { rel: string; waiting: number }[] = [];
  const running = new Map<string, number>();
  const holds = new Map<string, Promise<void>>();
  /** Paths whose parse has read the file and is being held. */
  const held = new Set<string>();
  let mostAtOnce = 0;
  const reader = {
    async read(path: string, size: number, urgent = false, waiting = Number.POSITIVE_INFINITY) {
      const rel = path.slice(t.musicDir.length + 1);
      reads.push({ rel, waiting });
      const n = (running.get(rel) ?? 0) + 1;
      running.set(rel, n);
      mostAtOnce = Math.max(mostAtOnce, n);
      try {
        const result = await pool.read(path, size, urgent, waiting);
        const hold = holds.get(rel);
        if (hold) {
          holds.delete(rel);
          held.add(rel);
          await hold;
          held.delete(rel);
        }
        return result;
      } finally {
        running.set(rel, running.get(rel)! - 1);
      }
    },
  };
  return {
    tags: reader as unknown as TagPool,
    reads,
    held,
    get mostAtOnce() {
      return mostAtOnce;
    },
    /** Holds the next parse of `rel` after it has read the file; returns the release. */
    hold(rel: string): () => void {
      let release = () => {};
      holds.set(rel, new Promise<void>((resolve) => (release = resolve)));
      return release;
    },
  };
}

function queueFor(t: TempLibrary, options: { tags?: TagPool; concurrency?: number; backlogChunkBytes?: number } = {}) {
  const store = new TrackStore(t.db, t.musicDir);
  const dir = new MusicDir({ root: t.musicDir, log: t.log, debounceMs: 30 });
  const queue = new SyncQueue({ dir, store, log: t.log, ...options });
  dir.follow(queue);
  const rels = () => (t.db.query("SELECT rel_path FROM track").all() as { rel_path: string }[]).map((r) => r.rel_path).sort(compareUtf8);
  const title = (rel: string) => (t.db.query("SELECT title FROM track WHERE rel_path = ?").get(rel) as { title: string } | null)?.title;
  const walked = (paths: string[]) => {
    const backlog = queue.walkBacklog();
    for (const rel of paths) backlog.push(rel);
    queue.walked(backlog);
  };
  return { store, dir, queue, rels, title, walked };
}

const ODD = ["Björk/Vespertine/03 café.mp3", `${"Café".normalize("NFD")}/nfd.mp3`, "東京/夜.mp3", "😀/🚀 launch.mp3", "\uFFEE.mp3", `${"Ω".repeat(30)}/long.mp3`, "a.mp3"];

describe("the walk backlog", () => {
  test("our writes first, then the watcher's changes, then the walk's paths in walk order", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, walked } = queueFor(t, { tags: rec.tags, concurrency: 1 });
    for (const rel of ["walk/1.mp3", "walk/2.mp3", "watched.mp3", "uploaded.mp3"]) place(t.musicDir, rel, "tagged.mp3");
    walked(["walk/1.mp3", "walk/2.mp3"]);
    queue.enqueueNow(["watched.mp3"]);
    queue.enqueue("uploaded.mp3", { immediate: true });
    await queue.idle();
    expect(rec.reads.map((r) => r.rel)).toEqual(["uploaded.mp3", "watched.mp3", "walk/1.mp3", "walk/2.mp3"]);
  });

  test("odd names round-trip through small chunks into the library exactly", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, rels, walked } = queueFor(t, { tags: rec.tags, concurrency: 1, backlogChunkBytes: 16 });
    for (const rel of ODD) place(t.musicDir, rel, "tagged.mp3");
    walked(ODD);
    await queue.idle();
    // Each path taken as it was given, once (a garbled one naming a folder would sync all below it instead).
    expect(rec.reads.map((r) => r.rel)).toEqual(ODD);
    expect(queue.stats.processed).toBe(ODD.length);
    expect(rels()).toEqual([...ODD].sort(compareUtf8));
  });

  test("pending counts it, and the tag reader is told the backlog is waiting", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, rels, walked } = queueFor(t, { tags: rec.tags, concurrency: 1 });
    const paths = Array.from({ length: 12 }, (_, i) => `many/${String(i).padStart(2, "0")}.mp3`);
    for (const rel of paths) place(t.musicDir, rel, "tagged.mp3");
    walked(paths);
    expect(queue.pending).toBe(12);
    await queue.idle();
    expect(queue.pending).toBe(0);
    // One in flight and the rest behind it: above SMALL_BACKLOG (8) at first, so a worker thread would be asked.
    expect(rec.reads.map((r) => r.waiting)).toEqual(paths.map((_, i) => 12 - i));
    expect(rels()).toEqual(paths);
  });

  test("idle() waits until the whole backlog is synced", async () => {
    await using t = new TempLibrary();
    const { queue, rels, walked } = queueFor(t, { concurrency: 2, backlogChunkBytes: 64 });
    const paths = Array.from({ length: 40 }, (_, i) => `w/${i}.mp3`);
    for (const rel of paths) place(t.musicDir, rel, "tagged.mp3");
    walked(paths);
    await queue.idle();
    expect(rels()).toEqual([...paths].sort(compareUtf8));
  });

  test("close() drops what is left of it and lets the path in flight finish", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, rels, walked } = queueFor(t, { tags: rec.tags, concurrency: 1 });
    const paths = Array.from({ length: 30 }, (_, i) => `w/${String(i).padStart(2, "0")}.mp3`);
    for (const rel of paths) place(t.musicDir, rel, "tagged.mp3");
    const release = rec.hold("w/02.mp3");
    walked(paths);
    await waitFor(() => rec.held.has("w/02.mp3"), 5000, "the third parse");
    const closed = queue.close();
    release();
    await closed;
    expect(queue.pending).toBe(0);
    expect(rels()).toEqual(paths.slice(0, 3));
    expect(rec.reads.length).toBe(3);
  });

  test("a path both in the backlog and queued by the watcher: never synced twice at once, and ends as the file is", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, title, walked } = queueFor(t, { tags: rec.tags, concurrency: 4 });
    for (const rel of ["x.mp3", "y.mp3"]) place(t.musicDir, rel, "tagged.mp3");
    const release = rec.hold("x.mp3");
    queue.enqueueNow(["x.mp3"]); // the watcher's: taken first, then held after reading the file
    walked(["x.mp3", "y.mp3"]);
    await waitFor(() => rec.held.has("x.mp3") && rec.reads.some((r) => r.rel === "y.mp3"), 5000, "the walk's next path");
    copyFileSync(fixture("other.mp3"), join(t.musicDir, "x.mp3")); // changed while the first parse is held
    release();
    await queue.idle();
    expect(rec.mostAtOnce).toBe(1);
    expect(title("x.mp3")).toBe("Svefn-g-englar");
    expect(title("y.mp3")).toBe("Pagan Poetry — café");
  });

  test("our own write in flight, overwritten by another program and then walked: the walk's look comes after ours", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { queue, title, walked } = queueFor(t, { tags: rec.tags, concurrency: 4 });
    const path = place(t.musicDir, "x.mp3", "tagged.mp3");
    place(t.musicDir, "y.mp3", "tagged.mp3");
    const release = rec.hold("x.mp3");
    // A PUT's file, renamed into place whole: its sync trusts this stat and does not look again after parsing.
    queue.changed({ kind: "file", rel: "x.mp3", stat: statSync(path), ours: true });
    await waitFor(() => rec.held.has("x.mp3"), 5000, "the PUT's parse");
    copyFileSync(fixture("other.mp3"), path); // no watcher here: only the walk sees this
    walked(["x.mp3", "y.mp3"]);
    await waitFor(() => rec.reads.some((r) => r.rel === "y.mp3"), 5000, "the walk's next path");
    release();
    await queue.idle();
    expect(rec.mostAtOnce).toBe(1);
    expect(title("x.mp3")).toBe("Svefn-g-englar");
  });
});

describe("reconcile and the walk backlog", () => {
  test("a second walk while the first one's backlog is still waiting replaces it instead of queueing everything again", async () => {
    await using t = new TempLibrary();
    const rec = recordingTags(t);
    const { dir, store, queue, rels } = queueFor(t, { tags: rec.tags, concurrency: 1 });
    const paths = Array.from({ length: 50 }, (_, i) => `A/${String(i).padStart(2, "0")}.mp3`);
    for (const rel of paths) place(t.musicDir, rel, "tagged.mp3");
    const release = rec.hold(paths[0]!);
    const parts = { dir, store, queue, log: t.log };
    expect(await reconcile(parts)).toMatchObject({ ok: true, seen: 50, changed: 50 });
    await waitFor(() => rec.held.has(paths[0]!), 5000, "the first parse");
    expect(queue.pending).toBe(50); // 49 behind the one held
    for (let i = 0; i < 3; i++) {
      // A backstop walk: nothing is synced yet, so it finds all 50 again.
      expect(await reconcile(parts)).toMatchObject({ ok: true, seen: 50, changed: 50 });
      expect(queue.pending).toBe(51); // its 50, and the one in flight
    }
    release();
    await queue.idle();
    expect(rels()).toEqual(paths);
    expect(queue.stats.parsed).toBeLessThanOrEqual(51); // the held path at most twice, the rest once
  });

  test("a reconcile of a few thousand new files, their paths over several chunks, ends with every one in the library", async () => {
    await using t = new TempLibrary();
    const rels: string[] = [];
    for (let a = 0; a < 30; a++) {
      for (let i = 0; i < 100; i++) {
        // ~47 bytes and 4 each: 154 KB of backlog, three 64 KiB chunks.
        const rel = `Artïst ${a} 🎵/Album — ${a % 7}/${String(i).padStart(3, "0")} Tráck ${a}-${i}.mp3`;
        const dest = join(t.musicDir, rel);
        if (i === 0) place(t.musicDir, rel, "tagged.mp3");
        else copyFileSync(join(t.musicDir, rels.at(-1)!), dest);
        rels.push(rel);
      }
    }
    const library = t.open({ tagThreads: 1 });
    expect(await library.reconcile({ wait: true })).toMatchObject({ ok: true, seen: 3000, changed: 3000, gone: 0 });
    const stored = (t.db.query("SELECT rel_path FROM track").all() as { rel_path: string }[]).map((r) => r.rel_path);
    expect(stored.sort(compareUtf8)).toEqual(rels.sort(compareUtf8));
    expect(library.queue.stats).toMatchObject({ processed: 3000, parsed: 3000 });
  }, 60_000);
});
