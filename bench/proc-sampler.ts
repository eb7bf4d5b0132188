/**
 * Samples a process's memory from /proc while a workload runs: VmHWM alone
 * says how high RSS went, not what it was (anonymous heap vs mapped file
 * pages), and is one figure for the life of the process.
 */
import { readFileSync } from "node:fs";

export interface MemorySample {
  rss: number;
  anon: number;
  file: number;
}

export interface MemoryPeaks {
  /** The highest VmRSS seen, and its split at that moment. */
  peak: MemorySample;
  /** The highest RssAnon seen (heap, buffers) on its own. */
  peakAnon: number;
  /** VmHWM at the end: the kernel's own peak, which catches spikes between samples. */
  hwm: number;
}

function read(pid: number): Record<string, number> {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const out: Record<string, number> = {};
  for (const m of status.matchAll(/^(\w+):\s+(\d+) kB$/gm)) out[m[1]!] = Number(m[2]) * 1024;
  return out;
}

/** Starts sampling every `everyMs`; `stop()` returns the peaks. */
export function sampleMemory(pid: number, everyMs = 20): { stop(): MemoryPeaks } {
  let peak: MemorySample = { rss: 0, anon: 0, file: 0 };
  let peakAnon = 0;
  const take = () => {
    try {
      const s = read(pid);
      const sample = { rss: s.VmRSS ?? 0, anon: s.RssAnon ?? 0, file: (s.RssFile ?? 0) + (s.RssShmem ?? 0) };
      if (sample.rss > peak.rss) peak = sample;
      peakAnon = Math.max(peakAnon, sample.anon);
    } catch {
      // The process ended: keep what was seen.
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      let hwm = 0;
      try {
        hwm = read(pid).VmHWM ?? 0;
      } catch {}
      return { peak, peakAnon, hwm };
    },
  };
}
