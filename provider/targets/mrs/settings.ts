/**
 * Where the MRS API is and how to authenticate (docs/apis.md §2): the resource's or lookup's own
 * arguments, then stack config, then the environment; AK/SK or an IAM token. Parsed once.
 */
import {
  configurationError,
  describeSetting,
  findGroup,
  namesOf,
  findSetting,
  type FoundSetting,
  type SettingSpec,
  type SettingsContext,
} from "../../core/settings";
import type { AkSkCredentials } from "../../signing/sdkHmacSha256";
import { isUnknown, type CheckFailure } from "../../validation/fields";
import { checkEndpoint, checkPathId } from "../../validation/url";
import { lookupCode } from "../../core/codeTable";

/** Where a request goes: the resource's or lookup's own arguments, before config and environment. */
export interface MrsLocation {
  projectId?: string;
  region?: string;
  endpoint?: string;
}

export const mrsSettingSpecs = {
  accessKey: { config: "huaweicloud:accessKey", env: ["HW_ACCESS_KEY"] },
  secretKey: { config: "huaweicloud:secretKey", env: ["HW_SECRET_KEY"] },
  securityToken: { config: "huaweicloud:securityToken", env: ["HW_SECURITY_TOKEN"] },
  authToken: { config: "huaweicloud:authToken", env: ["HW_AUTH_TOKEN"] },
  region: { config: "huaweicloud:region", env: ["HW_REGION_NAME"] },
  projectId: { config: "huaweicloud:projectId", env: ["HW_PROJECT_ID"] },
  cloud: { config: "huaweicloud:cloud", env: ["HW_CLOUD"] },
  endpoint: { config: "huaweicloud:mrsEndpoint", env: ["HW_MRS_ENDPOINT"] },
} satisfies Record<string, SettingSpec>;

export const regionPattern = /^[a-z]{2}(-[a-z0-9]+){1,4}$/;

type MrsAuth = { kind: "aksk"; credentials: AkSkCredentials } | { kind: "token"; token: string };

export interface MrsSettings {
  endpoint: URL;
  projectId: string;
  auth: MrsAuth;
}

/** How to authenticate: AK/SK (with a security token for temporary credentials), or an IAM token. */
const authSpecs = {
  accessKey: mrsSettingSpecs.accessKey,
  secretKey: mrsSettingSpecs.secretKey,
  securityToken: mrsSettingSpecs.securityToken,
  authToken: mrsSettingSpecs.authToken,
};
/** Where the API is: an endpoint, or a region (and cloud domain) it is derived from. */
const locationSpecs = {
  region: mrsSettingSpecs.region,
  cloud: mrsSettingSpecs.cloud,
  endpoint: mrsSettingSpecs.endpoint,
};

const defaultCloud = "myhuaweicloud.com";
/**
 * The regions whose MRS endpoint is not on the default domain, as Huawei's region tables have them
 * (huaweicloud-sdk-go-v3 services/mrs/v2/region/region.go; the same in the Node SDK's MrsRegion.ts and
 * the Python SDK's mrs_region.py). Every other region of those tables is on myhuaweicloud.com.
 */
export const regionClouds: Readonly<Record<string, string>> = {
  "ap-southeast-1": "myhuaweicloud.cn",
  "ap-southeast-4": "myhuaweicloud.cn",
  "ru-northwest-2": "myhuaweicloud.cn",
  "eu-west-101": "myhuaweicloud.eu",
};
/** A DNS domain: labels of letters, digits and inner hyphens, at least two of them. */
const cloudPattern = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

type Resolved<T> = { value?: T; failures: CheckFailure[] };

function resolveAuth(context: SettingsContext): Resolved<MrsAuth> {
  const found = findGroup(context, authSpecs);
  const s = mrsSettingSpecs;
  const { accessKey, secretKey, securityToken, authToken } = found;
  if (accessKey || secretKey) {
    if (!accessKey || !secretKey) {
      const [have, missing] = accessKey ? [accessKey, s.secretKey] : [secretKey as FoundSetting, s.accessKey];
      const where =
        have.source === "stack config"
          ? namesOf(context.config).place(missing.config)
          : `environment \`${missing.env[0]}\``;
      return {
        failures: [
          {
            property: "credentials",
            reason: `an access key needs its secret key from the same place: ${have.origin} is set, so set ${where} too (credentials are taken whole from the highest source that sets any of them)`,
          },
        ],
      };
    }
    return {
      value: {
        kind: "aksk",
        credentials: {
          accessKey: accessKey.value,
          secretKey: secretKey.value,
          securityToken: securityToken?.value,
        },
      },
      failures: [],
    };
  }
  if (authToken) return { value: { kind: "token", token: authToken.value }, failures: [] };
  if (securityToken)
    return {
      failures: [
        {
          property: "credentials",
          reason: `${securityToken.origin} is set without an access key and secret key beside it: temporary credentials need all three from the same place`,
        },
      ],
    };
  return {
    failures: [
      {
        property: "credentials",
        reason: `no Huawei Cloud credentials: set ${describeSetting(context, s.accessKey)} with ${describeSetting(context, s.secretKey)} (as secrets), or an IAM token in ${describeSetting(context, s.authToken)}`,
      },
    ],
  };
}

/**
 * The endpoint from the highest source that says where the API is; undefined while an argument is
 * unknown. `checkArguments: false` when the field table already checks the resource's arguments.
 */
function resolveLocation(
  inputs: MrsLocation,
  context: SettingsContext,
  checkArguments = true,
): Resolved<URL> {
  if (isUnknown(inputs.region) || isUnknown(inputs.endpoint)) return { failures: [] };
  const s = mrsSettingSpecs;
  const found = findGroup(context, locationSpecs, { region: inputs.region, endpoint: inputs.endpoint });
  const failures: CheckFailure[] = [];
  const { region, cloud, endpoint } = found;
  const checked = (setting?: FoundSetting) =>
    setting !== undefined && (checkArguments || setting.source !== "resource argument");
  if (checked(region) && region && !regionPattern.test(region.value))
    failures.push({
      property: "region",
      reason: `${region.origin} must be a region name such as cn-north-4, got ${JSON.stringify(region.value)}`,
    });
  if (checked(cloud) && cloud && !cloudPattern.test(cloud.value))
    failures.push({
      property: "cloud",
      reason: `${cloud.origin} must be a domain such as ${defaultCloud}, got ${JSON.stringify(cloud.value)}`,
    });
  const endpointProblem = checked(endpoint) && endpoint && checkEndpoint(endpoint.value);
  if (endpoint && endpointProblem)
    failures.push({ property: "endpoint", reason: `${endpoint.origin} ${endpointProblem}` });
  if (!endpoint && !region)
    failures.push({
      property: "region",
      reason: `is required to find the MRS endpoint: set ${describeSetting(context, s.region, "region")}, or an endpoint in ${describeSetting(context, s.endpoint, "endpoint")}${
        cloud ? ` (${cloud.origin} is set there, and where the API is comes whole from one place)` : ""
      }`,
    });
  // An argument's own problem (reported by the field table) still stops the URL from being made.
  const unusable = endpoint ? checkEndpoint(endpoint.value) : !regionPattern.test(String(region?.value));
  if (failures.length > 0 || unusable) return { failures };
  // An explicit endpoint, then an explicit cloud domain, win over the region's own domain.
  const domain = cloud?.value ?? lookupCode(regionClouds, region?.value) ?? defaultCloud;
  const url = endpoint?.value ?? `https://mrs.${region?.value}.${domain}`;
  return { value: new URL(url), failures };
}

/**
 * The settings, or what is wrong with them: one parse for `check` and for the requests alike.
 * `checkArguments: false` when the field table already checks the resource's own arguments.
 */
function parseMrsSettings(
  inputs: MrsLocation,
  context: SettingsContext,
  checkArguments: boolean,
): Resolved<MrsSettings> {
  const auth = resolveAuth(context);
  const failures = [...auth.failures];
  const s = mrsSettingSpecs;
  let projectId: FoundSetting | undefined;
  if (!isUnknown(inputs.projectId)) {
    projectId = findSetting(context, s.projectId, inputs.projectId);
    if (projectId === undefined)
      failures.push({
        property: "projectId",
        reason: `is required: set ${describeSetting(context, s.projectId, "projectId")}`,
      });
    else if (projectId.source !== "resource argument" && checkPathId(projectId.value))
      failures.push({
        property: "projectId",
        reason: `${projectId.origin} ${checkPathId(projectId.value)}`,
      });
  }
  const location = resolveLocation(inputs, context, checkArguments);
  failures.push(...location.failures);
  if (failures.length > 0 || !auth.value || !projectId || !location.value) return { failures };
  return { value: { endpoint: location.value, projectId: projectId.value, auth: auth.value }, failures };
}

export function checkMrsSettings(inputs: MrsLocation, context: SettingsContext): CheckFailure[] {
  return parseMrsSettings(inputs, context, false).failures;
}

export function resolveMrsSettings(inputs: MrsLocation, context: SettingsContext): MrsSettings {
  const unchecked = parseMrsSettings(inputs, context, false);
  // Arguments the field table would refuse (a lookup has none) are named only when all else is fine.
  const { value, failures } =
    unchecked.failures.length > 0 ? unchecked : parseMrsSettings(inputs, context, true);
  if (!value) throw configurationError(failures);
  return value;
}
