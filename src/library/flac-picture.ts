/**
 * Whether a FLAC file holds a picture, from its metadata block headers
 * alone. A scan only records that a track has an embedded cover (SPEC §7;
 * the console reads the picture on demand), but music-metadata with covers
 * on reads a PICTURE block whole and copies it three more times: a FLAC
 * with a 3 MB cover took 1–60 ms of the thread that parses it, now that an
 * upload's file is parsed on the main thread. So FLAC is parsed with covers
 * skipped (a seek past the block), and this walk of the 4-byte block headers
 * (RFC 9639 §8.1: last-block flag, type, 24-bit length) answers the
 * question. An ID3v2 tag some taggers put in front is stepped over, as
 * music-metadata does.
 */
import type { FileWindow } from "./file-window.ts";
import { containerOf } from "./sniff.ts";

const PICTURE = 6;

export function hasFlacPicture(file: FileWindow): boolean {
  let at = containerOf(file.at(0, 12)) === "id3" ? id3v2Length(file.at(0, 10)) : 0;
  if (containerOf(file.at(at, 12)) !== "flac") return false;
  at += 4;
  while (at + 4 <= file.size) {
    const header = file.at(at, 4);
    if (header.length < 4) return false;
    if ((header[0]! & 0x7f) === PICTURE) return true;
    if (header[0]! & 0x80) return false; // the last metadata block
    at += 4 + ((header[1]! << 16) | (header[2]! << 8) | header[3]!);
  }
  return false;
}

/** The size of the ID3v2 tag `head` starts (header, synchsafe size, footer). */
function id3v2Length(head: Uint8Array): number {
  if (head.length < 10) return 0;
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
  const footer = head[5]! & 0x10 ? 10 : 0;
  return 10 + size + footer;
}
