/**
 * Which container a file's first bytes announce, to catch an extension that
 * lies (an Ogg Vorbis file saved as .mp3): music-metadata picks its parser
 * from the extension, and an MPEG parser reads an Ogg file as an empty MP3.
 * ffprobe looks at the content; so do we, when the two disagree.
 */
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

/**
 * The MIME type music-metadata should pick its parser by, from the extension
 * and the file's first 12 bytes: the content's container when it plainly is
 * another than the extension names, else the extension's own parser's type
 * ("" when music-metadata knows the extension by no parser of its own — alac,
 * aiff, ac3, sid — and guesses by content, as parseFile() does for them).
 */
export function parserMimeType(extension: string, head: Uint8Array): string {
  const ext = extension.toLowerCase();
  const expected = EXPECTED[ext];
  const found = expected ? containerOf(head) : null;
  if (found !== null && !expected!.includes(found)) return MIME[found];
  return BY_EXTENSION[ext] ?? "";
}

/** music-metadata's parser per extension, as its loaders list them (".aiff" is listed without its dot, so it is guessed). */
const BY_EXTENSION: Record<string, string> = {
  mp3: "audio/mpeg", aac: "audio/mpeg", ogg: "audio/ogg", opus: "audio/ogg", spx: "audio/ogg", flac: "audio/flac",
  wav: "audio/wav", aif: "audio/aiff", m4a: "audio/mp4", mp4: "audio/mp4", wma: "audio/x-ms-asf", mpc: "audio/x-musepack",
  wv: "audio/wavpack", ape: "audio/ape",
};
