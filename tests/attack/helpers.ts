/**
 * The attack tests' helpers: the targets (as every provider test drives them), hand-made seeds and
 * pages of the emulator, on top of tests/helpers/fixtures.ts.
 */
import type { Emulator, SeedJob, SeedState } from "../../emulator";
import { baseSeed, clusterId, projectId } from "../helpers/fixtures";

export { mrsTarget } from "../../provider/targets/mrs/target";
export { nodemanTarget } from "../../provider/targets/nodeman/target";

/** Any provider method's result, loosely typed: the tests read outputs by name. */
export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const runningJob = (id: string, extra: Partial<SeedJob> = {}): SeedJob => ({
  job_id: id,
  job_name: "etl",
  job_state: "RUNNING",
  job_result: "UNDEFINED",
  ...extra,
});

/** The base seed with these jobs added to cluster-1. */
export function seedWithJobs(jobs: SeedJob[], extra: Partial<SeedState> = {}): SeedState {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs.push(...jobs);
  return { ...seed, ...extra };
}

/** A job of cluster-1 as the emulator holds it now. */
const jobOf = (emulator: Emulator, id: string) =>
  emulator.state().mrs.projects[projectId].clusters[clusterId].jobs.find((j) => j.job_id === id);

export function jobStateOf(emulator: Emulator, id: string): string | undefined {
  return jobOf(emulator, id)?.job_state;
}

/** A listed job as the MRS list API shows it, for hand-made pages. */
export function listedJob(emulator: Emulator, id: string): Record<string, unknown> {
  const job = jobOf(emulator, id);
  if (!job) throw new Error(`no job ${id}`);
  return { ...job };
}
