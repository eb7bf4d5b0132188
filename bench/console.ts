/**
 * The web console at 100,000 tracks (SPEC §9, issue 10): server time of the
 * albums page, an album page and a search; what the first load of each view
 * transfers; and the idle RSS the console adds (library.ts starts the same
 * library again with s3_console = false for that).
 */
import type { BenchServer } from "./servers.ts";
import { percentile } from "./library-latency.ts";
import { ms, type Row } from "./report.ts";

const TIMED_RUNS = 9;

async function signIn(server: BenchServer): Promise<string> {
  const res = await fetch(`${server.url}/ui/api/sign-in`, {
    method: "POST",
    redirect: "manual",
    headers: { Origin: new URL(server.url).origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ access_key: server.accessKey, secret_key: server.secretKey }),
  });
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (res.status !== 303 || !cookie) throw new Error(`console sign-in: ${res.status}`);
  return cookie;
}

/**
 * Time to the response's headers from a client on the same machine: the
 * page is rendered whole before its headers go out, so this is the server's
 * time plus a loopback round trip. One warm-up, then the median.
 */
async function serverTime(url: string, cookie: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= TIMED_RUNS; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers: { Cookie: cookie } });
    const elapsed = performance.now() - t;
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    await res.arrayBuffer();
    if (i > 0) times.push(elapsed);
  }
  return percentile(times, 50);
}

/** Everything a browser fetches to show a view the first time: the page, its CSS, scripts and images (lazy covers counted too). */
async function firstLoadBytes(url: string, cookie: string): Promise<number> {
  const page = await fetch(url, { headers: { Cookie: cookie, "Accept-Encoding": "gzip, br" } });
  const html = await page.text();
  let bytes = Number(page.headers.get("content-length") ?? new TextEncoder().encode(html).length);
  const refs = new Set<string>();
  for (const m of html.matchAll(/<(?:link[^>]*\shref|script[^>]*\ssrc|img[^>]*\ssrc)="([^"]+)"/g)) refs.add(new URL(m[1]!.replaceAll("&amp;", "&"), url).href);
  for (const ref of refs) {
    if (new URL(ref).origin !== new URL(url).origin) throw new Error(`${url} loads ${ref}: an external request`);
    const res = await fetch(ref, { headers: { Cookie: cookie, "Accept-Encoding": "gzip, br" } });
    bytes += (await res.arrayBuffer()).byteLength;
  }
  return bytes;
}

export interface ConsoleFigures {
  rows: Row[];
  notes: string[];
}

/** Against a server already serving the 100k-track library with the console on. */
export async function consoleFigures(server: BenchServer, tracks: string): Promise<ConsoleFigures> {
  const cookie = await signIn(server);
  const base = `${server.url}/ui`;
  const grid = await (await fetch(`${base}/`, { headers: { Cookie: cookie } })).text();
  const albumIds = [...grid.matchAll(/href="\/ui\/albums\/(\d+)"/g)].map((m) => m[1]!);
  const albumId = albumIds[Math.floor(albumIds.length / 2)];
  if (!albumId) throw new Error("console: no album on the first page");
  const albumHtml = await (await fetch(`${base}/albums/${albumId}`, { headers: { Cookie: cookie } })).text();
  const albumTracks = (albumHtml.match(/class="track-title"/g) ?? []).length;
  // A word of the album's title: a search that matches many tracks of the bench library.
  const word = /<h1[^>]*>([^<]+)<\/h1>/.exec(albumHtml)?.[1]?.split(/\W+/).find((w) => w.length > 2) ?? "track";
  const total = Number(/(\d[\d,]*) albums/.exec(grid)?.[1]?.replaceAll(",", "") ?? NaN);

  const timed = {
    albums: await serverTime(`${base}/`, cookie),
    album: await serverTime(`${base}/albums/${albumId}`, cookie),
    search: await serverTime(`${base}/search?q=${encodeURIComponent(word)}`, cookie),
  };
  const views: [string, string][] = [
    ["Library", `${base}/`],
    ["album", `${base}/albums/${albumId}`],
    ["search", `${base}/search?q=${encodeURIComponent(word)}`],
    ["Upload", `${base}/upload`],
    ["Files", `${base}/files`],
    ["Connect", `${base}/connect`],
    ["Status", `${base}/status`],
  ];
  const loads: [string, number][] = [];
  for (const [name, url] of views) loads.push([name, await firstLoadBytes(url, cookie)]);
  const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
  const heaviest = Math.max(...loads.map(([, b]) => b));
  const of = `median of ${TIMED_RUNS}`;
  const row = (metric: string, v: number, limit = "—") => ({ metric, ours: ms(v), peer: "—", limit, target: "< 100 ms", met: v < 100 });
  return {
    notes: [
      `console: album ${albumId} has ${albumTracks} tracks${Number.isNaN(total) ? "" : ` (${total} albums in all)`}; search for "${word}"`,
      `console: first load by view: ${loads.map(([n, b]) => `${n} ${kb(b)}`).join(", ")}`,
    ],
    rows: [
      row(`console albums page (48 albums), ${tracks} tracks, time to headers, ${of}`, timed.albums),
      row(`console album page (${albumTracks} tracks), ${tracks} tracks, time to headers, ${of}`, timed.album),
      row(`console search "${word}" (50 tracks + albums), ${tracks} tracks, time to headers, ${of}`, timed.search),
      { metric: "console first load of a view (HTML + CSS + JS + images), heaviest of 7", ours: kb(heaviest), peer: "—", limit: "—", target: "< 150 KB", met: heaviest < 150 * 1024 },
    ],
  };
}
