/**
 * A database that already indexes a music folder, built with the product's
 * own code (TrackStore, IndexSync, ObjectIndex, readTags, walkTree) instead
 * of parsing every file: the files are hard links to a few fixtures, so the
 * tags of one inode are read once and reused for its links, and the MD5 the
 * background hasher would compute is computed once per inode. Files whose
 * tags cannot be read are parsed one by one (their title comes from the file
 * name). The result is what `serve` leaves behind after its first reconcile,
 * its parses and its hasher have finished (checked by library-seed-check.ts).
 */
import { dirname, resolve } from "node:path";
import { openDatabase } from "../src/db/database.ts";
import { FolderImages } from "../src/library/cover.ts";
import { readTags, type TrackTags } from "../src/library/tags.ts";
import type { TrackUpsert } from "../src/library/track-store.ts";
import { TrackStore } from "../src/library/track-store.ts";
import { MusicDir } from "../src/music-dir/index.ts";
import { silentLogger } from "../src/log.ts";
import { md5OfFile } from "../src/store/file-md5.ts";
import { IndexSync } from "../src/store/index-sync.ts";
import { Layout } from "../src/store/layout.ts";
import { ObjectIndex } from "../src/store/object-index.ts";

export interface Seeded {
  tracks: number;
  objects: number;
  seconds: number;
}

export async function seedLibrary(musicDirIn: string, dbPath: string): Promise<Seeded> {
  const started = performance.now();
  const musicDir = resolve(musicDirIn); // as createLibrary does: track.path must match, or startup rebases every row
  const db = openDatabase(dbPath);
  try {
    const index = new ObjectIndex(db);
    const dir = new MusicDir({ root: musicDir, log: silentLogger });
    const sync = new IndexSync(index, new Layout(musicDir), dir);
    const store = new TrackStore(db, musicDir);
    const tagsByInode = new Map<number, TrackTags>();
    const images = new FolderImages();
    let batch: TrackUpsert[] = [];
    let tracks = 0;
    for (const e of dir.walk()) {
      sync.entry(e); // the object index follows the walk, as at startup
      if (e.isDir) continue;
      let tags = tagsByInode.get(e.ino);
      if (!tags) {
        tags = await readTags(`${musicDir}/${e.rel}`, e.size);
        if (tags.parseError === null) tagsByInode.set(e.ino, tags);
      }
      batch.push({ rel: e.rel, size: e.size, mtimeMs: e.mtimeMs, ino: e.ino, tags, coverImage: images.nameIn(dirname(`${musicDir}/${e.rel}`)) });
      tracks++;
      if (batch.length >= 1000) {
        store.apply(batch, []);
        batch = [];
      }
    }
    store.apply(batch, []);
    sync.end(true, []);
    store.pruneOrphans();

    // What the EtagHasher does, once per inode.
    const md5ByInode = new Map<number, string>();
    for (let rows = index.provisional(1000); rows.length > 0; rows = index.provisional(1000, rows.at(-1)!.key)) {
      for (const row of rows)
        if (!md5ByInode.has(row.ino)) md5ByInode.set(row.ino, (await md5OfFile(`${musicDir}/${row.key}`))!);
      index.transaction(() => {
        for (const row of rows) index.settleEtag(row, md5ByInode.get(row.ino)!);
      });
    }
    return { tracks, objects: index.count(), seconds: (performance.now() - started) / 1000 };
  } finally {
    db.close();
  }
}
