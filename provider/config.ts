/**
 * Where settings come from: a resource argument first, then Pulumi stack config (delivered to the
 * provider process by `configure`, secrets included), then environment variables. Credentials are
 * never resource arguments, so they never enter state or the serialized provider.
 */
import { readFileSync } from "node:fs";
import { ConfigurationError } from "./errors";
import { httpDefaults, type HttpSettings } from "./http";

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

/** A non-empty value from the argument, stack config or environment, in that order. */
export function resolveSetting(
  context: SettingsContext,
  spec: SettingSpec,
  argument?: unknown,
): string | undefined {
  if (typeof argument === "string" && argument !== "") return argument;
  const fromConfig = context.config.get(spec.config);
  if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
  for (const name of spec.env) {
    const value = context.env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
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

function positiveNumber(context: SettingsContext, spec: SettingSpec, fallback: number, max: number): number {
  const text = resolveSetting(context, spec);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > max) {
    throw new ConfigurationError(
      `${describeSetting(spec)} must be a number above 0 and at most ${max}, got "${text}"`,
    );
  }
  return value;
}

export function resolveHttpSettings(context: SettingsContext): HttpSettings {
  const s = httpSettingSpecs;
  const insecure = resolveSetting(context, s.insecureSkipTlsVerify);
  if (insecure !== undefined && !["true", "false"].includes(insecure)) {
    throw new ConfigurationError(
      `${describeSetting(s.insecureSkipTlsVerify)} must be "true" or "false", got "${insecure}"`,
    );
  }
  const caBundle = resolveSetting(context, s.caBundle);
  return {
    requestTimeoutMs:
      positiveNumber(context, s.requestTimeoutSeconds, httpDefaults.requestTimeoutMs / 1000, 3600) * 1000,
    maxAttempts: Math.floor(positiveNumber(context, s.maxAttempts, httpDefaults.maxAttempts, 100)),
    maxRetryMs: positiveNumber(context, s.maxRetrySeconds, httpDefaults.maxRetryMs / 1000, 86_400) * 1000,
    maxConcurrency: Math.floor(positiveNumber(context, s.maxConcurrency, httpDefaults.maxConcurrency, 1000)),
    caBundle: caBundle === undefined ? undefined : readCaBundle(caBundle, s.caBundle),
    insecureSkipTlsVerify: insecure === "true",
  };
}

/** A PEM given inline, or the path of a PEM file. */
function readCaBundle(value: string, spec: SettingSpec): string {
  if (value.includes("-----BEGIN CERTIFICATE-----")) return value;
  try {
    return readFileSync(value, "utf8");
  } catch (error) {
    throw new ConfigurationError(
      `${describeSetting(spec)}: cannot read CA bundle file "${value}": ${(error as Error).message}`,
    );
  }
}
