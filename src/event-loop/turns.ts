/**
 * Turns of the event loop for long loops on the main thread. An `await`
 * that is already resolved (a small file's stream read to its end, a parse
 * out of a read-ahead window, a SQLite call) continues as a microtask, so a
 * loop made only of those never lets the event loop accept a request, fire
 * a timer or handle a signal. Measured before these were taken: the ETag
 * hasher's pass over 100,000 copied-in files held every request for 11–14 s,
 * and a first scan with tags parsed inline (one core) for 82 s.
 */

/** The next turn of the event loop, after the I/O and timers already due. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Loops' turns: one at most every `sliceMs` of their running (10 ms: what a request may wait behind them). */
export class Turns {
  #since = performance.now();
  /** The turn being taken: every loop sharing these waits for the same one. */
  #turn: Promise<void> | null = null;

  constructor(private readonly sliceMs = 10) {}

  /** Gives the event loop a turn if the loops have run `sliceMs` since their last one. */
  take(): Promise<void> | undefined {
    if (this.#turn || performance.now() - this.#since < this.sliceMs) return this.#turn ?? undefined;
    this.#turn = nextTurn().then(() => {
      this.#turn = null;
      this.#since = performance.now();
    });
    return this.#turn;
  }
}

/**
 * The main thread's, shared by every long loop there (the sync queue's
 * workers, the ETag hasher, a copy's source file) so that they wait for
 * one turn together: when each of the queue's 32 workers scheduled a turn
 * of its own, Bun ran them all before any timer, and a 1 ms timer still
 * fired only after the last parse.
 */
export const mainThreadTurns = new Turns();

/**
 * `source`'s chunks with the main thread's turns taken between them: for a
 * file's stream (CopyObject, UploadPartCopy), which arrives without any, so
 * copying 512 MiB held every other request for 1.7 s. Not for a request
 * body: the socket gives it turns, and turns taken there let Bun read ahead
 * of the writer (awscli-style multipart peaked at 100 MB instead of 71).
 */
export async function* takingTurns<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const chunk of source) {
    yield chunk;
    await mainThreadTurns.take();
  }
}
