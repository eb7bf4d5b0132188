/**
 * The reconcile merges its walk (in UTF-8 byte order) with the track table
 * and the object index, both read page by page in the same order. Pages of
 * two rows here, so every library below spans several pages: files gone,
 * new and changed at the start, middle and end of the order must come out
 * the same as a full comparison would. And the race paging opens: an S3 PUT
 * landing while the walk is paused, into a folder the walk has listed
 * already, puts a row in a later page for a file the walk never sees; it
 * must be kept. Built in-process as src/main.ts wires it.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { createLibrary, type ReconcileObserver, type WalkPacing } from "../../src/library/index.ts";
import { MusicDir, type Look, type WalkEntry, type WalkOptions } from "../../src/music-dir/index.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { Bucket } from "../../src/store/bucket.ts";
import { IndexSync } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { compareUtf8 } from "../../src/text/utf8-order.ts";
import { fixture, MemoryLog, place, waitFor } from "./helpers.ts";

const PAGE = 2;

/**
 * music_dir with a folder no one can read once `locked` names it: as root
 * (CI, this machine) no mode makes one, so the walk is played as walkTree
 * plays it (the folder reported to onError, nothing below it yielded) and a
 * look below it fails as under a folder without search permission.
 */
class LockableDir extends MusicDir {
  locked: string | null = null;

  override look(rel: string): Look {
    return this.locked !== null && rel.startsWith(`${this.locked}/`) ? "error" : super.look(rel);
  }

  override *walk(relDir = "", options: Omit<WalkOptions, "stat"> = {}): Generator<WalkEntry> {
    for (const e of super.walk(relDir, options)) {
      if (this.locked === null) yield e;
      else if (e.rel === this.locked) options.onError?.(e.rel, Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }));
      else if (!e.rel.startsWith(`${this.locked}/`)) yield e;
    }
  }
}

/** music_dir, the library and the object index following one walk, with pages of PAGE rows. */
function wire(pacing: WalkPacing = {}) {
  const root = mkdtempSync(join(tmpdir(), "rockboxd-s3-merge-"));
  const musicDir = join(root, "music");
  mkdirSync(musicDir);
  const log = new MemoryLog();
  const dir = new LockableDir({ root: musicDir, log });
  const db = openDatabase(join(root, "db", "rockboxd.db"));
  const index = new ObjectIndex(db);
  const layout = new Layout(musicDir);
  const sync = new IndexSync(index, layout, dir, PAGE);
  dir.follow(sync);
  const walked: string[] = [];
  const watcher: ReconcileObserver = { entry: (e: WalkEntry) => walked.push(e.isDir ? `${e.rel}/` : e.rel), end: () => {} };
  const library = createLibrary({ db, musicDir: dir, log, observers: [sync, watcher], walkPacing: { pageSize: PAGE, slice: 3, ...pacing } });
  const bucket = new Bucket(layout, index, sync, dir);
  return {
    musicDir, log, db, index, library, bucket, walked, dir,
    tracks: () => (db.query("SELECT rel_path FROM track").all() as { rel_path: string }[]).map((r) => r.rel_path).sort(compareUtf8),
    keys: () => index.keysUnder("").sort(compareUtf8),
    async [Symbol.asyncDispose]() {
      await library.close();
      dir.close();
      db.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A new mtime (and so a new identity) for a file, without touching its bytes. */
const touch = (musicDir: string, rel: string, when: string) => utimesSync(join(musicDir, rel), new Date(when), new Date(when));

describe("the reconcile merge, several pages of rows", () => {
  test("files gone, new and changed at the start, middle and end of the order", async () => {
    await using w = wire();
    // Byte order: "B/…" < "C b/…" (" " < "/") < "C/…" < "D.mp3" < … < "\uFFEE.mp3" < "😀.mp3" (not so in UTF-16).
    const before = ["B/1.mp3", "B/2.mp3", "C b/1.mp3", "C/1.mp3", "C/2.mp3", "C/3.mp3", "D.mp3", "E/1.mp3", "\uFFEE.mp3", "😀.mp3"];
    for (const rel of before) place(w.musicDir, rel, "tagged.mp3");
    mkdirSync(join(w.musicDir, "Empty"));
    expect(await w.library.reconcile({ wait: true })).toMatchObject({ ok: true, seen: 10, changed: 10, gone: 0 });
    expect(w.tracks()).toEqual(before);
    expect(w.keys()).toEqual([...before, "Empty/"].sort(compareUtf8));

    // Gone: the first row, one in the middle, the last. New: before every row,
    // between two rows of one folder, after every row. Changed: one at each place too.
    for (const rel of ["B/1.mp3", "C/2.mp3", "😀.mp3"]) rmSync(join(w.musicDir, rel));
    for (const rel of ["A.mp3", "C/25.mp3", "\u{1F680}.mp3"]) place(w.musicDir, rel, "tagged.mp3");
    for (const rel of ["B/2.mp3", "C/3.mp3", "\uFFEE.mp3"]) touch(w.musicDir, rel, "2020-02-02");
    place(w.musicDir, "Empty/now.mp3", "tagged.mp3"); // the folder's marker goes, though the walk meets "Empty/" itself
    mkdirSync(join(w.musicDir, "Zz")); // a new empty folder after every row: a marker
    const result = await w.library.reconcile({ wait: true });
    expect(result).toEqual({ ok: true, seen: 11, changed: 7, gone: 3 });

    const after = ["A.mp3", "B/2.mp3", "C b/1.mp3", "C/1.mp3", "C/25.mp3", "C/3.mp3", "D.mp3", "E/1.mp3", "Empty/now.mp3", "\uFFEE.mp3", "\u{1F680}.mp3"];
    expect(w.tracks()).toEqual(after);
    expect(w.keys()).toEqual([...after, "Zz/"].sort(compareUtf8));
    for (const rel of ["B/2.mp3", "C/3.mp3", "\uFFEE.mp3"]) {
      expect(w.library.store.get(rel)!.mtimeMs).toBe(Date.parse("2020-02-02"));
      expect(w.index.get(rel)!.mtimeMs).toBe(Date.parse("2020-02-02"));
    }
    // Unchanged, nothing to do: a second walk queues nothing.
    expect(await w.library.reconcile({ wait: true })).toEqual({ ok: true, seen: 11, changed: 0, gone: 0 });
    expect(w.keys()).toEqual([...after, "Zz/"].sort(compareUtf8));
  });

  test("a whole tail of the order gone (rows left after the walk ends) and a whole head new", async () => {
    await using w = wire();
    const tail = ["X/1.mp3", "X/2.mp3", "Y/1.mp3", "Y/2.mp3", "Z.mp3"];
    for (const rel of ["M/1.mp3", ...tail]) place(w.musicDir, rel, "tagged.mp3");
    await w.library.reconcile({ wait: true });
    for (const rel of ["X", "Y", "Z.mp3"]) rmSync(join(w.musicDir, rel), { recursive: true });
    const head = ["A/1.mp3", "A/2.mp3", "B/1.mp3", "B/2.mp3", "C.mp3"];
    for (const rel of head) place(w.musicDir, rel, "tagged.mp3");
    expect(await w.library.reconcile({ wait: true })).toEqual({ ok: true, seen: 6, changed: 5, gone: 5 });
    expect(w.tracks()).toEqual([...head, "M/1.mp3"]);
    expect(w.keys()).toEqual([...head, "M/1.mp3"]);
  });

  test("a folder the walk cannot read keeps its tracks and objects, over several pages; what is gone beside it goes", async () => {
    const locked = ["Locked/1.mp3", "Locked/2.mp3", "Locked/3.mp3", "Locked/sub/4.mp3", "Locked/sub/5.mp3"];
    const rels = ["A/1.mp3", ...locked, "M/1.mp3", "Z/1.mp3"];
    await using w = wire();
    for (const rel of rels) place(w.musicDir, rel, "tagged.mp3");
    await w.library.reconcile({ wait: true });
    expect(w.keys()).toEqual(rels);

    w.dir.locked = "Locked";
    rmSync(join(w.musicDir, "M/1.mp3"));
    rmSync(join(w.musicDir, "Z"), { recursive: true });
    expect(await w.library.reconcile({ wait: true })).toMatchObject({ ok: true, seen: 1, changed: 0, gone: 2 });
    expect(w.tracks()).toEqual(["A/1.mp3", ...locked]);
    expect(w.keys()).toEqual(["A/1.mp3", ...locked, "M/"]);
    expect(w.log.has("warn", /folder cannot be read, its tracks are kept/)).toBe(true);
  });

  test("an empty music_dir (an unmounted share) purges neither index, whatever the page size", async () => {
    await using w = wire();
    const rels = ["A/1.mp3", "B/1.mp3", "C/1.mp3", "D/1.mp3", "E/1.mp3"];
    for (const rel of rels) place(w.musicDir, rel, "tagged.mp3");
    await w.library.reconcile({ wait: true });
    for (const rel of ["A", "B", "C", "D", "E"]) rmSync(join(w.musicDir, rel), { recursive: true });
    expect(await w.library.reconcile({ wait: true })).toMatchObject({ ok: false, reason: expect.stringMatching(/empty/) });
    expect(w.tracks()).toEqual(rels);
    expect(w.keys()).toEqual(rels);
  });
});

describe("the reconcile merge and S3 writes during its pauses", () => {
  test("a PUT into a folder the walk has listed, landing while it is paused, is kept: listed, GET-able and in the library", async () => {
    let hold: Promise<void> | null = null;
    let paused: () => void = () => {};
    const pauses = { count: 0 };
    await using w = wire({
      pause: async () => {
        pauses.count++;
        if (hold) {
          const h = hold;
          hold = null;
          paused();
          await h;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      },
    });
    const before = ["A/01.mp3", "A/02.mp3", "A/03.mp3", "A/04.mp3", "A/05.mp3", "A/06.mp3", "A/07.mp3", "A/08.mp3"];
    for (const rel of before) place(w.musicDir, rel, "tagged.mp3");
    await w.library.reconcile({ wait: true });
    expect(w.keys()).toEqual(before);

    // Hold the next walk at its first pause: it has listed "A" and is at "A/01.mp3".
    let release: () => void = () => {};
    hold = new Promise<void>((resolve) => (release = resolve));
    const atPause = new Promise<void>((resolve) => (paused = resolve));
    w.walked.length = 0;
    const reconciled = w.library.reconcile();
    await atPause;
    expect(w.walked).toEqual(["A/", "A/01.mp3"]);

    // "A/05b.mp3" sorts after the walk's position, in the folder it has listed: the walk will not yield it,
    // but both indexes read it in a later page.
    const key = "A/05b.mp3";
    const bytes = await Bun.file(fixture("tagged.mp3")).bytes();
    await w.bucket.put(key, new VerifiedBody(once(bytes), { maxBytes: 1 << 30, expectedBytes: bytes.length }), { contentType: null, meta: null, checksums: null });
    await waitFor(() => w.library.queries.trackByRel(key), 5000, "the uploaded track");
    release();
    expect(await reconciled).toMatchObject({ ok: true, seen: 8 });
    await w.library.queue.idle();
    expect(w.walked).not.toContain(key); // the race happened: the walk never saw the file
    expect(pauses.count).toBeGreaterThan(1);

    const listed = w.bucket.list({ prefix: "A/", delimiter: "", maxKeys: 1000, after: "" });
    expect(listed.objects.map((o) => o.key)).toEqual([...before.slice(0, 5), key, ...before.slice(5)]);
    expect(listed.objects.find((o) => o.key === key)!.size).toBe(bytes.length);
    expect(await w.bucket.open(key).body.bytes()).toEqual(bytes);
    expect(w.tracks()).toEqual([...before.slice(0, 5), key, ...before.slice(5)]);
    expect(w.log.lines.filter((l) => l.level === "error")).toEqual([]);
  });
});

async function* once(bytes: Uint8Array) {
  yield bytes;
}
