/**
 * A hash pool worker (see hash-ring.ts): sleeps on its doorbell, hashes the
 * slots published for the jobs it holds, writes each digest into the ring
 * when the upload ends. It gets the pool's buffer once and never another
 * message. build.ts lists this file as an entrypoint: `bun build --compile`
 * bundles workers only that way.
 */
import { type Checksum, createChecksum } from "./checksum.ts";
import {
  ABORTED, DONE, ENDED, FREE, generationOf, HASH_NAMES, type HashName, JOB, JOB_CONSUMED, JOB_DONE, JOB_HASH, JOB_WORKER,
  JOBS, LENGTH, MAX_JOBS, PENDING, PUBLISHED, RING_WORDS, SLOTS, STATE, stateOf, tag, views, type WorkerInit,
} from "./hash-ring.ts";

declare const self: Worker;

function hasher(name: HashName): Pick<Checksum, "update" | "digest"> {
  if (name !== "MD5") return createChecksum(name);
  const md5 = new Bun.CryptoHasher("md5");
  return { update: (d) => void md5.update(d), digest: () => new Uint8Array(md5.digest()) };
}

self.onmessage = ({ data }: MessageEvent<WorkerInit>) => {
  const { buffer, layout, index } = data;
  const v = views(buffer, layout);
  const ctl = v.control;
  /** ring*MAX_JOBS+job → the running hash, with the ring generation it belongs to. */
  const running = new Map<number, { generation: number; sum: Pick<Checksum, "update" | "digest"> }>();

  /** One pass over every ring; true when it did anything. */
  const pass = (): boolean => {
    let worked = false;
    for (let ring = 0; ring < layout.rings; ring++) {
      const base = ring * RING_WORDS;
      const seen = Atomics.load(ctl, base + STATE);
      const state = stateOf(seen);
      if (state === FREE) continue;
      const generation = generationOf(seen);
      const jobs = Atomics.load(ctl, base + JOBS);
      for (let job = 0; job < jobs; job++) {
        const j = base + JOB + job * 4;
        if (ctl[j + JOB_WORKER] !== index || Atomics.load(ctl, j + JOB_DONE) === 1) continue;
        // The words just read belong to `generation` only if the tag did not move meanwhile (hash-ring.ts).
        // From here this unacknowledged job pins the ring: it cannot be freed, let alone reused, until finishJob.
        if (Atomics.load(ctl, base + STATE) !== seen) break;
        const key = ring * MAX_JOBS + job;
        let run = running.get(key);
        if (!run || run.generation !== generation) {
          run = { generation, sum: hasher(HASH_NAMES[ctl[j + JOB_HASH]!]!) };
          running.set(key, run);
        }
        if (state === ABORTED) {
          finishJob(ring, job, generation, null);
          worked = true;
          continue;
        }
        const published = Atomics.load(ctl, base + PUBLISHED);
        for (let consumed = ctl[j + JOB_CONSUMED]!; consumed < published; consumed++) {
          const slot = consumed % SLOTS;
          run.sum.update(v.slot(ring, slot, Atomics.load(ctl, base + LENGTH + slot)));
          Atomics.store(ctl, j + JOB_CONSUMED, consumed + 1);
          Atomics.sub(ctl, base + PENDING + slot, 1); // the last reader frees the slot
          worked = true;
        }
        // ENDED is stored after the last PUBLISHED, so this read of PUBLISHED is final.
        if (state === ENDED && Atomics.load(ctl, base + PUBLISHED) === ctl[j + JOB_CONSUMED]) {
          finishJob(ring, job, generation, run.sum.digest());
          worked = true;
        }
      }
    }
    return worked;
  };

  /** Acknowledges the job: after this the ring may be freed and reused at any moment. */
  const finishJob = (ring: number, job: number, generation: number, digest: Uint8Array | null): void => {
    const base = ring * RING_WORDS;
    running.delete(ring * MAX_JOBS + job);
    if (digest) v.digest(ring, job).set(digest);
    Atomics.store(ctl, base + JOB + job * 4 + JOB_DONE, 1);
    const done = Atomics.add(ctl, base + DONE, 1) + 1;
    // An aborted upload's ring is freed by whoever acknowledges its last job (hash-pool.ts does when none was left).
    if (done === Atomics.load(ctl, base + JOBS)) Atomics.compareExchange(ctl, base + STATE, tag(generation, ABORTED), tag(generation, FREE));
  };

  for (;;) {
    const bell = Atomics.load(v.bells, index);
    if (!pass()) Atomics.wait(v.bells, index, bell);
  }
};
