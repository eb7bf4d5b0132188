import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileWindow } from "../../src/library/file-window.ts";

const dir = mkdtempSync(join(tmpdir(), "file-window-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file of pseudo-random bytes, so any misplaced range reads differently. */
function bytesFile(name: string, size: number): { path: string; bytes: Uint8Array } {
  const bytes: Uint8Array = new Uint8Array(size);
  let x = 12345;
  for (let i = 0; i < size; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const read = async (file: FileWindow, start: number, end: number): Promise<Uint8Array> => new Uint8Array(await file.slice(start, end).arrayBuffer());

describe("FileWindow", () => {
  test("every range reads as the file holds it: in the first window, across its edge, near the end, and larger than a window", async () => {
    const { path, bytes } = bytesFile("big.bin", 300 * 1024);
    const file = FileWindow.open(path, bytes.length);
    try {
      const ranges: [number, number][] = [
        [0, 12], [10, 4096], [65_530, 65_550], [200_000, 200_010], [bytes.length - 128, bytes.length],
        [bytes.length - 32 - 128, bytes.length - 128], [5, 5], [1000, 150_000], [0, 12], [bytes.length - 10, bytes.length + 50],
      ];
      for (const [start, end] of ranges) expect(await read(file, start, end)).toEqual(bytes.subarray(start, Math.min(end, bytes.length)));
      expect(file.head(12)).toEqual(bytes.subarray(0, 12));
    } finally {
      file.close();
    }
  });

  test("a file smaller than a window, and an empty one", async () => {
    const { path, bytes } = bytesFile("small.bin", 100);
    const file = FileWindow.open(path, bytes.length);
    expect(file.head(12)).toEqual(bytes.subarray(0, 12));
    expect(await read(file, 90, 100)).toEqual(bytes.subarray(90, 100));
    file.close();
    const empty = FileWindow.open(bytesFile("empty.bin", 0).path, 0);
    expect(empty.head(12).length).toBe(0);
    empty.close();
  });

  test("a slice handed out is a copy: reading elsewhere later does not change it", async () => {
    const { path, bytes } = bytesFile("copy.bin", 200 * 1024);
    const file = FileWindow.open(path, bytes.length);
    const first = await read(file, 0, 16);
    await read(file, 150_000, 150_016);
    expect(first).toEqual(bytes.subarray(0, 16));
    file.close();
  });

  test("a window given back by a closed file serves the next file's bytes, not the last one's, and never a slice already handed out", async () => {
    const a = bytesFile("reuse-a.bin", 100 * 1024);
    const b = bytesFile("reuse-b.bin", 3000);
    const first = FileWindow.open(a.path, a.bytes.length);
    const kept = await read(first, 100, 200);
    first.close();
    // Interleaved files each hold their own window while open.
    const second = FileWindow.open(b.path, b.bytes.length);
    const third = FileWindow.open(a.path, a.bytes.length);
    expect(await read(second, 0, 3000)).toEqual(b.bytes);
    expect(await read(third, 70_000, 70_100)).toEqual(a.bytes.subarray(70_000, 70_100));
    expect(await read(second, 2990, 3000)).toEqual(b.bytes.subarray(2990, 3000));
    second.close();
    third.close();
    expect(kept).toEqual(a.bytes.subarray(100, 200));
  });

  test("a missing file throws on open (readTags turns that into a parse error)", () => {
    expect(() => FileWindow.open(join(dir, "nope.bin"), 10)).toThrow();
  });
});
