/**
 * The stat-only walk of music_dir, shared by the library reconcile and the
 * S3 object index. Yields every directory (except the root and our working
 * folder) and every audio file; other files (cover.jpg, .cue) are skipped.
 * Symlinks to files are followed; symlinks to directories are not descended
 * (a link cycle must not hang a scan).
 */
import { readdirSync, statSync, type Dirent, type Stats } from "node:fs";
import { isAudioKey } from "../s3/keys.ts";
import { isWorkPath } from "./hidden.ts";

export interface WalkEntry {
  /** "/"-separated path relative to music_dir, no leading or trailing "/". */
  rel: string;
  size: number;
  /** Whole milliseconds, as stored in the library and the object index. */
  mtimeMs: number;
  ino: number;
  isDir: boolean;
}

export interface WalkOptions {
  /** A directory below the start could not be read; the walk goes on without it. */
  onError?: (rel: string, error: Error) => void;
}

/** The identity the library compares to notice a change. */
export function fileIdentity(st: Stats): { size: number; mtimeMs: number; ino: number } {
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino };
}

/**
 * Walks `root/relDir` depth first. Throws if `relDir` itself cannot be read
 * (so a caller can refuse to purge anything); errors below it go to onError.
 */
export function* walkTree(root: string, relDir = "", options: WalkOptions = {}): Generator<WalkEntry> {
  const stack: string[] = [relDir];
  let first = true;
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const absDir = dir === "" ? root : `${root}/${dir}`;
    let entries: Dirent[];
    try {
      entries = readdirSync(absDir, { withFileTypes: true });
    } catch (error) {
      if (first) throw error;
      options.onError?.(dir, error as Error);
      continue;
    }
    first = false;
    // Plain concatenation, not path.join: this loop runs once per file of the library.
    const prefix = dir === "" ? "" : `${dir}/`;
    for (const entry of entries) {
      const rel = prefix + entry.name;
      if (dir === "" && isWorkPath(rel)) continue;
      const isDir = entry.isDirectory();
      if (!isDir && !isAudioKey(entry.name)) continue;
      const st = statSync(`${absDir}/${entry.name}`, { throwIfNoEntry: false });
      // Gone between readdir and stat: the next event or walk sees it gone.
      if (st === undefined) continue;
      if (isDir) stack.push(rel);
      else if (!st.isFile()) continue;
      yield { rel, size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino, isDir };
    }
  }
}
