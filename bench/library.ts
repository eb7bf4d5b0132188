/**
 * Library and listing figures (SPEC §7, §8): PUT → track visible, scan rate,
 * startup and idle RSS with a 100k-track library, and a full paginated
 * listing of it next to s3rver's. Sizes: BENCH_PUTS (200), BENCH_SCAN
 * (100000), BENCH_TRACKS (100000), BENCH_STARTS (3); RSS is read
 * BENCH_IDLE_MS (3000) after the startup reconcile, and on the last start
 * again BENCH_SETTLE_MS (20000) after it.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readTags } from "../src/library/tags.ts";
import { percentile, putToVisible } from "./library-latency.ts";
import { type Listing, listTwice } from "./library-list.ts";
import { peerFigures } from "./library-peer.ts";
import { consoleFigures } from "./console.ts";
import { checkSeed } from "./library-seed-check.ts";
import { seedLibrary } from "./library-seed.ts";
import { type Home, makeHome, runScan } from "./library-server.ts";
import { startupPieces, startups, timeStartup } from "./library-startup.ts";
import { copyTree, FIXTURES, LinkPool, linkTree, taggedFixtures } from "./library-tree.ts";
import { mb, ms, type Row } from "./report.ts";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const PUTS = env("BENCH_PUTS", 200);
/** The figure is for 100,000 files; a smaller scan weighs the JIT's warm-up more. */
const SCAN = env("BENCH_SCAN", 100_000);
const TRACKS = env("BENCH_TRACKS", 100_000);
const STARTS = Math.max(1, env("BENCH_STARTS", 3));
const IDLE_MS = env("BENCH_IDLE_MS", 3000);
const SETTLE_MS = env("BENCH_SETTLE_MS", 20_000);

const n = (v: number) => v.toLocaleString("en-US");
const secs = (s: number) => `${s.toFixed(s < 10 ? 2 : 1)} s`;
const median = (values: readonly number[]) => percentile(values, 50);
const spread = (values: number[], f: (v: number) => string) =>
  values.length > 1 ? `${f(median(values))} (${f(Math.min(...values))}–${f(Math.max(...values))})` : f(values[0]!);
const note = (text: string) => console.log(`library: ${text}`);
const row = (metric: string, ours: string, peer: string, limit: string, target: string, met: boolean | null): Row => ({ metric, ours, peer, limit, target, met });

/**
 * Tags read in this process, 8 in flight as in the sync queue: what parsing
 * alone costs, without the walk and the database. The sample is read twice
 * (JIT and parser modules warm) and the second pass reported.
 */
async function parseRate(musicDir: string, keys: readonly string[]): Promise<number> {
  const sample = keys.slice(0, Math.min(2000, keys.length));
  const pass = async () => {
    let next = 0;
    const t = performance.now();
    const worker = async () => {
      for (let key = sample[next++]; key !== undefined; key = sample[next++]) await readTags(join(musicDir, key), Bun.file(join(musicDir, key)).size);
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return sample.length / ((performance.now() - t) / 1000);
  };
  await pass();
  return pass();
}

async function scanRow(root: string): Promise<{ rows: Row[]; rate: number }> {
  const h = makeHome(join(root, "lib-scan"));
  try {
    const t = performance.now();
    const keys = copyTree(h.musicDir, SCAN, taggedFixtures());
    note(`${n(SCAN)} fresh copies for the first scan: ${secs((performance.now() - t) / 1000)}`);
    const alone = await parseRate(h.musicDir, keys);
    const scan = await runScan(h);
    note(`${scan.summary} (wall ${secs(scan.seconds)}, peak RSS ${mb(scan.peakRss)})`);
    const rate = scan.parsed / scan.seconds;
    const workers = Math.max(0, navigator.hardwareConcurrency - 1);
    return {
      rate,
      rows: [
        row(`first scan of ${n(SCAN)} new tagged files (${taggedFixtures().length} formats), tags on ${workers} worker thread${workers === 1 ? "" : "s"}, wall clock`,
          `${rate.toFixed(0)} files/s (${secs(scan.seconds)}; ${((scan.cpuSeconds * 1000) / scan.parsed).toFixed(2)} CPU-ms/file, all threads)`, "—", `readTags alone, one thread, 8 in flight: ${alone.toFixed(0)} files/s`,
          "≥ 2000 files/s", rate >= 2000 && scan.parsed === SCAN),
        row(`peak RSS during that first scan`, mb(scan.peakRss), "—", "—", "< 100 MB", scan.peakRss < 100 * 1024 ** 2),
      ],
    };
  } finally {
    rmSync(h.home, { recursive: true, force: true });
  }
}

/** The same starts as startups(), with the console turned off in settings.toml (restored after). */
async function idleRssWithoutConsole(h: Home): Promise<number[]> {
  const settings = join(h.home, ".config", "rockbox.org", "settings.toml");
  const before = readFileSync(settings, "utf8");
  appendFileSync(settings, "s3_console = false\n");
  try {
    const rss: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const { run, server } = await timeStartup(h, IDLE_MS);
      await server.stop();
      rss.push(run.idleRss);
    }
    return rss;
  } finally {
    writeFileSync(settings, before);
  }
}

const listed = (l: Listing | string) => (typeof l === "string" ? l : `${secs(l.seconds)} (${n(l.keys)} keys)`);
const pageP50 = (l: Listing | string) => (typeof l === "string" ? l : ms(median(l.pageMs)));

async function bigLibraryRows(root: string, empty: { rss: number; readyMs: number }, scanRate: number): Promise<Row[]> {
  const h = makeHome(join(root, "lib-100k"));
  const pool = new LinkPool(join(root, "lib-sources"));
  const sources = ["mp3", "flac", "ogg", "m4a", "opus", "wv"].map((e) => join(FIXTURES, `tagged.${e}`));
  try {
    const t = performance.now();
    const keys = linkTree(h.musicDir, TRACKS, sources, pool);
    note(`${n(TRACKS)} hard links in ${n(Math.ceil(TRACKS / 20))} album folders: ${secs((performance.now() - t) / 1000)}`);
    const seeded = await seedLibrary(h.musicDir, h.dbPath);
    note(`seeded with the product's TrackStore/IndexSync: ${n(seeded.tracks)} tracks, ${n(seeded.objects)} objects in ${secs(seeded.seconds)}` +
      ` (parsing them all at the scan rate above would take ~${secs(TRACKS / scanRate)})`);

    note(`startup steps timed in-process: ${startupPieces(h)}`);
    const { runs, server } = await startups(h, STARTS, IDLE_MS, SETTLE_MS);
    const samples = runs.at(-1)!.samples;
    note(`last start, RSS every 0.5 s after the reconcile: ${samples.map((v) => (v / 2 ** 20).toFixed(0)).join(" ")} MB`);
    for (const r of runs) note(`start: ready ${ms(r.readyMs)}, reconcile logged at ${ms(r.reconcileMs)} [${r.reconcileLine}], idle RSS ${mb(r.idleRss)}, peak ${mb(r.peakRss)}`);
    let ours: Listing;
    let web: Awaited<ReturnType<typeof consoleFigures>>;
    try {
      web = await consoleFigures(server, n(TRACKS));
      ours = await listTwice(server);
    } finally {
      await server.stop();
    }
    note(`rockboxd-s3 listing: ${ours.pages} pages in ${secs(ours.seconds)} (first walk ${secs(ours.firstSeconds!)}), page p50 ${ms(median(ours.pageMs))}, p99 ${ms(percentile(ours.pageMs, 99))}`);
    for (const line of web.notes) note(line);
    const withoutConsole = await idleRssWithoutConsole(h);
    note(`idle RSS with s3_console = false: ${withoutConsole.map(mb).join(", ")}`);
    rmSync(h.home, { recursive: true, force: true });

    const peer = await peerFigures(join(root, "lib-s3rver"), keys, sources, pool, IDLE_MS);
    if (typeof peer.listing !== "string")
      note(`s3rver listing: ${peer.listing.pages} pages in ${secs(peer.listing.seconds)} (first walk ${secs(peer.listing.firstSeconds!)}), page p50 ${ms(median(peer.listing.pageMs))}, p99 ${ms(percentile(peer.listing.pageMs, 99))}`);

    const ready = runs.map((r) => r.readyMs);
    const idle = runs.map((r) => r.idleRss);
    const of = `median of ${runs.length}`;
    const settled = samples.at(-1);
    return [
      row(`start → first HTTP response, ${n(TRACKS)} tracks indexed, ${of}`, spread(ready, ms), `${ms(peer.readyMs)} (no index)`, `ours, empty library: ${ms(empty.readyMs)}`, "< 1 s", median(ready) < 1000),
      row(`start → startup reconcile logged, ${n(TRACKS)} tracks, ${of}`, spread(runs.map((r) => r.reconcileMs), ms), "—", "—", "—", null),
      row(`idle RSS ${IDLE_MS / 1000} s after the startup reconcile, ${n(TRACKS)} tracks, ${of}`, spread(idle, mb), `${mb(peer.idleRss)} (no library)`,
        `ours, empty library, at start: ${mb(empty.rss)}`, "< 60 MB", median(idle) < 60 * 1024 ** 2),
      ...(settled === undefined ? [] : [row(`idle RSS ${SETTLE_MS / 1000} s after the startup reconcile, ${n(TRACKS)} tracks, last start`, mb(settled), "—",
        `ours, empty library, at start: ${mb(empty.rss)}`, "< 60 MB", settled < 60 * 1024 ** 2)]),
      row(`ListObjectsV2, all ${n(TRACKS)} keys, 1000 per page (2nd walk)`, listed(ours), listed(peer.listing), "—", "< 3 s", ours.seconds < 3 && ours.keys === TRACKS),
      row("ListObjectsV2, one 1000-key page, p50", pageP50(ours), pageP50(peer.listing), "—", "< 20 ms", median(ours.pageMs) < 20),
      ...web.rows,
      row(`idle RSS the console adds (on vs s3_console = false), ${n(TRACKS)} tracks, ${of}`, mb(median(idle) - median(withoutConsole)), "—",
        `on ${mb(median(idle))}, off ${mb(median(withoutConsole))}`, "< 5 MB", median(idle) - median(withoutConsole) < 5 * 1024 ** 2),
    ];
  } finally {
    rmSync(h.home, { recursive: true, force: true });
    rmSync(join(root, "lib-sources"), { recursive: true, force: true });
  }
}

export async function libraryBench(root: string): Promise<Row[]> {
  const check = await checkSeed(root);
  note(check.differs.length === 0 ? `seeding checked: same database as the product's own scan + serve (${check.files} files)` : `SEEDED DATABASE DIFFERS in ${check.differs.join(", ")}`);

  const latency = await putToVisible(makeHome(join(root, "lib-latency")), PUTS);
  rmSync(join(root, "lib-latency"), { recursive: true, force: true });
  const p99 = percentile(latency.visibleMs, 99);
  const scan = await scanRow(root);
  const rows = [
    row(`PUT → track visible, ${latency.visibleMs.length} small PUTs (mp3/flac), p50 / p99`,
      `${ms(median(latency.visibleMs))} / ${ms(p99)} (max ${ms(Math.max(...latency.visibleMs))})`,
      "—", `PUT round trip p50 ${ms(median(latency.putMs))}`, "p99 < 100 ms", p99 < 100),
    ...scan.rows,
  ];
  const big = await bigLibraryRows(root, { rss: latency.emptyRss, readyMs: latency.emptyReadyMs }, scan.rate);
  if (check.differs.length > 0) for (const r of big.filter((r) => !r.metric.startsWith("ListObjectsV2"))) r.met = false; // startup figures on a database the product would not have
  return [...rows, ...big];
}
