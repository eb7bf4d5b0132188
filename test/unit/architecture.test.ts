/**
 * The architecture STYLE.md describes, checked by reading imports: which
 * layer may import which, and which single module owns each library.
 */
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|js)$/.test(n) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const staticImports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"/gm)].map((m) => m[1]!);
  const dynamicImports = [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
  return [...staticImports, ...dynamicImports];
}

/** src/<layer>/… → layer; src/main.ts → "main"; leaf modules by name. */
function layerOf(path: string): string {
  const rel = relative(SRC, path).split("/");
  return rel.length === 1 ? rel[0]!.replace(/\.(ts|js)$/, "") : rel[0]!;
}

const ALLOWED: Record<string, string[]> = {
  s3: ["s3"],
  db: ["db"],
  store: ["store", "s3", "db", "music-dir"],
  library: ["library", "s3", "db", "music-dir", "log"],
  http: ["http", "s3", "store", "library", "log"],
  config: ["config"],
  cli: ["cli", "config", "db", "library", "log"],
  log: ["config"],
  "music-dir": [],
};

test("layers import only in the directions STYLE.md allows", () => {
  const wrong: string[] = [];
  for (const file of files(SRC)) {
    const from = layerOf(file);
    if (from === "main") continue; // main.ts wires everything
    for (const spec of importsOf(file)) {
      if (!spec.startsWith(".")) continue;
      const to = layerOf(join(file, "..", spec));
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`${relative(SRC, file)} → ${spec}`);
    }
  }
  expect(wrong).toEqual([]);
});

test("each third-party library has one home", () => {
  const OWNERS: Record<string, string[]> = {
    hono: ["http/app.ts", "http/server.ts"],
    "fast-xml-parser": ["s3/xml.ts"],
    "music-metadata": ["library/tags.ts"],
    "smol-toml": ["config/settings-file.ts"],
  };
  const users: Record<string, string[]> = {};
  for (const file of files(SRC))
    for (const spec of importsOf(file))
      if (spec in OWNERS) (users[spec] ??= []).push(relative(SRC, file));
  for (const [lib, owners] of Object.entries(OWNERS)) expect({ lib, users: users[lib] ?? [] }).toEqual({ lib, users: (users[lib] ?? []).filter((u) => owners.includes(u)) });
});
