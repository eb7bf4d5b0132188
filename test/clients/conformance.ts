/**
 * What every S3 client must be able to do with rockboxd-s3, written once:
 * upload a small file and a large one (multipart where the client does it),
 * list them with sizes and ETags, download both byte-equal, sync a folder
 * twice with the second run sending no write, and delete everything
 * recursively until the music folder is empty. Each client's test file
 * instantiates it with an adapter (how that client does each step) and the
 * client's known behaviour as explicit options; the file's own tests for
 * what only that client does run beside the shared ones, at the points the
 * `extra` hooks name.
 *
 * Each suite has its own server and a recording proxy in front of it
 * (helpers/clients/recorder.ts): clients talk to `t.endpoint`, and a test
 * says which operations the client sent, so a silent fallback (one PUT
 * where multipart was meant) cannot pass unnoticed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { expectedEtag, expectedSyncTree, type Fixture, LARGE_KEY, LARGE_SIZE, makeFixture, md5File, type PartPlan, SMALL_KEY, SMALL_SIZE, SYNC_FILES } from "../helpers/clients/fixture.ts";
import { etagOf, filesUnder, identities, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { opCounts, type Recorder, recordingProxy, type SentRequest, summarizeOps, traced, writesIn } from "../helpers/clients/recorder.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, type StartOptions, tempDir, type TestServer } from "../helpers/server.ts";

/** One suite's world, filled in before its first test. */
export interface ClientWorld {
  server: TestServer;
  /** The proxy clients talk to (its url and port are the endpoint they are given). */
  recorder: Recorder;
  fx: Fixture;
  /** A throwaway HOME for the client's config files. */
  home: string;
}

/** A listing entry as the client shows it. */
export interface Listed {
  key: string;
  size: number;
  /** The quoted ETag, when the client shows one (see ConformanceOptions.listsEtags). */
  etag?: string;
}

/** How one client does each shared step. Steps throw (with the client's story) when the client fails. */
export interface ClientAdapter {
  /** Runs once the server is up: resolve the binary, write configs, build the client object. */
  setup?(w: ClientWorld): Promise<void> | void;
  teardown?(w: ClientWorld): Promise<void> | void;
  /** Asserts the client is the build this suite is about. */
  checkVersion?(w: ClientWorld): Promise<void>;
  /** Uploads a local file; returns the ETag the client was given, when it reports one. */
  upload(w: ClientWorld, path: string, key: string): Promise<string | void>;
  list(w: ClientWorld, prefix: string): Promise<Listed[]>;
  download(w: ClientWorld, key: string, path: string): Promise<void>;
  /** Makes `prefix` (no trailing slash) mirror `dir`; returns how many files the client says it sent. */
  sync(w: ClientWorld, dir: string, prefix: string): Promise<number>;
  /** Deletes every object the way the client deletes recursively; returns the keys (or the count) it says it deleted. */
  deleteAll(w: ClientWorld, keys: string[]): Promise<string[] | number>;
}

export interface ConformanceOptions {
  /** Server options (e.g. the built executable). */
  server?: () => Promise<StartOptions>;
  /** Size of the large file (default LARGE_SIZE, over 16 MiB). */
  largeSize?: number;
  /** How the client splits the large upload; null when it sends one PUT. */
  parts: PartPlan | null;
  /** Words for the test names, e.g. { upload: "s3 cp", large: "multipart in 8 MiB parts" }. */
  words: { upload: string; large: string; list: string; download: string; sync: string; delete: string };
  /** Operations the small upload must send, exactly. */
  smallUploadOps?: Record<string, number>;
  /** Operations the large upload must send (at least these). */
  largeUploadOps: Record<string, number>;
  /** False when the client's listing shows no ETags (s3cmd ls): keys and sizes are still checked. */
  listsEtags: boolean;
  /** The client downloads a large file in ranged parts (more than one GetObject). */
  rangedDownload?: boolean;
  /** Operations the second sync must send, exactly (besides sending no write). */
  secondSyncOps?: Record<string, number>;
  /** Operations the recursive delete must send (at least these). */
  deleteOps?: Record<string, number>;
  /** Client-specific tests, registered at these points of the story. */
  extra?: { afterUploads?: (t: ClientWorld) => void; afterDownloads?: (t: ClientWorld) => void; afterSync?: (t: ClientWorld) => void };
}

const explain = (requests: SentRequest[]) => `sent: ${summarizeOps(requests)}`;

/** Registers the shared tests for one client against one server; returns the world its own tests use. */
export function clientConformance(name: string, adapter: ClientAdapter, options: ConformanceOptions): ClientWorld {
  const w = {} as ClientWorld;
  const largeSize = options.largeSize ?? LARGE_SIZE;
  const words = options.words;
  const step = <T>(fn: () => Promise<T>) => traced(w.recorder, fn);

  beforeAll(async () => {
    // Every client runs against the product as users get it: the compiled executable.
    w.server = await startServer({ command: await executableCommand(), ...((await options.server?.()) ?? {}) });
    w.recorder = await recordingProxy(w.server);
    w.fx = makeFixture(name.replace(/\W+/g, "-"), largeSize);
    w.home = tempDir(`${name.replace(/\W+/g, "-")}-home`);
    await adapter.setup?.(w);
  }, 120_000);
  afterAll(async () => {
    await adapter.teardown?.(w);
    await w.recorder?.[Symbol.asyncDispose]();
    await w.server?.[Symbol.asyncDispose]();
    for (const d of [w.fx?.dir, w.home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  describe(name, () => {
    if (adapter.checkVersion) test("is the build this suite is about", () => adapter.checkVersion!(w), 30_000);

    test(`${words.upload} a small file: byte-equal on disk, MD5 ETag`, async () => {
      const { value: etag, requests } = await step(() => adapter.upload(w, w.fx.small, SMALL_KEY));
      if (options.smallUploadOps) expect(opCounts(requests), explain(requests)).toEqual(options.smallUploadOps);
      expect(filesUnder(w.server.musicDir)).toEqual({ [SMALL_KEY]: await md5File(w.fx.small) });
      const want = await expectedEtag(w.fx.small);
      if (etag) expect(etag).toBe(want);
      expect(await etagOf(w.server, SMALL_KEY)).toBe(want);
    }, 60_000);

    test(`${words.upload} a ${Math.floor(largeSize / 2 ** 20)} MiB file: ${words.large}, byte-equal on disk`, async () => {
      const { value: etag, requests } = await step(() => adapter.upload(w, w.fx.large, LARGE_KEY));
      expect(opCounts(requests), explain(requests)).toMatchObject(options.largeUploadOps);
      expect(filesUnder(w.server.musicDir, "Björk")[LARGE_KEY]).toBe(await md5File(w.fx.large));
      const want = await expectedEtag(w.fx.large, options.parts ?? undefined);
      if (etag) expect(etag).toBe(want);
      expect(await etagOf(w.server, LARGE_KEY)).toBe(want);
    }, 120_000);

    options.extra?.afterUploads?.(w);

    test(`${words.list} lists both with sizes${options.listsEtags ? " and ETags" : ""}`, async () => {
      const shown = (e: Listed) => (options.listsEtags ? e : { key: e.key, size: e.size });
      expect((await adapter.list(w, "Björk/Vespertine 東京/")).map(shown)).toEqual(
        [
          { key: SMALL_KEY, size: SMALL_SIZE, etag: await expectedEtag(w.fx.small) },
          { key: LARGE_KEY, size: largeSize, etag: await expectedEtag(w.fx.large, options.parts ?? undefined) },
        ].map(shown),
      );
    }, 60_000);

    test(`${words.download} the small file byte-equal`, async () => {
      const path = join(w.fx.downloads, "small.flac");
      await adapter.download(w, SMALL_KEY, path);
      expect(await md5File(path)).toBe(await md5File(w.fx.small));
    }, 60_000);

    test(`${words.download} the large file byte-equal${options.rangedDownload ? " (in ranged parts)" : ""}`, async () => {
      const path = join(w.fx.downloads, "large.flac");
      const { requests } = await step(() => adapter.download(w, LARGE_KEY, path));
      if (options.rangedDownload) expect(opCounts(requests).GetObject, explain(requests)).toBeGreaterThan(1);
      expect(await md5File(path)).toBe(await md5File(w.fx.large));
    }, 120_000);

    options.extra?.afterDownloads?.(w);

    test(`${words.sync} a folder twice: the second run transfers nothing`, async () => {
      const first = await step(() => adapter.sync(w, w.fx.syncDir, "Sync"));
      expect(first.value, explain(first.requests)).toBe(Object.keys(SYNC_FILES).length);
      expect(filesUnder(w.server.musicDir, "Sync")).toEqual(await expectedSyncTree(w.fx.syncDir, "Sync"));

      const before = identities(w.server.musicDir);
      const second = await step(() => adapter.sync(w, w.fx.syncDir, "Sync"));
      expect(second.value, explain(second.requests)).toBe(0);
      expect(writesIn(second.requests), explain(second.requests)).toEqual([]);
      if (options.secondSyncOps) expect(opCounts(second.requests), explain(second.requests)).toEqual(options.secondSyncOps);
      expect(identities(w.server.musicDir)).toEqual(before);
    }, 180_000);

    options.extra?.afterSync?.(w);

    test(`${words.delete}: the music folder is empty`, async () => {
      const keys = (await adapter.list(w, "")).map((e) => e.key);
      expect(keys.length).toBeGreaterThan(0);
      const { value: deleted, requests } = await step(() => adapter.deleteAll(w, keys));
      if (typeof deleted === "number") expect(deleted, explain(requests)).toBe(keys.length);
      else expect([...deleted].sort(), explain(requests)).toEqual([...keys].sort());
      if (options.deleteOps) expect(opCounts(requests), explain(requests)).toMatchObject(options.deleteOps);
      expect(musicLeft(w.server.musicDir)).toEqual([]);
      expect(workLeftovers(w.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
      expect(await adapter.list(w, "")).toEqual([]);
    }, 60_000);
  });
  return w;
}
