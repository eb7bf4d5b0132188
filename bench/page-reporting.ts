/**
 * A VM's free-page reporting (virtio-balloon): the guest hands memory it has
 * freed back to the host, and the host faults a page in again the first
 * time the guest touches it. On the VM these figures come from, pages were
 * reported as soon as they were free (min_free_ms 0), so a 1 GiB upload
 * wrote mostly into pages touched afresh: the write(2) copy into the page
 * cache took 37–52 % of the server's samples, and unsigned 1 GiB PUTs that
 * kept their files cost 4.6–6.6 CPU-s/GiB. With reporting held back the
 * same PUTs cost 2.7–2.9 once the memory reported before had been used
 * again. A Raspberry Pi has no hypervisor under it.
 *
 * BENCH_HOLD_PAGES=1 holds reporting back for the run (as root; restored
 * after), the way taskset pins cores for the parallel-hashing rows. The
 * setting in force is printed with the machine either way.
 */
import { readFileSync, writeFileSync } from "node:fs";

const PARAMS = "/sys/module/page_reporting/parameters";
/** How long a page stays free before it is reported, and how much may wait. */
const HELD = { min_free_ms: "60000", max_waiting_mib: "65536" }; // 60 s is the most this kernel takes

function read(name: string): string | undefined {
  try {
    return readFileSync(`${PARAMS}/${name}`, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function pageReportingState(): string {
  const minFree = read("min_free_ms");
  if (minFree === undefined) return "no free-page reporting controls";
  return `free-page reporting after ${minFree} ms free or ${read("max_waiting_mib")} MiB waiting`;
}

/** Holds free-page reporting back when BENCH_HOLD_PAGES=1; returns what restores it. */
export function holdPageReporting(): () => void {
  if (process.env.BENCH_HOLD_PAGES !== "1") return () => {};
  const before = Object.fromEntries(Object.keys(HELD).map((name) => [name, read(name)]));
  for (const [name, value] of Object.entries(HELD)) writeFileSync(`${PARAMS}/${name}`, value);
  return () => {
    for (const [name, value] of Object.entries(before)) if (value !== undefined) writeFileSync(`${PARAMS}/${name}`, value);
  };
}
