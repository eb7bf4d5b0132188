/**
 * The shared-memory layout the hash pool and its workers agree on (SPEC §8
 * "Parallel hashing"). One SharedArrayBuffer holds, in order: a doorbell per
 * worker, then per ring its control words, its digests and its slots. An
 * upload takes one ring; the main thread copies received bytes into the
 * ring's slots and publishes each full slot; every worker holding one of
 * the upload's hashes reads it and releases it. Nothing but the ring's
 * counters crosses threads per chunk — posting each chunk as a message cost
 * 2.0–2.6 CPU-s/GiB more in an earlier experiment.
 */
import type { ChecksumAlgorithm } from "./checksum.ts";

/** What a worker can compute: MD5 for the ETag and every x-amz-checksum-* algorithm. */
export const HASH_NAMES = ["MD5", "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const;
export type HashName = "MD5" | ChecksumAlgorithm;

export const SLOTS = 8;
export const SLOT_BYTES = 128 * 1024;
/** Distinct hashes one upload can need: MD5, SHA-256 payload, a header, a trailer and a computed checksum. */
export const MAX_JOBS = 6;
export const DIGEST_BYTES = 32;

/**
 * Ring states. A free ring is taken only by the main thread; see hash-pool.ts for who frees it.
 * Within one generation a ring only moves forward: OPEN → ENDED → (ABORTED) → FREE, or OPEN → ABORTED → FREE.
 */
export const FREE = 0;
export const OPEN = 1;
export const ENDED = 2;
export const ABORTED = 3;

/**
 * The ring's state and its generation share one word (the "tag"), so a
 * worker reads both at once, and a tag seen twice means the ring did not
 * change hands in between: generations only grow (mod 2^30) and states only
 * move forward within one. Reuse protocol, which hash-worker.ts relies on:
 * - the main thread writes a ring's job words only while it is FREE, then
 *   stores (generation + 1, OPEN);
 * - a worker reads the tag, then a job's words, then the tag again: equal,
 *   the job words belong to that generation; different, it skips the ring
 *   until its next pass;
 * - a ring returns to FREE only once every job has acknowledged (DONE ===
 *   JOBS), so a worker holding an unacknowledged job of a generation pins
 *   the ring in that generation, and after its acknowledgement it touches
 *   the ring only through a new read of the tag.
 */
export const tag = (generation: number, state: number) => ((generation << 2) | state) | 0;
export const stateOf = (t: number) => t & 3;
export const generationOf = (t: number) => t >>> 2;
export const nextGeneration = (g: number) => (g + 1) & 0x3fffffff;

// Control words of a ring (Int32 indices from the ring's base).
/** The tag: generation and state. */
export const STATE = 0;
/** Slots published so far; slot i lives at i % SLOTS. */
export const PUBLISHED = 1;
export const JOBS = 2;
/** Jobs finished (digest written, or dropped after an abort). */
export const DONE = 3;
export const LENGTH = 8; // SLOTS words: bytes in each slot
export const PENDING = LENGTH + SLOTS; // SLOTS words: jobs yet to read each slot
export const JOB = PENDING + SLOTS; // MAX_JOBS × 4 words:
export const JOB_WORKER = 0;
export const JOB_HASH = 1;
export const JOB_CONSUMED = 2;
export const JOB_DONE = 3;
export const RING_WORDS = JOB + MAX_JOBS * 4;

export interface Layout {
  workers: number;
  rings: number;
}

const align = (n: number, to: number) => Math.ceil(n / to) * to;

/** Byte offsets of each region for a pool of `workers` threads and `rings` rings. */
export function offsets({ workers, rings }: Layout) {
  const bells = 0;
  const control = align(workers * 4, 64);
  const digests = align(control + rings * RING_WORDS * 4, 64);
  const data = align(digests + rings * MAX_JOBS * DIGEST_BYTES, 4096);
  return { bells, control, digests, data, total: data + rings * SLOTS * SLOT_BYTES };
}

/** Typed views over one pool buffer, the same on both sides. */
export function views(buffer: SharedArrayBuffer, layout: Layout) {
  const o = offsets(layout);
  return {
    bells: new Int32Array(buffer, o.bells, layout.workers),
    control: new Int32Array(buffer, o.control, layout.rings * RING_WORDS),
    digest: (ring: number, job: number) => new Uint8Array(buffer, o.digests + (ring * MAX_JOBS + job) * DIGEST_BYTES, DIGEST_BYTES),
    slot: (ring: number, slot: number, length = SLOT_BYTES) => new Uint8Array(buffer, o.data + (ring * SLOTS + slot) * SLOT_BYTES, length),
  };
}

export interface WorkerInit {
  buffer: SharedArrayBuffer;
  layout: Layout;
  index: number;
}
