/** The Connect and Status views (SPEC §9). */
import { statfsSync } from "node:fs";
import { Hono } from "hono";
import type { ConsoleEnv, ConsoleOptions } from "./env.ts";
import { ConnectView, SECRET_PLACEHOLDER } from "./pages/connect.tsx";
import { Layout } from "./pages/layout.tsx";
import { StatusView } from "./pages/status.tsx";
import { renderPage } from "./render.ts";
import { BASE } from "./routing.ts";

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

export function infoRoutes(opts: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get(`${BASE}/connect`, (c) => {
    // The endpoint as this browser reached it: the address that works from here.
    const endpoint = new URL(c.req.url).origin;
    return c.html(
      renderPage(
        <Layout title="Connect" view="Connect" csrf={c.get("session").csrf} scripts={["connect.js"]}>
          <ConnectView endpoint={endpoint} accessKey={opts.credentials.accessKey} snippets={opts.snippets(endpoint, opts.credentials.accessKey, SECRET_PLACEHOLDER)} />
        </Layout>,
      ),
    );
  });

  // Only on request ("Show secret"), never in a page a screenshot or a shoulder could catch.
  app.get(`${BASE}/api/secret`, (c) => c.json({ secretKey: opts.credentials.secretKey }));

  app.get(`${BASE}/status`, (c) => {
    const stats = opts.library.stats();
    return c.html(
      renderPage(
        <Layout title="Status" view="Status" csrf={c.get("session").csrf}>
          <StatusView stats={stats} sync={opts.sync()} freeBytes={freeBytes(opts.musicDir)} musicDir={opts.musicDir} version={opts.version} />
        </Layout>,
      ),
    );
  });

  return app;
}
