/** What every benchmark shares: a seed with enough running targets, and silent providers on plain config. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { SeedState } from "../emulator/seed";
import { TerminationProvider, type ProviderOptions, type Target } from "../provider/lifecycle";
import { baseSeed, clusterId, projectId } from "../tests/helpers/fixtures";

export {
  accessKey,
  bluekingConfig,
  clusterId,
  huaweiConfig,
  projectId,
  secrets,
} from "../tests/helpers/fixtures";

export const jobId = (i: number) => `bench-${i}`;
export const subscriptionId = (i: number) => 1000 + i;

/** `n` RUNNING MRS jobs and `n` NodeMan subscriptions with one RUNNING instance each; no delays. */
export function benchSeed(n: number): SeedState {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs = Array.from({ length: n }, (_, i) => ({
    job_id: jobId(i),
    job_name: `bench job ${i}`,
    job_state: "RUNNING" as const,
    job_result: "UNDEFINED" as const,
  }));
  seed.blueking!.subscriptions = Array.from({ length: n }, (_, i) => ({
    subscriptionId: subscriptionId(i),
    instances: [{ instanceId: `host|instance|host|${i + 1}`, status: "RUNNING" as const }],
  }));
  return { ...seed, mrsKillDelayMs: 0, nodemanStepDelayMs: 0 };
}

export const silentReporter = { info: () => {}, warn: () => {} };

/** A provider object as the dynamic-provider process holds it, configured with plain stack config. */
export async function configuredProvider<I extends object, S>(
  target: Target<I, S>,
  config: Record<string, string>,
  options: ProviderOptions = {},
): Promise<TerminationProvider<I, S>> {
  const provider = new TerminationProvider(target, { reporter: silentReporter, env: {}, ...options });
  const source = {
    get: (key: string) => config[key],
    require: (key: string) => {
      if (config[key] === undefined) throw new Error(`missing ${key}`);
      return config[key];
    },
  };
  await provider.configure({ config: source } as unknown as dynamic.ConfigureRequest);
  return provider;
}
