/**
 * rclone: the binary and a config file with one remote `rb` (provider
 * Other). AWS_CA_BUNDLE stays out of its environment (clientEnv never sets
 * it): with it set, rclone refuses to start an S3 remote.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { MiB } from "../bytes.ts";
import { ACCESS_KEY, SECRET_KEY } from "../server.ts";
import { requireTool } from "./process.ts";

/** rclone's default chunk_size: what rcat (length unknown) uploads in, from the first byte. */
export const RCLONE_PARTS = { partSize: 5 * MiB, threshold: 0 };

export const rcloneBin = (): string => requireTool("rclone", ["rclone"], "Install it with `apt-get install rclone` (.ci/run does).");

/** Writes `rclone.conf` into `home` for the endpoint; returns its path. */
export function writeRcloneConfig(home: string, endpoint: string): string {
  const config = join(home, "rclone.conf");
  writeFileSync(
    config,
    ["[rb]", "type = s3", "provider = Other", "env_auth = false", `access_key_id = ${ACCESS_KEY}`, `secret_access_key = ${SECRET_KEY}`, `endpoint = ${endpoint}`, "region = us-east-1", ""].join("\n"),
  );
  return config;
}
