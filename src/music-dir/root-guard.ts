/**
 * Is music_dir still the folder we started with? An unmounted share leaves
 * an empty mount point (another device and inode) behind, and a missing
 * folder reads as "everything deleted": in both cases nothing may be removed
 * from the indexes. Warns once per loss.
 */
import type { Look } from "./identity.ts";
import type { Log } from "./log.ts";

export class RootGuard {
  #id: string | null;
  #warned = false;

  constructor(
    private readonly root: string,
    private readonly log: Log,
    private readonly look: (path: string) => Look,
  ) {
    this.#id = this.#current();
  }

  isOurs(): boolean {
    const now = this.#current();
    if (now !== null && this.#id === null) this.#id = now;
    if (now !== null && now === this.#id) return true;
    if (!this.#warned) this.log.warn("music_dir is missing or was replaced; not removing any track or object", { musicDir: this.root });
    this.#warned = true;
    return false;
  }

  /** A full walk found it readable and not empty: it is ours from now on. */
  adopt(): void {
    this.#id = this.#current();
    this.#warned = false;
  }

  #current(): string | null {
    const st = this.look(this.root);
    return typeof st !== "string" && st.isDirectory() ? `${st.dev}:${st.ino}` : null;
  }
}
