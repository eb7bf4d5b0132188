/**
 * The one queue every sync source feeds: S3 writes and deletes (immediate),
 * the watcher (debounced per path), reconcile walks (no debounce, behind the
 * urgent work). Keyed by relative path, so a path enqueued twice is synced
 * once. A pool of workers takes paths (urgent first) and PathSync decides
 * what each means; results are written in small transactions, at once after
 * an urgent path, so an S3 write waits for one parse at most, never a scan.
 */
import { isWorkPath, Settle, statPath } from "../music-dir/index.ts";
import { silentLog, type Log } from "./log.ts";
import { emptyBatch, PathSync, type Batch } from "./path-sync.ts";
import type { TrackStore } from "./track-store.ts";

/**
 * Another index that follows music_dir (the S3 object index). After each
 * transaction it gets every relative path looked at: files and folders,
 * present or gone. A folder that is gone stands for everything below it.
 */
export interface PathSink {
  sync(relPaths: readonly string[]): void;
}

export interface SyncQueueOptions {
  musicDir: string;
  store: TrackStore;
  log?: Log;
  sinks?: readonly PathSink[];
  /** Quiet time a watched file needs before it is parsed. */
  debounceMs?: number;
  /** Files parsed at once. */
  concurrency?: number;
  /** Results per transaction when nothing urgent is waiting. */
  batchSize?: number;
}

export interface SyncStats {
  /** Paths taken off the queue. */
  processed: number;
  parsed: number;
  /** Parsed files whose tags could not be read (indexed by file name). */
  errors: number;
  removed: number;
}

export class SyncQueue {
  readonly stats: SyncStats = { processed: 0, parsed: 0, errors: 0, removed: 0 };
  readonly #store: TrackStore;
  readonly #log: Log;
  readonly #sinks: PathSink[];
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #urgent = new Set<string>();
  readonly #normal = new Set<string>();
  readonly #inFlight = new Set<string>();
  readonly #settle: Settle;
  readonly #paths: PathSync;
  readonly #waiters: (() => void)[] = [];
  #batch: Batch = emptyBatch();
  #workers = 0;
  #closed = false;

  constructor(options: SyncQueueOptions) {
    this.#store = options.store;
    this.#log = options.log ?? silentLog;
    this.#sinks = [...(options.sinks ?? [])];
    this.#concurrency = options.concurrency ?? 8;
    this.#batchSize = options.batchSize ?? 32;
    const probe = (rel: string) => statPath(`${options.musicDir}/${rel}`);
    this.#settle = new Settle(options.debounceMs ?? 300, probe, (rel) => this.#add(this.#normal, rel));
    this.#paths = new PathSync(options.musicDir, options.store, this.#log, {
      later: (rel) => this.#closed || this.#settle.touch(rel),
      settling: (rel) => this.#settle.has(rel),
      soon: (rel) => this.#add(this.#normal, rel),
      parsed: (failed) => {
        this.stats.parsed++;
        if (failed) this.stats.errors++;
      },
    });
  }

  addSink(sink: PathSink): void {
    this.#sinks.push(sink);
  }

  /** Syncs `rel` (file or folder). `immediate`: an S3 write/delete, no debounce, ahead of scans. */
  enqueue(rel: string, options: { immediate?: boolean } = {}): void {
    const key = normalize(rel);
    if (key === null || this.#closed) return;
    if (options.immediate) {
      this.#settle.cancel(key);
      this.#add(this.#urgent, key);
    } else {
      this.#settle.touch(key);
    }
  }

  /** A folder was created, removed or renamed: sync everything below it ("" is all of music_dir). */
  enqueueTree(relDir: string, options: { immediate?: boolean } = {}): void {
    this.enqueue(relDir, options);
  }

  /** Paths found by a walk: no debounce, behind urgent work. */
  enqueueNow(rels: Iterable<string>): void {
    for (const rel of rels) {
      const key = normalize(rel);
      if (key !== null) this.#add(this.#normal, key);
    }
  }

  /** Resolves once nothing is waiting, debounced or running. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get pending(): number {
    return this.#urgent.size + this.#normal.size + this.#settle.size + this.#inFlight.size;
  }

  /** A reconcile found music_dir readable and not empty: removals are trusted again. */
  adoptRoot(): void {
    this.#paths.adoptRoot();
  }

  /** Drops what is waiting and lets the paths in flight finish and be written. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#settle.clear();
    this.#urgent.clear();
    this.#normal.clear();
    await this.idle();
  }

  #add(set: Set<string>, rel: string): void {
    if (this.#closed) return;
    if (set === this.#normal && this.#urgent.has(rel)) return;
    set.add(rel);
    while (this.#workers < this.#concurrency && this.#workers < this.#urgent.size + this.#normal.size) {
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
          await this.#paths.sync(next.rel, found);
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
      }
    } finally {
      this.#workers--;
      this.#flush();
      this.#wakeIfIdle();
    }
  }

  /** The next path no worker holds, urgent first (a path re-queued while in flight waits its turn). */
  #next(): { rel: string; urgent: boolean } | null {
    for (const [set, urgent] of [[this.#urgent, true], [this.#normal, false]] as const) {
      for (const rel of set) {
        if (this.#inFlight.has(rel)) continue;
        set.delete(rel);
        return { rel, urgent };
      }
    }
    return null;
  }

  /** Writes what the workers found in one transaction, then tells the sinks. */
  #flush(): void {
    const batch = this.#batch;
    if (batch.seen.length === 0) return;
    this.#batch = emptyBatch();
    if (batch.upserts.length + batch.removals.length > 0) {
      try {
        this.stats.removed += this.#store.apply(batch.upserts, batch.removals).removed;
      } catch (error) {
        // A failed write (disk full, database locked) is retried after the debounce.
        this.#log.error("library: writing a sync batch failed, will retry", { error: String(error), paths: batch.seen.length });
        if (!this.#closed) for (const rel of batch.seen) this.#settle.touch(rel);
        return;
      }
    }
    for (const sink of this.#sinks) {
      try {
        sink.sync(batch.seen);
      } catch (error) {
        this.#log.error("library: a path sink failed", { error: String(error) });
      }
    }
  }

  #isIdle(): boolean {
    return this.#workers === 0 && this.pending === 0;
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
