/**
 * s3cmd (Debian 2.3) with its defaults, from a ~/.s3cfg in a throwaway HOME
 * that only says where the server is and to use SigV4 over plain HTTP.
 * Files over 15 MiB go up multipart in 15 MiB parts; `sync` compares MD5s
 * (for multipart objects, the MD5 s3cmd stored in x-amz-meta-s3cmd-attrs);
 * `del --recursive` uses DeleteObjects.
 */
import { expect } from "bun:test";
import { filesUnder } from "../helpers/clients/music-folder.ts";
import { clientEnv, describeRun, must, run, type RunResult } from "../helpers/clients/process.ts";
import { S3CMD_PARTS, s3cmdBin, writeS3cmdConfig } from "../helpers/clients/s3cmd.ts";
import { type ClientWorld, clientConformance } from "./conformance.ts";

let bin: string;

const s3cmd = (w: ClientWorld, args: string[]): Promise<RunResult> => run([bin, ...args], { env: clientEnv(w.home), recorder: w.recorder, timeoutMs: 120_000 });

clientConformance(
  "s3cmd",
  {
    setup(w) {
      bin = s3cmdBin();
      writeS3cmdConfig(w.home, w.recorder, ["signature_v2 = False"]);
    },
    async checkVersion(w) {
      const r = must(await s3cmd(w, ["--version"]));
      expect(r.stdout + r.stderr).toMatch(/s3cmd version 2\./);
    },
    async upload(w, path, key) {
      must(await s3cmd(w, ["put", path, `s3://music/${key}`]));
    },
    async list(w, prefix) {
      const r = must(await s3cmd(w, ["ls", "--recursive", `s3://music/${prefix}`]));
      if (!r.stdout.trim()) return [];
      return r.stdout.trim().split("\n").map((l) => {
        const m = l.match(/^\S+ \S+\s+(\d+)\s+s3:\/\/music\/(.+)$/);
        if (!m) throw new Error(`an s3cmd ls line of another shape: ${l}`);
        return { key: m[2]!, size: Number(m[1]) };
      });
    },
    async download(w, key, path) {
      const r = must(await s3cmd(w, ["get", `s3://music/${key}`, path]));
      // s3cmd checks the MD5 it stored (x-amz-meta-s3cmd-attrs) for multipart objects.
      expect(r.stderr + r.stdout, describeRun(r)).not.toMatch(/MD5 signatures do not match|WARNING/);
    },
    async sync(w, dir, prefix) {
      const r = must(await s3cmd(w, ["sync", `${dir}/`, `s3://music/${prefix}/`]));
      return r.stdout.match(/^(upload|remote copy|delete): /gm)?.length ?? 0;
    },
    async deleteAll(w) {
      const announced = (r: RunResult) => r.stdout.match(/^delete: /gm)?.length ?? 0;
      const sync = must(await s3cmd(w, ["del", "--recursive", "s3://music/Sync/"]));
      expect(filesUnder(w.server.musicDir, "Sync")).toEqual({});
      const rest = must(await s3cmd(w, ["del", "--recursive", "--force", "s3://music/"]));
      return announced(sync) + announced(rest);
    },
  },
  {
    parts: S3CMD_PARTS,
    words: { upload: "put", large: "multipart in 15 MiB parts", list: "ls --recursive", download: "get", sync: "sync", delete: "del --recursive (DeleteObjects)" },
    largeUploadOps: { CreateMultipartUpload: 1, UploadPart: 2, CompleteMultipartUpload: 1 },
    // s3cmd ls shows keys and sizes, no ETags.
    listsEtags: false,
    deleteOps: { DeleteObjects: 2 },
  },
);
