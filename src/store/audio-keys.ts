/**
 * Which keys are objects of this bucket: the folder's music files
 * (music-dir's rule) and folders, never our working folder. The rule belongs
 * to the folder, not to the protocol, so s3/ does not know it; refusing a
 * key for it is the store's S3 error.
 */
import { isAudioPath, isWorkPath } from "../music-dir/index.ts";

/** The extensions the bucket accepts, for the console's upload page to skip the rest before sending them. */
export { AUDIO_EXTENSIONS } from "../music-dir/index.ts";
import { S3Error } from "../s3/errors.ts";
import { isFolderKey } from "../s3/keys.ts";

export function isVisibleKey(key: string): boolean {
  return !isWorkPath(key) && (isFolderKey(key) || isAudioPath(key));
}

/** PutObject, CopyObject and CreateMultipartUpload accept audio files only (SPEC §3). */
export function requireAudioKey(key: string): void {
  if (!isAudioPath(key)) throw new S3Error("InvalidRequest", "Only audio file extensions are accepted");
}
