import { extensionOf } from "../music-dir/index.ts";

/** Content-Type by extension, for objects stored without one. */
const TYPES: Record<string, string> = {
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  opus: "audio/ogg",
  spx: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
  mp4: "audio/mp4",
  alac: "audio/mp4",
  aac: "audio/aac",
  wav: "audio/wav",
  wv: "audio/x-wavpack",
  mpc: "audio/x-musepack",
  aiff: "audio/aiff",
  aif: "audio/aiff",
  ac3: "audio/ac3",
  sid: "audio/prs.sid",
  ape: "audio/x-ape",
  wma: "audio/x-ms-wma",
};

export function contentTypeFor(key: string): string {
  if (key.endsWith("/")) return "application/x-directory";
  return TYPES[extensionOf(key)] ?? "application/octet-stream";
}
