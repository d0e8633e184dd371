/**
 * 4. Concurrency under a rate limit: N terminations with waitForTermination: true through the
 * provider objects, `parallel` at once (like the engine's parallel steps), against an emulator
 * that accepts 50 requests/s and answers 429 + Retry-After: 1 beyond that. Real sleeps: the
 * provider honours Retry-After. Compared with the ideal N × (accepted requests per termination) / 50.
 */
import { startEmulator } from "../emulator";
import { benchSeed, terminations, type TargetName } from "./fixtures";
import { inParallel } from "./stats";

export const ratePerSecond = 50;

export interface RateLimitRow {
  target: TargetName;
  n: number;
  parallel: number;
  maxConcurrency: number;
  ms: number;
  idealMs: number;
  /** Accepted (not throttled) requests per termination, by route. */
  perTermination: Record<string, number>;
  throttled: number;
  failures: number;
  firstFailure?: string;
  /** Kills / revokes that took effect: must be exactly N (each target terminated once). */
  effective: number;
}

export async function runRateLimit(options: {
  n: number;
  parallel: number[];
  log: (line: string) => void;
}): Promise<RateLimitRow[]> {
  const rows: RateLimitRow[] = [];
  for (const target of ["MRS", "NodeMan"] as const) {
    for (const parallel of options.parallel) {
      const { n } = options;
      const emulator = await startEmulator({ seed: benchSeed(n), rateLimitPerSecond: ratePerSecond });
      try {
        // Default settings, waiting for each target to stop.
        const create = await terminations(target, emulator.url, { wait: true });
        // Start on a fresh one-second window of the emulator's limiter.
        await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
        const started = performance.now();
        const outcomes = await inParallel(n, parallel, (i) =>
          create(i).then(
            (result) => String(result.outs?.outcome),
            (e: Error) => `error: ${e.message}`,
          ),
        );
        const ms = performance.now() - started;
        const log = emulator.requests();
        const accepted: Record<string, number> = {};
        for (const r of log.filter((r) => r.fault !== "rate-limit"))
          accepted[r.route] = (accepted[r.route] ?? 0) + 1;
        const perTermination = Object.fromEntries(Object.entries(accepted).map(([k, v]) => [k, v / n]));
        const acceptedTotal = Object.values(accepted).reduce((a, b) => a + b, 0);
        const failed = outcomes.filter((o) => o !== "terminated");
        const row: RateLimitRow = {
          target,
          n,
          parallel,
          maxConcurrency: 8,
          ms,
          idealMs: (acceptedTotal / ratePerSecond) * 1000,
          perTermination,
          throttled: log.length - acceptedTotal,
          failures: failed.length,
          firstFailure: failed[0],
          effective: emulator.effectiveCount(target === "MRS" ? "mrs.kill" : "nodeman.revoke"),
        };
        rows.push(row);
        options.log(
          `${target} N=${n} parallel ${parallel}: ${(ms / 1000).toFixed(1)} s (ideal ${(row.idealMs / 1000).toFixed(1)} s), ` +
            `${row.throttled} answered 429, ${row.failures} failures, ${row.effective} effective`,
        );
      } finally {
        await emulator.close();
      }
    }
  }
  return rows;
}
