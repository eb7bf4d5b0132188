/**
 * Conventions of the music folder that the S3 store and the library share.
 * A leaf module: it imports nothing of ours.
 */
import type { Stats } from "node:fs";

/**
 * Our working folder inside music_dir (in-progress uploads, multipart parts).
 * It lives there so a finished upload is renamed into place atomically on the
 * same filesystem; S3, the library, the watcher and the walker never look inside.
 */
export const WORK_DIR_NAME = ".rockboxd-s3";

/** True for the working folder itself and anything under it (`rel` is relative to music_dir, "/"-separated). */
export function isWorkPath(rel: string): boolean {
  return rel === WORK_DIR_NAME || rel.startsWith(WORK_DIR_NAME + "/");
}

/**
 * What both indexes compare to notice that a file changed: size, mtime in
 * whole milliseconds (what SQLite stores), inode.
 */
export function fileIdentity(st: Stats): { size: number; mtimeMs: number; ino: number } {
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs), ino: st.ino };
}
