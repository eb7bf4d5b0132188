/** One server (and an SDK client for it) for a describe block or a file: started before its tests, stopped after. */
import { afterAll, beforeAll } from "bun:test";
import type { S3Client } from "@aws-sdk/client-s3";
import { sdkClient } from "./clients.ts";
import { startServer, type StartOptions, type TestServer } from "./server.ts";

export interface Suite {
  server: TestServer;
  s3: S3Client;
}

export function serverForSuite(opts: StartOptions = {}): Suite {
  const suite = {} as Suite;
  beforeAll(async () => {
    suite.server = await startServer(opts);
    suite.s3 = sdkClient(suite.server);
  });
  afterAll(async () => {
    await suite.server?.[Symbol.asyncDispose]();
  });
  return suite;
}
