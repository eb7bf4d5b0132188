/**
 * Turns of the event loop for long loops on the main thread. An `await`
 * that is already resolved (a file's stream: each chunk arrives as one, a
 * parse out of a read-ahead window, a SQLite call) continues as a
 * microtask, so a loop made only of those never lets the event loop accept
 * a request, fire a timer or handle a signal. Measured before these were
 * taken: the ETag hasher's pass over 100,000 copied-in files held every
 * request for 11–14 s, a first scan with tags parsed inline (one core) for
 * 82 s, and a CopyObject of 512 MiB for 1.7 s.
 */

/** The next turn of the event loop, after the I/O and timers already due. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a request may wait behind the main thread's long loops. */
const SLICE_MS = 10;

let since = performance.now();
/**
 * The turn being taken. Every loop on the main thread waits for the same
 * one: when each of the sync queue's 32 workers scheduled a turn of its own,
 * Bun ran them all before any timer, and a 1 ms timer still fired only
 * after the last parse.
 */
let turn: Promise<void> | null = null;

/** A turn of the event loop if the main thread's long loops have run SLICE_MS since the last one. */
export function takeTurn(): Promise<void> | undefined {
  if (turn || performance.now() - since < SLICE_MS) return turn ?? undefined;
  turn = nextTurn().then(() => {
    turn = null;
    since = performance.now();
  });
  return turn;
}

/**
 * A file's chunks with turns taken between them (the ETag hasher,
 * CopyObject, UploadPartCopy). Not for a request body: the socket gives it
 * turns, and turns taken there let Bun read ahead of the writer (an
 * awscli-style multipart upload peaked at 100 MB instead of 71).
 */
export async function* takingTurns<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const chunk of source) {
    yield chunk;
    await takeTurn();
  }
}
