/**
 * The attack tests' helpers, built only on stable entry points: the provider objects exported by
 * provider/index.ts (their target is read back from the object, so that no file path inside
 * provider/ is imported), the emulator, and tests/helpers/fixtures.ts.
 */
import type { Emulator, SeedJob, SeedState } from "../../emulator";
import { mrsJobTerminationProvider, nodemanTaskTerminationProvider } from "../../provider";
import { baseSeed, clusterId, projectId, testProvider } from "../helpers/fixtures";

type AnyTarget = Parameters<typeof testProvider>[0];

/** The target a provider object drives (a private field, read here so that tests need no path into provider/). */
function targetOf(provider: unknown): AnyTarget {
  return (provider as { target: AnyTarget }).target;
}

export const mrsTarget = targetOf(mrsJobTerminationProvider);
export const nodemanTarget = targetOf(nodemanTaskTerminationProvider);

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

export function jobStateOf(emulator: Emulator, id: string): string | undefined {
  return emulator.state().mrs.projects[projectId].clusters[clusterId].jobs.find((j) => j.job_id === id)
    ?.job_state;
}

/** A listed job as the MRS list API shows it, for hand-made pages. */
export function listedJob(emulator: Emulator, id: string): Record<string, unknown> {
  const job = emulator.state().mrs.projects[projectId].clusters[clusterId].jobs.find((j) => j.job_id === id);
  if (!job) throw new Error(`no job ${id}`);
  return { ...job };
}
