/**
 * Proof that library-seed.ts builds the database the product would: a small
 * folder laid out like the 100k one (hard links, plus every tagged fixture
 * and the corrupt and empty ones) is indexed twice — once by seedLibrary(),
 * once by the product (`scan`, then `serve` until its object index is
 * complete and its hasher has settled every ETag) — and the two databases
 * are compared table by table (ids and timestamps aside).
 * Run alone: `bun bench/library-seed-check.ts`.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScan, spawnServe, makeHome } from "./library-server.ts";
import { seedLibrary } from "./library-seed.ts";
import { FIXTURES, LinkPool, linkTree, taggedFixtures } from "./library-tree.ts";

const DUMPS: Record<string, string> = {
  track: `SELECT rel_path, path, md5, title, artist, album, album_artist, genre, year, year_string, track_number,
    disc_number, composer, length, bitrate, frequency, filesize, mtime_ms, inode, parse_error, cover_embedded, cover_image,
    (SELECT name FROM artist WHERE id = artist_id) AS artist_name, (SELECT md5 FROM album WHERE id = album_id) AS album_md5,
    (SELECT name FROM genre WHERE id = genre_id) AS genre_name FROM track ORDER BY rel_path`,
  album: "SELECT title, artist, year, year_string, md5, (SELECT name FROM artist WHERE id = artist_id) AS a FROM album ORDER BY md5",
  artist: "SELECT name, bio, image FROM artist ORDER BY name",
  genre: "SELECT name FROM genre ORDER BY name",
  album_tracks: "SELECT a.md5, t.rel_path FROM album_tracks j JOIN album a ON a.id = j.album_id JOIN track t ON t.id = j.track_id ORDER BY 1, 2",
  artist_tracks: "SELECT a.name, t.rel_path FROM artist_tracks j JOIN artist a ON a.id = j.artist_id JOIN track t ON t.id = j.track_id ORDER BY 1, 2",
  object: "SELECT * FROM object ORDER BY key",
  fts: "SELECT count(*) AS n, (SELECT count(*) FROM track_fts WHERE track_fts MATCH 'track') AS m FROM track_fts",
  schema: "SELECT (SELECT user_version FROM pragma_user_version) AS v, (SELECT count(*) FROM sqlite_master) AS n",
};

function dump(path: string): Record<string, string> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(Object.entries(DUMPS).map(([name, sql]) => [name, JSON.stringify(db.query(sql).all())]));
  } finally {
    db.close();
  }
}

async function waitForHashedIndex(dbPath: string, objects: number): Promise<void> {
  const db = new Database(dbPath, { readonly: true });
  const q = db.query<{ n: number; p: number }, []>("SELECT count(*) AS n, coalesce(sum(etag_provisional), 0) AS p FROM object");
  const deadline = performance.now() + 60_000;
  try {
    for (let r = q.get()!; r.n !== objects || r.p !== 0; r = q.get()!) {
      if (performance.now() > deadline) throw new Error(`object index: ${r.n}/${objects} rows, ${r.p} provisional after 60 s`);
      await Bun.sleep(20);
    }
  } finally {
    db.close();
  }
}

/** Returns the names of the tables that differ (empty: identical). */
export async function checkSeed(root: string, count = 120): Promise<{ files: number; differs: string[] }> {
  const dir = mkdtempSync(join(root, "seed-check-"));
  try {
    const product = makeHome(join(dir, "product"));
    const seeded = makeHome(join(dir, "seeded"), product.musicDir);
    const sources = [...taggedFixtures(), join(FIXTURES, "corrupt.mp3"), join(FIXTURES, "empty.flac")];
    const keys = linkTree(product.musicDir, count, sources, new LinkPool(join(dir, "sources"), 4));
    await seedLibrary(seeded.musicDir, seeded.dbPath);
    await runScan(product);
    const server = await spawnServe(product);
    try {
      await waitForHashedIndex(product.dbPath, keys.length);
    } finally {
      await server.stop();
    }
    const a = dump(seeded.dbPath);
    const b = dump(product.dbPath);
    return { files: keys.length, differs: Object.keys(DUMPS).filter((t) => a[t] !== b[t]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const root = mkdtempSync(join(tmpdir(), "rbs3-seed-check-"));
  try {
    const r = await checkSeed(root, Number(process.env.BENCH_SEED_CHECK ?? 120));
    console.log(r.differs.length === 0 ? `seeded database = product's (${r.files} files)` : `DIFFERS in: ${r.differs.join(", ")}`);
    process.exitCode = r.differs.length === 0 ? 0 : 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
