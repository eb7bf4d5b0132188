/**
 * A full paginated ListObjectsV2 (max-keys 1000, following continuation
 * tokens) with signed GETs from fetch, against either server.
 */
import type { BenchServer } from "./servers.ts";
import { signedRequest } from "./sign.ts";

export function signedGet(server: BenchServer, path: string, query: Record<string, string>): Promise<{ url: string; headers: Record<string, string> }> {
  return signedRequest(server, "GET", path, "UNSIGNED-PAYLOAD", {}, query);
}

export interface Listing {
  keys: number;
  pages: number;
  /** Wall time of the whole walk, client signing and parsing included. */
  seconds: number;
  /** Request sent → whole body read, per page (signing excluded). */
  pageMs: number[];
  /** listTwice: the first (unreported) walk's wall time. */
  firstSeconds?: number;
}

export const unescapeXml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");

export async function listAll(server: BenchServer): Promise<Listing> {
  const pageMs: number[] = [];
  let keys = 0;
  let token: string | null = null;
  const started = performance.now();
  for (;;) {
    const query: Record<string, string> = { "list-type": "2", "max-keys": "1000" };
    if (token !== null) query["continuation-token"] = token;
    const { url, headers } = await signedGet(server, "/music", query);
    const t = performance.now();
    const res = await fetch(url, { headers });
    const body = await res.text();
    pageMs.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`${server.name}: ListObjectsV2 page ${pageMs.length}: HTTP ${res.status} ${body.slice(0, 300)}`);
    keys += body.match(/<Key>/g)?.length ?? 0;
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(body);
    const next = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(body);
    if (!truncated) break;
    if (!next) throw new Error(`${server.name}: truncated page without NextContinuationToken`);
    token = unescapeXml(next[1]!);
  }
  return { keys, pages: pageMs.length, seconds: (performance.now() - started) / 1000, pageMs };
}

/** Two full walks; the second is reported (both servers get the same warm-up). */
export async function listTwice(server: BenchServer): Promise<Listing> {
  const first = await listAll(server);
  return { ...(await listAll(server)), firstSeconds: first.seconds };
}
