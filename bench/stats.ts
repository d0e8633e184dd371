/** Tiny shared helpers: medians, ABAB interleaving, a parallel loop and number formatting. */

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Milliseconds taken by `work`, on the monotonic clock. */
export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export interface Paired {
  /** Per-run milliseconds, in run order. */
  a: number[];
  b: number[];
  medianA: number;
  medianB: number;
  /** median of the per-pair ratios a/b: each pair ran back to back, so drift largely cancels. */
  ratio: number;
}

/**
 * Runs A and B alternately (A B A B …), `runs` times each, after one unmeasured warm-up of each.
 * `before` runs untimed before every run (e.g. to reset the emulator).
 */
export async function abab(
  runs: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  before: () => Promise<void> | void = () => {},
): Promise<Paired> {
  const timed = async (work: () => Promise<unknown>) => {
    await before();
    return timeMs(work);
  };
  await timed(a);
  await timed(b);
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(await timed(a));
    bs.push(await timed(b));
  }
  return {
    a: as,
    b: bs,
    medianA: median(as),
    medianB: median(bs),
    ratio: median(as.map((t, i) => t / bs[i])),
  };
}

export { inParallel } from "../testing/parallel";

export const fmt = {
  ms: (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`),
  ratio: (r: number) => `${r.toFixed(3)}×`,
  pct: (r: number) => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(1)}%`,
  int: (n: number) => Math.round(n).toLocaleString("en-US"),
  bytes: (n: number) => (n >= 10_240 ? `${(n / 1024).toFixed(1)} KiB` : `${Math.round(n)} B`),
};

/** A Markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
