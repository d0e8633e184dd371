/**
 * Where settings come from: a resource argument first, then Pulumi stack config (delivered to the
 * provider process by `configure`, secrets included), then environment variables. A lower source
 * never overrides a higher one, and for settings that go together (`findGroup`) never mixes into
 * what a higher one chose. Credentials are never resource arguments, so they never enter state or
 * the serialized provider. Every value is validated in `check`, naming the setting and its source.
 */
import { readFileSync } from "node:fs";
import { ConfigurationError } from "./errors";
import { httpDefaults, type HttpSettings } from "./http";
import type { CheckFailure } from "./validation";

export interface ConfigSource {
  get(key: string): string | undefined;
}

export interface SettingsContext {
  config: ConfigSource;
  env: Record<string, string | undefined>;
}

export interface SettingSpec {
  /** Stack config key, `namespace:name`. */
  config: string;
  /** Environment variables, first found wins. */
  env: readonly string[];
}

export type SettingSource = "resource argument" | "stack config" | "environment";

/** A setting's value and where it came from. */
export interface FoundSetting {
  value: string;
  source: SettingSource;
  /** For messages: "`region` (resource argument)", "`huaweicloud:region` (stack config)", "`HW_REGION_NAME` (environment)". */
  origin: string;
}

/** An argument counts when it is a non-empty string, a number or a boolean. */
function fromArgument(argument: unknown, name: string): FoundSetting | undefined {
  if (argument === undefined || argument === null || argument === "") return undefined;
  if (!["string", "number", "boolean"].includes(typeof argument)) return undefined;
  return { value: String(argument), source: "resource argument", origin: `\`${name}\` (resource argument)` };
}

function fromSource(
  context: SettingsContext,
  spec: SettingSpec,
  source: Exclude<SettingSource, "resource argument">,
): FoundSetting | undefined {
  if (source === "stack config") {
    const value = context.config.get(spec.config);
    return value === undefined || value === ""
      ? undefined
      : { value, source, origin: `\`${spec.config}\` (stack config)` };
  }
  for (const name of spec.env) {
    const value = context.env[name];
    if (value !== undefined && value !== "") return { value, source, origin: `\`${name}\` (environment)` };
  }
  return undefined;
}

/** A value from the resource argument, stack config or environment: the first of them that has one. */
export function findSetting(
  context: SettingsContext,
  spec: SettingSpec,
  argument?: unknown,
  argumentName = spec.config.split(":")[1],
): FoundSetting | undefined {
  return (
    fromArgument(argument, argumentName) ??
    fromSource(context, spec, "stack config") ??
    fromSource(context, spec, "environment")
  );
}

/** The value of `findSetting`, for settings that stand alone. */
export function resolveSetting(
  context: SettingsContext,
  spec: SettingSpec,
  argument?: unknown,
): string | undefined {
  return findSetting(context, spec, argument)?.value;
}

/**
 * Settings that only make sense together (how to authenticate, where the API is): the highest
 * source that sets any of them decides all of them, and lower sources are not read at all, so
 * that an environment variable never mixes into what stack config chose.
 */
export function findGroup<K extends string>(
  context: SettingsContext,
  specs: Record<K, SettingSpec>,
  args: Partial<Record<K, unknown>> = {},
): Partial<Record<K, FoundSetting>> {
  const keys = Object.keys(specs) as K[];
  const levels: ((key: K) => FoundSetting | undefined)[] = [
    (key) => fromArgument(args[key], key),
    (key) => fromSource(context, specs[key], "stack config"),
    (key) => fromSource(context, specs[key], "environment"),
  ];
  for (const level of levels) {
    const found: Partial<Record<K, FoundSetting>> = {};
    for (const key of keys) {
      const value = level(key);
      if (value) found[key] = value;
    }
    if (Object.keys(found).length > 0) return found;
  }
  return {};
}

/** "config `huaweicloud:projectId` or environment `HW_PROJECT_ID`", for messages. */
export function describeSetting(spec: SettingSpec, argumentName?: string): string {
  const places = [
    `stack config \`${spec.config}\``,
    `environment ${spec.env.map((e) => `\`${e}\``).join(" / ")}`,
  ];
  if (argumentName) places.unshift(`the \`${argumentName}\` argument`);
  return places.join(", ");
}

export const emptyConfig: ConfigSource = { get: () => undefined };

/** Settings of the HTTP layer, shared by all targets. */
export const httpSettingSpecs = {
  requestTimeoutSeconds: {
    config: "termination:requestTimeoutSeconds",
    env: ["TERMINATION_REQUEST_TIMEOUT_SECONDS"],
  },
  maxAttempts: { config: "termination:maxAttempts", env: ["TERMINATION_MAX_ATTEMPTS"] },
  maxRetrySeconds: { config: "termination:maxRetrySeconds", env: ["TERMINATION_MAX_RETRY_SECONDS"] },
  maxConcurrency: { config: "termination:maxConcurrency", env: ["TERMINATION_MAX_CONCURRENCY"] },
  caBundle: { config: "termination:caBundle", env: ["TERMINATION_CA_BUNDLE"] },
  insecureSkipTlsVerify: {
    config: "termination:insecureSkipTlsVerify",
    env: ["TERMINATION_INSECURE_SKIP_TLS_VERIFY"],
  },
} satisfies Record<string, SettingSpec>;

/** A number in (0, max], or an integer in [1, max]; the problem, naming the setting and its source. */
function numberProblem(found: FoundSetting, integer: boolean, max: number): string | undefined {
  // Plain decimals only: no sign, exponent, hex or blanks, which Number() would accept.
  const pattern = integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = Number(found.value);
  if (pattern.test(found.value) && (integer ? value >= 1 : value > 0) && value <= max) return undefined;
  const wanted = integer ? `an integer from 1 to ${max}` : `a number above 0 and at most ${max}`;
  return `${found.origin} must be ${wanted}, got "${found.value}"`;
}

const numberSettings = {
  requestTimeoutSeconds: { integer: false, max: 3600 },
  maxAttempts: { integer: true, max: 100 },
  maxRetrySeconds: { integer: false, max: 86_400 },
  maxConcurrency: { integer: true, max: 1000 },
} as const;

/**
 * The HTTP settings, or what is wrong with them: each failure names the setting and where it came
 * from. `check` reports the failures; `resolveHttpSettings` throws them.
 */
export function parseHttpSettings(context: SettingsContext): {
  settings: HttpSettings;
  failures: CheckFailure[];
} {
  const s = httpSettingSpecs;
  const failures: CheckFailure[] = [];
  const numbers: Record<keyof typeof numberSettings, number | undefined> = {
    requestTimeoutSeconds: undefined,
    maxAttempts: undefined,
    maxRetrySeconds: undefined,
    maxConcurrency: undefined,
  };
  for (const [key, rule] of Object.entries(numberSettings) as [
    keyof typeof numberSettings,
    { integer: boolean; max: number },
  ][]) {
    const found = findSetting(context, s[key]);
    if (!found) continue;
    const problem = numberProblem(found, rule.integer, rule.max);
    if (problem) failures.push({ property: key, reason: problem });
    else numbers[key] = Number(found.value);
  }
  const insecure = findSetting(context, s.insecureSkipTlsVerify);
  if (insecure && !["true", "false"].includes(insecure.value))
    failures.push({
      property: "insecureSkipTlsVerify",
      reason: `${insecure.origin} must be "true" or "false", got "${insecure.value}"`,
    });
  const caBundleSetting = findSetting(context, s.caBundle);
  let caBundle: string | undefined;
  if (caBundleSetting) {
    const read = readCaBundle(caBundleSetting);
    if (typeof read === "string") caBundle = read;
    else failures.push({ property: "caBundle", reason: read.problem });
  }
  return {
    settings: {
      requestTimeoutMs: (numbers.requestTimeoutSeconds ?? httpDefaults.requestTimeoutMs / 1000) * 1000,
      maxAttempts: numbers.maxAttempts ?? httpDefaults.maxAttempts,
      maxRetryMs: (numbers.maxRetrySeconds ?? httpDefaults.maxRetryMs / 1000) * 1000,
      maxConcurrency: numbers.maxConcurrency ?? httpDefaults.maxConcurrency,
      caBundle,
      insecureSkipTlsVerify: insecure?.value === "true",
    },
    failures,
  };
}

/** Failures as one ConfigurationError, for code paths that have no `check` to report them. */
export function throwFailures(failures: CheckFailure[]): void {
  if (failures.length > 0)
    throw new ConfigurationError(failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
}

export function resolveHttpSettings(context: SettingsContext): HttpSettings {
  const { settings, failures } = parseHttpSettings(context);
  throwFailures(failures);
  return settings;
}

/** A PEM given inline, or the path of a PEM file. */
function readCaBundle(found: FoundSetting): string | { problem: string } {
  if (found.value.includes("-----BEGIN CERTIFICATE-----")) return found.value;
  try {
    return readFileSync(found.value, "utf8");
  } catch (error) {
    return {
      problem: `${found.origin}: cannot read CA bundle file "${found.value}": ${(error as Error).message}`,
    };
  }
}
