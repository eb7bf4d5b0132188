/** awscli: where the two builds we support live, and what `aws --debug` says it sent. */
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { MiB } from "../bytes.ts";
import { requireTool } from "./process.ts";

/** awscli's defaults: multipart_threshold = multipart_chunksize = 8 MiB. */
export const AWSCLI_MULTIPART = { partSize: 8 * MiB, threshold: 8 * MiB };

/** Every `aws` executable on PATH, in PATH order. */
export function awsOnPath(): string[] {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  return [...new Set(dirs.map((d) => join(d, "aws")).filter((p) => existsSync(p)))];
}

/** Debian's awscli 2.9 (old checksum behaviour). */
export const debianAws = (): string => requireTool("Debian's awscli 2", ["/usr/bin/aws"], "Install it with `apt-get install awscli` (.ci/run does).");

/** The image's Python awscli 1.45 (new default checksums). */
export const pythonAws = (): string =>
  requireTool(
    "the Python awscli 1.x",
    ["/root/.pyenv/shims/aws", ...awsOnPath().filter((p) => p !== "/usr/bin/aws")],
    "Install it with `pip install 'awscli>=1.37'` (the image ships 1.45 under pyenv).",
  );

/** The request headers (lower-cased name → value) of every PUT in an `aws --debug` log, in order. */
export function sentPuts(debugLog: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of debugLog.matchAll(/Sending http request: <AWSPreparedRequest stream_output=False, method=PUT[^\n]*/g)) {
    const headers: Record<string, string> = {};
    for (const h of m[0].matchAll(/'([A-Za-z0-9-]+)': b?'([^']*)'/g)) headers[h[1]!.toLowerCase()] = h[2]!;
    out.push(headers);
  }
  return out;
}
