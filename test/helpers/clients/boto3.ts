/** boto3, driven through test/clients/boto3_e2e.py: one python run per step, its JSON answer. */
import { join } from "node:path";
import { MiB } from "../bytes.ts";
import { clientEnv, describeRun, requireTool, run, type RunResult } from "./process.ts";
import type { Recorder } from "./recorder.ts";

const SCRIPT = join(import.meta.dir, "..", "..", "clients", "boto3_e2e.py");

/** boto3's TransferConfig defaults. */
export const BOTO3_TRANSFER = { partSize: 8 * MiB, threshold: 8 * MiB };

export const python3 = (): string => requireTool("python3 (with boto3)", ["python3"], "Install Python 3 and `pip install 'boto3>=1.36'` (the image ships boto3 1.43).");

export interface Boto3Target {
  python: string;
  /** The endpoint boto3 is given (the recording proxy). */
  recorder: Recorder;
  home: string;
  /** Extra environment (AWS_CA_BUNDLE over HTTPS). */
  env?: Record<string, string>;
}

export interface Boto3Result {
  run: RunResult;
  /** The script's JSON answer (an {error} object when boto3 raised a ClientError); undefined when it printed none. */
  out: any;
}

export async function boto3(t: Boto3Target, op: string, args: Record<string, unknown> = {}, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Boto3Result> {
  const r = await run([t.python, SCRIPT, JSON.stringify({ endpoint: t.recorder.url, op, ...args })], {
    env: clientEnv(t.home, { ...t.env, ...opts.env }),
    recorder: t.recorder,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
  let out: any;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    out = undefined;
  }
  return { run: r, out };
}

/** The answer of a step that must succeed. */
export async function boto3Ok(t: Boto3Target, op: string, args: Record<string, unknown> = {}): Promise<any> {
  const { run: r, out } = await boto3(t, op, args);
  if (r.exitCode !== 0 || out === undefined) throw new Error(`boto3 ${op} failed\n${describeRun(r)}`);
  return out;
}
