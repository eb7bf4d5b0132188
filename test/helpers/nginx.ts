/**
 * Debian's nginx as a child process, for the reverse-proxy recipe: one
 * `server {}` block (the README's, adapted to a test port, the test CA's
 * certificate and the test server's port) wrapped in a config whose pid,
 * logs and temp folders all live in a temp dir. `await using` stops it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir, waitFor } from "./server.ts";

export interface Nginx extends AsyncDisposable {
  port: number;
  dir: string;
  errorLog(): string;
}

/** The ```nginx block under the README's "Behind a reverse proxy (nginx)" heading. */
export function readmeNginxRecipe(): string {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const at = readme.indexOf("### Behind a reverse proxy (nginx)");
  if (at < 0) throw new Error('README.md has no "### Behind a reverse proxy (nginx)" section');
  const m = readme.slice(at).match(/```nginx\n([\s\S]*?)```/);
  if (!m) throw new Error("README.md's reverse-proxy section has no ```nginx block");
  return m[1]!;
}

/** Replaces exactly one match of `pattern` (so the recipe cannot drift from what the test assumes). */
export function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const hits = text.match(new RegExp(pattern.source, "g"))?.length ?? 0;
  if (hits !== 1) throw new Error(`expected exactly one ${pattern} in the nginx recipe, found ${hits}`);
  return text.replace(pattern, replacement);
}

/** A port that was free a moment ago on 127.0.0.1. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * Starts nginx with `serverBlock` (a function of the port it must listen on)
 * and waits until `ready(port)` is true.
 */
export async function startNginx(serverBlock: (port: number) => string, ready: (port: number) => Promise<boolean>): Promise<Nginx> {
  const bin = Bun.which("nginx", { PATH: `${process.env.PATH}:/usr/sbin` });
  if (!bin) throw new Error("nginx is not installed. Install it with `apt-get install nginx` (.ci/run does).");
  const dir = tempDir("rbs3-nginx");
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, sub));
  const port = freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    [
      "daemon off;",
      // One process running as us: no worker that switches to www-data and
      // cannot read the temp dir or the key.
      "master_process off;",
      `pid ${join(dir, "nginx.pid")};`,
      `error_log ${join(dir, "error.log")} info;`,
      "events { worker_connections 64; }",
      "http {",
      `  access_log ${join(dir, "access.log")};`,
      `  client_body_temp_path ${join(dir, "client_body")};`,
      `  proxy_temp_path ${join(dir, "proxy")};`,
      `  fastcgi_temp_path ${join(dir, "fastcgi")};`,
      `  uwsgi_temp_path ${join(dir, "uwsgi")};`,
      `  scgi_temp_path ${join(dir, "scgi")};`,
      serverBlock(port),
      "}",
      "",
    ].join("\n"),
  );
  const proc = Bun.spawn([bin, "-c", conf, "-p", `${dir}/`, "-e", join(dir, "error.log")], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const errorLog = () => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    await proc.exited;
  };
  try {
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`nginx exited ${proc.exitCode}: ${await new Response(proc.stderr).text()}\n${errorLog()}`);
        return ready(port);
      },
      15_000,
      `nginx to answer on port ${port}`,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nnginx error log:\n${errorLog()}`);
  }
  return {
    port,
    dir,
    errorLog,
    async [Symbol.asyncDispose]() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
