/** The Library view's routes: albums, artists, an album, search, covers. */
import { Hono } from "hono";
import { z } from "zod";
import type { ConsoleEnv, ConsoleOptions } from "./env.ts";
import { renderPage } from "./render.ts";
import { Layout } from "./pages/layout.tsx";
import { ALBUMS_PER_PAGE, ARTISTS_PER_PAGE, AlbumsView, AlbumView, ArtistsView, SearchBox, SearchResults, TRACKS_PER_PAGE } from "./pages/library.tsx";
import { BASE } from "./routing.ts";
import { PLACEHOLDER_COVER } from "./assets.ts";

const pageQuery = z.coerce.number().int().min(1).max(1_000_000).catch(1);
const idParam = z.coerce.number().int().min(1);
const SEARCH_TRACKS = 50;
const SEARCH_ALBUMS = 24;

export function libraryRoutes(opts: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const lib = opts.library;
  const scripts = ["search.js", "library.js"];

  app.get(`${BASE}/`, async (c) => {
    const page = pageQuery.parse(c.req.query("page"));
    const { albums, total } = lib.albumsPage(ALBUMS_PER_PAGE, (page - 1) * ALBUMS_PER_PAGE);
    return c.html(
      renderPage(
        <Layout title="Library" view="Library" csrf={c.get("session").csrf} scripts={scripts}>
          <AlbumsView albums={albums} total={total} page={page} heading="Albums" pageHref={(p) => `${BASE}/?page=${p}`} />
        </Layout>,
      ),
    );
  });

  app.get(`${BASE}/artists`, async (c) => {
    const page = pageQuery.parse(c.req.query("page"));
    const { artists, total } = lib.artistsPage(ARTISTS_PER_PAGE, (page - 1) * ARTISTS_PER_PAGE);
    return c.html(
      renderPage(
        <Layout title="Artists" view="Library" csrf={c.get("session").csrf} scripts={scripts}>
          <ArtistsView artists={artists} total={total} page={page} />
        </Layout>,
      ),
    );
  });

  app.get(`${BASE}/artists/:id`, async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    if (!id.success) return c.notFound();
    const page = pageQuery.parse(c.req.query("page"));
    const { albums, total } = lib.albumsPage(ALBUMS_PER_PAGE, (page - 1) * ALBUMS_PER_PAGE, id.data);
    const heading = albums[0]?.artist ?? "Artist";
    return c.html(
      renderPage(
        <Layout title={heading} view="Library" csrf={c.get("session").csrf} scripts={scripts}>
          <AlbumsView albums={albums} total={total} page={page} heading={heading} pageHref={(p) => `${BASE}/artists/${id.data}?page=${p}`} />
        </Layout>,
      ),
    );
  });

  app.get(`${BASE}/albums/:id`, async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    const album = id.success ? lib.album(id.data) : null;
    if (!album) return c.notFound();
    const page = pageQuery.parse(c.req.query("page"));
    return c.html(
      renderPage(
        <Layout title={album.title} view="Library" csrf={c.get("session").csrf}>
          <AlbumView album={album} tracks={lib.albumTracks(album.id, TRACKS_PER_PAGE, (page - 1) * TRACKS_PER_PAGE)} page={page} />
        </Layout>,
      ),
    );
  });

  // With ?fragment=1 (search as you type) only the results, to swap in; without, a whole page.
  app.get(`${BASE}/search`, async (c) => {
    const q = (c.req.query("q") ?? "").slice(0, 200);
    const { tracks, albums } = lib.searchWithAlbums(q, SEARCH_TRACKS, SEARCH_ALBUMS);
    const results = <SearchResults q={q} albums={albums} tracks={tracks} />;
    if (c.req.query("fragment") === "1") return c.html(results);
    return c.html(
      renderPage(
        <Layout title="Search" view="Library" csrf={c.get("session").csrf} scripts={scripts}>
          <SearchBox q={q} />
          <section id="results" aria-live="polite">
            {results}
          </section>
        </Layout>,
      ),
    );
  });

  app.get(`${BASE}/api/library`, (c) => {
    return c.json(lib.counts());
  });

  // Read lazily, one cover per request; the browser revalidates by ETag and keeps it an hour.
  app.get(`${BASE}/covers/:id`, async (c) => {
    const id = idParam.safeParse(c.req.param("id"));
    const source = id.success ? lib.cover(id.data) : null;
    const headers = { "Cache-Control": "private, max-age=3600" };
    if (source && c.req.header("if-none-match") === source.etag) return c.body(null, 304, { ...headers, ETag: source.etag });
    const image = source ? await lib.readCover(source) : null;
    if (!source || !image) return c.body(PLACEHOLDER_COVER, 200, { ...headers, "Content-Type": "image/svg+xml", "X-Cover": "none" });
    return c.body(new Blob([image.bytes as Uint8Array<ArrayBuffer>]), 200, { ...headers, "Content-Type": image.type, ETag: source.etag });
  });

  return app;
}
