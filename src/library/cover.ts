/**
 * An album's cover (SPEC §7, §9): an image beside its tracks
 * (cover/folder/front .jpg/.jpeg/.png) or the front cover embedded in its
 * first track. Found by stat alone, so its ETag costs no read; the bytes
 * are read only when a browser asks and its cached copy is stale.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { readEmbeddedCover } from "./tags.ts";

const IMAGE_NAMES = ["cover", "folder", "front"];
const IMAGE_TYPES: Record<string, string> = { jpg: "image/jpeg", jpeg: "image/jpeg", png: "image/png" };

export interface CoverSource {
  path: string;
  /** The picture is inside an audio file, not an image of its own. */
  embedded: boolean;
  /** Changes whenever the file does (path, size, mtime). */
  etag: string;
}

export interface CoverImage {
  bytes: Uint8Array;
  type: string;
}

export function coverSource(trackPaths: readonly string[]): CoverSource | null {
  for (const dir of new Set(trackPaths.map((p) => dirname(p)))) {
    const image = imageIn(dir);
    if (image) return withEtag(image, false);
  }
  return trackPaths[0] ? withEtag(trackPaths[0], true) : null;
}

export async function readCover(source: CoverSource): Promise<CoverImage | null> {
  if (source.embedded) return readEmbeddedCover(source.path);
  const ext = source.path.slice(source.path.lastIndexOf(".") + 1).toLowerCase();
  return { bytes: new Uint8Array(await Bun.file(source.path).arrayBuffer()), type: IMAGE_TYPES[ext] ?? "application/octet-stream" };
}

function imageIn(dir: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return null;
  }
  // Case-insensitive: Windows rippers write Folder.jpg, others cover.JPG.
  for (const want of IMAGE_NAMES)
    for (const name of names) {
      const dot = name.lastIndexOf(".");
      if (dot > 0 && name.slice(0, dot).toLowerCase() === want && name.slice(dot + 1).toLowerCase() in IMAGE_TYPES) return join(dir, name);
    }
  return null;
}

function withEtag(path: string, embedded: boolean): CoverSource | null {
  try {
    const st = statSync(path);
    const hash = new Bun.CryptoHasher("sha1").update(`${path}\n${st.size}\n${st.mtimeMs}`).digest("base64url");
    return { path, embedded, etag: `"${hash.slice(0, 22)}"` };
  } catch {
    return null;
  }
}
