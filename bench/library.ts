/** Library and listing figures (SPEC §8); filled in with the library. */
import type { Row } from "./report.ts";

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export async function libraryBench(_root: string): Promise<Row[]> {
  return [];
}
