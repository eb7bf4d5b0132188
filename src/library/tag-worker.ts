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

self.onmessage = async ({ data }: MessageEvent<TagRequest>) => {
  const result: TagResult = { id: data.id, tags: await readTags(data.path, data.size), thread: threadId };
  self.postMessage(result);
};
