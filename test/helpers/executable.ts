/**
 * The built product: `bun build --compile` once per test process into a
 * private folder, so suites that must run "against the built executable"
 * share one build and never race `bun run build` writing dist/.
 */
import { join } from "node:path";
import { buildConfig } from "../../build.ts";
import { tempDir } from "./server.ts";

let built: Promise<string> | undefined;

async function build(): Promise<string> {
  const outfile = join(tempDir("rbs3-exe"), "rockboxd-s3");
  const result = await Bun.build(buildConfig(outfile));
  if (!result.success) throw new Error(`build failed: ${result.logs.join("\n")}`);
  return outfile;
}

/** The path of a freshly compiled rockboxd-s3 for this machine. */
export function builtExecutable(): Promise<string> {
  built ??= build();
  return built;
}

/** StartOptions.command for the built executable. */
export async function executableCommand(): Promise<string[]> {
  return [await builtExecutable()];
}
