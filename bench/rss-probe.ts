/**
 * Idle RSS of `serve` with a library of N (100000) tagged tracks, seeded
 * with this tree's code and served by this tree's dist/rockboxd-s3, split
 * into the process's own memory (RssAnon) and pages mapped from the
 * executable (RssFile). NO_CONSOLE=1 turns the console off.
 */
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seedLibrary } from "./library-seed.ts";
import { makeHome } from "./library-server.ts";
import { LinkPool, linkTree, taggedFixtures } from "./library-tree.ts";
import { startups } from "./library-startup.ts";
const N = Number(process.env.N ?? 100000);
const root = mkdtempSync(join(tmpdir(), "rss-probe-"));
const h = makeHome(join(root, "lib"));
if (process.env.NO_CONSOLE) appendFileSync(join(h.home, ".config", "rockbox.org", "settings.toml"), "s3_console = false\n");
const pool = new LinkPool(join(root, "pool"));
linkTree(h.musicDir, N, taggedFixtures(), pool);
await seedLibrary(h.musicDir, h.dbPath);
const { runs, server } = await startups(h, 2, 3000, 8000);
const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
console.log(status.split("\n").filter((l: string) => /^(VmRSS|VmHWM|RssAnon|RssFile|Threads)/.test(l)).join(", "));
await server.stop();
for (const r of runs) console.log(`ready ${r.readyMs.toFixed(0)} ms, reconcile ${r.reconcileMs.toFixed(0)} ms, idle ${(r.idleRss / 1e6).toFixed(0)} MB, peak ${(r.peakRss / 1e6).toFixed(0)} MB, settled ${r.samples.length ? (r.samples.at(-1)! / 1e6).toFixed(0) : "-"} MB`);
