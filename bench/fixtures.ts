/** What every benchmark shares: a seed with enough running targets, and silent providers on plain config. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { SeedState } from "../emulator/seed";
import type { Target } from "../provider/core/contract";
import type { ProviderOptions, TerminationProvider } from "../provider/core/provider";
import { mrsTarget } from "../provider/targets/mrs/target";
import { nodemanTarget } from "../provider/targets/nodeman/target";
import { configuredProvider as configured } from "../testing/provider";
import { baseSeed, bluekingConfig, clusterId, huaweiConfig, projectId } from "../testing/seed";

export { accessKey, bluekingConfig, clusterId, huaweiConfig, projectId, secrets } from "../testing/seed";

export type TargetName = "MRS" | "NodeMan";

export const jobId = (i: number) => `bench-${i}`;
export const subscriptionId = (i: number) => 1000 + i;

/** `n` RUNNING MRS jobs and `n` NodeMan subscriptions with one RUNNING instance each; no delays. */
export function benchSeed(n: number): SeedState {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs = Array.from({ length: n }, (_, i) => ({
    job_id: jobId(i),
    job_name: `bench-job-${i}`,
    job_state: "RUNNING" as const,
    job_result: "UNDEFINED" as const,
  }));
  seed.blueking!.subscriptions = Array.from({ length: n }, (_, i) => ({
    subscriptionId: subscriptionId(i),
    instances: [{ instanceId: `host|instance|host|${i + 1}`, status: "RUNNING" as const }],
  }));
  return { ...seed, mrsKillDelayMs: 0, nodemanStepDelayMs: 0 };
}

const silentReporter = { info: () => {}, warn: () => {} };

/** A provider object as the dynamic-provider process holds it: plain stack config, no output. */
export function configuredProvider<I extends object, S>(
  target: Target<I, S>,
  config: Record<string, string>,
  options: ProviderOptions = {},
): Promise<TerminationProvider<I, S>> {
  return configured(target, config, { reporter: silentReporter, env: {}, ...options });
}

/**
 * Termination number i of `target` through one provider object configured for the emulator at
 * `url` (NodeMan through the API gateway); resolves to what `create` returned.
 */
export async function terminations(
  target: TargetName,
  url: string,
  options: { extraConfig?: Record<string, string>; wait?: boolean } = {},
): Promise<(i: number) => Promise<dynamic.CreateResult>> {
  const waitForTermination = options.wait ?? false;
  if (target === "MRS") {
    const provider = await configuredProvider(mrsTarget, { ...huaweiConfig(url), ...options.extraConfig });
    return (i) => provider.create({ clusterId, jobExecutionId: jobId(i), waitForTermination });
  }
  const config = { ...bluekingConfig(url, "apigw"), ...options.extraConfig };
  const provider = await configuredProvider(nodemanTarget, config);
  return (i) => provider.create({ subscriptionId: subscriptionId(i), waitForTermination });
}
