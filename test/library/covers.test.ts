/**
 * Embedded covers are recorded, not read (SPEC §7: the library notes that a
 * track has one; the console reads the picture when asked). Our patch of
 * music-metadata (patches/) steps over a picture when covers are skipped and
 * calls `onSkippedPicture` for it. Checked against music-metadata with
 * covers on, for every container that holds pictures: the same tags, one
 * call per picture it finds, and none of a big picture's bytes read.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseBlob, parseFile, type IAudioMetadata, type IOptions } from "music-metadata";
import { readTags } from "../../src/library/tags.ts";
import { wavWithPicture } from "../console/media.ts";
import { aiffWith, flacWith, id3Tag, image, m4aWith, mp3With, wavpackWith, wmaWith } from "./covered-files.ts";
import { fixture } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "covers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Each way a picture is stored, holding `size` bytes of image. */
function coveredFiles(size: number, tag: string): Record<string, string> {
  const picture = image(size);
  return {
    "MP3, ID3v2.2 PIC": write(`${tag}-v22.mp3`, mp3With(id3Tag(2, picture))),
    "MP3, ID3v2.3 APIC, padding after": write(`${tag}-v23.mp3`, mp3With(id3Tag(3, picture, 512))),
    "MP3, ID3v2.4 APIC": write(`${tag}-v24.mp3`, mp3With(id3Tag(4, picture))),
    "WAV, id3 chunk": write(`${tag}.wav`, wavWithPicture(0.2, { title: "Covered", artist: "Painter", album: "Gallery" }, picture)),
    "AIFF, ID3 chunk": write(`${tag}.aiff`, aiffWith(id3Tag(3, picture))),
    "FLAC, PICTURE block": write(`${tag}.flac`, flacWith(picture)),
    "M4A, covr": write(`${tag}.m4a`, m4aWith(picture)),
    "WavPack, APEv2 Cover Art (Front)": write(`${tag}.wv`, wavpackWith(picture)),
  };
}

/** What ffmpeg itself writes (test/fixtures/make-audio.sh). */
const FFMPEG_COVERED = ["covered.mp3", "covered.m4a", "covered.ogg", "covered.opus"];
const PLAIN = ["tagged.mp3", "tagged.m4a", "tagged.flac", "tagged.ogg", "tagged.opus", "tagged.wav", "tagged.aiff", "tagged.wv", "tagged.ape", "tagged.mpc", "tagged.wma"];

const small = coveredFiles(600, "small");
const big = coveredFiles(3_000_000, "big");

type Skipping = IOptions & { onSkippedPicture(): void };

/** music-metadata with covers skipped, and how many pictures it reported stepping over. */
async function skipping(path: string): Promise<{ meta: IAudioMetadata; skipped: number }> {
  let skipped = 0;
  const options: Skipping = { skipCovers: true, duration: false, onSkippedPicture: () => skipped++ };
  return { meta: await parseFile(path, options), skipped };
}

const withoutPictures = (meta: IAudioMetadata) => ({ ...meta.common, picture: undefined });

describe("covers stepped over, not read", () => {
  const cases = [...Object.entries(small), ...FFMPEG_COVERED.map((name) => [`ffmpeg's ${name}`, fixture(name)] as const)];

  test.each(cases)("%s: the same tags as with covers on, and each picture reported", async (_, path) => {
    const on = await parseFile(path, { duration: false });
    expect(on.common.picture?.length ?? 0).toBeGreaterThan(0); // the case really holds a picture
    const { meta, skipped } = await skipping(path);
    expect(skipped).toBe(on.common.picture!.length);
    expect(meta.common.picture).toBeUndefined();
    expect(withoutPictures(meta)).toEqual(withoutPictures(on));
    expect(meta.format).toEqual(on.format);
    expect((await readTags(path, Bun.file(path).size)).embeddedCover).toBe(true);
  });

  test.each(PLAIN)("%s holds no picture: none reported, no cover recorded", async (name) => {
    const { skipped } = await skipping(fixture(name));
    expect(skipped).toBe(0);
    expect((await readTags(fixture(name), Bun.file(fixture(name)).size)).embeddedCover).toBe(false);
  });

  test.each(Object.entries(big))("%s with a 3 MB picture: under 64 KiB of the file read", async (_, path) => {
    let read = 0;
    const file = Bun.file(path);
    // strtok3 reads a Blob through slice().arrayBuffer(): count what those return.
    const counting = {
      size: file.size,
      type: "",
      slice(start?: number, end?: number) {
        const part = file.slice(start, end);
        return {
          arrayBuffer: async () => {
            const bytes = await part.arrayBuffer();
            read += bytes.byteLength;
            return bytes;
          },
        };
      },
    };
    let skipped = 0;
    const options: Skipping = { skipCovers: true, duration: false, onSkippedPicture: () => skipped++ };
    const meta = await parseBlob(counting as unknown as Blob, options);
    expect(skipped).toBe(1);
    expect(meta.common.title).toBe((await parseFile(path, { duration: false })).common.title!); // the tags after the picture were read
    expect(read).toBeLessThan(64 * 1024);
    expect(file.size).toBeGreaterThan(3_000_000);
  });

  test("readTags: a 3 MB cover gives the same tags as a small one, and is recorded", async () => {
    for (const [name, path] of Object.entries(big)) {
      const expected = await readTags(small[name]!, Bun.file(small[name]!).size);
      expect({ name, tags: await readTags(path, Bun.file(path).size) }).toEqual({ name, tags: { ...expected, embeddedCover: true } });
    }
  });

  test("WMA: ASF has no skip, so its picture is read and recorded as before", async () => {
    const path = write("covered.wma", wmaWith(image(600)));
    const on = await parseFile(path, { duration: false });
    expect(on.common.picture?.length).toBe(1);
    const tags = await readTags(path, Bun.file(path).size);
    expect(tags).toEqual({ ...(await readTags(fixture("tagged.wma"), Bun.file(fixture("tagged.wma")).size)), embeddedCover: true });
  });

  test("an ID3v2 tag larger than its AIFF chunk is still refused as before", async () => {
    const tag = id3Tag(3, image(600));
    const path = write("overrun.aiff", aiffWith(tag.subarray(0, tag.length - 100))); // the chunk ends inside the tag
    const on = await parseFile(path, { duration: false }).then(() => "parsed", (e: Error) => e.message);
    const off = await skipping(path).then(() => "parsed", (e: Error) => e.message);
    expect(off).toBe(on);
  });
});
