/**
 * Which files of the folder are music: the bucket shows and accepts only
 * these, the library parses only these, the walker yields only these.
 */

/** upstream's AUDIO_EXTENSIONS (rockbox-zig). */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  "mp3", "ogg", "flac", "m4a", "aac", "mp4", "alac", "wav", "wv", "mpc",
  "aiff", "aif", "ac3", "opus", "spx", "sid", "ape", "wma",
]);

/** The lower-cased extension of the last path segment ("" for none, and for ".hidden"). */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1).toLowerCase();
}

export function isAudioPath(path: string): boolean {
  return AUDIO_EXTENSIONS.has(extensionOf(path));
}
