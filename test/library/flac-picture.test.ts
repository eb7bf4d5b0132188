/**
 * A FLAC's embedded cover is known from its metadata block headers (SPEC §7
 * records that there is one; the console reads it on demand), so the parse
 * skips the picture's bytes: tags are the same, the cover is still seen.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileWindow } from "../../src/library/file-window.ts";
import { hasFlacPicture } from "../../src/library/flac-picture.ts";
import { readTags } from "../../src/library/tags.ts";
import { fixture } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "flac-picture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAIN = readFileSync(fixture("tagged.flac"));
const STREAMINFO_END = 4 + 4 + 34; // "fLaC", the block header, STREAMINFO's 34 bytes

/** A PICTURE metadata block (RFC 9639 §8.8) holding `size` bytes of image. */
function pictureBlock(size: number, last = false): Uint8Array {
  const mime = Buffer.from("image/jpeg");
  const body = Buffer.alloc(32 + mime.length + size, 0xab);
  let at = body.writeUInt32BE(3, 0); // front cover
  at = body.writeUInt32BE(mime.length, at);
  at += mime.copy(body, at);
  for (const v of [0, 500, 500, 24, 0, size]) at = body.writeUInt32BE(v, at); // description length, width, height, depth, colours, data length
  const header = Buffer.alloc(4);
  header[0] = (last ? 0x80 : 0) | 6;
  header.writeUIntBE(body.length, 1, 3);
  return Buffer.concat([header, body]);
}

/** tagged.flac with `block` after STREAMINFO, optionally behind an ID3v2 tag. */
function flacWith(name: string, block: Uint8Array, id3Prefix = false): string {
  const id3 = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 20, ...Buffer.alloc(20)]); // an empty 20-byte ID3v2.3 tag
  const bytes = Buffer.concat([...(id3Prefix ? [id3] : []), PLAIN.subarray(0, STREAMINFO_END), block, PLAIN.subarray(STREAMINFO_END)]);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function pictureIn(path: string): boolean {
  const file = FileWindow.open(path, Bun.file(path).size);
  try {
    return hasFlacPicture(file);
  } finally {
    file.close();
  }
}

describe("FLAC pictures", () => {
  test("the fixture has none; a PICTURE block after STREAMINFO, behind an ID3v2 tag, or holding megabytes is found", () => {
    expect(PLAIN[4]! & 0x80).toBe(0); // STREAMINFO is not the last block, so one may follow it
    expect(pictureIn(fixture("tagged.flac"))).toBe(false);
    expect(pictureIn(flacWith("small.flac", pictureBlock(2_000)))).toBe(true);
    expect(pictureIn(flacWith("id3.flac", pictureBlock(2_000), true))).toBe(true);
    expect(pictureIn(flacWith("big.flac", pictureBlock(3_000_000)))).toBe(true);
  });

  test("headers that run past the end, or a file that is no FLAC, read as no picture and never throw", () => {
    const broken = Buffer.from(pictureBlock(10));
    broken[0] = 4; // a VORBIS_COMMENT header claiming far more bytes than the file holds
    broken.writeUIntBE(0xffffff, 1, 3);
    expect(pictureIn(flacWith("broken.flac", broken))).toBe(false);
    expect(pictureIn(fixture("tagged.ogg"))).toBe(false);
    const tiny = join(dir, "tiny.flac");
    writeFileSync(tiny, "fLa");
    expect(pictureIn(tiny)).toBe(false);
  });

  test("readTags: the same tags with a 3 MB cover as without, and the cover recorded", async () => {
    const path = flacWith("covered.flac", pictureBlock(3_000_000));
    const plain = await readTags(fixture("tagged.flac"), PLAIN.length);
    const covered = await readTags(path, Bun.file(path).size);
    expect(plain.embeddedCover).toBe(false);
    expect(covered).toEqual({ ...plain, embeddedCover: true });
  });
});
