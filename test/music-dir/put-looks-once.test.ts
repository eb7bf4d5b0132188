/**
 * A PUT looks at its path once: the store stats the file it renamed into
 * place, music_dir hands that look to the library (which parses without a
 * second stat) and not back to the object index (which recorded the row);
 * the watcher's own event for the write is compared with that look once it
 * has settled and dropped. Built in-process like main.ts, with music_dir's
 * stat counted.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { createLibrary } from "../../src/library/index.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { Bucket } from "../../src/store/bucket.ts";
import { IndexSync } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { fixture, MemoryLog, waitFor } from "../library/helpers.ts";

async function* once(bytes: Uint8Array) {
  yield bytes;
}

describe("a PUT and music_dir", () => {
  test("the written file is stat'ed once; the library parses it once; the watcher's echo is recognised and dropped", async () => {
    const root = mkdtempSync(join(tmpdir(), "rockboxd-s3-put-"));
    const musicDir = join(root, "music");
    mkdirSync(join(musicDir, "Album"), { recursive: true }); // an existing folder: the PUT creates none
    const key = "Album/song.mp3";
    const target = join(musicDir, key);
    let looks = 0;
    const log = new MemoryLog();
    // A long debounce keeps the echo waiting while the PUT's own sync is checked.
    const dir = new MusicDir({ root: musicDir, log, debounceMs: 1500, statFn: (p) => ((p === target && looks++), statSync(p)) });
    const db = openDatabase(join(root, "db", "rockboxd.db"));
    const index = new ObjectIndex(db);
    const layout = new Layout(musicDir);
    const sync = new IndexSync(index, layout, dir);
    dir.follow(sync);
    const library = createLibrary({ db, musicDir: dir, log, observers: [sync] });
    try {
      await library.start();
      expect(library.watching).toBe(true);
      const bucket = new Bucket(layout, index, sync, dir);
      const bytes = await Bun.file(fixture("tagged.mp3")).bytes();
      const row = await bucket.put(key, new VerifiedBody(once(bytes), { maxBytes: 1 << 30, expectedBytes: bytes.length }), {
        contentType: null,
        meta: null,
        checksums: null,
      });
      const md5 = new Bun.CryptoHasher("md5").update(bytes).digest("hex");
      expect(row).toMatchObject({ key, size: bytes.length, etag: md5, etagProvisional: false });

      // The library follows from the look the store took.
      const track = await waitFor(() => library.queries.trackByRel(key), 5000, "the track");
      expect(track.title).toBe("Pagan Poetry — café");
      expect(library.queue.stats).toEqual({ processed: 1, parsed: 1, errors: 0, removed: 0 });
      expect(looks).toBe(1);

      // The watcher's event arrives and waits to settle without a stat of its own...
      await waitFor(() => dir.settling(key), 5000, "the watcher's event for the write");
      expect(looks).toBe(1);
      // ...then one stat shows the file we wrote, and nothing follows.
      await library.queue.idle();
      expect(looks).toBe(2);
      expect(library.queue.stats).toEqual({ processed: 1, parsed: 1, errors: 0, removed: 0 });
      expect(index.get(key)).toEqual(row);
      expect(log.lines.filter((l) => l.level === "error" || l.level === "warn")).toEqual([]);
    } finally {
      await library.close();
      dir.close();
      db.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
