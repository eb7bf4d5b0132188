#!/usr/bin/env bun
/**
 * The entry point: parses the command line and, for `serve`, builds the
 * real parts (music_dir, the store, the library, the server) and wires
 * them. `scan` and `library` (cli/) open only the library and its database.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import pkg from "../package.json" with { type: "json" };
import { parseInvocation } from "./cli/args.ts";
import { HELP } from "./cli/help.ts";
import { runInit } from "./cli/init.ts";
import { runLibrary } from "./cli/library.ts";
import { runScan } from "./cli/scan.ts";
import { type Gateway, loadConfig, runServe } from "./cli/serve.ts";
import type { Config } from "./config/config.ts";
import { ConfigError, UsageError } from "./config/errors.ts";
import { configureHashPool } from "./s3/hash-pool.ts";
import { openDatabase } from "./db/database.ts";
import { SessionRevocations } from "./db/session-revocations.ts";
import { clientSnippets } from "./cli/snippets.ts";
import { createConsole } from "./console/index.tsx";
import { createApp } from "./http/app.ts";
import { InFlightWrites } from "./http/in-flight.ts";
import { listen } from "./http/server.ts";
import { objectTags } from "./http/object-tags.ts";
import { albumCover, createLibrary, readCover } from "./library/index.ts";
import { createLogger, type Logger } from "./log.ts";
import { MusicDir } from "./music-dir/index.ts";
import { cleanTemp } from "./store/atomic-write.ts";
import { Bucket } from "./store/bucket.ts";
import { EtagHasher } from "./store/etag-hasher.ts";
import { IndexSync } from "./store/index-sync.ts";
import { Layout } from "./store/layout.ts";
import { Multipart } from "./store/multipart/multipart.ts";
import { startSweeper } from "./store/multipart/sweeper.ts";
import { ObjectIndex } from "./store/object-index.ts";

/**
 * The JIT policy of the main thread once serving (1 is JSC's normal one).
 * Its JavaScript is glue around native work (hashing, file I/O, SQLite,
 * HTTP): only code that runs 100 times more often than usual is optimised,
 * so that compiled code and the compilers' memory stay out of a small
 * machine's RAM. Measured: 24-client soak peak 106–109 → 90–101 MB; CPU per
 * GiB of an aws-chunked PUT (the most JavaScript per byte) 4.54–5.55 → 4.25–
 * 5.22 in alternating runs, and soak CPU 14.3–15.1 → 14.1–14.3 s: no cost
 * seen. Worker threads (tags, hashes) keep their own, normal policy.
 */
const SERVING_JIT_POLICY = 100;

/** The startup's reluctant JIT (build.ts) lasts until the startup reconcile is done, or this long. */
const STARTUP_JIT_MS = 10_000;

export async function startGateway(config: Config, log: Logger): Promise<Gateway> {
  configureHashPool(config.hashThreads);
  const db = openDatabase(config.dbPath);
  const index = new ObjectIndex(db);
  if (!existsSync(config.musicDir)) {
    if (index.count() > 0) log.warn("music_dir is missing; serving what is indexed, purging nothing", { music_dir: config.musicDir });
    else mkdirSync(config.musicDir, { recursive: true });
  }
  const layout = new Layout(config.musicDir);
  const leftovers = cleanTemp(layout);
  if (leftovers) log.info("removed leftovers of interrupted uploads", { count: leftovers });
  // music_dir hands every change, looked at once, to both indexes: the
  // bucket's writes (the library follows at once), the watcher's (debounced).
  const dir = new MusicDir({ root: config.musicDir, log });
  const sync = new IndexSync(index, layout, dir);
  dir.follow(sync);
  // The reconcile walk is the library's; the object index follows the same walk.
  const library = createLibrary({ db, musicDir: dir, log, observers: [sync] });
  const bucket = new Bucket(layout, index, sync, dir);
  const multipart = new Multipart(bucket, layout);
  multipart.onAssembled = (key, bytes, kernelBytes, inPlaceBytes) =>
    log.debug("multipart upload assembled", { key, bytes, in_place: inPlaceBytes, by_copy_file_range: kernelBytes });
  const sweeper = startSweeper(multipart, (removed, error) =>
    error
      ? log.warn("could not sweep abandoned multipart uploads", { error: String(error) })
      : log.info("removed abandoned multipart uploads", { count: removed }),
  );
  const writes = new InFlightWrites();
  const hasher = new EtagHasher(index, sync, layout, {
    busy: () => writes.busy,
    onError: (key, e) => log.warn("could not hash a file for its ETag", { key, error: String(e) }),
  });
  sync.onProvisional = () => hasher.wake();
  const createdMs = existsSync(config.musicDir) ? statSync(config.musicDir).birthtimeMs || statSync(config.musicDir).ctimeMs : Date.now();
  const credentials = { accessKey: config.accessKey, secretKey: config.secretKey };
  const q = library.queries;
  const webConsole = config.console
    ? createConsole({
        credentials,
        revocations: new SessionRevocations(db),
        bucket,
        multipart,
        library: {
          stats: () => q.stats(),
          counts: () => q.counts(),
          albumsPage: (limit, offset, artistId) => q.albumsPage(limit, offset, artistId),
          album: (id) => q.album(id),
          albumTracks: (id, limit, offset) => q.albumTracks(id, limit, offset),
          artistsPage: (limit, offset) => q.artistsPage(limit, offset),
          searchWithAlbums: (text, trackLimit, albumLimit) => q.searchWithAlbums(text, trackLimit, albumLimit),
          cover: (albumId) => albumCover(q.albumCoverRows(albumId)),
          readCover,
        },
        sync: () => ({ queued: library.queue.pending, watching: library.watching, backstopMs: library.backstopMs, lastReconcileMs: library.lastReconcileMs }),
        musicDir: config.musicDir,
        version: pkg.version,
        snippets: clientSnippets,
        log,
      })
    : undefined;
  const app = createApp({
    credentials,
    services: { bucket, multipart, createdMs, library: { tagsFor: (key) => objectTags(library.queries.trackByRel(key)) }, corsOrigins: config.corsOrigins },
    log,
    writes,
    console: webConsole,
  });
  const server = listen(app, config.host, config.port, config.tls);
  // The startup reconcile runs once the server answers: with an unchanged
  // library both indexes are already right. It merges the walk with both
  // tables a page at a time (no map of the library), but the walk's entries
  // and the pages read are garbage once it is done; collect them now rather
  // than wait for the collector in a server that may sit idle.
  //
  // Until then the JIT is very reluctant (build.ts starts the executable
  // so): module setup runs once and the reconcile's loops once per start,
  // and optimising them left the compilers' code and scratch memory
  // resident in an idle server (100k tracks: 70 → 55 MB RSS, the reconcile
  // 1.2 → 1.5–1.9 s). shrink() then drops the startup's compiled code and
  // returns free heap pages (~1.5 MB). A walk that takes long (a network
  // share) or fails must not leave requests near the interpreter: the
  // serving policy comes after STARTUP_JIT_MS at the latest.
  const startupJit = setTimeout(() => Bun.unsafe.setJITPolicy(SERVING_JIT_POLICY), STARTUP_JIT_MS);
  startupJit.unref();
  const serving = () => {
    clearTimeout(startupJit);
    Bun.unsafe.setJITPolicy(SERVING_JIT_POLICY);
  };
  const started = new Promise<void>((resolve) => setImmediate(resolve))
    .then(() => library.start())
    .then(
      () => {
        serving();
        Bun.gc(true);
        Bun.shrink();
        hasher.start();
      },
      (e) => {
        serving();
        log.error("startup reconcile failed", { error: String(e) });
      },
    );
  return {
    url: server.url,
    async stop() {
      await server.stop();
      sweeper.stop();
      await started;
      await library.close();
      dir.close();
      await hasher.stop();
      db.close();
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const out = (t: string) => process.stdout.write(t);
  const inv = parseInvocation(argv);
  if (inv.version) {
    out(`rockboxd-s3 ${pkg.version}\n`);
    return 0;
  }
  if (inv.help) {
    out((inv.named ? HELP[inv.command] : undefined) ?? HELP.main!);
    out("\n");
    return 0;
  }
  switch (inv.command) {
    case "serve":
      return runServe(inv.flags, startGateway, out);
    case "init":
      return runInit(inv.flags, out);
    case "scan": {
      Bun.unsafe.setJITPolicy(1); // a first scan's loops run for minutes: optimise them as usual (see startGateway)
      const config = loadConfig(inv.flags);
      return runScan({ musicDir: config.musicDir, dbPath: config.dbPath }, process.stdout, createLogger(config.logLevel));
    }
    case "library": {
      const config = loadConfig(inv.flags);
      return runLibrary([...inv.words, ...(inv.json ? ["--json"] : [])], { musicDir: config.musicDir, dbPath: config.dbPath });
    }
    case "help":
      out(HELP[inv.words[0] ?? "main"] ?? HELP.main!);
      out("\n");
      return 0;
    default:
      throw new UsageError(`unknown command '${inv.command}'. Run rockboxd-s3 --help.`);
  }
}

if (import.meta.main) {
  main(Bun.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      if (e instanceof UsageError || e instanceof ConfigError) {
        process.stderr.write(`rockboxd-s3: ${e.message}\n`);
        process.exit(e.exitCode);
      }
      process.stderr.write(`rockboxd-s3: ${(e as Error)?.stack ?? e}\n`);
      process.exit(1);
    },
  );
}
