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
