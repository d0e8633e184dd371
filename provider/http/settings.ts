/** The HTTP layer's settings: their defaults, where they come from, and what a valid value is. */
import { readFileSync } from "node:fs";
import {
  findSetting,
  throwFailures,
  type FoundSetting,
  type SettingSpec,
  type SettingsContext,
} from "../core/settings";
import type { CheckFailure } from "../validation/fields";

export interface HttpSettings {
  /** Per attempt: connect, send and receive. */
  requestTimeoutMs: number;
  /** Attempts in all, counting the first. */
  maxAttempts: number;
  /** No new attempt starts later than this after the first one. */
  maxRetryMs: number;
  /** Requests in flight at once to one endpoint (scheme://host:port), across all resources. */
  maxConcurrency: number;
  /** Extra trusted CA certificates (PEM), e.g. an on-premises BlueKing's private CA. */
  caBundle?: string;
  /** Skips certificate verification. Loudly warned about, never the default. */
  insecureSkipTlsVerify: boolean;
}

export const httpDefaults: HttpSettings = {
  requestTimeoutMs: 30_000,
  maxAttempts: 5,
  maxRetryMs: 60_000,
  maxConcurrency: 8,
  insecureSkipTlsVerify: false,
};

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
