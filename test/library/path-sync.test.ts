import { describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { emptyBatch, PathSync, type PathSyncHost } from "../../src/library/path-sync.ts";
import { TrackStore } from "../../src/library/track-store.ts";
import { MusicDir } from "../../src/music-dir/index.ts";
import { place, TempLibrary } from "./helpers.ts";

function recordingHost() {
  const calls = { later: [] as string[], soon: [] as string[], parsed: 0 };
  const host: PathSyncHost = {
    later: (rel) => void calls.later.push(rel),
    settling: () => false,
    soon: (rel) => void calls.soon.push(rel),
    parsed: () => void calls.parsed++,
  };
  return { host, calls };
}

describe("PathSync", () => {
  test("a file that changes while it is parsed is not written, and is handed back to be parsed again", async () => {
    await using t = new TempLibrary();
    const { host, calls } = recordingHost();
    const paths = new PathSync(new MusicDir({ root: t.musicDir, log: t.log }), new TrackStore(t.db, t.musicDir), t.log, host);
    const file = place(t.musicDir, "a.mp3", "tagged.mp3");
    const batch = emptyBatch();
    const parsing = paths.sync("a.mp3", batch); // stat'ed synchronously; the parse itself is awaited
    appendFileSync(file, "more bytes from a writer");
    await parsing;
    expect(batch.upserts).toEqual([]);
    expect(calls).toEqual({ later: ["a.mp3"], soon: [], parsed: 0 });

    const again = emptyBatch();
    await paths.sync("a.mp3", again);
    expect(again.upserts.map((u) => [u.rel, u.tags.title])).toEqual([["a.mp3", "Pagan Poetry — café"]]);
  });

  test("an unchanged file is not parsed; a folder hands its new files to the queue", async () => {
    await using t = new TempLibrary();
    const { host, calls } = recordingHost();
    const store = new TrackStore(t.db, t.musicDir);
    const paths = new PathSync(new MusicDir({ root: t.musicDir, log: t.log }), store, t.log, host);
    place(t.musicDir, "D/x.ogg", "tagged.ogg");
    place(t.musicDir, "D/y.flac", "tagged.flac");
    const first = emptyBatch();
    await paths.sync("D/x.ogg", first);
    store.apply(first.upserts, first.removals);
    const second = emptyBatch();
    await paths.sync("D/x.ogg", second);
    expect(second.upserts).toEqual([]);
    await paths.sync("D", emptyBatch());
    expect(calls.soon).toEqual(["D/y.flac"]);
    expect(calls.parsed).toBe(1);
  });
});
