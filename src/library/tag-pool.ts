/**
 * Tag parsing on the spare cores (SPEC §8: a first scan on workers). One
 * worker per core beyond the main thread's, started by the first parse of a
 * backlog (a walk's or the watcher's; an unchanged library starts none) and
 * stopped after a quiet spell, so an idle server holds no parser. Each parse
 * is a path and a size sent over; the sync queue's concurrency bounds how
 * many are in flight. With one core, or when a worker cannot be started,
 * tags are read inline as before.
 *
 * A file an S3 client just wrote, or one of a small backlog (the few files
 * a restart finds changed, a single file copied in), is parsed inline while
 * no worker runs: a worker is a second JavaScript engine with its own heap
 * and compiled code (about 10 MB more peak RSS under the 24-client soak, 20
 * MB for the server it restarts), which such work does not need — a parse
 * costs the main thread 0.6–1.3 ms (the fixtures), and the track is
 * queryable sooner without the hop. While a scan keeps the workers busy,
 * an upload's file goes to them ahead of the scan's backlog.
 */
import { threadId } from "node:worker_threads";
import type { Log } from "./log.ts";
import { readTags, type TrackTags } from "./tags.ts";

export interface TagRequest {
  id: number;
  path: string;
  size: number;
  /** An S3 write's file: parsed before the scan work the worker holds. */
  urgent: boolean;
}

export interface TagResult {
  id: number;
  tags: TrackTags;
  /** The worker_threads id of the thread that parsed it (the main thread's is 0). */
  thread: number;
}

export interface TagPoolOptions {
  log: Log;
  /** Worker threads; 0 parses inline. Default: one per core but the main thread's. */
  threads?: number;
  /** Workers are stopped after this long without a parse. */
  idleMs?: number;
}

/**
 * In `bun build --compile` output import.meta.url is the executable's own
 * (/$bunfs/root/<name>) in every module, and build.ts's entrypoints keep
 * their paths relative to src/.
 */
const WORKER_URL = import.meta.url.includes("/$bunfs/") ? "/$bunfs/root/library/tag-worker.ts" : new URL("./tag-worker.ts", import.meta.url).href;

/** A backlog of at most this many files (the sync queue's, this one included) is parsed inline when no worker runs. */
export const SMALL_BACKLOG = 8;

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

interface Pending {
  request: TagRequest;
  resolve: (result: Omit<TagResult, "id">) => void;
}

export class TagPool {
  readonly #log: Log;
  readonly #size: number;
  readonly #idleMs: number;
  #threads: Thread[] = [];
  #nextId = 0;
  #idleTimer: Timer | null = null;
  /** A worker failed to start or died: parse inline from then on. */
  #broken = false;

  constructor(options: TagPoolOptions) {
    this.#log = options.log;
    this.#size = Math.max(0, options.threads ?? navigator.hardwareConcurrency - 1);
    this.#idleMs = options.idleMs ?? 10_000;
  }

  /** Worker threads this pool runs when busy (0: inline). */
  get size(): number {
    return this.#broken ? 0 : this.#size;
  }

  /**
   * The file's tags, and which thread read them. Never rejects (readTags
   * never throws). `waiting`: the files the caller has to parse, this one
   * included (unknown: a backlog).
   */
  read(path: string, size: number, urgent = false, waiting = Number.POSITIVE_INFINITY): Promise<Omit<TagResult, "id">> {
    if (this.size === 0 || (this.#threads.length === 0 && (urgent || waiting <= SMALL_BACKLOG)))
      return readTags(path, size).then((tags) => ({ tags, thread: threadId }));
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    const thread = this.#leastBusy();
    const request: TagRequest = { id: this.#nextId++, path, size, urgent };
    return new Promise((resolve) => {
      if (thread.pending.size === 0) thread.worker.ref(); // a parse in flight keeps the process alive, an idle worker does not
      thread.pending.set(request.id, { request, resolve });
      thread.worker.postMessage(request);
    });
  }

  /** Stops the workers; parses still in flight finish inline. */
  close(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    for (const thread of this.#threads.splice(0)) this.#stop(thread);
  }

  /** An idle worker, a new one while the pool is not full, else the one with the fewest in flight. */
  #leastBusy(): Thread {
    const idle = this.#threads.find((t) => t.pending.size === 0);
    if (idle) return idle;
    if (this.#threads.length < this.#size) return this.#start();
    return this.#threads.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
  }

  #start(): Thread {
    const worker = new Worker(WORKER_URL);
    worker.unref();
    this.#log.debug("library: tag worker started", { workers: this.#threads.length + 1 });
    const thread: Thread = { worker, pending: new Map() };
    worker.onmessage = ({ data }: MessageEvent<TagResult>) => {
      const pending = thread.pending.get(data.id);
      if (!pending) return;
      thread.pending.delete(data.id);
      pending.resolve({ tags: data.tags, thread: data.thread });
      if (thread.pending.size === 0) {
        worker.unref();
        this.#whenIdle();
      }
    };
    worker.onerror = (event) => {
      this.#log.error("library: tag worker failed, reading tags on the main thread", { error: event.message });
      this.#broken = true;
      this.#threads = this.#threads.filter((t) => t !== thread);
      this.#stop(thread);
    };
    this.#threads.push(thread);
    return thread;
  }

  /** Terminates a worker and reads whatever it still held inline. */
  #stop(thread: Thread): void {
    thread.worker.terminate();
    for (const { request, resolve } of thread.pending.values())
      void readTags(request.path, request.size).then((tags) => resolve({ tags, thread: threadId }));
    thread.pending.clear();
  }

  #whenIdle(): void {
    if (this.#threads.some((t) => t.pending.size > 0)) return;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.close(), this.#idleMs);
    this.#idleTimer.unref();
  }
}
