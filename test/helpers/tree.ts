/** A snapshot of a folder (paths → sizes and hashes) to prove nothing changed. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    for (const name of readdirSync(join(root, rel))) {
      if (rel === "" && name === ".rockboxd-s3") continue;
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(join(root, r));
      if (st.isDirectory()) {
        out[r + "/"] = "dir";
        visit(r);
      } else {
        out[r] = new Bun.CryptoHasher("md5").update(readFileSync(join(root, r))).digest("hex");
      }
    }
  };
  visit("");
  return out;
}

/** Files left in our working folder's tmp/ (in-progress uploads). */
export function leftovers(musicDir: string): string[] {
  try {
    return readdirSync(join(musicDir, ".rockboxd-s3", "tmp"));
  } catch {
    return [];
  }
}
