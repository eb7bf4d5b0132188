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
import { compareUtf8 } from "../text/utf8-order.ts";

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
   * order its folder lists them, right after the folder's own entry (the
   * start folder's before the first entry): the library notices cover
   * images without reading every folder a second time.
   */
  onOther?: (relDir: string, name: string) => void;
}

/** A folder listed and not yet left: its audio files and subfolders still to visit, the next one last. */
interface Open {
  dir: string;
  absDir: string;
  todo: Dirent[];
}

/**
 * Walks `root/relDir` depth first, pre-order, each folder's entries in
 * UTF-8 byte order of their keys (a file's name, a folder's name + "/"): the
 * whole sequence is then in byte order of `rel` for files and `rel + "/"` for
 * folders, which is SQLite's BINARY order of the same paths, so a caller can
 * merge it with an `ORDER BY` read page by page. A folder is yielded when it
 * is read (its emptiness needs its entries), right before its contents, and
 * its other files go to onOther when the walk resumes after it. Throws if
 * `relDir` itself cannot be read (so a caller can refuse to purge anything);
 * errors below it go to onError.
 */
export function* walkTree(root: string, relDir = "", options: WalkOptions = {}): Generator<WalkEntry> {
  const start = list(root, relDir); // throws: the caller decides
  if (options.onOther) for (const name of start.others) options.onOther(relDir, name);
  const open: Open[] = [{ dir: relDir, absDir: start.absDir, todo: start.todo }];
  while (open.length > 0) {
    const folder = open.at(-1)!;
    const entry = folder.todo.pop();
    if (entry === undefined) {
      open.pop();
      continue;
    }
    // Plain concatenation, not path.join: this loop runs once per file of the library.
    const rel = folder.dir === "" ? entry.name : `${folder.dir}/${entry.name}`;
    const st = statEntry(`${folder.absDir}/${entry.name}`, options.stat);
    // Gone between readdir and stat: the next event or walk sees it gone.
    if (st === undefined) continue;
    if (!entry.isDirectory()) {
      if (st.isFile()) yield { rel, ...fileIdentity(st), isDir: false, empty: false };
      continue;
    }
    let listed: Listed;
    try {
      listed = list(root, rel);
    } catch (error) {
      options.onError?.(rel, error as Error);
      continue;
    }
    yield { ...fileIdentity(st), size: 0, rel, isDir: true, empty: listed.count === 0 };
    if (options.onOther) for (const name of listed.others) options.onOther(rel, name);
    open.push({ dir: rel, absDir: listed.absDir, todo: listed.todo });
  }
}

interface Listed {
  absDir: string;
  /** Everything the folder lists (a folder with only cover.jpg is not empty). */
  count: number;
  /** Audio files and folders, in reverse key order (taken from the end). */
  todo: Dirent[];
  /** Other files' names, in the order the folder lists them. */
  others: string[];
}

function list(root: string, dir: string): Listed {
  const absDir = dir === "" ? root : `${root}/${dir}`;
  const entries = readdirSync(absDir, { withFileTypes: true });
  const keyed: { key: string; entry: Dirent }[] = [];
  const others: string[] = [];
  for (const entry of entries) {
    if (dir === "" && isWorkPath(entry.name)) continue;
    if (entry.isDirectory()) keyed.push({ key: `${entry.name}/`, entry });
    else if (isAudioPath(entry.name)) keyed.push({ key: entry.name, entry });
    else others.push(entry.name);
  }
  keyed.sort((a, b) => compareUtf8(b.key, a.key));
  return { absDir, count: entries.length, todo: keyed.map((k) => k.entry), others };
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
