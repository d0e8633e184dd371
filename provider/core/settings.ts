/**
 * Where settings come from: a resource argument first, then Pulumi stack config (delivered to the
 * provider process by `configure`, secrets included), then environment variables. A lower source
 * never overrides a higher one, and for settings that go together (`findGroup`) never mixes into
 * what a higher one chose. Credentials are never resource arguments, so they never enter state or
 * the serialized provider. Every value is validated in `check`, naming the setting and its source.
 */
import { ConfigurationError } from "../errors";
import type { CheckFailure } from "../validation/fields";

export interface ConfigSource {
  get(key: string): string | undefined;
  /** Every key set, when the source can list them: how a misspelled setting of ours is found. */
  keys?(): readonly string[];
  /** How this door's users name a setting; stack config's names when absent. */
  names?: SettingNames;
}

/**
 * How a door names a setting, given its stack config key (`huaweicloud:region`): every message that
 * names a setting asks the ConfigSource it read from, so each door names its own settings.
 */
export interface SettingNames {
  /** Where to set it: "stack config `huaweicloud:region`". */
  place(key: string): string;
  /** Where a value came from: "`huaweicloud:region` (stack config)". */
  origin(key: string): string;
  /** The name alone, for advice: "huaweicloud:region". */
  name(key: string): string;
}

/** The dynamic provider's names: the stack config keys themselves. */
export const stackConfigNames: SettingNames = {
  place: (key) => `stack config \`${key}\``,
  origin: (key) => `\`${key}\` (stack config)`,
  name: (key) => key,
};

export function namesOf(config: ConfigSource): SettingNames {
  return config.names ?? stackConfigNames;
}

/** Keys that name one of our settings, in prose: `huaweicloud:accessKey`, `termination:maxConcurrency`. */
const settingKeyPattern = /\b(?:huaweicloud|blueking|yarn|termination):[A-Za-z]+\b/g;

/**
 * Advice written once with stack config keys (the hint of an API error, a note in a message), in
 * the words of the door whose ConfigSource is given: each key as `names.name` says it.
 */
export function inDoorWords(text: string, config: ConfigSource): string {
  const names = namesOf(config);
  return names === stackConfigNames ? text : text.replace(settingKeyPattern, (key) => names.name(key));
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
      : { value, source, origin: namesOf(context.config).origin(spec.config) };
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

/** "stack config `huaweicloud:projectId`, environment `HW_PROJECT_ID`", in the words of the context's door. */
export function describeSetting(context: SettingsContext, spec: SettingSpec, argumentName?: string): string {
  const places = [
    namesOf(context.config).place(spec.config),
    `environment ${spec.env.map((e) => `\`${e}\``).join(" / ")}`,
  ];
  if (argumentName) places.unshift(`the \`${argumentName}\` argument`);
  return places.join(", ");
}

export const emptyConfig: ConfigSource = { get: () => undefined };

/** Failures as one ConfigurationError, for code paths that have no `check` to report them. */
export function throwFailures(failures: CheckFailure[]): void {
  if (failures.length > 0) throw configurationError(failures);
}

/** Failures as one ConfigurationError, for a parse that made no settings. */
export function configurationError(failures: CheckFailure[]): ConfigurationError {
  return new ConfigurationError(
    failures.map((f) => (f.property ? `${f.property}: ${f.reason}` : f.reason)).join("; "),
  );
}
