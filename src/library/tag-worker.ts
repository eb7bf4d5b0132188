/**
 * The tag pool's worker thread: a path and its size in, the TrackTags out
 * (small; the audio bytes never cross threads). Its own copy of
 * music-metadata is loaded on its first parse. build.ts lists this file as
 * an entrypoint: `bun build --compile` bundles workers only that way.
 */
import { threadId } from "node:worker_threads";
import { readTags } from "./tags.ts";
import type { TagRequest, TagResult } from "./tag-pool.ts";

declare const self: Worker;

/**
 * Requests wait here, not in the thread's message queue: a scan keeps dozens
 * in flight so that this thread never runs dry while the main thread writes
 * a batch, and an S3 upload's file must not wait behind them. One parse per
 * turn of the event loop, so a request that arrives meanwhile is received
 * before the next parse starts and, if urgent, goes first.
 */
const urgent: TagRequest[] = [];
const normal: TagRequest[] = [];
let scheduled = false;

self.onmessage = ({ data }: MessageEvent<TagRequest>) => {
  (data.urgent ? urgent : normal).push(data);
  schedule();
};

function schedule(): void {
  if (scheduled || urgent.length + normal.length === 0) return;
  scheduled = true;
  setImmediate(parseNext);
}

async function parseNext(): Promise<void> {
  scheduled = false;
  const next = urgent.shift() ?? normal.shift();
  if (!next) return;
  const result: TagResult = { id: next.id, tags: await readTags(next.path, next.size), thread: threadId };
  self.postMessage(result);
  schedule();
}
