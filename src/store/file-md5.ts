/** The MD5 of a file on disk, streamed (never read whole). */
import { takingTurns } from "../event-loop/turns.ts";
import { freedWhenSpent } from "../s3/spent-chunks.ts";

/**
 * `between` runs after each chunk and may wait (to yield to uploads);
 * returning false abandons the hash, and the result is null.
 */
export async function md5OfFile(path: string, between?: () => Promise<boolean>): Promise<string | null> {
  const md5 = new Bun.CryptoHasher("md5");
  for await (const chunk of freedWhenSpent(takingTurns(Bun.file(path).stream()))) {
    md5.update(chunk);
    if (between && !(await between())) return null;
  }
  return md5.digest("hex");
}
