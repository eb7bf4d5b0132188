/**
 * Removes abandoned multipart uploads: once at startup (uploads left from
 * before a restart), then periodically. The timers never keep the process
 * alive.
 */
import type { Multipart } from "./multipart.ts";

/** How often to look; an upload counts as abandoned after ABANDONED_UPLOAD_MS. */
export const SWEEP_EVERY_MS = 60 * 60 * 1000;

export interface Sweeper {
  stop(): void;
}

export function startSweeper(
  multipart: Pick<Multipart, "sweep">,
  report: (removed: number, error?: unknown) => void,
  everyMs: number = SWEEP_EVERY_MS,
): Sweeper {
  const run = () => {
    try {
      const removed = multipart.sweep();
      if (removed > 0) report(removed);
    } catch (e) {
      report(0, e);
    }
  };
  const first = setTimeout(run, 0);
  const timer = setInterval(run, everyMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
