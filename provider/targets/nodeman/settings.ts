/**
 * Where NodeMan is and who calls it: BlueKing app and user credentials, and the ESB root or the API
 * gateway's URL template, from stack config or the environment (docs/apis.md §1). Parsed once.
 */
import {
  configurationError,
  describeSetting,
  findGroup,
  namesOf,
  type FoundSetting,
  type SettingSpec,
  type SettingsContext,
} from "../../core/settings";
import { checkEndpoint } from "../../validation/url";
import { isUnknown, type CheckFailure } from "../../validation/fields";
import type { NodemanTaskTerminationInputs } from "./inputs.generated";

export const bluekingSettingSpecs = {
  appCode: { config: "blueking:appCode", env: ["BK_APP_CODE"] },
  appSecret: { config: "blueking:appSecret", env: ["BK_APP_SECRET"] },
  username: { config: "blueking:username", env: ["BK_USERNAME"] },
  bkToken: { config: "blueking:bkToken", env: ["BK_TOKEN"] },
  accessToken: { config: "blueking:accessToken", env: ["BK_ACCESS_TOKEN"] },
  esbUrl: { config: "blueking:esbUrl", env: ["BK_COMPONENT_API_URL"] },
  apigwUrlTemplate: { config: "blueking:apigwUrlTemplate", env: ["BK_API_URL_TMPL"] },
  apigwPathPrefix: { config: "blueking:apigwPathPrefix", env: ["BK_NODEMAN_APIGW_PATH_PREFIX"] },
  tenantId: { config: "blueking:tenantId", env: ["BK_TENANT_ID"] },
} satisfies Record<string, SettingSpec>;

/** The gateway paths NodeMan's subscription API is published under (docs/apis.md §1.2). */
const pathPrefixes = ["", "system/"];
/** A tenant id as bk-user accepts one (bk-user bkuser/apps/tenant/constants.py TENANT_ID_REGEX). */
const tenantIdPattern = /^(?!.*--)[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

interface BluekingAuth {
  bk_app_code: string;
  bk_app_secret: string;
  bk_username?: string;
  bk_token?: string;
  access_token?: string;
}

type Route = "apigw" | "esb";

export interface NodemanSettings {
  route: Route;
  /** Ends with `/backend/api/subscription/`. */
  baseUrl: URL;
  auth: BluekingAuth;
  /** The gateway's X-Bkapi-Authorization header value, made once. */
  authorizationHeader: string;
  /** Sent as X-Bk-Tenant-Id on every gateway request. */
  tenantId?: string;
}

/** Settings that go together: the highest source that sets any of a group decides the whole group. */
const groups = {
  app: { appCode: bluekingSettingSpecs.appCode, appSecret: bluekingSettingSpecs.appSecret },
  user: {
    username: bluekingSettingSpecs.username,
    bkToken: bluekingSettingSpecs.bkToken,
    accessToken: bluekingSettingSpecs.accessToken,
  },
  /**
   * Where NodeMan is: the ESB root or the gateway's URL template, the gateway's path prefix, and the
   * tenant, which picks the gateway's mode and with it the prefix's default: a BK_TENANT_ID left in
   * a shell must not turn the single-tenant gateway stack config names into a multi-tenant call.
   */
  location: {
    esbUrl: bluekingSettingSpecs.esbUrl,
    apigwUrlTemplate: bluekingSettingSpecs.apigwUrlTemplate,
    apigwPathPrefix: bluekingSettingSpecs.apigwPathPrefix,
    tenantId: bluekingSettingSpecs.tenantId,
  },
};

/** The settings, or what is wrong with them: one parse, for `check` and for the requests alike. */
interface Parsed {
  settings?: NodemanSettings;
  failures: CheckFailure[];
}

/** Where the arguments are not known yet (a preview), nothing is made. */
function parseSettings(inputs: { route?: unknown; stage?: unknown }, context: SettingsContext): Parsed {
  const s = bluekingSettingSpecs;
  const failures: CheckFailure[] = [];
  const app = findGroup(context, groups.app);
  const user = findGroup(context, groups.user);
  for (const key of ["appCode", "appSecret"] as const) {
    if (app[key]) continue;
    const other = app[key === "appCode" ? "appSecret" : "appCode"];
    failures.push({
      property: "credentials",
      reason: other
        ? `${other.origin} is set, so the app's ${key} must come from the same place: set ${other.source === "stack config" ? namesOf(context.config).place(s[key].config) : `environment \`${s[key].env[0]}\``}`
        : `missing: set ${describeSetting(context, s[key])}`,
    });
  }
  if (!user.username && !user.bkToken && !user.accessToken) {
    failures.push({
      property: "credentials",
      reason: `no user: set ${describeSetting(context, s.username)}, ${describeSetting(context, s.bkToken)} or ${describeSetting(context, s.accessToken)}`,
    });
  }
  if (isUnknown(inputs.route)) return { failures };
  const location = findGroup(context, groups.location);
  const argument: Route | undefined =
    inputs.route === "apigw" || inputs.route === "esb" ? inputs.route : undefined;
  // Both set in the same place: the gateway, as before; a `route` argument picks between them.
  const route = argument ?? (location.apigwUrlTemplate ? "apigw" : location.esbUrl ? "esb" : undefined);
  if (route === undefined) {
    failures.push({
      property: "route",
      reason: `no NodeMan endpoint: set ${describeSetting(context, s.apigwUrlTemplate)} or ${describeSetting(context, s.esbUrl)}`,
    });
    return { failures };
  }
  const url = route === "apigw" ? location.apigwUrlTemplate : location.esbUrl;
  const { tenantId, apigwPathPrefix } = location;
  if (tenantId && !tenantIdPattern.test(tenantId.value))
    failures.push({
      property: "route",
      reason: `${tenantId.origin} must be a BlueKing tenant id (a lower-case letter, then 2 to 31 lower-case letters, digits or single hyphens, not ending in a hyphen, e.g. default), got ${JSON.stringify(tenantId.value)}`,
    });
  if (apigwPathPrefix && !pathPrefixes.includes(apigwPathPrefix.value))
    failures.push({
      property: "route",
      reason: `${apigwPathPrefix.origin} must be "" or "system/", got ${JSON.stringify(apigwPathPrefix.value)}`,
    });
  if (route === "esb" && tenantId)
    failures.push({
      property: "route",
      reason: `${tenantId.origin} is set, but route "esb" cannot send a tenant (the ESB has none): reach NodeMan through the API gateway (${describeSetting(context, s.apigwUrlTemplate)})`,
    });
  if (route === "esb" && apigwPathPrefix && !location.apigwUrlTemplate)
    failures.push({
      property: "route",
      reason: `${apigwPathPrefix.origin} is set, but NodeMan is reached through the ESB: the prefix applies to the API gateway only (${describeSetting(context, s.apigwUrlTemplate)})`,
    });
  if (url === undefined) {
    const spec = route === "apigw" ? s.apigwUrlTemplate : s.esbUrl;
    const chosen = Object.values(location)[0] as FoundSetting | undefined;
    failures.push({
      property: "route",
      reason: `route "${route}" needs ${describeSetting(context, spec)}${
        chosen
          ? `; where NodeMan is comes whole from ${chosen.source} (${chosen.origin} is set), so set it there`
          : ""
      }`,
    });
    return { failures };
  }
  const problem = checkEndpoint(url.value.replace("{api_name}", "bk-nodeman"));
  if (problem) failures.push({ property: "route", reason: `${url.origin} ${problem}` });
  const { appCode, appSecret } = app;
  if (failures.length > 0 || !appCode || !appSecret) return { failures };
  const base = url.value.replace("{api_name}", "bk-nodeman").replace(/\/$/, "");
  const stage = typeof inputs.stage === "string" ? inputs.stage : "prod";
  // bk-monitor (api/node_man/default.py) calls `system/…` whenever it uses the gateway in multi-tenant mode.
  const prefix = apigwPathPrefix?.value ?? (explicitlyEmpty(context, url) ? "" : tenantId ? "system/" : "");
  const root = route === "apigw" ? `${base}/${stage}/${prefix}` : `${base}/api/c/compapi/v2/nodeman/`;
  const auth: BluekingAuth = { bk_app_code: appCode.value, bk_app_secret: appSecret.value };
  if (user.username) auth.bk_username = user.username.value;
  if (user.accessToken) auth.access_token = user.accessToken.value;
  else if (user.bkToken) auth.bk_token = user.bkToken.value;
  const settings: NodemanSettings = {
    route,
    baseUrl: new URL(`${root}backend/api/subscription/`),
    auth,
    authorizationHeader: JSON.stringify(auth),
    ...(tenantId && { tenantId: tenantId.value }),
  };
  return { settings, failures };
}

/**
 * `blueking:apigwPathPrefix` set to "" in the stack config (or the plugin's `blueking` object) that
 * decides where NodeMan is: "" chosen on purpose, though an empty value otherwise counts as unset.
 */
function explicitlyEmpty(context: SettingsContext, url: FoundSetting): boolean {
  return (
    url.source === "stack config" && context.config.get(bluekingSettingSpecs.apigwPathPrefix.config) === ""
  );
}

export function checkSettings(
  inputs: NodemanTaskTerminationInputs,
  context: SettingsContext,
): CheckFailure[] {
  return parseSettings(inputs, context).failures;
}

export function resolveSettings(
  inputs: Pick<NodemanTaskTerminationInputs, "route" | "stage">,
  context: SettingsContext,
): NodemanSettings {
  const { settings, failures } = parseSettings(inputs, context);
  if (!settings) throw configurationError(failures);
  return settings;
}
