/**
 * s3rver with the same keys as our big library, written straight into its
 * on-disk layout (100k PUTs would take minutes), then started, left idle and
 * listed the same way.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Listing, listTwice } from "./library-list.ts";
import { firstResponse } from "./library-server.ts";
import { type LinkPool, s3rverTree } from "./library-tree.ts";
import { memoryOf, startS3rver } from "./servers.ts";

export interface PeerFigures {
  /** Spawn → first HTTP response (s3rver loads no index at start). */
  readyMs: number;
  idleRss: number;
  /** Or why there is none. */
  listing: Listing | string;
}

export async function peerFigures(dir: string, keys: readonly string[], sources: readonly string[], pool: LinkPool, idleMs: number): Promise<PeerFigures> {
  const md5s = new Map<string, string>();
  const md5Of = (s: string) => md5s.get(s) ?? md5s.set(s, new Bun.CryptoHasher("md5").update(readFileSync(s)).digest("hex")).get(s)!;
  const sourceOf = (key: string) => sources.find((s) => s.endsWith(key.slice(key.lastIndexOf("."))))!;
  const t0 = performance.now();
  s3rverTree(dir, keys, sourceOf, md5Of, pool);
  console.log(`library: s3rver's folder written with the same ${keys.length} keys (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  const t = performance.now();
  const peer = await startS3rver(dir);
  const readyMs = (await firstResponse(peer.url)) - t;
  try {
    await Bun.sleep(idleMs);
    const idleRss = memoryOf(peer.pid).now;
    let listing: Listing | string;
    try {
      listing = await listTwice(peer);
    } catch (error) {
      listing = "failed";
      console.log(`library: s3rver listing failed: ${String(error).slice(0, 300)}`);
    }
    return { readyMs, idleRss, listing };
  } finally {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

