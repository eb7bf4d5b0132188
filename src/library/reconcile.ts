/**
 * A reconcile: one stat-only walk of music_dir merged with every track's
 * (size, mtime, inode), both in UTF-8 byte order of the path, the tracks
 * read a page at a time (memory is a page and the folders being walked, not
 * the library). New or changed files go to the sync queue's walk backlog
 * (compact bytes, handed over when the walk ends), vanished ones to the
 * queue itself; nothing is parsed here, so the walk (and the object index
 * following it) goes at walk speed. Each folder's cover image as the walk saw
 * it is written to its tracks when they recorded another. It never purges
 * when music_dir is missing, unreadable, or empty while the library is not
 * (an unmounted share leaves an empty mount point behind).
 */
import type { Log } from "./log.ts";
import type { SyncQueue } from "./sync-queue.ts";
import type { RecordedRow, TrackStore } from "./track-store.ts";
import { WalkedCovers } from "./walked-covers.ts";
import { nextTurn } from "../event-loop/turns.ts";
import { onlyInodeMoved, sameIdentity, type FileIdentity, type MusicDir, type WalkEntry } from "../music-dir/index.ts";

/**
 * Another index that wants the same walk (the S3 object index): it sees
 * every entry, then whether the walk can be trusted to remove what it did
 * not see, and which folders could not be read (keep what is under them).
 */
export interface ReconcileObserver {
  entry(e: WalkEntry): void;
  end(trusted: boolean, unreadable: readonly string[]): void;
}

export interface ReconcileResult {
  /** False when the walk could not be trusted; then nothing was removed. */
  ok: boolean;
  reason?: string;
  /** Audio files found. */
  seen: number;
  /** New or changed files queued for parsing. */
  changed: number;
  /** Tracks the walk did not find, queued to be looked at and removed if their file is gone. */
  gone: number;
}

/** Walk entries handled between two yields to the event loop, so requests keep flowing. */
const SLICE = 2000;

/** How a reconcile reads the track table and lets requests in (tests make both small, and hold the walk at a pause). */
export interface WalkPacing {
  /** Track rows per page (KEY_PAGE). */
  pageSize?: number;
  /** Walk entries between two pauses (2000). */
  slice?: number;
  /** A pause: the next turn of the event loop. */
  pause?: () => Promise<void>;
}

export async function reconcile(parts: {
  dir: MusicDir;
  store: TrackStore;
  queue: SyncQueue;
  log: Log;
  observers?: readonly ReconcileObserver[];
  pacing?: WalkPacing;
}): Promise<ReconcileResult> {
  const { dir, store, queue, log } = parts;
  const musicDir = dir.root;
  const observers = parts.observers ?? [];
  const slice = parts.pacing?.slice ?? SLICE;
  const pause = parts.pacing?.pause ?? nextTurn;
  const refuse = (reason: string): ReconcileResult => {
    for (const o of observers) o.end(false, []);
    log.warn(`library: reconcile skipped, nothing removed: ${reason}`, { musicDir });
    return { ok: false, reason, seen: 0, changed: 0, gone: 0 };
  };
  const root = dir.look("");
  if (typeof root === "string") return refuse(`music_dir cannot be read (${root === "missing" ? "ENOENT" : "unreadable"})`);
  if (!root.isDirectory()) return refuse("music_dir is not a directory");

  const libraryHadTracks = store.hasTracks();
  // The walk and the rows come in the same order (UTF-8 bytes of rel_path):
  // a row that sorts before the walk's entry has no file where the walk looked.
  const rows = store.recorded(parts.pacing?.pageSize);
  const changed = queue.walkBacklog();
  const missed: string[] = [];
  const miss = (row: RecordedRow) => missed.push(row[0]);
  const inodes: { rel: string; ino: number }[] = [];
  const unreadable: string[] = [];
  const covers = new WalkedCovers();
  let seen = 0;
  let entries = 0;
  try {
    for (const e of dir.walk("", { onError: (rel) => unreadable.push(`${rel}/`), onOther: covers.other })) {
      if (++entries % slice === 0) await pause();
      for (const o of observers) o.entry(e);
      if (e.isDir) {
        covers.folder(e.rel);
        continue;
      }
      seen++;
      rows.skipBelow(e.rel, miss);
      const row = rows.take(e.rel);
      if (row === undefined) {
        changed.push(e.rel);
        continue;
      }
      covers.track(e.rel, row[5]);
      const k = identityOf(row);
      if (onlyInodeMoved(k, e)) inodes.push({ rel: e.rel, ino: e.ino });
      else if (!sameIdentity(k, e)) changed.push(e.rel);
    }
  } catch (error) {
    return refuse(`music_dir cannot be listed (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (entries === 0 && libraryHadTracks) return refuse("music_dir is empty but the library is not (an unmounted share?)");
  rows.rest(miss);

  for (const dir of unreadable) log.warn("library: folder cannot be read, its tracks are kept", { path: dir });
  for (const o of observers) o.end(true, unreadable);
  // Pages were read as the walk went on, between pauses in which S3 writes
  // land: a row written after the walk passed its key (or after it listed
  // the key's folder) is here without the walk having seen its file. So
  // these are only candidates: the queue looks at each path on disk
  // (PathSync.sync with no change) and removes only what is missing there.
  const gone = missed.filter((rel) => !unreadable.some((dir) => rel.startsWith(dir)));
  if (inodes.length > 0) store.setInodes(inodes);
  const coverFolders = covers.apply(store, musicDir);
  dir.adoptRoot();
  const changedCount = changed.size; // before the workers start taking it
  queue.walked(changed);
  queue.enqueueNow(gone);
  log.info("library: reconcile", { seen, changed: changedCount, gone: gone.length, coverFolders });
  return { ok: true, seen, changed: changedCount, gone: gone.length };
}

function identityOf(row: RecordedRow): FileIdentity {
  return { size: row[2], mtimeMs: row[3], ino: row[4] };
}
