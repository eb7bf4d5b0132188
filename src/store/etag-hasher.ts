/**
 * Replaces the provisional ETags of files that appeared by other means
 * (index-sync's provisionalEtag) with their MD5, so that rclone check and
 * s3cmd sync agree with what is on disk. Low priority, bounded I/O: one file
 * at a time, streamed, paused while uploads are in flight, and the result
 * kept only if the file did not change while it was read.
 */
import { fileIdentity, sameIdentity, statOrNull, type FileIdentity } from "../music-dir/index.ts";
import type { Stats } from "node:fs";
import { md5OfFile } from "./file-md5.ts";
import type { IndexSync } from "./index-sync.ts";
import type { Layout } from "./layout.ts";
import type { ObjectIndex, ObjectRow } from "./object-index.ts";

export interface HasherOptions {
  /** True while uploads are in flight: hashing waits. */
  busy?: () => boolean;
  /** Backstop for provisional rows nobody told us about. */
  pollMs?: number;
  onError?: (key: string, e: unknown) => void;
}

const BATCH = 64;
const BUSY_WAIT_MS = 100;

function sameFile(st: Stats | null, row: ObjectRow): boolean {
  return st !== null && st.isFile() && sameIdentity(fileIdentity(st), row);
}

export class EtagHasher {
  private stopped = false;
  private pending = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  /** Files that could not be read, by key → identity: not retried until they change. */
  private readonly failed = new Map<string, FileIdentity>();
  private readonly busy: () => boolean;
  private readonly pollMs: number;

  constructor(
    private readonly index: ObjectIndex,
    private readonly sync: IndexSync,
    private readonly layout: Layout,
    private readonly opts: HasherOptions = {},
  ) {
    this.busy = opts.busy ?? (() => false);
    this.pollMs = opts.pollMs ?? 5000;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** New provisional rows exist: look now rather than at the next poll. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Abandons the file being read and resolves once the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.pending = false;
      await this.pass();
      if (!this.pending && !this.stopped) await this.idle(this.pollMs);
    }
  }

  /** Sleeps until the poll interval ends, wake() or stop(). */
  private async idle(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }

  /** Every provisional row once, in key order. */
  private async pass(): Promise<void> {
    let after = "";
    for (;;) {
      const rows = this.index.provisional(BATCH, after);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (this.stopped) return;
        after = row.key;
        await this.hash(row);
      }
    }
  }

  private async hash(row: ObjectRow): Promise<void> {
    const failed = this.failed.get(row.key);
    if (failed && sameIdentity(failed, row)) return;
    const path = this.layout.pathOf(row.key);
    if (!sameFile(statOrNull(path), row)) {
      // Changed or gone since it was indexed: refresh the row; a new provisional one comes round again.
      this.sync.syncPath(row.key);
      return;
    }
    try {
      const md5 = await md5OfFile(path, () => this.yieldToUploads());
      if (md5 !== null && sameFile(statOrNull(path), row)) this.index.settleEtag(row, md5);
      this.failed.delete(row.key);
    } catch (e) {
      this.failed.set(row.key, row);
      this.opts.onError?.(row.key, e);
    }
  }

  /** Between chunks: wait while uploads run; false once stopped. */
  private async yieldToUploads(): Promise<boolean> {
    while (!this.stopped && this.busy()) await Bun.sleep(BUSY_WAIT_MS);
    return !this.stopped;
  }
}
