/**
 * Which container a file's first bytes announce, to catch an extension that
 * lies (an Ogg Vorbis file saved as .mp3): music-metadata picks its parser
 * from the extension, and an MPEG parser reads an Ogg file as an empty MP3.
 * ffprobe looks at the content; so do we, when the two disagree.
 */
import { closeSync, openSync, readSync } from "node:fs";

export type Container = "ogg" | "flac" | "riff" | "aiff" | "mp4" | "asf" | "mpc" | "wv" | "ape" | "id3";

const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];
const ascii = (b: Uint8Array, at: number, text: string) => [...text].every((ch, i) => b[at + i] === ch.charCodeAt(0));

/** The container of the first 12 bytes, or null for raw frames (MP3, ADTS, AC-3) and anything unknown. */
export function containerOf(head: Uint8Array): Container | null {
  if (ascii(head, 0, "OggS")) return "ogg";
  if (ascii(head, 0, "fLaC")) return "flac";
  if (ascii(head, 0, "RIFF")) return "riff";
  if (ascii(head, 0, "FORM")) return "aiff";
  if (ascii(head, 4, "ftyp")) return "mp4";
  if (ASF_GUID.every((b, i) => head[i] === b)) return "asf";
  if (ascii(head, 0, "MPCK") || ascii(head, 0, "MP+")) return "mpc";
  if (ascii(head, 0, "wvpk")) return "wv";
  if (ascii(head, 0, "MAC ")) return "ape";
  if (ascii(head, 0, "ID3")) return "id3";
  return null;
}

/** The containers a file with this extension may hold (its content decides among them). */
const EXPECTED: Record<string, readonly (Container | null)[]> = {
  mp3: ["id3", null], aac: ["id3", null], ac3: [null], ogg: ["ogg"], opus: ["ogg"], spx: ["ogg"], flac: ["flac", "id3"],
  wav: ["riff"], aiff: ["aiff", "id3"], aif: ["aiff", "id3"], m4a: ["mp4"], mp4: ["mp4"], alac: ["mp4"], wma: ["asf"],
  mpc: ["mpc", "id3"], wv: ["wv"], ape: ["ape", "id3"], sid: [null],
};

const MIME: Record<Container, string> = {
  ogg: "audio/ogg", flac: "audio/flac", riff: "audio/wav", aiff: "audio/aiff", mp4: "audio/mp4", asf: "audio/x-ms-asf",
  mpc: "audio/x-musepack", wv: "audio/wavpack", ape: "audio/ape", id3: "audio/mpeg",
};

/** When the file's content is plainly another container than its extension names: that container's MIME type. */
export function mimeWhenExtensionLies(absPath: string, extension: string): string | null {
  const expected = EXPECTED[extension.toLowerCase()];
  if (!expected) return null;
  const head = new Uint8Array(12);
  const fd = openSync(absPath, "r");
  try {
    readSync(fd, head, 0, 12, 0);
  } finally {
    closeSync(fd);
  }
  const found = containerOf(head);
  return found !== null && !expected.includes(found) ? MIME[found] : null;
}
