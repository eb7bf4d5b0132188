/**
 * Upload hashes on the spare cores (SPEC §8 "Parallel hashing"): MD5 for the
 * ETag, the x-amz-content-sha256 check and any x-amz-checksum-* run on
 * worker threads fed from shared memory (layout in hash-ring.ts), each hash
 * of an upload on its own worker where there are enough, so a signed stream
 * is limited by its slowest single hash rather than by their sum. The
 * request's thread copies each received chunk once into a ring slot and
 * waits (a 1 ms timer, never blocking) only when all eight 128 KiB slots
 * of its ring are still being hashed, so it stays in step with the hashes
 * and memory stays bounded (1 MiB a ring). Workers start with the first
 * upload and stop after 30 s without one. Unless ROCKBOXD_S3_HASH_THREADS asks for workers, all rings
 * taken or a worker that failed, hashing is inline as before (open() → null).
 */
import { CHECKSUM_BYTES } from "./checksum.ts";
import {
  ABORTED, DONE, ENDED, FREE, generationOf, HASH_NAMES, type HashName, JOB, JOB_HASH, JOB_WORKER,
  JOBS, type Layout, LENGTH, MAX_JOBS, nextGeneration, OPEN, offsets, PENDING, PUBLISHED, RING_WORDS, SLOT_BYTES, SLOTS, STATE,
  stateOf, tag, views, type WorkerInit,
} from "./hash-ring.ts";

/** See src/library/tag-pool.ts: inside the executable import.meta.url is /$bunfs/root/<name>. */
const WORKER_URL = import.meta.url.includes("/$bunfs/") ? "/$bunfs/root/s3/hash-worker.ts" : new URL("./hash-worker.ts", import.meta.url).href;


const digestBytes = (name: HashName) => (name === "MD5" ? 16 : CHECKSUM_BYTES[name]);

export interface HashPoolOptions {
  /** Worker threads; 0 hashes inline. */
  threads: number;
  /** Uploads hashed on workers at once; more hash inline. */
  rings: number;
  /** Workers and their buffer are dropped after this long with no upload on them (restarted on the next). */
  idleMs?: number;
}


export class HashPool {
  readonly #layout: Layout;
  #buffer: SharedArrayBuffer | null = null;
  #views: ReturnType<typeof views> | null = null;
  #workers: Worker[] = [];
  /** Jobs each worker holds now, to spread new ones. */
  #load: number[];
  #broken = false;
  #nextRing = 0;
  /** Streams opened and not yet settled. */
  #open = 0;
  readonly #idleMs: number;
  #idleTimer: Timer | null = null;

  constructor(options: HashPoolOptions) {
    this.#layout = { workers: Math.max(0, options.threads), rings: Math.max(1, options.rings) };
    this.#idleMs = options.idleMs ?? 30_000;
    this.#load = new Array(this.#layout.workers).fill(0);
  }

  get threads(): number {
    return this.#broken ? 0 : this.#layout.workers;
  }

  /** Rings not held by an upload (nor by workers still dropping an aborted one). */
  get freeRings(): number {
    if (!this.#views) return this.#layout.rings;
    let free = 0;
    for (let r = 0; r < this.#layout.rings; r++) if (stateOf(Atomics.load(this.#views.control, r * RING_WORDS + STATE)) === FREE) free++;
    return free;
  }

  /** A stream computing `names` on workers, or null: hash inline. */
  open(names: readonly HashName[]): HashStream | null {
    if (this.threads === 0 || names.length === 0 || names.length > MAX_JOBS) return null;
    const v = this.#start();
    if (!v) return null;
    // Round robin spreads rings; reuse is safe anyway (the tag protocol in hash-ring.ts).
    for (let i = 0; i < this.#layout.rings; i++) {
      const ring = (this.#nextRing + i) % this.#layout.rings;
      const base = ring * RING_WORDS;
      const free = Atomics.load(v.control, base + STATE);
      if (stateOf(free) !== FREE) continue;
      this.#nextRing = ring + 1;
      const workers = names.map(() => this.#leastLoaded());
      // Job words change only while the ring is FREE; the new tag publishes them (hash-ring.ts).
      v.control.fill(0, base + PUBLISHED, base + RING_WORDS);
      names.forEach((name, job) => {
        const j = base + JOB + job * 4;
        v.control[j + JOB_WORKER] = workers[job]!;
        v.control[j + JOB_HASH] = HASH_NAMES.indexOf(name);
      });
      Atomics.store(v.control, base + JOBS, names.length);
      const generation = nextGeneration(generationOf(free));
      Atomics.store(v.control, base + STATE, tag(generation, OPEN));
      this.#open++;
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
      return new HashStream(this, v, ring, generation, names, workers);
    }
    return null;
  }

  /** Stops the workers and drops the buffer; the next open() starts them again. */
  close(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    for (const w of this.#workers.splice(0)) w.terminate();
    this.#views = null;
    this.#buffer = null;
  }

  /** Whether the workers are running (they start on the first upload and stop after an idle spell). */
  get started(): boolean {
    return this.#views !== null;
  }

  get broken(): boolean {
    return this.#broken;
  }

  ring(workers: readonly number[]): void {
    const v = this.#views!;
    for (const w of new Set(workers)) {
      Atomics.add(v.bells, w, 1);
      Atomics.notify(v.bells, w);
    }
  }

  release(workers: readonly number[]): void {
    for (const w of workers) this.#load[w]!--;
    if (--this.#open === 0) this.#idleSoon();
  }

  /** An idle server holds no hash worker (each is a JS VM: RSS): stop them once no upload used them for idleMs. */
  #idleSoon(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#open > 0) return;
      // An aborted upload's ring is still being let go by its workers: look again later.
      if (this.freeRings < this.#layout.rings) this.#idleSoon();
      else this.close();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  #leastLoaded(): number {
    let best = 0;
    for (let w = 1; w < this.#load.length; w++) if (this.#load[w]! < this.#load[best]!) best = w;
    this.#load[best]!++;
    return best;
  }

  #start(): ReturnType<typeof views> | null {
    if (this.#views) return this.#views;
    try {
      this.#buffer = new SharedArrayBuffer(offsets(this.#layout).total);
      this.#views = views(this.#buffer, this.#layout);
      for (let index = 0; index < this.#layout.workers; index++) {
        // smol: a smaller JS heap for a thread that only hashes shared memory (Bun's Worker option).
        const worker = new Worker(WORKER_URL, { smol: true });
        worker.unref(); // idle workers sleep in Atomics.wait and must not keep the process alive
        worker.onerror = () => {
          this.#broken = true;
        };
        const init: WorkerInit = { buffer: this.#buffer, layout: this.#layout, index };
        worker.postMessage(init);
        this.#workers.push(worker);
      }
      return this.#views;
    } catch {
      this.#broken = true;
      return null;
    }
  }
}

/** One upload's hashes on the pool: update() per chunk, then digests() or abort(). */
export class HashStream {
  readonly #base: number;
  #fill = 0;
  #settled = false;

  constructor(
    private readonly pool: HashPool,
    private readonly v: ReturnType<typeof views>,
    private readonly ringIndex: number,
    private readonly generation: number,
    private readonly names: readonly HashName[],
    private readonly workers: readonly number[],
  ) {
    this.#base = ringIndex * RING_WORDS;
  }

  /** Copies `chunk` into the ring; a promise only when it had to wait for a slot. */
  update(chunk: Uint8Array): Promise<void> | void {
    const ctl = this.v.control;
    for (let off = 0; off < chunk.byteLength; ) {
      const slot = ctl[this.#base + PUBLISHED]! % SLOTS;
      if (this.#fill === 0 && Atomics.load(ctl, this.#base + PENDING + slot) !== 0)
        return this.#slotFree(slot).then(() => this.update(chunk.subarray(off)));
      const n = Math.min(chunk.byteLength - off, SLOT_BYTES - this.#fill);
      this.v.slot(this.ringIndex, slot).set(chunk.subarray(off, off + n), this.#fill);
      this.#fill += n;
      off += n;
      if (this.#fill === SLOT_BYTES) this.#publish();
    }
  }

  /** The digests, once every worker has read every byte. */
  async digests(): Promise<Map<HashName, Uint8Array>> {
    const ctl = this.v.control;
    if (this.#fill > 0) this.#publish(); // a partly filled slot was free when its first byte was copied
    Atomics.store(ctl, this.#base + STATE, tag(this.generation, ENDED));
    this.pool.ring(this.workers);
    for (;;) {
      const done = Atomics.load(ctl, this.#base + DONE);
      if (done === this.names.length) break;
      await this.#wait(this.#base + DONE, done);
    }
    const out = new Map<HashName, Uint8Array>();
    this.names.forEach((name, job) => out.set(name, this.v.digest(this.ringIndex, job).slice(0, digestBytes(name))));
    this.#settled = true;
    Atomics.store(ctl, this.#base + STATE, tag(this.generation, FREE));
    this.pool.release(this.workers);
    return out;
  }

  /** Lets go of the ring: workers drop the hashes, the last one frees it. Safe to call twice. */
  abort(): void {
    if (this.#settled) return;
    this.#settled = true;
    const ctl = this.v.control;
    const aborted = tag(this.generation, ABORTED);
    Atomics.store(ctl, this.#base + STATE, aborted);
    // Every job acknowledged before the abort: none will free the ring, so this does (else the last to acknowledge does).
    if (Atomics.load(ctl, this.#base + DONE) === this.names.length) Atomics.compareExchange(ctl, this.#base + STATE, aborted, tag(this.generation, FREE));
    this.pool.ring(this.workers);
    this.pool.release(this.workers);
  }

  #publish(): void {
    const ctl = this.v.control;
    const published = ctl[this.#base + PUBLISHED]!;
    const slot = published % SLOTS;
    ctl[this.#base + LENGTH + slot] = this.#fill;
    Atomics.store(ctl, this.#base + PENDING + slot, this.names.length);
    Atomics.store(ctl, this.#base + PUBLISHED, published + 1);
    this.#fill = 0;
    this.pool.ring(this.workers);
  }

  async #slotFree(slot: number): Promise<void> {
    const index = this.#base + PENDING + slot;
    for (let pending = Atomics.load(this.v.control, index); pending !== 0; pending = Atomics.load(this.v.control, index))
      await this.#wait(index, pending);
  }

  /**
   * Sleeps while the word still holds `value`. Not Atomics.waitAsync: in Bun
   * 1.4 a timed one polls a whole core, and even an untimed one cost the
   * request's thread ~2 CPU-s/GiB over a signed upload's ~300 waits, against
   * ~0.3 for this 1 ms timer (a slot of 1 MiB takes the workers 1–2 ms).
   */
  async #wait(index: number, value: number): Promise<void> {
    while (Atomics.load(this.v.control, index) === value) {
      if (this.pool.broken) throw new Error("hash worker failed");
      await Bun.sleep(1);
    }
  }
}

let shared: HashPool | null = null;
let options: HashPoolOptions = { threads: 0, rings: 8 };

/**
 * Sets the process's pool before the first upload: `threads` workers
 * (ROCKBOXD_S3_HASH_THREADS, validated in config.ts), 0 for inline. Off by
 * default: on the 2-core bench box (shared, load 8–10) a
 * 512 MiB PUT cost +1.5–2.7 server CPU-s/GiB and +15–25 MB peak RSS, and
 * was slower, than inline (bench/parallel-hash.ts, issue 11). The workers
 * cost what the hashes cost inline; the loss is the request's thread, which
 * with the pool uses about as much CPU as inline WITH the MD5 — even when
 * the workers skip hashing altogether (bench/hash-threads.ts). Ruled out:
 * the slot copy (~0.1 s per 512 MiB, timed in place), bell count (4× fewer
 * bells: no change), the 1 ms wait loop (a blocking Atomics.wait instead:
 * no change), slot size (1 MiB → 128 KiB: same CPU, −40 MB RSS). perf puts
 * the extra in a memmove inside Bun's native code under a JS call, and in
 * paravirtualised interrupt time — the request-body path of Bun, not this
 * pool; Bun ships no symbols to name it. Even in a bare Bun.serve feeding
 * a VerifiedBody, the pool took only 0.2–0.4 s per 512 MiB off the request
 * thread (1.2–1.4 → 1.0 s) while the MD5 worker spent 0.8 s: handing bytes
 * over costs about half of what MD5 costs, so the pool can buy wall-clock
 * time on an idle core, never CPU. Re-measure on a machine with an idle
 * core (a Pi 4) before making it the default.
 */
export function configureHashPool(threads: number): void {
  shared?.close();
  shared = null;
  options = { threads, rings: 8 };
}

/** The process's pool, made on first use: inline unless configureHashPool() asked for workers. */
export function hashPool(): HashPool {
  return (shared ??= new HashPool(options));
}
