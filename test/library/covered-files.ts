/**
 * Audio files with an embedded picture of any size, built from the tagged
 * fixtures (a multi-megabyte cover is too big to commit): ID3v2.2/2.3/2.4
 * tags in MP3, WAV and AIFF, a FLAC PICTURE block, an MP4 `covr` item, an
 * APEv2 "Cover Art (Front)" item and a WMA's WM/Picture attribute.
 */
import { readFileSync } from "node:fs";
import { coverPng } from "../console/media.ts";
import { fixture } from "./helpers.ts";

const ascii = (text: string) => Buffer.from(text, "latin1");

/** A picture of `size` bytes: a real 16×16 PNG (music-metadata sniffs an APEv2 picture's type), then filler. */
export function image(size: number): Buffer {
  const bytes = Buffer.alloc(size, 0xab);
  Buffer.from(coverPng(16, [200, 40, 40], [40, 40, 200])).copy(bytes);
  return bytes;
}

/** ID3v2 sizes: 7 bits per byte ("synchsafe"). */
const synchsafe = (n: number) => [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];

/** One frame: ID3v2.2 has 3-character ids and 24-bit sizes, 2.3 32-bit sizes, 2.4 synchsafe ones. */
function frame(major: 2 | 3 | 4, id: string, body: Uint8Array): Buffer {
  if (major === 2) return Buffer.concat([ascii(id), Buffer.from([body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  const size = major === 4 ? Buffer.from(synchsafe(body.length)) : Buffer.from([body.length >>> 24, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]);
  return Buffer.concat([ascii(id), size, Buffer.from([0, 0]), body]);
}

/**
 * An ID3v2 tag: the title before the picture, the artist after it (so a
 * parser that steps over the picture must still find what follows), then
 * `padding` zero bytes.
 */
export function id3Tag(major: 2 | 3 | 4, picture: Uint8Array, padding = 0): Buffer {
  const text = (value: string) => Buffer.concat([Buffer.from([0]), ascii(value)]);
  const pictureBody =
    major === 2
      ? Buffer.concat([Buffer.from([0]), ascii("PNG"), Buffer.from([3, 0]), picture]) // encoding, image format, front cover, empty description
      : Buffer.concat([Buffer.from([0]), ascii("image/png\0"), Buffer.from([3, 0]), picture]); // encoding, MIME type, front cover, empty description
  const ids = major === 2 ? ["TT2", "PIC", "TP1"] : ["TIT2", "APIC", "TPE1"];
  const body = Buffer.concat([frame(major, ids[0]!, text("Covered")), frame(major, ids[1]!, pictureBody), frame(major, ids[2]!, text("Painter")), Buffer.alloc(padding)]);
  return Buffer.concat([ascii("ID3"), Buffer.from([major, 0, 0, ...synchsafe(body.length)]), body]);
}

/** tagged.mp3's MPEG frames behind `tag` instead of its own ID3v2 tag. */
export function mp3With(tag: Uint8Array): Buffer {
  const plain = readFileSync(fixture("tagged.mp3"));
  const ownTag = 10 + ((plain[6]! << 21) | (plain[7]! << 14) | (plain[8]! << 7) | plain[9]!);
  return Buffer.concat([tag, plain.subarray(ownTag)]);
}

/** tagged.aiff with its "ID3 " chunk holding `tag` instead (IFF: big-endian sizes, even-padded chunks). */
export function aiffWith(tag: Uint8Array): Buffer {
  const plain = readFileSync(fixture("tagged.aiff"));
  const chunks: Buffer[] = [];
  for (let at = 12; at + 8 <= plain.length; ) {
    const size = plain.readUInt32BE(at + 4);
    const end = at + 8 + size + (size % 2);
    if (plain.toString("latin1", at, at + 4) !== "ID3 ") chunks.push(plain.subarray(at, end));
    at = end;
  }
  const header = Buffer.alloc(8);
  header.write("ID3 ", 0, "latin1");
  header.writeUInt32BE(tag.length, 4);
  chunks.push(header, Buffer.from(tag), Buffer.alloc(tag.length % 2));
  const form = Buffer.from(plain.subarray(0, 12));
  const body = Buffer.concat(chunks);
  form.writeUInt32BE(4 + body.length, 4);
  return Buffer.concat([form, body]);
}

/** The end of STREAMINFO in tagged.flac: "fLaC", a block header, 34 bytes. */
const STREAMINFO_END = 4 + 4 + 34;

/** tagged.flac with a PICTURE block (RFC 9639 §8.8) after STREAMINFO. */
export function flacWith(picture: Uint8Array): Buffer {
  const plain = readFileSync(fixture("tagged.flac"));
  const mime = ascii("image/png");
  const body = Buffer.alloc(32 + mime.length + picture.length);
  let at = body.writeUInt32BE(3, 0); // front cover
  at = body.writeUInt32BE(mime.length, at);
  at += mime.copy(body, at);
  for (const v of [0, 500, 500, 24, 0, picture.length]) at = body.writeUInt32BE(v, at); // description length, width, height, depth, colours, data length
  Buffer.from(picture).copy(body, at);
  const header = Buffer.from([6, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]); // not the last block
  return Buffer.concat([plain.subarray(0, STREAMINFO_END), header, body, plain.subarray(STREAMINFO_END)]);
}

const box = (type: string, ...content: Uint8Array[]) => {
  const body = Buffer.concat(content);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, "latin1");
  return Buffer.concat([header, body]);
};

/**
 * tagged.m4a with a `covr` item (a `data` box of type 13, JPEG) at the end
 * of moov/udta/meta/ilst, every enclosing box grown by its size. ffmpeg
 * writes moov after mdat, so no chunk offset moves.
 */
export function m4aWith(picture: Uint8Array): Buffer {
  const plain = readFileSync(fixture("tagged.m4a"));
  const covr = box("covr", box("data", Buffer.from([0, 0, 0, 13, 0, 0, 0, 0]), picture));
  const path = ["moov", "udta", "meta", "ilst"];
  const grown = Buffer.from(plain);
  let start = 0;
  let end = plain.length;
  let ilstEnd = -1;
  for (const [depth, type] of path.entries()) {
    let at = start;
    while (at + 8 <= end && grown.toString("latin1", at + 4, at + 8) !== type) at += grown.readUInt32BE(at);
    if (at + 8 > end) throw new Error(`no ${path.slice(0, depth + 1).join("/")} in tagged.m4a`);
    const size = grown.readUInt32BE(at);
    if (grown.readUInt32BE(at + 4) !== 0 && at + size > end) throw new Error(`${type} overruns its parent`);
    grown.writeUInt32BE(size + covr.length, at);
    start = at + 8 + (type === "meta" ? 4 : 0); // meta is a full box: version and flags first
    end = at + size;
    if (type === "ilst") ilstEnd = end;
  }
  return Buffer.concat([grown.subarray(0, ilstEnd), covr, grown.subarray(ilstEnd)]);
}

/**
 * tagged.wv with its APEv2 tag replaced by one holding a title and a binary
 * "Cover Art (Front)" item (a file name, a zero byte, the image).
 */
export function wavpackWith(picture: Uint8Array): Buffer {
  const plain = readFileSync(fixture("tagged.wv"));
  const footer = plain.lastIndexOf(ascii("APETAGEX"));
  if (footer < 0) throw new Error("tagged.wv has no APEv2 tag");
  const hasHeader = (plain.readUInt32LE(footer + 20) & 0x8000_0000) !== 0;
  const tagStart = footer + 32 - plain.readUInt32LE(footer + 12) - (hasHeader ? 32 : 0); // the size counts the items and the footer
  const item = (key: string, value: Uint8Array, binary: boolean) => {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(value.length, 0);
    head.writeUInt32LE(binary ? 1 << 1 : 0, 4);
    return Buffer.concat([head, ascii(key), Buffer.from([0]), value]);
  };
  const items = Buffer.concat([item("Title", ascii("Covered"), false), item("Cover Art (Front)", Buffer.concat([ascii("cover.png\0"), picture]), true)]);
  const part = (isHeader: boolean) => {
    const p = Buffer.alloc(32);
    p.write("APETAGEX", 0, "latin1");
    p.writeUInt32LE(2000, 8);
    p.writeUInt32LE(items.length + 32, 12);
    p.writeUInt32LE(2, 16);
    p.writeUInt32LE((0x8000_0000 | (isHeader ? 0x2000_0000 : 0)) >>> 0, 20); // has a header; is the header
    return p;
  };
  return Buffer.concat([plain.subarray(0, tagStart), part(true), items, part(false)]);
}

/** The Extended Content Description Object's GUID as ASF stores it (the first three groups little-endian). */
const ASF_EXTENDED_CONTENT = Buffer.from("40A4D0D207E3D21197F000A0C95EA850", "hex");

/**
 * tagged.wma with a WM/Picture attribute (type, data length, MIME type and
 * description in UTF-16LE, the image) added to its Extended Content
 * Description Object, which holds values of up to 64 KiB; the object's and
 * the header's sizes grow by as much.
 */
export function wmaWith(picture: Uint8Array): Buffer {
  const plain = Buffer.from(readFileSync(fixture("tagged.wma")));
  const at = plain.indexOf(ASF_EXTENDED_CONTENT);
  if (at < 0) throw new Error("tagged.wma has no Extended Content Description Object");
  const utf16 = (text: string) => Buffer.from(`${text}\0`, "utf16le");
  const length = Buffer.alloc(4);
  length.writeUInt32LE(picture.length);
  const value = Buffer.concat([Buffer.from([3]), length, utf16("image/png"), utf16(""), picture]);
  const name = utf16("WM/Picture");
  const head = Buffer.alloc(2);
  head.writeUInt16LE(name.length);
  const types = Buffer.alloc(4);
  types.writeUInt16LE(1, 0); // a byte array
  types.writeUInt16LE(value.length, 2);
  const attribute = Buffer.concat([head, name, types, value]);
  const objectSize = Number(plain.readBigUInt64LE(at + 16));
  plain.writeBigUInt64LE(BigInt(objectSize + attribute.length), at + 16);
  plain.writeUInt16LE(plain.readUInt16LE(at + 24) + 1, at + 24); // the attribute count
  plain.writeBigUInt64LE(plain.readBigUInt64LE(16) + BigInt(attribute.length), 16); // the header object holds it
  const end = at + objectSize;
  return Buffer.concat([plain.subarray(0, end), attribute, plain.subarray(end)]);
}
