/**
 * A reconcile: one stat-only walk of music_dir compared with one SELECT of
 * every track's (size, mtime, inode). New or changed files and vanished ones
 * go to the sync queue; nothing is parsed here. Each folder's cover image
 * as the walk saw it is written to its tracks when they recorded another. It never purges when
 * music_dir is missing, unreadable, or empty while the library is not (an
 * unmounted share leaves an empty mount point behind).
 */
import type { Log } from "./log.ts";
import type { SyncQueue } from "./sync-queue.ts";
import type { TrackStore } from "./track-store.ts";
import { WalkedCovers } from "./walked-covers.ts";
import { onlyInodeMoved, sameIdentity, type MusicDir, type WalkEntry } from "../music-dir/index.ts";

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
  /** Tracks whose file is gone, queued for removal. */
  gone: number;
}

/** Walk entries handled between two yields to the event loop, so requests keep flowing. */
const SLICE = 2000;

export async function reconcile(parts: {
  dir: MusicDir;
  store: TrackStore;
  queue: SyncQueue;
  log: Log;
  observers?: readonly ReconcileObserver[];
}): Promise<ReconcileResult> {
  const { dir, store, queue, log } = parts;
  const musicDir = dir.root;
  const observers = parts.observers ?? [];
  const refuse = (reason: string): ReconcileResult => {
    for (const o of observers) o.end(false, []);
    log.warn(`library: reconcile skipped, nothing removed: ${reason}`, { musicDir });
    return { ok: false, reason, seen: 0, changed: 0, gone: 0 };
  };
  const root = dir.look("");
  if (typeof root === "string") return refuse(`music_dir cannot be read (${root === "missing" ? "ENOENT" : "unreadable"})`);
  if (!root.isDirectory()) return refuse("music_dir is not a directory");

  const known = store.known();
  const libraryHadTracks = known.size > 0;
  const changed: string[] = [];
  const inodes: { rel: string; ino: number }[] = [];
  const unreadable: string[] = [];
  const covers = new WalkedCovers();
  let seen = 0;
  let entries = 0;
  try {
    for (const e of dir.walk("", { onError: (rel) => unreadable.push(`${rel}/`), onOther: covers.other })) {
      if (++entries % SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
      for (const o of observers) o.entry(e);
      if (e.isDir) {
        covers.folder(e.rel);
        continue;
      }
      seen++;
      const k = known.get(e.rel);
      known.delete(e.rel);
      if (k) covers.track(k);
      if (k && onlyInodeMoved(k, e)) inodes.push({ rel: e.rel, ino: e.ino });
      else if (!k || !sameIdentity(k, e)) changed.push(e.rel);
    }
  } catch (error) {
    return refuse(`music_dir cannot be listed (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (entries === 0 && libraryHadTracks) return refuse("music_dir is empty but the library is not (an unmounted share?)");

  for (const dir of unreadable) log.warn("library: folder cannot be read, its tracks are kept", { path: dir });
  for (const o of observers) o.end(true, unreadable);
  const gone = [...known.keys()].filter((rel) => !unreadable.some((dir) => rel.startsWith(dir)));
  known.clear(); // not left to the collector: see IndexSync.endWalk
  if (inodes.length > 0) store.setInodes(inodes);
  const coverFolders = covers.apply(store, musicDir);
  dir.adoptRoot();
  queue.enqueueNow(changed);
  queue.enqueueNow(gone);
  log.info("library: reconcile", { seen, changed: changed.length, gone: gone.length, coverFolders });
  return { ok: true, seen, changed: changed.length, gone: gone.length };
}
