import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function home(): string {
  return process.env.HOME || homedir();
}

/** Expands a leading `~` and `$HOME` / `${HOME}`, then makes the path absolute. */
export function expandPath(path: string): string {
  const expanded = path
    .replace(/^~(?=$|\/)/, home())
    .replace(/\$\{HOME\}|\$HOME(?![A-Za-z0-9_])/g, home());
  return resolve(expanded);
}

export function defaultConfigPath(): string {
  return join(home(), ".config", "rockbox.org", "settings.toml");
}

export function defaultDbPath(): string {
  return join(home(), ".config", "rockbox.org", "rockboxd-s3.db");
}
