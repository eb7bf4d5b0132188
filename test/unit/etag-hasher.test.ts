/**
 * The background ETag hasher shares the main thread with every request: a
 * pass over thousands of small files copied in (each read to its end as
 * resolved promises) must still give the event loop its turns, or requests
 * and signals wait for the whole pass.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { EtagHasher } from "../../src/store/etag-hasher.ts";
import { IndexSync } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { md5Hex } from "../helpers/bytes.ts";
import { tempDir, waitFor } from "../helpers/server.ts";

const FILES = 3000;
let root: string;
let index: ObjectIndex;
let sync: IndexSync;
let layout: Layout;

beforeEach(() => {
  root = tempDir("rbs3-etag-hasher");
  const music = join(root, "Music");
  mkdirSync(join(music, "Dropped"), { recursive: true });
  index = new ObjectIndex(openDatabase(join(root, "index.db")));
  layout = new Layout(music);
  sync = new IndexSync(index, layout, new MusicDir({ root: music, log: silentLogger }));
  for (let i = 0; i < FILES; i++) {
    writeFileSync(join(music, "Dropped", `${i}.mp3`), `file ${i} `.repeat(200));
    sync.syncPath(`Dropped/${i}.mp3`);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const provisional = () => index.provisional(FILES + 1, "").length;

test("a pass over 3000 small files lets a timer run long before it ends, and hashes them all", async () => {
  expect(provisional()).toBe(FILES);
  const hasher = new EtagHasher(index, sync, layout, { pollMs: 60_000 });
  let leftWhenTimerRan = -1;
  setTimeout(() => (leftWhenTimerRan = provisional()), 1);
  hasher.start();
  await waitFor(() => provisional() === 0, 30_000, "every file hashed");
  await hasher.stop();
  expect(leftWhenTimerRan).toBeGreaterThan(FILES / 2);
  expect(index.get("Dropped/7.mp3")!.etag).toBe(md5Hex("file 7 ".repeat(200)));
}, 40_000);
