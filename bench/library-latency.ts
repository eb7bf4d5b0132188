/**
 * PUT → track visible: sequential small PUTs of tagged fixtures (different
 * keys) to a running server; for each, the time from the PUT's response to
 * the moment its row exists in `track`, polled through a read-only
 * connection to the same SQLite file with one prepared statement, every ~1 ms.
 */
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { firstResponse, type Home, spawnServe } from "./library-server.ts";
import { memoryOf } from "./servers.ts";
import { signedHeaders } from "./sign.ts";

export interface Latency {
  /** PUT response → row visible, ms. */
  visibleMs: number[];
  /** PUT request → response, ms. */
  putMs: number[];
  /** The server's RSS with an empty library, before the PUTs. */
  emptyRss: number;
  /** Spawn → first HTTP response with an empty library. */
  emptyReadyMs: number;
}

export async function putToVisible(h: Home, count: number): Promise<Latency> {
  const server = await spawnServe(h);
  try {
    const emptyReadyMs = (await firstResponse(server.url)) - server.spawnedAt;
    await server.lineAt(/library: reconcile/);
    await Bun.sleep(500); // let the tag reader's warm-up (started with the library) finish
    const emptyRss = memoryOf(server.pid).now;
    const bodies = ["tagged.mp3", "tagged.flac"].map((name) => {
      const bytes = readFileSync(join(import.meta.dir, "..", "test", "fixtures", "audio", name));
      return { ext: name.split(".")[1]!, bytes, sha256: new Bun.CryptoHasher("sha256").update(bytes).digest("hex") };
    });
    const db = new Database(h.dbPath, { readonly: true });
    const found = db.query<{ id: number }, [string]>("SELECT id FROM track WHERE rel_path = ?");
    const visibleMs: number[] = [];
    const putMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const body = bodies[i % bodies.length]!;
      const key = `Latency/Album ${Math.floor(i / 20)}/${String(i).padStart(4, "0")} Upload.${body.ext}`;
      const path = `/music/${key.split("/").map(encodeURIComponent).join("/")}`;
      const headers = await signedHeaders(server, "PUT", path, body.sha256, { "content-length": String(body.bytes.length) });
      delete headers.host;
      const t0 = performance.now();
      const res = await fetch(`${server.url}${path}`, { method: "PUT", headers, body: body.bytes });
      await res.arrayBuffer();
      const t1 = performance.now();
      if (res.status !== 200) throw new Error(`PUT ${key}: HTTP ${res.status}`);
      while (!found.get(key)) {
        if (performance.now() - t1 > 10_000) throw new Error(`${key}: no track row 10 s after the PUT`);
        await Bun.sleep(1);
      }
      visibleMs.push(performance.now() - t1);
      putMs.push(t1 - t0);
    }
    db.close();
    return { visibleMs, putMs, emptyRss, emptyReadyMs };
  } finally {
    await server.stop();
  }
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
