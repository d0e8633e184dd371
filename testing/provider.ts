import { Config } from "@pulumi/pulumi/cmd/dynamic-provider/config";
import type { Target } from "../provider/core/contract";
import { TerminationProvider, type ProviderOptions } from "../provider/core/provider";

/** A provider object as the dynamic-provider process holds it, configured from plain stack config. */
export async function configuredProvider<I extends object, S>(
  target: Target<I, S>,
  config: Record<string, string>,
  options: ProviderOptions = {},
): Promise<TerminationProvider<I, S>> {
  const provider = new TerminationProvider(target, options);
  // The Config the dynamic provider host hands to `configure`, made the way the host makes it.
  await provider.configure({ config: new Config(config, "test") });
  return provider;
}
