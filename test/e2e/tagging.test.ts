/**
 * GetObjectTagging is read-only: the library's tags for the track, NoSuchKey
 * for a missing key. Writing tags, and every other
 * sub-resource we do not serve, is 501 NotImplemented.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { GetObjectTaggingCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { Ctx } from "../../src/http/context.ts";
import { getObjectTagging } from "../../src/http/handlers/tagging.ts";
import { respond } from "../../src/http/respond.ts";
import type { RawRequest } from "../helpers/raw.ts";
import { expectRejected } from "../helpers/rejects.ts";
import { waitFor } from "../helpers/server.ts";
import { serverForSuite } from "../helpers/suite.ts";

const t = serverForSuite();

beforeAll(async () => {
  await t.s3.send(new PutObjectCommand({ Bucket: "music", Key: "Tagged/song.flac", Body: "flac", Tagging: "artist=ignored" }));
});

const rejects = (req: RawRequest, status: number, code: string) => expectRejected(t.server, req, status, code);

describe("GetObjectTagging", () => {
  test("a file no parser can read is tagged with what the library made of it: its name", async () => {
    // The request's own x-amz-tagging is ignored: tags come from the library only.
    const tags = await waitFor(async () => {
      const r = await t.s3.send(new GetObjectTaggingCommand({ Bucket: "music", Key: "Tagged/song.flac" }));
      return r.TagSet?.length ? Object.fromEntries(r.TagSet.map((x) => [x.Key, x.Value])) : null;
    }, 5000, "library row");
    expect(tags).toEqual({ artist: "Unknown Artist", album: "Unknown Album", title: "song" });
  });

  test("a missing key is NoSuchKey", async () => {
    await rejects({ method: "GET", path: "/music/Tagged/missing.flac", query: { tagging: "" } }, 404, "NoSuchKey");
  });

  test("a provider's tags become the TagSet", async () => {
    const ctx = {
      key: "Tagged/song.flac",
      services: {
        bucket: { head: () => ({}) },
        library: { tagsFor: (key: string) => (key === "Tagged/song.flac" ? { artist: "Björk", album: "Homogenic & more" } : {}) },
      },
    } as unknown as Ctx;
    const text = await respond(await getObjectTagging(ctx), "REQ").text();
    expect(text).toContain("<TagSet><Tag><Key>artist</Key><Value>Björk</Value></Tag><Tag><Key>album</Key><Value>Homogenic &amp; more</Value></Tag></TagSet>");
  });
});

describe("read-only and unknown sub-resources are 501", () => {
  const cases: RawRequest[] = [
    { method: "PUT", path: "/music/Tagged/song.flac", query: { tagging: "" }, body: "<Tagging><TagSet/></Tagging>" },
    { method: "DELETE", path: "/music/Tagged/song.flac", query: { tagging: "" } },
    { method: "GET", path: "/music/Tagged/song.flac", query: { acl: "" } },
    { method: "PUT", path: "/music/Tagged/song.flac", query: { acl: "" } },
    { method: "GET", path: "/music/Tagged/song.flac", query: { attributes: "" } },
    { method: "GET", path: "/music/Tagged/song.flac", query: { retention: "" } },
    { method: "POST", path: "/music/Tagged/song.flac", query: { restore: "" } },
    { method: "POST", path: "/music/Tagged/song.flac", query: { select: "", "select-type": "2" } },
    { method: "GET", path: "/music/Tagged/song.flac", query: { torrent: "" } },
    { method: "GET", path: "/music", query: { tagging: "" } },
    { method: "GET", path: "/music", query: { policy: "" } },
    { method: "PUT", path: "/music", query: { versioning: "" } },
    { method: "GET", path: "/music", query: { versions: "" } },
    { method: "DELETE", path: "/music", query: { uploads: "" } },
    { method: "POST", path: "/music/Tagged/song.flac", query: {} },
  ];
  for (const req of cases)
    test(`${req.method} ${req.path}?${Object.keys(req.query ?? {}).join("&")}`, async () => {
      await rejects(req, 501, "NotImplemented");
    });
});
