/**
 * GetObjectTagging shows what the library knows of a track as S3 tags
 * (read-only). S3 caps a tag value at 256 characters.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
 */
import type { TrackRow } from "../library/index.ts";

const MAX_VALUE = 256;

export function objectTags(track: TrackRow | null): Record<string, string> {
  if (!track) return {};
  const tags: Record<string, string | number | null> = {
    artist: track.artist,
    album: track.album,
    title: track.title,
    genre: track.genre,
    year: track.year,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    if (v !== null && v !== "" && v !== 0) out[k] = [...String(v)].slice(0, MAX_VALUE).join("");
  }
  return out;
}
