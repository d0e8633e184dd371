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

/** Failures as one ConfigurationError, for code paths that have no `check` to report them. */
export function throwFailures(failures: CheckFailure[]): void {
  if (failures.length > 0) throw configurationError(failures);
}

/** Failures as one ConfigurationError, for a parse that made no settings. */
export function configurationError(failures: CheckFailure[]): ConfigurationError {
  return new ConfigurationError(failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
}
