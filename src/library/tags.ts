/**
 * Tag reading: the only user of music-metadata. Never throws: a file it
 * cannot read (ac3, sid, corrupt, empty) still gets tags, with the title
 * taken from the file name and the reason in `parseError`.
 */
import { basename, extname } from "node:path";
import type { IAudioMetadata, IOptions } from "music-metadata";
import { FileWindow } from "./file-window.ts";
import { parserMimeType } from "./sniff.ts";

/**
 * music-metadata is loaded on the first parse, not at startup: it costs
 * ~12 MB of RSS, and a server whose library is unchanged parses nothing.
 */
let musicMetadata: Promise<typeof import("music-metadata")> | null = null;
const parser = () => (musicMetadata ??= import("music-metadata"));

export const UNKNOWN_ARTIST = "Unknown Artist";
export const UNKNOWN_ALBUM = "Unknown Album";

export interface TrackTags {
  title: string;
  artist: string;
  album: string;
  albumArtist: string;
  genre: string | null;
  year: number | null;
  yearString: string | null;
  trackNumber: number | null;
  /** 0 when unknown, as upstream. */
  discNumber: number;
  composer: string;
  /** Milliseconds. */
  length: number;
  /** kbit/s, as upstream (Rockbox's mp3entry.bitrate). */
  bitrate: number;
  /** Sample rate in Hz. */
  frequency: number;
  /** The file holds a picture (the console serves it as the album's cover). */
  embeddedCover: boolean;
  parseError: string | null;
}

/**
 * A scan only records that a track has an embedded cover (SPEC §7; the
 * console reads the picture when it is asked for). With covers on,
 * music-metadata reads a cover whole and copies it several times: an MP3
 * with a 3 MB picture held the parsing thread 2–43 ms and an album of them
 * uploaded raised the server's peak RSS by ~20 MB. So covers are skipped,
 * and our patch of music-metadata (patches/) steps over them without
 * reading them — the picture frames of an ID3v2 tag over 64 KiB (MP3, and
 * WAV/AIFF's ID3 chunk; a smaller tag is read in one go), MP4 `covr`, FLAC
 * PICTURE blocks — and calls `onSkippedPicture` for each picture it skips,
 * there and where it already skipped them (Vorbis comments, APEv2).
 */
interface CoverSkipping extends IOptions {
  onSkippedPicture(): void;
}

export async function readTags(absPath: string, filesize: number): Promise<TrackTags> {
  if (filesize === 0) return fromFileName(absPath, "empty file");
  let meta: IAudioMetadata;
  let file: FileWindow | null = null;
  let picture = false;
  try {
    const mm = await parser();
    file = FileWindow.open(absPath, filesize);
    // An extension that lies is parsed by content (as ffprobe does), not by its name.
    file.type = parserMimeType(extname(absPath).slice(1), file.head(12));
    const options: CoverSkipping = { skipCovers: true, duration: false, onSkippedPicture: () => (picture = true) };
    meta = await mm.parseBlob(file as unknown as Blob, options);
  } catch (error) {
    return fromFileName(absPath, (error as Error).message || String(error));
  } finally {
    file?.close();
  }
  const { common, format } = meta;
  if (!format.container && !format.codec && !format.sampleRate)
    return fromFileName(absPath, "no audio stream recognised");
  const fallback = fromFileName(absPath, null);
  const artist = text(common.artist) ?? text(common.artists?.join(", ")) ?? fallback.artist;
  // music-metadata leaves duration unset for raw ADTS AAC unless it reads the whole file.
  const year = common.year ?? nativeYear(meta.native) ?? null;
  const seconds = format.duration ?? (format.bitrate ? (filesize * 8) / format.bitrate : 0);
  return {
    title: text(common.title) ?? fallback.title,
    artist,
    album: text(common.album) ?? fallback.album,
    albumArtist: text(common.albumartist) ?? artist,
    genre: text(common.genre?.[0]) ?? null,
    year,
    yearString: year ? String(year) : null,
    trackNumber: common.track.no ?? null,
    discNumber: common.disk.no ?? 0,
    composer: text(common.composer?.[0]) ?? "",
    length: Math.round(seconds * 1000),
    bitrate: Math.round((format.bitrate ?? 0) / 1000),
    frequency: format.sampleRate ?? 0,
    embeddedCover: picture || (common.picture?.length ?? 0) > 0, // WMA (ASF) reads its pictures either way
    parseError: null,
  };
}

/** Native tags that carry a year when music-metadata maps none (ffmpeg writes ASF "date", not "WM/Year"). */
const YEAR_TAGS = new Set(["date", "year", "wm/year", "originaldate", "originalyear", "tdrc", "tyer", "tdor", "©day"]);

/** The first plausible year among the native tags, as ffprobe would show it. */
function nativeYear(native: IAudioMetadata["native"]): number | undefined {
  for (const tags of Object.values(native))
    for (const { id, value } of tags) {
      if (!YEAR_TAGS.has(id.toLowerCase())) continue;
      const year = /\b(\d{4})\b/.exec(String(value))?.[1];
      if (year && Number(year) > 0) return Number(year);
    }
  return undefined;
}

function fromFileName(absPath: string, parseError: string | null): TrackTags {
  const name = basename(absPath);
  return {
    title: name.slice(0, name.length - extname(name).length) || name,
    artist: UNKNOWN_ARTIST,
    album: UNKNOWN_ALBUM,
    albumArtist: UNKNOWN_ARTIST,
    genre: null,
    year: null,
    yearString: null,
    trackNumber: null,
    discNumber: 0,
    composer: "",
    length: 0,
    bitrate: 0,
    frequency: 0,
    embeddedCover: false,
    parseError,
  };
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Trimmed text or undefined. RIFF INFO chunks are read as Latin-1, but
 * ffmpeg and most taggers write UTF-8 there: text whose code points are all
 * bytes and which is valid UTF-8 as bytes is decoded again as UTF-8. Real
 * Latin-1 text with accents ("Bj\xF6rk") is invalid UTF-8 and stays as is.
 */
function text(value: string | undefined): string | undefined {
  const trimmed = value?.replace(/\0+$/, "").trim();
  if (!trimmed) return undefined;
  if (!/[\x80-\xFF]/.test(trimmed) || /[^\x00-\xFF]/.test(trimmed)) return trimmed;
  try {
    return strictUtf8.decode(Uint8Array.from(trimmed, (ch) => ch.charCodeAt(0)));
  } catch {
    return trimmed;
  }
}

/** The front cover embedded in a file (or its first picture), read on demand for the console; null when none. */
export async function readEmbeddedCover(absPath: string): Promise<{ bytes: Uint8Array; type: string } | null> {
  try {
    const mm = await parser();
    const meta = await mm.parseFile(absPath, { duration: false, skipPostHeaders: true });
    const picture = mm.selectCover(meta.common.picture);
    return picture ? { bytes: picture.data, type: picture.format.includes("/") ? picture.format : `image/${picture.format}` } : null;
  } catch {
    return null;
  }
}
