/**
 * Startup with a library already indexed: spawn `serve`, poll GET / until
 * any HTTP response (ready), wait for the "library: reconcile" log line (the
 * startup walk compared every file with both indexes), then read RSS a few
 * seconds later and, on the last start, again once the heap has settled.
 * startupPieces() times the same steps in this process, one by one.
 */
import { watch } from "node:fs";
import { openDatabase } from "../src/db/database.ts";
import { TrackStore } from "../src/library/track-store.ts";
import { walkTree } from "../src/music-dir/index.ts";
import { ObjectIndex } from "../src/store/object-index.ts";
import { firstResponse, type Home, spawnServe, type Started } from "./library-server.ts";
import { memoryOf } from "./servers.ts";

export interface StartupRun {
  readyMs: number;
  reconcileMs: number;
  /** The reconcile's own log line (seen / changed / gone). */
  reconcileLine: string;
  /** `idleWaitMs` after the reconcile. */
  idleRss: number;
  peakRss: number;
  /** Last start only: RSS sampled every 500 ms for `settleMs` after the reconcile. */
  samples: number[];
}

export async function timeStartup(h: Home, idleWaitMs: number, settleMs = 0): Promise<{ run: StartupRun; server: Started }> {
  const server = await spawnServe(h);
  try {
    const ready = await firstResponse(server.url);
    const reconciled = await server.lineAt(/library: reconcile/);
    await Bun.sleep(Math.max(0, reconciled.at + idleWaitMs - performance.now()));
    const mem = memoryOf(server.pid);
    const samples: number[] = [];
    while (performance.now() < reconciled.at + settleMs) {
      await Bun.sleep(500);
      samples.push(memoryOf(server.pid).now);
    }
    const warnings = server.log().split("\n").filter((l) => / (warn|error) /.test(l));
    if (warnings.length > 0) console.log(`library: serve logged:\n  ${warnings.join("\n  ")}`);
    return {
      server,
      run: {
        readyMs: ready - server.spawnedAt,
        reconcileMs: reconciled.at - server.spawnedAt,
        reconcileLine: reconciled.line.replace(/^\S+ info\s+/, ""),
        idleRss: mem.now,
        peakRss: mem.peak,
        samples,
      },
    };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** `runs` starts; all but the last are stopped; the last keeps serving (for the listing). */
export async function startups(h: Home, runs: number, idleWaitMs: number, settleMs: number): Promise<{ runs: StartupRun[]; server: Started }> {
  const all: StartupRun[] = [];
  for (let i = 0; ; i++) {
    const last = i === runs - 1;
    const { run, server } = await timeStartup(h, idleWaitMs, last ? settleMs : 0);
    all.push(run);
    if (last) return { runs: all, server };
    await server.stop();
  }
}

/**
 * The steps `serve` runs before its event loop first yields (main.ts
 * startGateway → library.start → reconcile's first slice), timed here in
 * this process on the same database and folder. Changes nothing on disk.
 */
export function startupPieces(h: Home): string {
  const parts: string[] = [];
  let t = performance.now();
  const lap = (label: string) => {
    const now = performance.now();
    parts.push(`${label} ${(now - t).toFixed(0)} ms`);
    t = now;
  };
  const db = openDatabase(h.dbPath);
  lap("open db");
  const index = new ObjectIndex(db);
  index.count();
  lap("object count");
  const store = new TrackStore(db, h.musicDir);
  lap("TrackStore (path rebase check)");
  const watcher = watch(h.musicDir, { recursive: true }, () => {});
  lap("recursive fs.watch");
  const tracks = store.recorded();
  while (tracks.next() !== undefined);
  lap("track recorded(), paged");
  const objects = index.identities();
  while (objects.next() !== undefined);
  lap("object identities(), paged");
  let entries = 0;
  for (const _ of walkTree(h.musicDir)) entries++;
  lap(`stat walk of ${entries} entries`);
  watcher.close();
  db.close();
  return parts.join(", ");
}
