/**
 * A body read from a file (CopyObject, UploadPartCopy) arrives without turns
 * of the event loop; writing it must still give the loop its turns, or every
 * other request waits for the whole copy (1.7 s for 512 MiB before).
 */
import { expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeBody } from "../../src/store/atomic-write.ts";
import { fileBody } from "../../src/store/copy-object.ts";

test("copying 128 MiB from a file lets a 1 ms timer run long before the copy ends", async () => {
  const dir = mkdtempSync(join(tmpdir(), "copy-turns-"));
  try {
    const source = join(dir, "source.flac");
    writeFileSync(source, new Uint8Array(128 * 1024 * 1024).fill(7));
    const fd = openSync(join(dir, "copy.flac"), "w");
    let writtenWhenTimerRan = -1;
    setTimeout(() => (writtenWhenTimerRan = statSync(join(dir, "copy.flac")).size), 1);
    try {
      expect(await writeBody(fd, fileBody(source, 128 * 1024 * 1024), 0, Number.MAX_SAFE_INTEGER)).toBe(128 * 1024 * 1024);
    } finally {
      closeSync(fd);
    }
    // Without the turns the timer ran once the whole file had been written.
    expect(writtenWhenTimerRan).toBeGreaterThanOrEqual(0);
    expect(writtenWhenTimerRan).toBeLessThan(64 * 1024 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
