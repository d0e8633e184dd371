/**
 * Where the ResourceManager is and who the requests run as (docs/apis.md §3): the resource's or
 * lookup's `resourceManagerUrl` argument, then stack config `yarn:resourceManagerUrl`, then the
 * environment `YARN_RESOURCEMANAGER_URL`; the user from `yarn:user`, then `HADOOP_USER_NAME` (the
 * name Hadoop's own clients read). Parsed once. TLS is the shared HTTP settings' (termination:caBundle).
 */
import {
  configurationError,
  describeSetting,
  findSetting,
  type SettingSpec,
  type SettingsContext,
} from "../../core/settings";
import { isUnknown, type CheckFailure } from "../../validation/fields";
import { checkEndpoint } from "../../validation/url";

export const yarnSettingSpecs = {
  resourceManagerUrl: { config: "yarn:resourceManagerUrl", env: ["YARN_RESOURCEMANAGER_URL"] },
  user: { config: "yarn:user", env: ["HADOOP_USER_NAME"] },
} satisfies Record<string, SettingSpec>;

/** Where a request goes: the resource's or lookup's own argument, before config and environment. */
export interface YarnLocation {
  resourceManagerUrl?: string;
}

export interface YarnSettings {
  /** The ResourceManagers to try, in order: one, or an HA pair (or more); the active one answers. */
  urls: URL[];
  /** Simple authentication's `user.name`; without it the RM treats requests as its static user (dr.who). */
  user?: string;
}

/** At most this many ResourceManagers in one setting: an HA set is two or three. */
export const maxResourceManagers = 8;

/** A Hadoop user name as simple authentication passes it: no blanks, no separators of a query. */
const userPattern = /^[A-Za-z0-9_][A-Za-z0-9_.@$-]{0,255}$/;

/** The problem with a comma-separated list of RM URLs, or undefined. */
export function checkResourceManagerUrls(value: string): string | undefined {
  const parts = value.split(",").map((part) => part.trim());
  if (parts.some((part) => part === "")) return `must be one URL or URLs separated by commas, got "${value}"`;
  if (parts.length > maxResourceManagers)
    return `names ${parts.length} ResourceManagers; at most ${maxResourceManagers}`;
  for (const part of parts) {
    const problem = checkEndpoint(part);
    if (problem) return parts.length > 1 ? `${problem} (in "${part}")` : problem;
  }
  if (new Set(parts.map((part) => new URL(part).toString())).size < parts.length)
    return `names the same ResourceManager twice: "${value}"`;
  return undefined;
}

type Resolved<T> = { value?: T; failures: CheckFailure[] };

/**
 * The settings, or what is wrong with them: one parse for `check` and for the requests alike.
 * `checkArguments: false` when the field table already checks the resource's own argument.
 */
function parseYarnSettings(
  inputs: YarnLocation,
  context: SettingsContext,
  checkArguments: boolean,
): Resolved<YarnSettings> {
  if (isUnknown(inputs.resourceManagerUrl)) return { failures: [] };
  const s = yarnSettingSpecs;
  const failures: CheckFailure[] = [];
  const found = findSetting(context, s.resourceManagerUrl, inputs.resourceManagerUrl);
  if (!found) {
    failures.push({
      property: "resourceManagerUrl",
      reason: `is required: set ${describeSetting(context, s.resourceManagerUrl, "resourceManagerUrl")} to the ResourceManager's web address, e.g. http://rm.example.com:8088 (an HA pair separated by a comma)`,
    });
  } else if (checkArguments || found.source !== "resource argument") {
    const problem = checkResourceManagerUrls(found.value);
    if (problem) failures.push({ property: "resourceManagerUrl", reason: `${found.origin} ${problem}` });
  }
  const user = findSetting(context, s.user);
  if (user && !userPattern.test(user.value))
    failures.push({
      property: "user",
      reason: `${user.origin} must be a user name (letters, digits, "_", ".", "@", "$", "-"), got ${JSON.stringify(user.value)}`,
    });
  if (failures.length > 0 || !found || checkResourceManagerUrls(found.value)) return { failures };
  const urls = found.value.split(",").map((part) => new URL(part.trim()));
  return { value: { urls, user: user?.value }, failures };
}

export function checkYarnSettings(inputs: YarnLocation, context: SettingsContext): CheckFailure[] {
  return parseYarnSettings(inputs, context, false).failures;
}

export function resolveYarnSettings(inputs: YarnLocation, context: SettingsContext): YarnSettings {
  const unchecked = parseYarnSettings(inputs, context, false);
  // An argument the field table would refuse (a lookup has none) is named only when all else is fine.
  const { value, failures } =
    unchecked.failures.length > 0 ? unchecked : parseYarnSettings(inputs, context, true);
  if (!value) throw configurationError(failures);
  return value;
}
