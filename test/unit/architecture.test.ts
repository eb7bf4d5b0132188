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
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|js)$/.test(n) ? [p] : [];
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
  return rel.length === 1 ? rel[0]!.replace(/\.(ts|tsx|js)$/, "") : rel[0]!;
}

/**
 * STYLE.md: `http`, `console` → `store`, `library`, `s3`; `store` →
 * `music-dir`, `s3`, `db`; `library` → `music-dir`, `db`; `music-dir` and
 * `s3` → nothing of ours. `log` is the process logger (a leaf over config).
 * `text` holds pure string rules (UTF-8 key order) that the protocol, the
 * walk and the database all follow, and `event-loop` the turns a long loop
 * on the main thread gives back: leaves every layer may import.
 */
const LEAVES = ["text", "event-loop"];
const ALLOWED: Record<string, string[]> = {
  text: [],
  "event-loop": [],
  "music-dir": [...LEAVES],
  s3: [...LEAVES],
  db: [...LEAVES],
  store: ["music-dir", "s3", "db", ...LEAVES],
  library: ["music-dir", "db", "log", ...LEAVES],
  http: ["store", "library", "s3", "log", ...LEAVES],
  console: ["store", "library", "s3", "log", ...LEAVES],
  config: [...LEAVES],
  cli: ["config", "db", "library", "log", ...LEAVES],
  log: ["config", ...LEAVES],
};

/** Every import that leaves its own layer, as "from → to" pairs with the file that makes it. */
function crossings(): { from: string; to: string; where: string }[] {
  const out: { from: string; to: string; where: string }[] = [];
  for (const file of files(SRC)) {
    const from = layerOf(file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith(".")) continue;
      const to = layerOf(join(file, "..", spec));
      if (to !== from) out.push({ from, to, where: `${relative(SRC, file)} → ${spec}` });
    }
  }
  return out;
}

test("layers import only in the directions STYLE.md allows", () => {
  // main.ts wires everything; a layer missing from the table may import nothing of ours.
  const wrong = crossings().filter((c) => c.from !== "main" && !(ALLOWED[c.from] ?? []).includes(c.to));
  expect(wrong.map((c) => c.where)).toEqual([]);
});

test("the folder and the protocol stand alone; the library does not speak S3", () => {
  const banned = crossings().filter(
    (c) => ((c.from === "music-dir" || c.from === "s3") && !LEAVES.includes(c.to)) || (c.from === "library" && c.to === "s3") || (c.to === "http" && c.from !== "main"),
  );
  expect(banned.map((c) => c.where)).toEqual([]);
});

test("every folder under src/ is a layer the table knows", () => {
  const layers = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory());
  expect(layers.filter((l) => !(l in ALLOWED))).toEqual([]);
});

test("each third-party library has one home", () => {
  const OWNERS: Record<string, string[]> = {
    // The console is a hono app of its own (pages in hono/jsx), mounted by main.ts.
    hono: ["http/app.ts", "http/server.ts", "console/"],
    "fast-xml-parser": ["s3/xml.ts"],
    "music-metadata": ["library/tags.ts"],
    "smol-toml": ["config/settings-file.ts"],
  };
  const users: Record<string, string[]> = {};
  for (const file of files(SRC))
    for (const spec of importsOf(file))
      if (spec in OWNERS) (users[spec] ??= []).push(relative(SRC, file));
  for (const [lib, owners] of Object.entries(OWNERS)) expect({ lib, users: users[lib] ?? [] }).toEqual({ lib, users: (users[lib] ?? []).filter((u) => owners.some((o) => (o.endsWith("/") ? u.startsWith(o) : u === o))) });
});
