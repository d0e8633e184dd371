/**
 * The plugin's configuration: provider properties `huaweicloud`, `blueking` and `yarn` (objects) and the
 * `termination` settings, translated into the same `ConfigSource` the dynamic provider's
 * `configure` gets (`huaweicloud:accessKey`, `termination:maxAttempts`, ...), so that precedence
 * and validation stay in one place: `provider/core/settings.ts`. Environment variables come after.
 */
import { nearestName } from "../core/nearMiss";
import {
  inDoorWords,
  stackConfigNames,
  type ConfigSource,
  type SettingNames,
  type SettingSpec,
} from "../core/settings";
import { httpSettingSpecs, resolveHttpSettings } from "../http/settings";
import { UNKNOWN, type CheckFailure } from "../validation/fields";
import { mrsSettingSpecs } from "../targets/mrs/settings";
import { bluekingSettingSpecs } from "../targets/nodeman/settings";
import { yarnSettingSpecs } from "../targets/yarn/settings";
import { preflightSetting } from "../targets/configKeys";
import { secretValue } from "./values";

export interface ConfigProperty {
  type: "string" | "integer" | "number" | "boolean";
  description: string;
  secret?: boolean;
  default?: string | number | boolean;
  /** Where the dynamic provider reads the same setting: stack config key and environment. */
  spec: SettingSpec;
}

/** The properties of the `huaweicloud` and `blueking` objects, keyed by the name after the namespace. */
function credentials(
  specs: Record<string, SettingSpec>,
  described: Record<string, { description: string; secret?: boolean }>,
): Record<string, ConfigProperty> {
  const out: Record<string, ConfigProperty> = {};
  for (const spec of Object.values(specs)) {
    const name = spec.config.split(":")[1];
    const about = described[name];
    if (!about) throw new Error(`plugin config: no description for ${spec.config}`);
    out[name] = { type: "string", ...about, spec };
  }
  return out;
}

export const huaweicloudProperties = credentials(mrsSettingSpecs, {
  accessKey: { description: "Access key (AK) of the AK/SK pair that signs MRS requests" },
  secretKey: { description: "Secret key (SK) of the AK/SK pair", secret: true },
  securityToken: { description: "Security token of a temporary AK/SK pair", secret: true },
  authToken: { description: "IAM token (X-Auth-Token), instead of an AK/SK pair", secret: true },
  region: { description: "Region, e.g. cn-north-4; a resource's `region` argument wins" },
  projectId: { description: "Project id; a resource's `projectId` argument wins" },
  cloud: { description: "Cloud domain of the default endpoint (default myhuaweicloud.com)" },
  mrsEndpoint: { description: "MRS endpoint URL, instead of the one made from region and cloud" },
});

export const bluekingProperties = credentials(bluekingSettingSpecs, {
  appCode: { description: "BlueKing application code" },
  appSecret: { description: "BlueKing application secret", secret: true },
  username: { description: "BlueKing user the calls run as" },
  bkToken: { description: "BlueKing login token (bk_token)", secret: true },
  accessToken: { description: "BlueKing OAuth access token", secret: true },
  esbUrl: { description: "ESB root URL, for route esb" },
  apigwUrlTemplate: {
    description: "API gateway URL template with {api_name}, e.g. https://bkapi.example.com/api/{api_name}",
  },
  apigwPathPrefix: {
    description:
      'Path of NodeMan\'s resources after the stage: "" or "system/" (default "system/" with a tenantId, "" otherwise)',
  },
  tenantId: {
    description: "Tenant of a multi-tenant BlueKing, sent as X-Bk-Tenant-Id on every API gateway request",
  },
});

export const yarnProperties = credentials(yarnSettingSpecs, {
  resourceManagerUrl: {
    description:
      "ResourceManager web address, e.g. http://rm.example.com:8088; an HA pair separated by a comma; a resource's `resourceManagerUrl` argument wins",
  },
  user: { description: "User the requests run as (simple authentication's user.name)" },
});

const s = httpSettingSpecs;
/** Top-level settings, under the same names as the dynamic provider's `termination:*` config. */
export const terminationProperties: Record<string, ConfigProperty> = {
  preflight: {
    type: "boolean",
    default: true,
    description: "Read each target during preview to show what will be terminated",
    spec: preflightSetting,
  },
  requestTimeoutSeconds: {
    type: "number",
    default: 30,
    description: "Timeout of one HTTP attempt, in seconds",
    spec: s.requestTimeoutSeconds,
  },
  maxAttempts: {
    type: "integer",
    default: 5,
    description: "Attempts per request, counting the first",
    spec: s.maxAttempts,
  },
  maxRetrySeconds: {
    type: "number",
    default: 60,
    description: "No new attempt starts later than this after the first, in seconds",
    spec: s.maxRetrySeconds,
  },
  maxConcurrency: {
    type: "integer",
    default: 8,
    description: "Requests in flight at once to one endpoint",
    spec: s.maxConcurrency,
  },
  caBundle: {
    type: "string",
    description: "Extra trusted CA certificates: a PEM, or the path of a PEM file",
    spec: s.caBundle,
  },
  insecureSkipTlsVerify: {
    type: "boolean",
    default: false,
    description: "Skip TLS certificate verification (never do this in production)",
    spec: s.insecureSkipTlsVerify,
  },
};

export const credentialObjects = {
  huaweicloud: huaweicloudProperties,
  blueking: bluekingProperties,
  yarn: yarnProperties,
};

/** What each object is, for the schema: its type's description and its title. */
export const credentialObjectDescriptions: Record<
  keyof typeof credentialObjects,
  { title: string; type: string }
> = {
  huaweicloud: {
    title: "Huawei Cloud",
    type: "Huawei Cloud credentials and location, for MrsJobTermination and the MRS functions.",
  },
  blueking: {
    title: "BlueKing",
    type: "BlueKing credentials and endpoints, for NodemanTaskTermination and getNodemanSubscriptionStatus.",
  },
  yarn: {
    title: "YARN",
    type: "The YARN ResourceManager and user, for YarnApplicationTermination and the YARN functions.",
  },
};
type ObjectName = keyof typeof credentialObjects;
const objectNames = Object.keys(credentialObjects) as ObjectName[];

/** Keys the engine adds to every provider's inputs. */
const engineKeys = new Set(["version", "pluginDownloadURL"]);

/** A default provider may get an object setting as JSON text from stack config. */
function asObject(value: unknown): unknown {
  if (typeof value === "string" && value.trim().startsWith("{")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

function scalarProblem(property: ConfigProperty, value: unknown): string | undefined {
  const wanted = property.type === "integer" || property.type === "number" ? "number" : property.type;
  // Stack config arrives as text; "3" and "true" are as good as 3 and true.
  if (typeof value === wanted || typeof value === "string") return undefined;
  return `must be a ${property.type}, got ${JSON.stringify(value)}`;
}

/** Failures of the provider's properties, each naming its property (`huaweicloud.secretKey`); no value is echoed. */
export function checkProviderConfig(news: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const [key, raw] of Object.entries(news)) {
    if (engineKeys.has(key) || raw === UNKNOWN || raw === undefined || raw === null) continue;
    if ((objectNames as string[]).includes(key)) {
      const value = asObject(raw);
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        failures.push({ property: key, reason: "must be an object" });
        continue;
      }
      const table = credentialObjects[key as ObjectName];
      for (const [name, item] of Object.entries(value)) {
        // Own keys only: `constructor` or `toString` is in every object, and no setting of ours.
        if (!Object.hasOwn(table, name)) {
          failures.push({
            property: `${key}.${name}`,
            reason: `unknown setting: did you mean \`${key}.${nearestName(name, Object.keys(table))}\`? (a misspelled setting is refused, not ignored; expected one of ${Object.keys(table).join(", ")})`,
          });
        } else if (item !== UNKNOWN && item !== null && typeof item !== "string") {
          failures.push({ property: `${key}.${name}`, reason: "must be a string" });
        }
      }
      continue;
    }
    const property = Object.hasOwn(terminationProperties, key) ? terminationProperties[key] : undefined;
    if (!property) {
      const known = [...objectNames, ...Object.keys(terminationProperties)];
      failures.push({
        property: key,
        reason: `unknown setting: did you mean \`${nearestName(key, known)}\`? (a misspelled setting is refused, not ignored; expected one of ${known.join(", ")})`,
      });
      continue;
    }
    const problem = scalarProblem(property, raw);
    if (problem) failures.push({ property: key, reason: problem });
  }
  if (failures.length > 0) return failures;
  // The HTTP settings' own checks (ranges, a readable CA bundle), one property at a time to name it.
  for (const key of Object.keys(terminationProperties)) {
    if (news[key] === undefined || news[key] === UNKNOWN) continue;
    try {
      resolveHttpSettings({ config: configSource({ [key]: news[key] }), env: {} });
    } catch (error) {
      failures.push({ property: key, reason: pluginWording((error as Error).message) });
    }
  }
  const preflight = news.preflight;
  if (preflight !== undefined && preflight !== UNKNOWN && !["true", "false"].includes(String(preflight)))
    failures.push({
      property: "preflight",
      reason: `must be true or false, got ${JSON.stringify(preflight)}`,
    });
  return failures;
}

/**
 * The provider's inputs as CheckConfig answers them: each setting the schema calls secret
 * (`huaweicloud.secretKey`, `blueking.appSecret`, ...) marked secret, whatever the program passed,
 * so that the state holds it as ciphertext and no diff prints it. The engine sends CheckConfig its
 * inputs without secret marks and keeps the marks of the answer, whatever the provider says in
 * Configure (pulumi/pulumi sdk/go/common/resource/plugin/provider_plugin.go, CheckConfig:
 * `KeepSecrets` on the answer only): this is the one place to do it. An object given as JSON text
 * (stack config `termination:huaweicloud`) comes back as the object.
 */
export function markSecrets(news: Record<string, unknown>): Record<string, unknown> {
  const marked = { ...news };
  for (const name of objectNames) {
    const value = asObject(news[name]);
    // JSON text that does not parse (check refuses it) may still hold a secret: marked whole.
    if (typeof value === "string" && value !== UNKNOWN) marked[name] = secretValue(value);
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const table = credentialObjects[name];
    marked[name] = Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        Object.hasOwn(table, key) &&
        table[key].secret &&
        item !== UNKNOWN &&
        item !== null &&
        item !== undefined
          ? secretValue(item)
          : item,
      ]),
    );
  }
  return marked;
}

/** The provider's properties as the `ConfigSource` the lifecycle and lookups read. */
export function configSource(args: Record<string, unknown>): ConfigSource {
  const flat = new Map<string, string>();
  const put = (spec: SettingSpec, value: unknown) => {
    if (value === undefined || value === null) return;
    flat.set(spec.config, String(value));
  };
  for (const name of objectNames) {
    const value = asObject(args[name]);
    if (typeof value !== "object" || value === null) continue;
    const table = credentialObjects[name];
    for (const [key, item] of Object.entries(value))
      if (Object.hasOwn(table, key)) put(table[key].spec, item);
  }
  for (const [key, property] of Object.entries(terminationProperties)) put(property.spec, args[key]);
  return { get: (key) => flat.get(key), names: pluginNames };
}

/** A setting's name on the provider, by its stack config key: `huaweicloud.secretKey`, `maxAttempts`. */
const providerNames = new Map<string, string>();
for (const name of objectNames)
  for (const [key, property] of Object.entries(credentialObjects[name]))
    providerNames.set(property.spec.config, `${name}.${key}`);
for (const [key, property] of Object.entries(terminationProperties))
  providerNames.set(property.spec.config, key);

/**
 * How the plugin's users name a setting: a property of the provider, which a default provider
 * reads from stack config `termination:<object or property>`. Keys of no provider property (none
 * today) keep their stack config names.
 */
export const pluginNames: SettingNames = {
  place: (key) => {
    const name = providerNames.get(key);
    return name === undefined
      ? stackConfigNames.place(key)
      : `provider setting \`${name}\` (stack config \`termination:${name.split(".")[0]}\`)`;
  },
  origin: (key) => (providerNames.has(key) ? pluginNames.place(key) : stackConfigNames.origin(key)),
  name: (key) => providerNames.get(key) ?? key,
};

/** Advice written with stack config keys (an API error's hint), in the plugin's words. */
export function pluginWording(text: string): string {
  return inDoorWords(text, { get: () => undefined, names: pluginNames });
}
