/**
 * How anyone following the folder tells that a file changed: size, mtime in
 * whole milliseconds (what SQLite stores) and inode. One comparison, used by
 * the library, the object index, the ETag hasher and the debounce alike.
 */
import { statSync, type Stats } from "node:fs";

export interface FileIdentity {
  size: number;
  /** Whole milliseconds, as stored in the library and the object index. */
  mtimeMs: number;
  ino: number;
}

export function fileIdentity(st: Stats): FileIdentity {
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/** Same size and mtime under a new inode (a remount, a `cp -p`): the content is taken as unchanged. */
export function onlyInodeMoved(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino !== b.ino;
}

/** "missing" only when the path is really not there; any other failure (EACCES, EIO) is "error". */
export type Look = Stats | "missing" | "error";

export function statPath(path: string): Look {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "error";
  }
}

/** Two looks at one path agree: both missing, both unreadable, both folders, or files of one identity. */
export function sameLook(a: Look, b: Look): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  if (a.isDirectory() || b.isDirectory()) return a.isDirectory() && b.isDirectory();
  return sameIdentity(fileIdentity(a), fileIdentity(b));
}

/** For callers to whom any failure means "not there". */
export function statOrNull(path: string): Stats | null {
  const st = statPath(path);
  return typeof st === "string" ? null : st;
}
