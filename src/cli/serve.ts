/** `rockboxd-s3 serve`: first-run init, the disabled check, then run until a signal. */
import { buildConfig, type Config, type Flags, resolveConfigPath, s3DisabledReason } from "../config/config.ts";
import { ConfigError } from "../config/errors.ts";
import { readSettings } from "../config/settings-file.ts";
import { checkTlsFiles } from "../config/tls.ts";
import { createLogger, type Logger } from "../log.ts";
import { initSettings } from "./init.ts";

export interface Gateway {
  url: string;
  /** Drains in-flight requests, stops the watcher, closes the database. */
  stop(): Promise<void>;
}

export type StartGateway = (config: Config, log: Logger) => Promise<Gateway>;

export function loadConfig(flags: Flags): Config {
  const path = resolveConfigPath(flags);
  return buildConfig(flags, readSettings(path), path);
}

export async function runServe(flags: Flags, start: StartGateway, out: (t: string) => void): Promise<number> {
  const path = resolveConfigPath(flags);
  if (readSettings(path) === null) {
    out("No settings file yet: creating one (first run).\n");
    initSettings(flags, out);
  }
  const config = loadConfig(flags);
  const reason = s3DisabledReason(config);
  if (reason) throw new ConfigError(`s3: disabled — ${reason}`);
  if (config.tls) checkTlsFiles(config.tls, config.configPath);
  const log = createLogger(config.logLevel);
  const gateway = await start(config, log);
  out(`rockboxd-s3 listening on ${gateway.url} (bucket "music" → ${config.musicDir})\n`);
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info(`${sig}: finishing in-flight requests`);
      gateway.stop().then(resolve, resolve);
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  });
  log.info("stopped cleanly");
  return 0;
}
