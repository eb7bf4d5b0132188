/**
 * The tag pool (SPEC §8: a first scan parses on worker threads): tags read
 * off the main thread equal the inline ones, an S3 upload's file is read
 * inline unless a scan keeps workers busy, and idle workers do not keep the
 * process alive.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { threadId } from "node:worker_threads";
import { SMALL_BACKLOG, TagPool } from "../../src/library/tag-pool.ts";
import { readTags } from "../../src/library/tags.ts";
import { AUDIO_FIXTURES, fixture, MemoryLog } from "./helpers.ts";

const FIXTURES = readdirSync(AUDIO_FIXTURES).sort();

describe("TagPool", () => {
  test("with worker threads, every fixture is parsed off the main thread into the same tags", async () => {
    const log = new MemoryLog();
    const pool = new TagPool({ log, threads: 2 });
    try {
      const results = await Promise.all(FIXTURES.map((name) => pool.read(fixture(name), Bun.file(fixture(name)).size)));
      const inline = await Promise.all(FIXTURES.map((name) => readTags(fixture(name), Bun.file(fixture(name)).size)));
      expect(results.map((r) => r.tags)).toEqual(inline);
      const threads = new Set(results.map((r) => r.thread));
      expect(threads.has(threadId)).toBe(false);
      expect(threads.size).toBe(2); // 20 parses at once spread over both workers
      expect(log.lines.map((l) => l.message)).toEqual(["library: tag worker started", "library: tag worker started"]); // and no failure
    } finally {
      pool.close();
    }
  });

  test("an urgent file (an S3 upload's) is parsed ahead of the scan work a worker already holds", async () => {
    const pool = new TagPool({ log: new MemoryLog(), threads: 1 });
    try {
      const path = fixture("tagged.flac");
      const size = Bun.file(path).size;
      const done: string[] = [];
      const scan = Array.from({ length: 60 }, (_, i) => pool.read(path, size).then(() => done.push(`scan ${i}`)));
      const upload = pool.read(fixture("tagged.ogg"), Bun.file(fixture("tagged.ogg")).size, true).then((r) => {
        done.push("upload");
        return r.tags.title;
      });
      expect(await upload).toBe((await readTags(fixture("tagged.ogg"), Bun.file(fixture("tagged.ogg")).size)).title);
      await Promise.all(scan);
      // In order it would be last; the worker may have started a few before the upload arrived.
      expect(done.indexOf("upload")).toBeLessThan(20);
    } finally {
      pool.close();
    }
  });

  test("an urgent file while no worker runs is read on the calling thread and starts none; behind a scan it goes to the workers", async () => {
    const pool = new TagPool({ log: new MemoryLog(), threads: 1 });
    try {
      const path = fixture("tagged.ogg");
      const size = Bun.file(path).size;
      const alone = await pool.read(path, size, true);
      expect(alone.thread).toBe(threadId);
      expect(alone.tags).toEqual(await readTags(path, size));
      const again = await pool.read(path, size, true);
      expect(again.thread).toBe(threadId); // the first started no worker
      const scan = Array.from({ length: 10 }, () => pool.read(path, size));
      const behind = await pool.read(path, size, true);
      expect(behind.thread).not.toBe(threadId);
      expect(behind.tags).toEqual(alone.tags);
      expect((await Promise.all(scan)).every((r) => r.thread !== threadId)).toBe(true);
    } finally {
      pool.close();
    }
  });

  test("a small backlog is read on the calling thread while no worker runs; a larger one starts a worker", async () => {
    const log = new MemoryLog();
    const pool = new TagPool({ log, threads: 1 });
    try {
      const path = fixture("tagged.flac");
      const size = Bun.file(path).size;
      const few = await Promise.all(Array.from({ length: SMALL_BACKLOG }, (_, i) => pool.read(path, size, false, SMALL_BACKLOG - i)));
      expect(few.every((r) => r.thread === threadId)).toBe(true);
      expect(log.lines).toEqual([]); // no worker started
      const many = await pool.read(path, size, false, SMALL_BACKLOG + 1);
      expect(many.thread).not.toBe(threadId);
      expect(many.tags).toEqual(few[0]!.tags);
      expect(log.lines.map((l) => l.message)).toEqual(["library: tag worker started"]);
    } finally {
      pool.close();
    }
  });

  test("with no worker threads, tags are read on the calling thread", async () => {
    const pool = new TagPool({ log: new MemoryLog(), threads: 0 });
    const result = await pool.read(fixture("tagged.flac"), Bun.file(fixture("tagged.flac")).size);
    expect(result.thread).toBe(threadId);
    expect(result.tags.artist).toBe("Björk");
  });

  test("with nothing else to do, the process gets its answer and then exits: idle workers do not hold it", async () => {
    // The pool is never closed and its idle stop is a minute away: only an
    // unref'd idle worker lets this process end.
    const script = `
      import { TagPool } from ${JSON.stringify(join(import.meta.dir, "../../src/library/tag-pool.ts"))};
      const pool = new TagPool({ log: { debug() {}, info() {}, warn() {}, error() {} }, threads: 1, idleMs: 60_000 });
      const { tags, thread } = await pool.read(${JSON.stringify(fixture("tagged.ogg"))}, ${Bun.file(fixture("tagged.ogg")).size});
      console.log(JSON.stringify({ artist: tags.artist, offMain: thread !== 0 }));
    `;
    const started = performance.now();
    await using proc = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "pipe" });
    const timer = setTimeout(() => proc.kill(), 20_000);
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    clearTimeout(timer);
    expect({ out: out.trim(), err, code }).toEqual({ out: JSON.stringify({ artist: "Björk", offMain: true }), err: "", code: 0 });
    expect(performance.now() - started).toBeLessThan(15_000); // not held until the 60 s idle stop
  }, 30_000);
});
