/**
 * The digests of an upload's bytes: MD5 always (the ETag), SHA-256 when the
 * request signed its payload. Large bodies are hashed on a worker thread, so
 * that a 2-core Pi receives, writes and hashes at once; small ones inline,
 * where a round trip to the worker would cost more than it saves.
 */
// Embedded as a file: a real path when run from source, a $bunfs path inside the executable.
// @ts-expect-error TypeScript does not model Bun's file loader for a script with no exports.
import workerPath from "./digest-worker.js" with { type: "file" };

export type Algorithm = "md5" | "sha256";

export interface Digests {
  update(chunk: Uint8Array): void;
  /** Resolves when the worker has caught up enough to take more (backpressure). */
  ready(): Promise<void> | null;
  digest(): Promise<Record<Algorithm, Buffer | undefined>>;
  /** Abandons the stream (failed upload). */
  drop(): void;
}

/** Bodies at least this large are hashed off the main thread. */
export const OFFLOAD_FROM = 8 * 1024 ** 2;
/** At most this much may wait for the worker. */
const MAX_IN_FLIGHT = 8 * 1024 ** 2;

class InlineDigests implements Digests {
  private readonly hashers: Map<Algorithm, Bun.CryptoHasher>;
  constructor(algorithms: Algorithm[]) {
    this.hashers = new Map(algorithms.map((a) => [a, new Bun.CryptoHasher(a)]));
  }
  update(chunk: Uint8Array): void {
    for (const h of this.hashers.values()) h.update(chunk);
  }
  ready(): null {
    return null;
  }
  async digest() {
    const out: Record<Algorithm, Buffer | undefined> = { md5: undefined, sha256: undefined };
    for (const [a, h] of this.hashers) out[a] = h.digest();
    return out;
  }
  drop(): void {}
}

interface Pending {
  inFlight: number;
  waiter: (() => void) | null;
  done: ((d: Record<string, Uint8Array>) => void) | null;
  failed: Error | null;
  fail: ((e: Error) => void) | null;
}

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function digestWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(workerPath);
  worker.unref();
  // A dead worker fails the uploads it was hashing (500, nothing written) instead of hanging them.
  worker.onerror = (event) => {
    const error = new Error(`digest worker failed: ${event.message}`);
    for (const p of pending.values()) {
      p.failed = error;
      p.waiter?.();
      p.fail?.(error);
    }
    pending.clear();
    worker = null;
  };
  worker.onmessage = (event: MessageEvent) => {
    const m = event.data as { t: string; id: number; bytes?: number; digests?: Record<string, Uint8Array> };
    const p = pending.get(m.id);
    if (!p) return;
    if (m.t === "ack") {
      p.inFlight -= m.bytes!;
      if (p.waiter && p.inFlight <= MAX_IN_FLIGHT / 2) {
        const w = p.waiter;
        p.waiter = null;
        w();
      }
    } else if (m.t === "digests") {
      pending.delete(m.id);
      p.done?.(m.digests!);
    }
  };
  return worker;
}

class WorkerDigests implements Digests {
  private readonly id = nextId++;
  private readonly state: Pending = { inFlight: 0, waiter: null, done: null, failed: null, fail: null };
  private readonly w = digestWorker();

  constructor(algorithms: Algorithm[]) {
    pending.set(this.id, this.state);
    this.w.postMessage({ t: "start", id: this.id, algorithms });
  }
  update(chunk: Uint8Array): void {
    this.state.inFlight += chunk.byteLength;
    this.w.postMessage({ t: "data", id: this.id, chunk });
  }
  ready(): Promise<void> | null {
    if (this.state.inFlight <= MAX_IN_FLIGHT) return null;
    return new Promise((resolve) => (this.state.waiter = resolve));
  }
  digest() {
    return new Promise<Record<Algorithm, Buffer | undefined>>((resolve, reject) => {
      if (this.state.failed) return reject(this.state.failed);
      this.state.fail = reject;
      this.state.done = (d) =>
        resolve({ md5: d.md5 && Buffer.from(d.md5), sha256: d.sha256 && Buffer.from(d.sha256) });
      this.w.postMessage({ t: "end", id: this.id });
    });
  }
  drop(): void {
    pending.delete(this.id);
    this.w.postMessage({ t: "drop", id: this.id });
  }
}

export function createDigests(algorithms: Algorithm[], expectedBytes: number | undefined): Digests {
  return expectedBytes !== undefined && expectedBytes >= OFFLOAD_FROM
    ? new WorkerDigests(algorithms)
    : new InlineDigests(algorithms);
}
