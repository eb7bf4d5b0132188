/**
 * The stat-only walk of music_dir: the library and the object index both
 * follow the same walk. Yields every directory (except the root and our working
 * folder) and every audio file; other files (cover.jpg, .cue) are skipped.
 * Symlinks to files are followed; symlinks to directories are not descended
 * (a link cycle must not hang a scan).
 */
import { readdirSync, statSync, type Dirent, type Stats } from "node:fs";
import { isAudioPath } from "./audio.ts";
import { fileIdentity, type FileIdentity } from "./identity.ts";
import { isWorkPath } from "./work-dir.ts";

export interface WalkEntry extends FileIdentity {
  /** "/"-separated path relative to music_dir, no leading or trailing "/". */
  rel: string;
  isDir: boolean;
  /** Folders only: nothing at all inside (a folder with only cover.jpg is not empty). */
  empty: boolean;
}

export interface WalkOptions {
  /** A directory below the start could not be read; the walk goes on without it. */
  onError?: (rel: string, error: Error) => void;
  /** How each entry is stat'ed (MusicDir passes its own); throws ENOENT for a vanished one. */
  stat?: (path: string) => Stats;
  /**
   * Each other file's name (not audio, not a folder; not stat'ed), in the
   * order its folder lists them: the library notices cover images without
   * reading every folder a second time.
   */
  onOther?: (relDir: string, name: string) => void;
}

/**
 * Walks `root/relDir` depth first. Throws if `relDir` itself cannot be read
 * (so a caller can refuse to purge anything); errors below it go to onError.
 */
export function* walkTree(root: string, relDir = "", options: WalkOptions = {}): Generator<WalkEntry> {
  // A folder is yielded when it is read, so that its emptiness is known.
  const stack: { rel: string; st: Stats | null }[] = [{ rel: relDir, st: null }];
  let first = true;
  const onOther = options.onOther;
  while (stack.length > 0) {
    const { rel: dir, st: dirStat } = stack.pop()!;
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
    if (dirStat) yield { ...fileIdentity(dirStat), size: 0, rel: dir, isDir: true, empty: entries.length === 0 };
    // Plain concatenation, not path.join: this loop runs once per file of the library.
    const prefix = dir === "" ? "" : `${dir}/`;
    for (const entry of entries) {
      const rel = prefix + entry.name;
      if (dir === "" && isWorkPath(rel)) continue;
      const isDir = entry.isDirectory();
      if (!isDir && !isAudioPath(entry.name)) {
        onOther?.(dir, entry.name);
        continue;
      }
      const st = statEntry(`${absDir}/${entry.name}`, options.stat);
      // Gone between readdir and stat: the next event or walk sees it gone.
      if (st === undefined) continue;
      if (isDir) stack.push({ rel, st });
      else if (st.isFile()) yield { rel, ...fileIdentity(st), isDir: false, empty: false };
    }
  }
}

function statEntry(path: string, stat: WalkOptions["stat"]): Stats | undefined {
  if (!stat) return statSync(path, { throwIfNoEntry: false });
  try {
    return stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
