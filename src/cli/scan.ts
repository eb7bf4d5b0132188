/**
 * `rockboxd-s3 scan`: one full reconcile of music_dir into the library, then
 * exit. A progress line (redrawn with \r) on a TTY; one summary line always.
 */
import { openDatabase } from "../db/database.ts";
import { createLibrary, type Log } from "../library/index.ts";

export interface LibraryPaths {
  musicDir: string;
  dbPath: string;
}

export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ScanSummary {
  seen: number;
  parsed: number;
  removed: number;
  errors: number;
  seconds: number;
}

/** Returns the exit code: 0, or 78 when music_dir cannot be read (nothing is removed then). */
export async function runScan(paths: LibraryPaths, out: Output = process.stdout, log?: Log): Promise<number> {
  const started = performance.now();
  const db = openDatabase(paths.dbPath);
  const library = createLibrary({ db, musicDir: paths.musicDir, log });
  try {
    const walk = await library.reconcile();
    if (!walk.ok) {
      out.write(`scan: ${walk.reason}: ${paths.musicDir}; nothing was changed\n`);
      return 78;
    }
    const total = walk.changed + walk.gone;
    const { stats } = library.queue;
    const progress = out.isTTY && total > 0 ? setInterval(() => out.write(`\r${bar(stats.processed, total, started)}`), 100) : null;
    await library.queue.idle();
    library.store.pruneOrphans();
    if (progress) {
      clearInterval(progress);
      out.write(`\r${bar(total, total, started)}\n`);
    }
    const summary: ScanSummary = {
      seen: walk.seen,
      parsed: stats.parsed,
      removed: stats.removed,
      errors: stats.errors,
      seconds: (performance.now() - started) / 1000,
    };
    out.write(`${formatSummary(summary)}\n`);
    return 0;
  } finally {
    await library.close();
    db.close();
  }
}

export function formatSummary(s: ScanSummary): string {
  return `scan: ${s.seen} files seen, ${s.parsed} parsed, ${s.removed} removed, ${s.errors} errors, ${s.seconds.toFixed(1)} s`;
}

function bar(done: number, total: number, started: number): string {
  const width = 30;
  const filled = Math.min(width, Math.round((done / total) * width));
  const seconds = (performance.now() - started) / 1000;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.min(done, total)}/${total} files, ${seconds.toFixed(1)} s`;
}
