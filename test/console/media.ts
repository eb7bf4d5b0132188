/**
 * Media the console tests need and the fixtures lack: a WAV carrying RIFF
 * INFO tags of our choosing (a title that looks like HTML, say), and a
 * small PNG for a folder's cover image.
 */
import { deflateSync } from "node:zlib";
import { sineWav } from "../helpers/wav.ts";

export interface WavTags {
  title: string;
  artist: string;
  album: string;
  year?: number;
  track?: number;
}

/** sineWav with a LIST/INFO chunk after the data (INAM title, IART artist, IPRD album, ICRD year, ITRK track). */
export function taggedWav(seconds: number, tags: WavTags): Uint8Array {
  const wav = sineWav(seconds);
  const fields: [string, string][] = [["INAM", tags.title], ["IART", tags.artist], ["IPRD", tags.album]];
  if (tags.year) fields.push(["ICRD", String(tags.year)]);
  if (tags.track) fields.push(["ITRK", String(tags.track)]);
  const parts: Uint8Array[] = [];
  for (const [id, text] of fields) {
    const value = new TextEncoder().encode(`${text}\0`);
    const chunk = new Uint8Array(8 + value.length + (value.length % 2));
    chunk.set(new TextEncoder().encode(id), 0);
    new DataView(chunk.buffer).setUint32(4, value.length, true);
    chunk.set(value, 8);
    parts.push(chunk);
  }
  const infoLength = 4 + parts.reduce((n, p) => n + p.length, 0);
  const list = new Uint8Array(8 + infoLength);
  list.set(new TextEncoder().encode("LIST"), 0);
  new DataView(list.buffer).setUint32(4, infoLength, true);
  list.set(new TextEncoder().encode("INFO"), 8);
  let at = 12;
  for (const p of parts) {
    list.set(p, at);
    at += p.length;
  }
  const out = new Uint8Array(wav.length + list.length);
  out.set(wav, 0);
  out.set(list, wav.length);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A size×size PNG: two colours split diagonally, so a screenshot shows it is a real picture. */
export function coverPng(size: number, a: [number, number, number], b: [number, number, number]): Uint8Array {
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, size);
  hv.setUint32(4, size);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const raw = new Uint8Array(size * (1 + size * 3));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) raw.set(x > y ? a : b, y * (1 + size * 3) + 1 + x * 3);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw)),
    pngChunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An ID3v2.3 frame: id, a plain 32-bit big-endian size, no flags (ID3v2.3 §3.3). */
function id3Frame(id: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(10 + body.length);
  out.set(new TextEncoder().encode(id), 0);
  new DataView(out.buffer).setUint32(4, body.length);
  out.set(body, 10);
  return out;
}

const latin1 = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

/**
 * sineWav with an "id3 " chunk (as Picard and foobar2000 write) holding an
 * ID3v2.3 tag: title, artist, album, and an APIC front cover (§4.15:
 * encoding, MIME type, picture type 3, empty description, the image).
 */
export function wavWithPicture(seconds: number, tags: WavTags, png: Uint8Array): Uint8Array {
  const text = (value: string) => new Uint8Array([0, ...latin1(value)]);
  const apic = new Uint8Array([0, ...latin1("image/png"), 0, 3, 0, ...png]);
  const frames = [id3Frame("TIT2", text(tags.title)), id3Frame("TPE1", text(tags.artist)), id3Frame("TALB", text(tags.album)), id3Frame("APIC", apic)];
  const size = frames.reduce((n, f) => n + f.length, 0);
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, 3, 0, 0], 0);
  // The tag size is "synchsafe": 7 bits per byte.
  tag.set([(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f], 6);
  let at = 10;
  for (const f of frames) {
    tag.set(f, at);
    at += f.length;
  }
  const wav = sineWav(seconds);
  const chunk = new Uint8Array(8 + tag.length + (tag.length % 2));
  chunk.set(new TextEncoder().encode("id3 "), 0);
  new DataView(chunk.buffer).setUint32(4, tag.length, true);
  chunk.set(tag, 8);
  const out = new Uint8Array(wav.length + chunk.length);
  out.set(wav, 0);
  out.set(chunk, wav.length);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}
