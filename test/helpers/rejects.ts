/** A request that must fail with a given status and code and leave the music folder exactly as it was. */
import { expect } from "bun:test";
import { errorCode, rawRequest, type RawRequest, type RawResponse } from "./raw.ts";
import type { TestServer } from "./server.ts";
import { leftovers, snapshot } from "./tree.ts";

export async function expectRejected(server: TestServer, req: RawRequest, status: number, code: string): Promise<RawResponse> {
  const before = snapshot(server.musicDir);
  const res = await rawRequest(server, req);
  expect({ request: `${req.method} ${req.path}`, status: res.status, code: errorCode(res.body) }).toEqual({
    request: `${req.method} ${req.path}`,
    status,
    code,
  });
  expect(snapshot(server.musicDir)).toEqual(before);
  expect(leftovers(server.musicDir)).toEqual([]);
  return res;
}
