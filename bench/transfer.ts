/** 1 GiB-class transfers with curl (a client that is never the bottleneck). */
import { $ } from "bun";
import { signedHeaders } from "./sign.ts";
import type { BenchServer } from "./servers.ts";

export interface Timing {
  seconds: number;
  bytesPerSecond: number;
  status: number;
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([k]) => k.toLowerCase() !== "host")
    .flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
}

async function curl(args: string[], bytes: number): Promise<Timing> {
  const out = await $`curl -s -o /dev/null -H Expect: -w "%{http_code} %{time_total}" ${args}`.nothrow().text();
  const [code, total] = out.trim().split(" ");
  const seconds = Number(total);
  return { seconds, bytesPerSecond: bytes / seconds, status: Number(code) };
}

/** PUT a file; `headers` given means already signed (aws-chunked needs the seed signature first). */
export async function put(server: BenchServer, key: string, file: string, bytes: number, payloadHash: string, signed?: Record<string, string>): Promise<Timing> {
  const path = `/music/${key}`;
  const headers = signed ?? (await signedHeaders(server, "PUT", path, payloadHash));
  return curl(["-T", file, ...headerArgs(headers), `http://127.0.0.1:${server.port}${path}`], bytes);
}

export async function get(server: BenchServer, key: string, bytes: number): Promise<Timing> {
  const path = `/music/${key}`;
  const headers = await signedHeaders(server, "GET", path, "UNSIGNED-PAYLOAD");
  return curl([...headerArgs(headers), `http://127.0.0.1:${server.port}${path}`], bytes);
}

/**
 * DELETE an object, so that the next upload writes over the page-cache
 * pages it held, as the floor's probe does (limits.ts receiveCost): pages
 * touched afresh cost a hypervisor fault on a VM that reports free pages
 * (page-reporting.ts has what that did to our figures).
 */
export async function remove(server: BenchServer, key: string): Promise<void> {
  const path = `/music/${key}`;
  const headers = await signedHeaders(server, "DELETE", path, "UNSIGNED-PAYLOAD");
  const { status } = await curl(["-X", "DELETE", ...headerArgs(headers), `http://127.0.0.1:${server.port}${path}`], 0);
  if (status !== 204) throw new Error(`DELETE ${key} on ${server.name}: HTTP ${status}`);
}

/** An upload that is not measured, removed at once: the next one writes over the pages it held (see remove()). */
export async function freePages(server: BenchServer, file: string, bytes: number): Promise<void> {
  const { status } = await put(server, "bench/pages.flac", file, bytes, "UNSIGNED-PAYLOAD");
  if (status !== 200) throw new Error(`PUT bench/pages.flac on ${server.name}: HTTP ${status}`);
  await remove(server, "bench/pages.flac");
}
