/**
 * What read-only lookups share: they run in the program (during preview too, since the program
 * asked for them) with the same settings as the resources: arguments, then stack config, then the
 * environment. Each target's lookups (its folder's lookups.ts) have a plain-promise form and an Output form.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHttpClient } from "../http/client";
import { resolveHttpSettings } from "../http/settings";
import type { Session } from "./contract";
import type { Reporter } from "./reporter";
import { throwFailures, type ConfigSource, type SettingsContext } from "./settings";
import { misspelledSettings } from "../targets/configKeys";

/** Where settings come from; by default the running program's stack config and environment. */
export interface LookupOptions {
  config?: ConfigSource;
  env?: Record<string, string | undefined>;
  reporter?: Reporter;
}

export type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

const programConfig: ConfigSource = {
  get: (key) => pulumi.runtime.getConfig(key),
  keys: () => Object.keys(pulumi.runtime.allConfig()),
};
const pulumiReporter: Reporter = { info: (m) => pulumi.log.info(m), warn: (m) => pulumi.log.warn(m) };

export function lookupSession(options: LookupOptions): { context: SettingsContext; session: Session } {
  const context = { config: options.config ?? programConfig, env: options.env ?? process.env };
  // A misspelled setting would point the read elsewhere (the public cloud's endpoint): refused.
  throwFailures(misspelledSettings(context.config));
  const reporter = options.reporter ?? pulumiReporter;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const http = createHttpClient(resolveHttpSettings(context), { reporter, sleep });
  return { context, session: { http, reporter, now: Date.now, sleep } };
}
