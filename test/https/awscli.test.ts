/**
 * awscli over HTTPS against the built executable, trusting a CA made for
 * the test (`--ca-bundle`), otherwise with its defaults. Over HTTPS the two
 * builds take different body paths, and each test says which one it saw:
 * - the Python awscli 1.45 (botocore 1.43) sends every PUT and part as an
 *   aws-chunked body with a CRC32 trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER,
 *   Transfer-Encoding: chunked) — botocore only does this over TLS;
 * - Debian's awscli 2.9 sends UNSIGNED-PAYLOAD with Content-MD5.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { compositeCrc32, crc32Base64 } from "../helpers/checksums.ts";
import { expectedEtag, LARGE_SIZE, md5File, SMALL_SIZE } from "../helpers/clients/fixture.ts";
import { filesUnder, musicLeft, workLeftovers } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { opCounts } from "../helpers/clients/recorder.ts";
import { AWSCLI_MULTIPART, debianAws, pythonAws, sentPuts } from "../helpers/clients/awscli.ts";
import { httpsSuite } from "./suite.ts";


interface Flavour {
  label: string;
  prefix: string;
  bin: () => string;
  version: RegExp;
  /** What every PUT (object or part) of a default `s3 cp` carries over HTTPS. */
  put: Record<string, string | RegExp>;
  /** Whether the client sends CRC32 checksums (so the server must store and report them). */
  crc32: boolean;
}

const FLAVOURS: Flavour[] = [
  {
    label: "awscli 1.45 (pip)",
    prefix: "awscli-1",
    bin: () =>
      pythonAws(),
    version: /^aws-cli\/1\.(3[7-9]|[4-9]\d)\./,
    put: {
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "transfer-encoding": "chunked",
      "x-amz-trailer": "x-amz-checksum-crc32",
      "x-amz-decoded-content-length": /^\d+$/,
    },
    crc32: true,
  },
  {
    label: "awscli 2.9 (Debian)",
    prefix: "awscli-2",
    bin: () => debianAws(),
    version: /^aws-cli\/2\.(\d|1\d|2[0-2])\./,
    put: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-md5": /^[A-Za-z0-9+/]{22}==$/ },
    crc32: false,
  },
];

const t = httpsSuite("awscli");


/** Every header in `want` is on every PUT, with that value. */
function expectPuts(r: RunResult, want: Flavour["put"], count: number): void {
  const puts = sentPuts(r.stderr);
  expect(puts.length, describeRun(r)).toBe(count);
  for (const h of puts) {
    for (const [name, value] of Object.entries(want)) {
      if (typeof value === "string") expect(h[name], name).toBe(value);
      else expect(h[name], name).toMatch(value);
    }
  }
}

for (const flavour of FLAVOURS) {
  describe(`${flavour.label} over HTTPS`, () => {
    let bin: string;
    const small = `${flavour.prefix}/Sigur Rós/01 Glósóli (東京).flac`;
    const large = `${flavour.prefix}/Sigur Rós/Long Mix (Side A+B).flac`;
    const aws = (args: string[], opts: { ca?: boolean; timeoutMs?: number } = {}): Promise<RunResult> =>
      run([bin, ...(opts.ca === false ? [] : ["--ca-bundle", t.ca.caPem]), "--endpoint-url", t.recorder.url, ...args], {
        env: clientEnv(t.home, { AWS_PAGER: "" }),
        recorder: t.recorder,
        timeoutMs: opts.timeoutMs ?? 90_000,
      });
    const json = async (args: string[]) => JSON.parse(must(await aws(args)).stdout.trim() || "{}");

    beforeAll(() => {
      bin = flavour.bin();
    });

    test("is the build this suite is about, and refuses the server without the CA", async () => {
      const v = must(await aws(["--version"]));
      expect((v.stdout + v.stderr).trim()).toMatch(flavour.version);
      const r = await aws(["s3", "ls", "s3://music/"], { ca: false });
      expect(r.exitCode, describeRun(r)).not.toBe(0);
      expect(r.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED|certificate verify failed/i);
    }, 60_000);

    test("s3 cp a small file up: byte-equal on disk, MD5 ETag", async () => {
      const r = await aws(["--debug", "s3", "cp", t.fx.small, `s3://music/${small}`]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      expectPuts(r, flavour.put, 1);
      expect(filesUnder(t.server.musicDir, flavour.prefix)).toEqual({ [small]: await md5File(t.fx.small) });
      const head = await json(["s3api", "head-object", "--bucket", "music", "--key", small, "--checksum-mode", "ENABLED"]);
      expect(head.ETag).toBe(await expectedEtag(t.fx.small));
      expect(head.ChecksumCRC32).toBe(flavour.crc32 ? crc32Base64(await Bun.file(t.fx.small).bytes()) : undefined);
    }, 60_000);

    test("s3 cp a file over 16 MiB up: multipart in 8 MiB parts, byte-equal on disk", async () => {
      const r = await aws(["--debug", "s3", "cp", t.fx.large, `s3://music/${large}`], { timeoutMs: 120_000 });
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(opCounts(r.requests), describeRun(r)).toMatchObject({ CreateMultipartUpload: 1, UploadPart: 3, CompleteMultipartUpload: 1 });
      expectPuts(r, flavour.put, 3);
      expect(filesUnder(t.server.musicDir, flavour.prefix)[large]).toBe(await md5File(t.fx.large));
      const head = await json(["s3api", "head-object", "--bucket", "music", "--key", large, "--checksum-mode", "ENABLED"]);
      expect(head.ETag).toBe(await expectedEtag(t.fx.large, AWSCLI_MULTIPART));
      expect(head.ChecksumCRC32).toBe(flavour.crc32 ? compositeCrc32(await Bun.file(t.fx.large).bytes(), AWSCLI_MULTIPART.partSize) : undefined);
    }, 120_000);

    test("s3api list-objects-v2 lists both with sizes and ETags", async () => {
      const list = await json(["s3api", "list-objects-v2", "--bucket", "music", "--prefix", `${flavour.prefix}/`]);
      expect(list.Contents.map((c: any) => [c.Key, c.Size, c.ETag])).toEqual([
        [small, SMALL_SIZE, await expectedEtag(t.fx.small)],
        [large, LARGE_SIZE, await expectedEtag(t.fx.large, AWSCLI_MULTIPART)],
      ]);
    }, 60_000);

    test("s3 cp both down byte-equal", async () => {
      const smallOut = join(t.fx.downloads, `${flavour.prefix}-small.flac`);
      const largeOut = join(t.fx.downloads, `${flavour.prefix}-large.flac`);
      must(await aws(["s3", "cp", `s3://music/${small}`, smallOut]));
      const r = must(await aws(["s3", "cp", `s3://music/${large}`, largeOut], { timeoutMs: 120_000 }));
      expect(r.requests.filter((q) => q.op === "GetObject").length, describeRun(r)).toBeGreaterThan(1);
      expect([await md5File(smallOut), await md5File(largeOut)]).toEqual([await md5File(t.fx.small), await md5File(t.fx.large)]);
    }, 120_000);

    test("s3 rm --recursive deletes both", async () => {
      const r = await aws(["s3", "rm", "--recursive", `s3://music/${flavour.prefix}/`]);
      expect(r.exitCode, describeRun(r)).toBe(0);
      expect(r.stdout.match(/delete: /g)?.length ?? 0, describeRun(r)).toBe(2);
      expect(musicLeft(t.server.musicDir)).toEqual([]);
      expect(workLeftovers(t.server.musicDir), "in-progress or multipart uploads left behind").toEqual([]);
    }, 60_000);
  });
}
