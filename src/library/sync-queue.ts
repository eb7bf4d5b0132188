/**
 * The one queue every sync source feeds: S3 writes and deletes (immediate),
 * the watcher (debounced per path), reconcile walks (no debounce, behind the
 * urgent work). Keyed by relative path, so a path enqueued twice is synced
 * once. Processing a path stats it: a file is parsed when its size, mtime or
 * inode changed and upserted; a folder is expanded into its files; a missing
 * path removes its track and every track below it.
 */
import { statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { isAudioKey } from "../s3/keys.ts";
import { isWorkPath } from "./hidden.ts";
import { silentLog, type Log } from "./log.ts";
import { Settle } from "./settle.ts";
import { readTags } from "./tags.ts";
import type { TrackStore, TrackUpsert } from "./track-store.ts";
import { fileIdentity, walkTree } from "./walk.ts";

/**
 * Another index that follows music_dir (the S3 object index). After each
 * batch it gets every relative path the batch looked at: files and folders,
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
  /** Paths per transaction; small enough that an S3 write never waits long behind a scan. */
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
  readonly #musicDir: string;
  readonly #store: TrackStore;
  readonly #log: Log;
  readonly #sinks: PathSink[];
  readonly #concurrency: number;
  readonly #batchSize: number;
  readonly #urgent = new Set<string>();
  readonly #normal = new Set<string>();
  readonly #settle: Settle;
  readonly #waiters: (() => void)[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;
  #rootId: string | null;
  #rootWarned = false;

  constructor(options: SyncQueueOptions) {
    this.#musicDir = options.musicDir;
    this.#store = options.store;
    this.#log = options.log ?? silentLog;
    this.#sinks = [...(options.sinks ?? [])];
    this.#concurrency = options.concurrency ?? 8;
    this.#batchSize = options.batchSize ?? 128;
    this.#settle = new Settle(options.debounceMs ?? 300, (rel) => this.#probe(rel), (rel) => this.#add(this.#normal, rel));
    this.#rootId = this.#currentRootId();
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
      if (key !== null && !this.#closed) this.#add(this.#normal, key);
    }
  }

  /** Resolves once nothing is waiting, debounced or running. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  get pending(): number {
    return this.#urgent.size + this.#normal.size + this.#settle.size;
  }

  /** Drops what is waiting and lets the running batch finish. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#settle.clear();
    this.#urgent.clear();
    this.#normal.clear();
    await this.#draining;
    this.#wakeIfIdle();
  }

  #add(set: Set<string>, rel: string): void {
    if (this.#closed) return;
    if (set === this.#normal && this.#urgent.has(rel)) return;
    set.add(rel);
    this.#draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
  }

  async #drain(): Promise<void> {
    try {
      while (this.#urgent.size + this.#normal.size > 0) {
        const batch = take(this.#urgent.size > 0 ? this.#urgent : this.#normal, this.#batchSize);
        try {
          await this.#process(batch);
        } catch (error) {
          // A failed write (disk full, database locked) is retried after the debounce.
          this.#log.error("library: sync batch failed, will retry", { error: String(error), paths: batch.length });
          if (!this.#closed) for (const rel of batch) this.#settle.touch(rel);
        }
      }
    } finally {
      this.#draining = null;
      this.#wakeIfIdle();
    }
  }

  async #process(rels: string[]): Promise<void> {
    const upserts: TrackUpsert[] = [];
    const removals: string[] = [];
    const seen: string[] = [...rels];
    await mapLimit(rels, this.#concurrency, async (rel) => {
      const abs = join(this.#musicDir, rel);
      const st = statPath(abs);
      if (st === "error") return; // unreadable (EACCES, EIO): neither parse nor remove
      if (st === "missing") {
        if (!this.#rootIsOurs()) return;
        const gone = [...(this.#store.get(rel) ? [rel] : []), ...this.#store.relsUnder(rel)];
        removals.push(...gone);
        seen.push(...gone.filter((r) => r !== rel));
      } else if (st.isDirectory()) {
        this.#expand(rel, removals, seen);
      } else if (st.isFile() && isAudioKey(rel)) {
        const id = fileIdentity(st);
        const known = this.#store.get(rel);
        if (known && known.size === id.size && known.mtimeMs === id.mtimeMs && known.ino === id.ino) return;
        const tags = await readTags(abs, id.size);
        const after = statPath(abs);
        if (typeof after === "string" || token(after) !== token(st)) {
          if (!this.#closed) this.#settle.touch(rel); // changed while being parsed: parse again once it settles
          return;
        }
        this.stats.parsed++;
        if (tags.parseError) this.stats.errors++;
        upserts.push({ rel, ...id, tags });
      }
    });
    this.stats.processed += rels.length;
    if (upserts.length + removals.length > 0) {
      const result = this.#store.apply(upserts, removals);
      this.stats.removed += result.removed;
    }
    for (const sink of this.#sinks) {
      try {
        sink.sync(seen);
      } catch (error) {
        this.#log.error("library: a path sink failed", { error: String(error) });
      }
    }
  }

  /** A folder: queue its new or changed files, remove tracks below it that are no longer there. */
  #expand(relDir: string, removals: string[], seen: string[]): void {
    const unreadable: string[] = [];
    const present = new Set<string>();
    try {
      for (const e of walkTree(this.#musicDir, relDir, { onError: (rel) => unreadable.push(`${rel}/`) })) {
        seen.push(e.rel);
        if (e.isDir) continue;
        present.add(e.rel);
        if (this.#settle.has(e.rel)) continue; // the watcher is still seeing it written
        const known = this.#store.get(e.rel);
        if (!known || known.size !== e.size || known.mtimeMs !== e.mtimeMs || known.ino !== e.ino) this.#add(this.#normal, e.rel);
      }
    } catch (error) {
      this.#log.warn("library: cannot read folder, leaving its tracks alone", { path: relDir, error: String(error) });
      return;
    }
    if (!this.#rootIsOurs()) return;
    if (this.#store.get(relDir)) removals.push(relDir); // a file replaced by a folder of the same name
    for (const rel of this.#store.relsUnder(relDir)) {
      if (present.has(rel) || unreadable.some((dir) => rel.startsWith(dir))) continue;
      removals.push(rel);
      seen.push(rel);
    }
  }

  /**
   * Removals need music_dir to be the directory we started with: an
   * unmounted share leaves an empty mount point (another inode) behind, and
   * that must not read as "every file was deleted".
   */
  #rootIsOurs(): boolean {
    const now = this.#currentRootId();
    if (now !== null && this.#rootId === null) this.#rootId = now;
    if (now !== null && now === this.#rootId) return true;
    if (!this.#rootWarned) this.#log.warn("library: music_dir is missing or was replaced; not removing any track", { musicDir: this.#musicDir });
    this.#rootWarned = true;
    return false;
  }

  /** A full reconcile found music_dir readable and not empty: it is ours from now on. */
  adoptRoot(): void {
    this.#rootId = this.#currentRootId();
    this.#rootWarned = false;
  }

  #currentRootId(): string | null {
    const st = statPath(this.#musicDir);
    return typeof st !== "string" && st.isDirectory() ? `${st.dev}:${st.ino}` : null;
  }

  #probe(rel: string): string {
    const st = statPath(join(this.#musicDir, rel));
    return typeof st === "string" ? st : token(st);
  }

  #isIdle(): boolean {
    return this.#draining === null && this.pending === 0;
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

/** "missing" only when the path is really not there; any other failure is "error". */
function statPath(path: string): Stats | "missing" | "error" {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" || code === "ENOTDIR" ? "missing" : "error";
  }
}

function token(st: Stats): string {
  return st.isDirectory() ? "dir" : `${st.size}:${st.mtimeMs}:${st.ino}`;
}

function take(set: Set<string>, n: number): string[] {
  const out: string[] = [];
  for (const rel of set) {
    if (out.length === n) break;
    out.push(rel);
    set.delete(rel);
  }
  return out;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
