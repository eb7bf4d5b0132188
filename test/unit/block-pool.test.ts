/**
 * The write blocks writeBody reuses (src/store/block-pool.ts): a block given
 * back is the next one taken, at most `keep` wait, and they are freed once
 * none has been asked for in `idleMs`. Through writeBody, a multipart part
 * written with a block that held a longer part before gets only its own
 * bytes.
 */
import { describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VerifiedBody } from "../../src/s3/verified-body.ts";
import { partBlocks, writeBody } from "../../src/store/atomic-write.ts";
import { BlockPool } from "../../src/store/block-pool.ts";

const freed = (block: Uint8Array) => (block.buffer as ArrayBuffer).detached;

describe("BlockPool", () => {
  test("a block given back is the next one taken, with the size asked for", () => {
    const pool = new BlockPool(4096, 2, 60_000);
    const a = pool.take();
    expect(a.byteLength).toBe(4096);
    pool.give(a);
    expect(pool.take()).toBe(a);
    expect(pool.take()).not.toBe(a);
    pool.drain();
  });

  test("at most `keep` blocks wait; one more is freed at once", () => {
    const pool = new BlockPool(4096, 2, 60_000);
    const [a, b, c] = [pool.take(), pool.take(), pool.take()];
    pool.give(a);
    pool.give(b);
    pool.give(c);
    expect(pool.spare).toBe(2);
    expect([freed(a), freed(b), freed(c)]).toEqual([false, false, true]);
    pool.drain();
    expect([freed(a), freed(b)]).toEqual([true, true]);
  });

  test("spare blocks are freed once none has been asked for in idleMs", async () => {
    const pool = new BlockPool(4096, 4, 30);
    const a = pool.take();
    const b = pool.take();
    pool.give(a);
    await Bun.sleep(20);
    pool.give(b); // the wait starts again from here
    await Bun.sleep(20);
    expect(pool.spare).toBe(2);
    await Bun.sleep(40);
    expect(pool.spare).toBe(0);
    expect([freed(a), freed(b)]).toEqual([true, true]);
  });
});

describe("writeBody of multipart parts, whose blocks are reused", () => {
  async function written(data: Uint8Array, start = 0): Promise<Uint8Array> {
    const path = join(mkdtempSync(join(tmpdir(), "blocks-")), "out");
    const fd = openSync(path, "w");
    try {
      const body = new VerifiedBody((async function* () {
        for (let at = 0; at < data.length; at += 65536) yield data.subarray(at, at + 65536);
      })(), { maxBytes: 1 << 30, expectedBytes: data.length });
      expect(await writeBody(fd, body, start, Number.MAX_SAFE_INTEGER, true)).toBe(data.length);
    } finally {
      closeSync(fd);
    }
    return new Uint8Array(readFileSync(path));
  }

  test("each part holds its own bytes only, after a longer one went through the same block", async () => {
    const long = new Uint8Array(3 * 1024 * 1024 + 5).fill(0xee);
    const short = new Uint8Array(70_000).fill(0x11);
    partBlocks.drain();
    expect(await written(long)).toEqual(long);
    expect(partBlocks.spare).toBe(1); // kept for the next part
    expect(await written(short)).toEqual(short);
    expect(partBlocks.spare).toBe(1); // and taken by it
    const later = await written(short, 1000);
    expect(later.length).toBe(1000 + short.length);
    expect(later.subarray(1000)).toEqual(short);
    expect(later.subarray(0, 1000).every((b) => b === 0)).toBe(true);
  });
});
