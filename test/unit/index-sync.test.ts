/**
 * IndexSync in-process against a temp music folder, wired as src/main.ts
 * does (MusicDir looks, IndexSync writes the object index): a file appears,
 * changes, vanishes; empty folders are listed as "folder/" markers until
 * something is put in them; names S3 cannot carry and non-audio files are
 * not objects.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/db/database.ts";
import { silentLogger } from "../../src/log.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { EMPTY_MD5, IndexSync, provisionalEtag } from "../../src/store/index-sync.ts";
import { Layout } from "../../src/store/layout.ts";
import { ObjectIndex } from "../../src/store/object-index.ts";
import { tempDir } from "../helpers/server.ts";

let root: string;
let music: string;
let index: ObjectIndex;
let sync: IndexSync;

beforeEach(() => {
  root = tempDir("rbs3-index-sync");
  music = join(root, "Music");
  mkdirSync(music);
  index = new ObjectIndex(openDatabase(join(root, "index.db")));
  sync = new IndexSync(index, new Layout(music), new MusicDir({ root: music, log: silentLogger }));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (rel: string, text: string) => {
  mkdirSync(join(music, rel, ".."), { recursive: true });
  writeFileSync(join(music, rel), text);
};
const keys = () => index.keysUnder("").sort();

describe("IndexSync.syncPath", () => {
  test("a file appears: a row with its size and a provisional ETag from its identity", () => {
    write("Björk/01 Jóga.flac", "flac bytes");
    const row = sync.syncPath("Björk/01 Jóga.flac");
    const st = statSync(join(music, "Björk/01 Jóga.flac"));
    expect(row).toMatchObject({ key: "Björk/01 Jóga.flac", size: 10, ino: st.ino, etagProvisional: true });
    expect(Math.abs(row!.mtimeMs - st.mtimeMs)).toBeLessThan(1);
    expect(row!.etag).toBe(provisionalEtag(row!));
    expect(index.get("Björk/01 Jóga.flac")).toEqual(row);
  });

  test("a file changes: the row follows its new identity; unchanged, nothing is rewritten", () => {
    write("a.flac", "one");
    const first = sync.syncPath("a.flac")!;
    expect(sync.syncPath("a.flac")).toEqual(first);
    write("a.flac", "longer now");
    utimesSync(join(music, "a.flac"), new Date("2024-01-01"), new Date("2024-01-01"));
    const second = sync.syncPath("a.flac")!;
    expect(second.size).toBe(10);
    expect(second.etag).not.toBe(first.etag);
    expect(index.get("a.flac")).toEqual(second);
  });

  test("a file vanishes: its row goes, and its emptied folder becomes a marker", () => {
    write("Album/a.flac", "x");
    sync.syncPath("Album/a.flac");
    unlinkSync(join(music, "Album/a.flac"));
    expect(sync.syncPath("Album/a.flac")).toBeNull();
    expect(keys()).toEqual(["Album/"]);
    expect(index.get("Album/")).toMatchObject({ size: 0, etag: EMPTY_MD5 });
  });

  test("an empty folder is a marker until a file is put in it", () => {
    mkdirSync(join(music, "Empty/Deeper"), { recursive: true });
    sync.syncPath("Empty/Deeper");
    expect(keys()).toEqual(["Empty/Deeper/"]);
    write("Empty/Deeper/t.mp3", "x");
    sync.syncPath("Empty/Deeper/t.mp3");
    expect(keys()).toEqual(["Empty/Deeper/t.mp3"]);
  });

  test("a folder that vanishes takes everything under it", () => {
    write("Gone/1.flac", "1");
    write("Gone/sub/2.flac", "2");
    sync.sync(["Gone/1.flac", "Gone/sub/2.flac"]);
    expect(keys()).toEqual(["Gone/1.flac", "Gone/sub/2.flac"]);
    rmSync(join(music, "Gone"), { recursive: true });
    sync.syncPath("Gone");
    expect(keys()).toEqual([]);
  });

  test("not objects: a name S3 cannot carry, a file that is not audio, our working folder", () => {
    write("bad\u0001name.flac", "x");
    write("notes.txt", "x");
    write(".rockboxd-s3/tmp/upload.flac", "x");
    for (const rel of ["bad\u0001name.flac", "notes.txt", ".rockboxd-s3/tmp/upload.flac"]) expect(sync.syncPath(rel), rel).toBeNull();
    expect(keys()).toEqual([]);
  });
});
