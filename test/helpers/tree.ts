/** A snapshot of a folder (paths → sizes and hashes) to prove nothing changed. */
import { existsSync, readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";

/** Every file and folder below `root` ("/"-separated), our working folder left out. */
export function treeEntries(root: string): { rel: string; st: Stats }[] {
  const out: { rel: string; st: Stats }[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      if (rel === "" && name === ".rockboxd-s3") continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(root, r));
      out.push({ rel: r, st });
      if (st.isDirectory()) visit(r);
    }
  };
  if (existsSync(root)) visit("");
  return out;
}

/** Folders as "dir/" → "dir", files → MD5 of their bytes. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { rel, st } of treeEntries(root)) {
    if (st.isDirectory()) out[rel + "/"] = "dir";
    else out[rel] = new Bun.CryptoHasher("md5").update(readFileSync(join(root, rel))).digest("hex");
  }
  return out;
}

/** Files in our working folder's tmp/ (in-progress uploads). */
export function leftovers(musicDir: string): string[] {
  try {
    return readdirSync(join(musicDir, ".rockboxd-s3", "tmp"));
  } catch {
    return [];
  }
}
