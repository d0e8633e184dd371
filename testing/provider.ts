import type { Target } from "../provider/core/contract";
import { TerminationProvider, type ProviderOptions } from "../provider/core/provider";

/** A provider object as the dynamic-provider process holds it, configured from plain stack config. */
export async function configuredProvider<I extends object, S>(
  target: Target<I, S>,
  config: Record<string, string>,
  options: ProviderOptions = {},
): Promise<TerminationProvider<I, S>> {
  const provider = new TerminationProvider(target, options);
  await provider.configure({
    config: {
      get: (key: string) => config[key],
      require: (key: string) => {
        if (config[key] === undefined) throw new Error(`missing ${key}`);
        return config[key];
      },
    },
  });
  return provider;
}
