/**
 * The one queue every sync source feeds: music_dir's changes (our own S3
 * writes and deletes urgent, the watcher's already debounced), reconcile
 * walks (behind both). Keyed by relative path, so a path queued twice is
 * synced once, with the latest look at it; a walk's paths, often the whole
 * library, wait apart as UTF-8 bytes (walkBacklog). A pool of workers takes
 * paths (urgent first) and PathSync decides what each means; results are
 * written in small transactions, at once after an urgent path, so an S3
 * write waits for one parse at most, never a scan.
 */
import { isWorkPath, type Change, type Follower, type MusicDir } from "../music-dir/index.ts";
import { takeTurn } from "../event-loop/turns.ts";
import { Utf8Fifo } from "../text/utf8-fifo.ts";
import { silentLog, type Log } from "./log.ts";
import { emptyBatch, PathSync, type Batch } from "./path-sync.ts";
import type { TagPool } from "./tag-pool.ts";
import type { TrackStore } from "./track-store.ts";

export interface SyncQueueOptions {
  dir: MusicDir;
  store: TrackStore;
  log?: Log;
  /**
   * Paths in flight at once. Deep enough that a tag worker always holds a
   * backlog while the main thread writes a batch or collects: with 8, the
   * worker of a 100,000-file first scan sat idle a third of the time (51-57 s);
   * with 32, 44 s; with 64, 35-40 s, but then PUT responses during the scan
   * reached p99 ~200 ms (main thread busier) against 45-120 ms at 8-32.
   * An S3 write's file is parsed ahead of the backlog either way.
   */
  concurrency?: number;
  /** Where tags are read (worker threads); inline when not given. */
  tags?: TagPool;
  /** Results per transaction when nothing urgent is waiting. */
  batchSize?: number;
  /** Bytes per chunk of a walk's backlog (64 KiB; tests make it small). */
  backlogChunkBytes?: number;
}

export interface SyncStats {
  /** Paths taken off the queue. */
  processed: number;
  parsed: number;
  /** Parsed files whose tags could not be read (indexed by file name). */
  errors: number;
  removed: number;
}

/**
 * Parses between two full collections. A first scan makes garbage faster
 * than JSC collects it: with 100,000 new files the main thread's heap grew
 * to 2-3x its live size (~14 MB, then mostly the queued paths, which now
 * wait as bytes: walkBacklog) and the process's RSS from ~130 to 180-195 MB
 * between collections. A full collection every thousand parses (~25 ms,
 * about 5 % of the main thread's scan work) kept the peak at ~140 MB at the
 * same scan rate. Uploads one at a time reach it once in a thousand files.
 */
const COLLECT_EVERY = 1000;

/** A queued path: the change music_dir handed over, or null when the worker must look itself. */
type Queued = Map<string, Change | null>;

export class SyncQueue implements Follower {
  readonly stats: SyncStats = { processed: 0, parsed: 0, errors: 0, removed: 0 };
  readonly #dir: MusicDir;
  readonly #store: TrackStore;
  readonly #log: Log;
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #urgent: Queued = new Map();
  readonly #normal: Queued = new Map();
  readonly #backlogChunkBytes: number | undefined;
  /** The last reconcile walk's new and changed paths, synced after the two queues above. */
  #walked: Utf8Fifo;
  readonly #inFlight = new Set<string>();
  readonly #paths: PathSync;
  readonly #waiters: (() => void)[] = [];
  #batch: Batch = emptyBatch();
  #workers = 0;
  #closed = false;
  #parsedSinceCollect = 0;

  constructor(options: SyncQueueOptions) {
    this.#dir = options.dir;
    this.#store = options.store;
    this.#log = options.log ?? silentLog;
    this.#concurrency = options.concurrency ?? 32;
    this.#batchSize = options.batchSize ?? 32;
    this.#backlogChunkBytes = options.backlogChunkBytes;
    this.#walked = this.walkBacklog();
    this.#paths = new PathSync(options.dir, options.store, this.#log, {
      later: (rel) => this.#closed || this.#dir.touch(rel),
      settling: (rel) => this.#dir.settling(rel),
      soon: (rel) => this.#add(this.#normal, rel, null),
      parsed: (failed) => {
        this.stats.parsed++;
        this.#parsedSinceCollect++;
        if (failed) this.stats.errors++;
      },
    }, options.tags && ((path, size, urgent) => options.tags!.read(path, size, urgent, this.pending).then((r) => r.tags)));
  }

  /** music_dir handed over a change: ours first, the watcher's behind them. */
  changed(change: Change): void {
    const key = normalize(change.rel);
    if (key === null) return;
    this.#add(change.ours ? this.#urgent : this.#normal, key, change);
  }

  /**
   * Syncs `rel` (file or folder; the worker looks at it). `immediate`: no
   * debounce, ahead of scans; otherwise music_dir waits until it has settled.
   */
  enqueue(rel: string, options: { immediate?: boolean } = {}): void {
    const key = normalize(rel);
    if (key === null || this.#closed) return;
    if (options.immediate) this.#add(this.#urgent, key, null);
    else this.#dir.touch(key);
  }

  /**
   * Where a reconcile walk puts the paths it finds new or changed, as it
   * goes; handed back with walked() when the walk ends. Bytes, not strings
   * in #normal: a first scan of 100,000 files held them there as 9 MB of
   * live JS heap for the whole scan (14.0 against 4.8 MB right after the
   * walk: a path string and a Map entry each), and JSC's heap runs at up to
   * twice its live size; as UTF-8 they take their bytes and 4 more each,
   * outside the heap (4.4 MB for 100,000 40-byte paths), and each is a
   * string again only when a worker takes it.
   */
  walkBacklog(): Utf8Fifo {
    return new Utf8Fifo(this.#backlogChunkBytes);
  }

  /**
   * A walk ended: its backlog replaces the last walk's, synced behind
   * everything else. Whatever of the last one was not synced yet, this walk
   * found again (the track rows still differ from the files), so a backstop
   * walk during a long first scan queues that remainder once instead of
   * adding it again and again. No dedupe against the other queues: a path
   * also queued by the watcher gets a second look, which usually finds its
   * identity recorded and parses nothing.
   */
  walked(backlog: Utf8Fifo): void {
    if (this.#closed) return;
    this.#walked = backlog;
    this.#startWorkers();
  }

  /** Paths to look at now (a walk's vanished rows): no debounce, behind urgent work. */
  enqueueNow(rels: Iterable<string>): void {
    for (const rel of rels) {
      const key = normalize(rel);
      if (key !== null) this.#add(this.#normal, key, null);
    }
  }

  /** Resolves once nothing is waiting to settle, queued or running. */
  async idle(): Promise<void> {
    do {
      await this.#dir.quiet();
      await this.#ownIdle();
    } while (!this.#closed && this.#dir.settlingCount > 0);
  }

  get pending(): number {
    return this.#queued() + this.#dir.settlingCount + this.#inFlight.size;
  }

  /** Drops what is queued and lets the paths in flight finish and be written. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#urgent.clear();
    this.#normal.clear();
    this.#walked.clear();
    await this.#ownIdle();
  }

  #ownIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #add(queue: Queued, rel: string, change: Change | null): void {
    if (this.#closed) return;
    if (queue === this.#normal && this.#urgent.has(rel)) {
      // Already urgent: keep its place, take the newer look.
      if (change) this.#urgent.set(rel, change);
      return;
    }
    // A later plain enqueue must not throw away a look already handed over.
    if (change || !queue.has(rel)) queue.set(rel, change);
    if (queue === this.#urgent) this.#normal.delete(rel);
    this.#startWorkers();
  }

  #queued(): number {
    return this.#urgent.size + this.#normal.size + this.#walked.size;
  }

  #startWorkers(): void {
    while (this.#workers < this.#concurrency && this.#workers < this.#queued()) {
      this.#workers++;
      void this.#work();
    }
  }

  async #work(): Promise<void> {
    await null; // let the caller finish queueing (a folder move arrives as a burst)
    try {
      for (let next = this.#next(); next; next = this.#next()) {
        this.#inFlight.add(next.rel);
        try {
          // Its own batch: a flush may swap this.#batch while the parse is awaited.
          const found = emptyBatch();
          await this.#paths.sync(next.rel, found, next.change, next.urgent);
          this.#batch.upserts.push(...found.upserts);
          this.#batch.removals.push(...found.removals);
          this.#batch.seen.push(...found.seen);
        } catch (error) {
          this.#log.error("library: sync of a path failed", { path: next.rel, error: String(error) });
        } finally {
          this.#inFlight.delete(next.rel);
        }
        this.stats.processed++;
        if (next.urgent || this.#batch.seen.length >= this.#batchSize) this.#flush();
        // A parse inline (one core, or no tag worker) and a removal are made of
        // resolved awaits: without turns a first scan on one core held every request for the whole scan (82 s).
        await takeTurn();
      }
    } finally {
      this.#workers--;
      this.#flush();
      this.#wakeIfIdle();
    }
  }

  /** The next path no worker holds, urgent first, the walk's last (a path re-queued while in flight waits its turn). */
  #next(): { rel: string; change: Change | null; urgent: boolean } | null {
    for (const [queue, urgent] of [[this.#urgent, true], [this.#normal, false]] as const) {
      for (const [rel, change] of queue) {
        if (this.#inFlight.has(rel)) continue;
        queue.delete(rel);
        return { rel, change, urgent };
      }
    }
    for (let rel = this.#walked.shift(); rel !== undefined; rel = this.#walked.shift()) {
      if (!this.#inFlight.has(rel)) return { rel, change: null, urgent: false };
      // Being synced from another queue, maybe from an older look (our own write's sync trusts its
      // stat): look again after that one, unless it is queued again already.
      if (!this.#urgent.has(rel) && !this.#normal.has(rel)) this.#normal.set(rel, null);
    }
    return null;
  }

  /** Writes what the workers found in one transaction. */
  #flush(): void {
    const batch = this.#batch;
    if (batch.seen.length === 0) return;
    this.#batch = emptyBatch();
    if (batch.upserts.length + batch.removals.length === 0) return;
    try {
      this.stats.removed += this.#store.apply(batch.upserts, batch.removals).removed;
      if (this.#parsedSinceCollect >= COLLECT_EVERY) {
        this.#parsedSinceCollect = 0;
        Bun.gc(true);
      }
    } catch (error) {
      // A failed write (disk full, database locked) is retried after the debounce.
      this.#log.error("library: writing a sync batch failed, will retry", { error: String(error), paths: batch.seen.length });
      if (!this.#closed) for (const rel of batch.seen) this.#dir.touch(rel);
    }
  }

  #isIdle(): boolean {
    return this.#workers === 0 && this.#queued() + this.#inFlight.size === 0;
  }

  #wakeIfIdle(): void {
    if (!this.#isIdle()) return;
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

function normalize(rel: string): string | null {
  const key = rel.replace(/^\/+|\/+$/g, "");
  return isWorkPath(key) ? null : key;
}
