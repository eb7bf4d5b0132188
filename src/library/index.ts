/**
 * The library, assembled: track store, sync queue and the periodic
 * reconcile backstop, following music_dir's changes. main.ts calls
 * createLibrary() once with the MusicDir it shares with the store, then
 * start(); the store's writes reach the queue through that MusicDir.
 * `scan` and the tests pass a folder and get a MusicDir of their own.
 */
import type { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { isNetworkFilesystem, MusicDir, type WatchFn } from "../music-dir/index.ts";
import { silentLog, type Log } from "./log.ts";
import { LibraryQueries } from "./queries.ts";
import { reconcile, type ReconcileObserver, type ReconcileResult, type WalkPacing } from "./reconcile.ts";
import { SyncQueue } from "./sync-queue.ts";
import { TagPool } from "./tag-pool.ts";
import { TrackStore } from "./track-store.ts";

export type { Log } from "./log.ts";
export type { SyncStats } from "./sync-queue.ts";
export type { ReconcileObserver, ReconcileResult, WalkPacing } from "./reconcile.ts";
export type { TrackRow, AlbumRow, ArtistRow, LibraryStats } from "./queries.ts";
export { SyncQueue, TrackStore, LibraryQueries };
export { albumCover, readCover, type CoverImage, type CoverSource } from "./cover.ts";

/** Backstop reconcile interval on a local disk with a working watcher. */
export const BACKSTOP_MS = 10 * 60_000;
/** On a network filesystem, or when the watcher failed. */
export const SHORT_BACKSTOP_MS = 30_000;

export interface LibraryOptions {
  db: Database;
  /** The folder, or the MusicDir shared with the store (then the caller closes it). */
  musicDir: string | MusicDir;
  log?: Log;
  /** Indexes that follow each reconcile walk (so music_dir is walked once, not once per index). */
  observers?: readonly ReconcileObserver[];
  /** For a folder given by name: the quiet time a watched file needs before it is parsed. */
  debounceMs?: number;
  /** Parses in flight at once. */
  concurrency?: number;
  /** Tag-parsing worker threads (0: on the main thread). Default: one per core but one. */
  tagThreads?: number;
  backstopMs?: number;
  shortBackstopMs?: number;
  /** For a folder given by name: replaces node:fs watch (tests simulate ENOSPC). */
  watchFn?: WatchFn;
  /** How a reconcile pages the track table and pauses for requests (tests). */
  walkPacing?: WalkPacing;
}

export interface Library {
  readonly store: TrackStore;
  readonly queue: SyncQueue;
  readonly queries: LibraryQueries;
  /** Whether the recursive watch is running (false: falling back to the short backstop). */
  readonly watching: boolean;
  /** The current backstop interval. */
  readonly backstopMs: number;
  /** When the last reconcile walk finished (ms since the epoch), null before the first. */
  readonly lastReconcileMs: number | null;
  /** Starts the watcher and the backstop timer, then runs the startup reconcile (walk + queue, not the parsing). */
  start(): Promise<ReconcileResult>;
  /** One reconcile walk; with `wait`, also waits for every queued parse and prunes orphans. */
  reconcile(options?: { wait?: boolean }): Promise<ReconcileResult>;
  /** Stops the watcher and the timer and lets the running batch finish. Does not close `db`. */
  close(): Promise<void>;
}

export function createLibrary(options: LibraryOptions): Library {
  const log = options.log ?? silentLog;
  const ownDir = typeof options.musicDir === "string";
  const dir =
    typeof options.musicDir === "string"
      ? new MusicDir({ root: resolve(options.musicDir), log, debounceMs: options.debounceMs, watchFn: options.watchFn })
      : options.musicDir;
  const musicDir = dir.root;
  const store = new TrackStore(options.db, musicDir);
  const tags = new TagPool({ log, threads: options.tagThreads });
  const queue = new SyncQueue({ dir, store, log, concurrency: options.concurrency, tags });
  dir.follow(queue);
  const queries = new LibraryQueries(options.db);
  const long = options.backstopMs ?? BACKSTOP_MS;
  const short = options.shortBackstopMs ?? SHORT_BACKSTOP_MS;
  const network = isNetworkFilesystem(musicDir);
  let timer: Timer | null = null;
  let interval = network ? short : long;
  let running: Promise<ReconcileResult> | null = null;
  let closed = false;
  let lastReconcileMs: number | null = null;

  const runReconcile = async (wait = false): Promise<ReconcileResult> => {
    // One walk at a time: a backstop tick during a long walk joins it; one
    // after it, while its backlog is still being parsed, replaces that
    // backlog with what it finds (SyncQueue.walked), so nothing piles up.
    running ??= reconcile({ dir, store, queue, log, observers: options.observers, pacing: options.walkPacing }).finally(() => (running = null));
    const result = await running;
    if (result.ok) lastReconcileMs = Date.now(); // a refused walk (music_dir unreadable) did not reconcile
    if (wait) {
      await queue.idle();
      if (result.ok) store.pruneOrphans();
    }
    return result;
  };

  const schedule = (ms: number) => {
    interval = ms;
    if (timer) clearInterval(timer);
    if (closed) return;
    timer = setInterval(() => {
      if (!dir.watching && startWatching()) schedule(network ? short : long); // the watch limit may have been raised
      runReconcile().catch((error) => log.error("library: backstop reconcile failed", { error: String(error) }));
    }, ms);
    timer.unref();
  };

  const startWatching = (): boolean => dir.startWatching(() => schedule(short));

  return {
    store,
    queue,
    queries,
    get watching() {
      return dir.watching;
    },
    get backstopMs() {
      return interval;
    },
    get lastReconcileMs() {
      return lastReconcileMs;
    },
    async start() {
      if (network) log.info("library: music_dir is on a network filesystem; reconciling often", { musicDir, everyMs: short });
      schedule(interval);
      startWatching(); // before the walk, so nothing changed during it is missed
      return runReconcile();
    },
    reconcile: (opts) => runReconcile(opts?.wait ?? false),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      dir.stopWatching();
      await running?.catch(() => undefined);
      await queue.close();
      tags.close();
      if (ownDir) dir.close();
    },
  };
}
