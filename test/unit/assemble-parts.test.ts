/**
 * Multipart assembly on both of its paths: copy_file_range(2) when no
 * full-object checksum must see the bytes, and the read/write path kept for
 * checksums and for filesystems that refuse the kernel copy. Part sizes
 * straddle the 4 MiB kernel slice (exactly one slice, several, a short one,
 * an empty file) so the short-copy loop and end-of-part detection are run.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checksumBase64 } from "../../src/s3/checksum.ts";
import { copyFileRange, kernelCopyAvailable } from "../../src/store/copy-file-range.ts";
import { Layout } from "../../src/store/layout.ts";
import { assembleParts } from "../../src/store/multipart/assemble.ts";
import { bytes, md5Hex, MiB } from "../helpers/bytes.ts";
import { tempDir } from "../helpers/server.ts";

let root: string;
let layout: Layout;
beforeEach(() => {
  root = tempDir("rbs3-assemble");
  layout = new Layout(join(root, "Music"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const parts = [bytes(5 * MiB, 1), bytes(4 * MiB, 2), bytes(9 * MiB + 17, 3), new Uint8Array(0), bytes(1_000, 4)];
const whole = Buffer.concat(parts);

function partFiles(): string[] {
  return parts.map((p, i) => {
    const path = join(root, `part-${i}`);
    writeFileSync(path, p);
    return path;
  });
}

describe("copyFileRange", () => {
  test("loads libc.so.6 here and copies from the descriptors' offsets, 0 at end of input", () => {
    expect(kernelCopyAvailable()).toBe(true);
    const [src, dst] = [join(root, "src"), join(root, "dst")];
    writeFileSync(src, parts[2]!);
    const [inFd, outFd] = [openSync(src, "r"), openSync(dst, "w")];
    try {
      expect(copyFileRange(inFd, outFd, 3 * MiB)).toBe(3 * MiB);
      expect(copyFileRange(inFd, outFd, 100 * MiB)).toBe(parts[2]!.length - 3 * MiB);
      expect(copyFileRange(inFd, outFd, MiB)).toBe(0);
    } finally {
      closeSync(inFd);
      closeSync(outFd);
    }
    expect(md5Hex(readFileSync(dst))).toBe(md5Hex(parts[2]!));
  });

  test("a bad descriptor is an errno-coded error, not a silent fallback", () => {
    const outFd = openSync(join(root, "dst"), "w");
    try {
      expect(() => copyFileRange(1_000_000, outFd, 10)).toThrow(expect.objectContaining({ code: "EBADF", syscall: "copy_file_range" }));
    } finally {
      closeSync(outFd);
    }
  });
});

describe("assembleParts", () => {
  test("without a full-object checksum the kernel copies every byte", async () => {
    const done = await assembleParts(layout, partFiles(), []);
    expect({ size: done.size, kernelBytes: done.kernelBytes, checksums: done.checksums }).toEqual({ size: whole.length, kernelBytes: whole.length, checksums: {} });
    expect(md5Hex(readFileSync(done.tmpPath))).toBe(md5Hex(whole));
  });

  test("the read/write fallback gives the same file", async () => {
    const done = await assembleParts(layout, partFiles(), [], { kernelCopy: false });
    expect({ size: done.size, kernelBytes: done.kernelBytes }).toEqual({ size: whole.length, kernelBytes: 0 });
    expect(md5Hex(readFileSync(done.tmpPath))).toBe(md5Hex(whole));
  });

  test("where the kernel refuses a file (procfs: EXDEV/EINVAL), that part and the rest are read and written", async () => {
    const [first, ...rest] = partFiles();
    const done = await assembleParts(layout, [first!, "/proc/version", ...rest], []);
    const expected = Buffer.concat([parts[0]!, readFileSync("/proc/version"), ...parts.slice(1)]);
    expect({ size: done.size, kernelBytes: done.kernelBytes }).toEqual({ size: expected.length, kernelBytes: parts[0]!.length });
    expect(md5Hex(readFileSync(done.tmpPath))).toBe(md5Hex(expected));
  });

  test("a full-object checksum reads every byte and is computed over the whole object", async () => {
    const done = await assembleParts(layout, partFiles(), ["CRC64NVME", "SHA256"]);
    expect(done.kernelBytes).toBe(0);
    expect(done.checksums).toEqual({ CRC64NVME: checksumBase64("CRC64NVME", whole), SHA256: checksumBase64("SHA256", whole) });
    expect(md5Hex(readFileSync(done.tmpPath))).toBe(md5Hex(whole));
  });

  test("a missing part removes the temp file and throws", async () => {
    const files = [...partFiles(), join(root, "gone")];
    await expect(assembleParts(layout, files, [])).rejects.toMatchObject({ code: "ENOENT" });
    expect(readdirSync(layout.tmpDir)).toEqual([]);
  });
});

