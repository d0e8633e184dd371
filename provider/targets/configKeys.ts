/**
 * The stack config keys that are ours, by namespace, and the check that refuses a misspelled one
 * (core/nearMiss.ts says which keys count as misspelled). Read by every resource's `check`.
 */
import { misspelledOf, nearestName } from "../core/nearMiss";
import { namesOf, type ConfigSource, type SettingSpec } from "../core/settings";
import { httpSettingSpecs } from "../http/settings";
import type { CheckFailure } from "../validation/fields";
import { mrsSettingSpecs } from "./mrs/settings";
import { bluekingSettingSpecs } from "./nodeman/settings";
import { yarnSettingSpecs } from "./yarn/settings";

export const preflightSetting: SettingSpec = {
  config: "termination:preflight",
  env: ["TERMINATION_PREFLIGHT"],
};

/**
 * The real settings of other providers in a namespace we share, which must never be taken for a
 * typo of ours: the Huawei Cloud provider's (pulumi-huaweicloud sdk/nodejs/config/vars.ts, and
 * terraform-provider-huaweicloud huaweicloud/provider.go, whose snake_case names Pulumi camelCases).
 * `regional` is two edits from our `region`.
 */
export const otherProvidersKeys: Readonly<Record<string, readonly string[]>> = {
  huaweicloud: [
    "accessKey",
    "agencyDomainName",
    "agencyName",
    "assumeRole",
    "authUrl",
    "cacertFile",
    "cert",
    "cloud",
    "delegatedProject",
    "domainId",
    "domainName",
    "enableForceNew",
    "endpoints",
    "enterpriseProjectId",
    "insecure",
    "key",
    "maxRetries",
    "password",
    "profile",
    "projectId",
    "projectName",
    "region",
    "regional",
    "secretKey",
    "securityToken",
    "sharedConfigFile",
    "signingAlgorithm",
    "skipCheckUpgrade",
    "skipCheckWebsiteType",
    "tenantId",
    "tenantName",
    "token",
    "userId",
    "userName",
  ],
};

const names = (specs: Record<string, SettingSpec>) => Object.values(specs).map((s) => s.config.split(":")[1]);

/** The namespaces other providers also use: keys there are ours only when our tables name them. */
export const sharedNamespaces: Readonly<Record<string, readonly string[]>> = {
  huaweicloud: names(mrsSettingSpecs),
  blueking: names(bluekingSettingSpecs),
  yarn: names(yarnSettingSpecs),
};

/**
 * `termination:` is ours alone: the HTTP settings, the preflight switch, and what the plugin's default
 * provider reads there (one object per shared namespace, and the engine's own `version` and
 * `pluginDownloadURL`), since a stack may use both doors.
 */
export const terminationKeys: readonly string[] = [
  ...names(httpSettingSpecs),
  ...names({ preflightSetting }),
  ...Object.keys(sharedNamespaces),
  "version",
  "pluginDownloadURL",
];

/**
 * A failure for each key of `config` that misspells a setting of ours; none when the source cannot
 * list its keys. The engine prints a failure without a property as "resource X has a problem: ...".
 */
export function misspelledSettings(config: ConfigSource): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const said = namesOf(config);
  for (const key of config.keys?.() ?? []) {
    const [namespace, name, ...rest] = key.split(":");
    if (name === undefined || rest.length > 0) continue;
    let meant: string | undefined;
    if (namespace === "termination") {
      if (!terminationKeys.includes(name)) meant = nearestName(name, terminationKeys);
    } else if (Object.hasOwn(sharedNamespaces, namespace)) {
      meant = misspelledOf(name, sharedNamespaces[namespace], otherProvidersKeys[namespace]);
    }
    if (meant === undefined) continue;
    failures.push({
      property: "",
      reason: `${said.origin(key)} is not a setting of pulumi-termination: did you mean ${said.place(`${namespace}:${meant}`)}? A misspelled setting is refused, not ignored: what it should set would otherwise come from elsewhere (for an endpoint, the public cloud's default)`,
    });
  }
  return failures;
}
