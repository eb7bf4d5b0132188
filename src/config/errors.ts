/** Errors the command line turns into exit codes (SPEC §1). */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A configuration problem: says which key, which file, and how to fix it. */
export class ConfigError extends Error {
  readonly exitCode = 78;
}
