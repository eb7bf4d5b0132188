/**
 * What every HTTPS suite starts with, for a file: a test CA, the built
 * executable (serving HTTPS with the CA's certificate unless the suite puts
 * its own TLS terminator in front), a recording proxy clients talk to, the
 * client fixture files and a client home. Started before the file's own
 * beforeAll hooks, stopped after its tests.
 */
import { afterAll, beforeAll } from "bun:test";
import { rmSync } from "node:fs";
import { makeFixture, type Fixture } from "../helpers/clients/fixture.ts";
import { type Recorder, recordingProxy } from "../helpers/clients/recorder.ts";
import { executableCommand } from "../helpers/executable.ts";
import { startServer, tempDir, type TestServer } from "../helpers/server.ts";
import { makeTestCa, type TestCa, tlsSettings } from "../helpers/test-ca.ts";

export interface HttpsSuite {
  ca: TestCa;
  server: TestServer;
  /** The proxy clients talk to: it records what they send. */
  recorder: Recorder;
  fx: Fixture;
  home: string;
}

/** `serverTls: false`: the server speaks plain HTTP (a proxy in front terminates TLS), and so does the recorder. */
export function httpsSuite(name: string, { serverTls = true } = {}): HttpsSuite {
  const suite = {} as HttpsSuite;
  beforeAll(async () => {
    suite.ca = makeTestCa();
    const command = await executableCommand();
    suite.server = await startServer(serverTls ? { settings: tlsSettings(suite.ca), command } : { command });
    suite.recorder = await recordingProxy(suite.server, serverTls ? suite.ca : undefined);
    suite.fx = makeFixture(`https-${name}`);
    suite.home = tempDir(`https-${name}-home`);
  }, 120_000);
  afterAll(async () => {
    await suite.recorder?.[Symbol.asyncDispose]();
    await suite.server?.[Symbol.asyncDispose]();
    suite.ca?.[Symbol.dispose]();
    for (const d of [suite.fx?.dir, suite.home]) if (d) rmSync(d, { recursive: true, force: true });
  });
  return suite;
}
