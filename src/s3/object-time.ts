/**
 * An object's time: the one value S3 shows for it everywhere — LastModified
 * in listings, CopyObjectResult and CopyPartResult, the Last-Modified header
 * of GET/HEAD, and what If-Modified-Since / If-Unmodified-Since (and their
 * x-amz-copy-source- forms) compare with. It is whole seconds, because
 * Last-Modified can carry nothing finer (RFC 7231 §7.1.1.1), and it must be
 * the same everywhere, because sync tools read it from one place and compare
 * it with what they read from another: s3-sync-client sets a downloaded
 * file's mtime from GET's Last-Modified and compares that with the listing's
 * LastModified on the next run, so a listing with milliseconds made every
 * object look newer and every sync down download everything again.
 *
 * Rounded UP to the second, never down. What each tool compares (source
 * read, not documentation):
 * - awscli v1 and v2, `s3 sync` (SizeAndLastModifiedSync.compare_time in
 *   awscli/customizations/s3/syncstrategy/base.py): upload skips a file when
 *   the object's LastModified >= the local mtime (a float, microseconds);
 *   download skips when the local mtime <= LastModified, and after a
 *   download sets the local mtime to int(LastModified of the listing).
 * - s3-sync-client 4 (SyncObject.diff): transfers when the source's time is
 *   strictly greater than the target's; local time is stat's mtimeMs, the
 *   remote one the listing's LastModified; a download sets the local mtime
 *   from GET's Last-Modified.
 * - rclone 1.60 (backend/s3 Object.ModTime): the x-amz-meta-mtime it stores
 *   on upload (nanoseconds, we keep and return it), else HEAD's
 *   Last-Modified; equal within 1 ns, and a download sets the local mtime
 *   to that value.
 * Downloads copy our value onto the local file, so any rounding works there
 * as long as it is the same in every place. Uploads compare a local mtime
 * with our value: the file we wrote is never older than the local file the
 * client read it from, and ceil keeps that true (floor would put an upload
 * made within the second the local file was saved — or a file copied in
 * with its mtime kept, `cp -p`, rsync -t — before the local file, and
 * awscli and s3-sync-client would upload it again on every run).
 *
 * Ceil is also what makes the conditionals exact: for a whole-second date
 * T, ceil(mtime) <= T exactly when mtime <= T, so If-Modified-Since never
 * answers 304 for a change made during the second it names (floor would).
 * The cost: for up to a second after a write, Last-Modified may be later
 * than the response's Date (RFC 7232 §2.2.1 asks for the Date then); a value
 * that changed a second later would break the sync tools above, so it stays.
 *
 * Input is the index's mtime in whole milliseconds (music-dir fileIdentity),
 * so a file saved within the first millisecond of a second reads as that
 * whole second — the one case where an upload may be seen as older.
 */
export function objectTime(mtimeMs: number): number {
  return Math.ceil(mtimeMs / 1000) * 1000;
}
