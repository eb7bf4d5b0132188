/**
 * The console's static files, embedded in the executable by `bun build
 * --compile` (text imports), so every target binary, arm64 included,
 * carries them and nothing is fetched from anywhere else. Served with an
 * ETag of their content: a new version of the binary is revalidated.
 */
import css from "./client/console.css" with { type: "text" };
import icon from "./client/icon.svg" with { type: "text" };
import cover from "./client/cover.svg" with { type: "text" };
import player from "./client/player.client.js" with { type: "text" };
import search from "./client/search.client.js" with { type: "text" };
import library from "./client/library.client.js" with { type: "text" };
import upload from "./client/upload.client.js" with { type: "text" };
import files from "./client/files.client.js" with { type: "text" };
import connect from "./client/connect.client.js" with { type: "text" };

export const PLACEHOLDER_COVER = cover;

const JS = "text/javascript; charset=utf-8";
const SOURCES: Record<string, { body: string; type: string }> = {
  "console.css": { body: css, type: "text/css; charset=utf-8" },
  "icon.svg": { body: icon, type: "image/svg+xml" },
  "player.js": { body: player, type: JS },
  "search.js": { body: search, type: JS },
  "library.js": { body: library, type: JS },
  "upload.js": { body: upload, type: JS },
  "files.js": { body: files, type: JS },
  "connect.js": { body: connect, type: JS },
};

const ASSETS = new Map(
  Object.entries(SOURCES).map(([name, a]) => [name, { ...a, etag: `"${new Bun.CryptoHasher("sha1").update(a.body).digest("base64url").slice(0, 20)}"` }]),
);

export function assetResponse(name: string, ifNoneMatch: string | undefined): Response | null {
  const asset = ASSETS.get(name);
  if (!asset) return null;
  const headers = { ETag: asset.etag, "Cache-Control": "no-cache" };
  if (ifNoneMatch === asset.etag) return new Response(null, { status: 304, headers });
  return new Response(asset.body, { headers: { ...headers, "Content-Type": asset.type } });
}
