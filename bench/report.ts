/** The benchmark table: our figure, the peer's, the machine's limit, the target. */
export interface Row {
  metric: string;
  ours: string;
  peer: string;
  limit: string;
  target: string;
  met: boolean | null;
}

export const MiB = 1024 ** 2;
export const mbps = (bytesPerSecond: number) => `${(bytesPerSecond / MiB).toFixed(0)} MiB/s`;
export const mb = (bytes: number) => `${(bytes / MiB).toFixed(0)} MB`;
export const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;

export function printTable(rows: Row[], header: string): void {
  console.log(`\n${header}\n`);
  console.log("| metric | rockboxd-s3 | s3rver (peer) | machine limit | target | met |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows)
    console.log(`| ${r.metric} | ${r.ours} | ${r.peer} | ${r.limit} | ${r.target} | ${r.met === null ? "—" : r.met ? "yes" : "**no**"} |`);
}
