/**
 * BlueKing NodeMan: revoke the running tasks of a subscription (`revoke_subscription`,
 * docs/apis.md §1) through the ESB or the API gateway, then watch the targeted instances stop.
 * Business errors arrive as HTTP 200 with `result: false`; the gateway refuses with 401 and
 * `X-Bkapi-Error-*` headers.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  describeSetting,
  findGroup,
  throwFailures,
  type FoundSetting,
  type SettingSpec,
  type SettingsContext,
} from "../config";
import { ApiError, isApiError, TerminationError } from "../errors";
import { displayUrl, type HttpResponse } from "../http";
import {
  commonFields,
  TerminationProvider,
  type PollResult,
  type PreflightResult,
  type Session,
  type StartResult,
  type Target,
  type TerminationRecord,
} from "../lifecycle";
import { TerminationResource, type TerminationArgs } from "../resource";
import { checkEndpoint, isUnknown, type CheckFailure, type FieldTable } from "../validation";
import { instanceIdProblem } from "./nodemanInstanceId";

export interface NodemanTaskTerminationInputs {
  subscriptionId: number;
  instanceIds?: string[];
  route?: "apigw" | "esb";
  stage?: string;
  waitForTermination?: boolean;
  waitTimeoutSeconds?: number;
  whenNothingRunning?: "succeed" | "fail";
  triggers?: unknown[];
  preflight?: boolean;
}

export interface InstanceStatus {
  instanceId: string;
  status: string;
}

export interface NodemanTaskTerminationOutputs extends NodemanTaskTerminationInputs, TerminationRecord {
  /** The route actually used, after defaults. */
  resolvedRoute?: "apigw" | "esb";
  /** The last status seen of each targeted instance. */
  instances?: InstanceStatus[];
}

export const settingSpecs = {
  appCode: { config: "blueking:appCode", env: ["BK_APP_CODE"] },
  appSecret: { config: "blueking:appSecret", env: ["BK_APP_SECRET"] },
  username: { config: "blueking:username", env: ["BK_USERNAME"] },
  bkToken: { config: "blueking:bkToken", env: ["BK_TOKEN"] },
  accessToken: { config: "blueking:accessToken", env: ["BK_ACCESS_TOKEN"] },
  esbUrl: { config: "blueking:esbUrl", env: ["BK_COMPONENT_API_URL"] },
  apigwUrlTemplate: { config: "blueking:apigwUrlTemplate", env: ["BK_API_URL_TMPL"] },
} satisfies Record<string, SettingSpec>;

const runningStatuses = ["PENDING", "RUNNING"];

const fields: FieldTable = {
  subscriptionId: {
    type: "integer",
    required: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    onChange: "replace",
    description: "the NodeMan subscription id",
  },
  instanceIds: {
    type: "stringList",
    maxItems: 5000,
    check: instanceIdProblem,
    onChange: "replace",
    description: "instance ids such as host|instance|host|1; absent means every running instance",
  },
  route: { type: "enum", values: ["apigw", "esb"], onChange: "replace", description: "API gateway or ESB" },
  stage: {
    type: "string",
    onChange: "replace",
    check: (v) =>
      /^[a-z][a-z0-9_-]{0,31}$/.test(v) ? undefined : `must be a gateway stage name such as prod, got "${v}"`,
    default: "prod",
    description: "the API gateway stage (default prod)",
  },
  whenNothingRunning: {
    type: "enum",
    values: ["succeed", "fail"],
    onChange: "update",
    default: "succeed",
    description: "what code 3800016 (nothing running) means",
  },
  ...commonFields,
};

interface BluekingAuth {
  bk_app_code: string;
  bk_app_secret: string;
  bk_username?: string;
  bk_token?: string;
  access_token?: string;
}

export interface NodemanSettings {
  route: "apigw" | "esb";
  /** Ends with `/backend/api/subscription/`. */
  baseUrl: URL;
  auth: BluekingAuth;
  /** The gateway's X-Bkapi-Authorization header value, made once. */
  authorizationHeader: string;
}

/** Settings that go together: the highest source that sets any of a group decides the whole group. */
const groups = {
  app: { appCode: settingSpecs.appCode, appSecret: settingSpecs.appSecret },
  user: {
    username: settingSpecs.username,
    bkToken: settingSpecs.bkToken,
    accessToken: settingSpecs.accessToken,
  },
  /** Where NodeMan is: the ESB root or the gateway's URL template. */
  location: { esbUrl: settingSpecs.esbUrl, apigwUrlTemplate: settingSpecs.apigwUrlTemplate },
};

interface Resolved {
  route?: "apigw" | "esb";
  /** The ESB root or the gateway template, as set. */
  url?: FoundSetting;
  auth: Partial<Record<"appCode" | "appSecret" | "username" | "bkToken" | "accessToken", FoundSetting>>;
  failures: CheckFailure[];
}

function resolveAll(news: Record<string, unknown>, context: SettingsContext): Resolved {
  const s = settingSpecs;
  const failures: CheckFailure[] = [];
  const app = findGroup(context, groups.app);
  const user = findGroup(context, groups.user);
  for (const key of ["appCode", "appSecret"] as const) {
    if (app[key]) continue;
    const other = app[key === "appCode" ? "appSecret" : "appCode"];
    failures.push({
      property: "credentials",
      reason: other
        ? `${other.origin} is set, so the app's ${key} must come from the same place: set ${other.source === "stack config" ? `stack config \`${s[key].config}\`` : `environment \`${s[key].env[0]}\``}`
        : `missing: set ${describeSetting(s[key])}`,
    });
  }
  if (!user.username && !user.bkToken && !user.accessToken) {
    failures.push({
      property: "credentials",
      reason: `no user: set ${describeSetting(s.username)}, ${describeSetting(s.bkToken)} or ${describeSetting(s.accessToken)}`,
    });
  }
  const auth = { ...app, ...user };
  if (isUnknown(news.route)) return { auth, failures };
  const location = findGroup(context, groups.location);
  const argument = news.route === "apigw" || news.route === "esb" ? news.route : undefined;
  // Both set in the same place: the gateway, as before; a `route` argument picks between them.
  const route = argument ?? (location.apigwUrlTemplate ? "apigw" : location.esbUrl ? "esb" : undefined);
  if (route === undefined) {
    failures.push({
      property: "route",
      reason: `no NodeMan endpoint: set ${describeSetting(s.apigwUrlTemplate)} or ${describeSetting(s.esbUrl)}`,
    });
    return { auth, failures };
  }
  const url = route === "apigw" ? location.apigwUrlTemplate : location.esbUrl;
  if (url === undefined) {
    const spec = route === "apigw" ? s.apigwUrlTemplate : s.esbUrl;
    const chosen = Object.values(location)[0] as FoundSetting | undefined;
    failures.push({
      property: "route",
      reason: `route "${route}" needs ${describeSetting(spec)}${
        chosen
          ? `; where NodeMan is comes whole from ${chosen.source} (${chosen.origin} is set), so set it there`
          : ""
      }`,
    });
    return { route, auth, failures };
  }
  const problem = checkEndpoint(url.value.replace("{api_name}", "bk-nodeman"));
  if (problem) failures.push({ property: "route", reason: `${url.origin} ${problem}` });
  return { route, url, auth, failures };
}

function checkSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[] {
  return resolveAll(news, context).failures;
}

function resolveSettings(inputs: NodemanTaskTerminationInputs, context: SettingsContext): NodemanSettings {
  const {
    route,
    url,
    auth: found,
    failures,
  } = resolveAll(inputs as unknown as Record<string, unknown>, context);
  throwFailures(failures);
  const base = (url as FoundSetting).value.replace("{api_name}", "bk-nodeman").replace(/\/$/, "");
  const root = route === "apigw" ? `${base}/${inputs.stage ?? "prod"}` : `${base}/api/c/compapi/v2/nodeman`;
  const auth: BluekingAuth = {
    bk_app_code: found.appCode?.value as string,
    bk_app_secret: found.appSecret?.value as string,
  };
  if (found.username) auth.bk_username = found.username.value;
  if (found.accessToken) auth.access_token = found.accessToken.value;
  else if (found.bkToken) auth.bk_token = found.bkToken.value;
  return {
    route: route as "apigw" | "esb",
    baseUrl: new URL(`${root}/backend/api/subscription/`),
    auth,
    authorizationHeader: JSON.stringify(auth),
  };
}

const hints: Record<string, string> = {
  "1640001":
    "The API gateway refused the credentials: check blueking:appCode/appSecret/username and bkToken or accessToken",
  "3800001": "NodeMan refused the request's fields",
  "3800003": "Check subscriptionId: the subscription has no task",
  "3800018": "NodeMan's gateway check failed: call it through the API gateway with valid app credentials",
};

interface Envelope {
  result?: boolean;
  code?: number | string;
  message?: string;
  data?: unknown;
}

/** The envelope's data, or an ApiError with the service's code, text and request id. */
function unwrap(
  operation: string,
  url: URL,
  response: HttpResponse,
): { ok: true; data: unknown } | { ok: false; error: ApiError } {
  const envelope = (
    typeof response.data === "object" && response.data !== null ? response.data : {}
  ) as Envelope;
  if (response.status === 200 && envelope.result === true) return { ok: true, data: envelope.data };
  const code = envelope.code ?? response.headers["x-bkapi-error-code"];
  const message =
    envelope.message ??
    response.headers["x-bkapi-error-message"] ??
    (typeof response.data === "string" ? response.data.slice(0, 200) : undefined);
  const codeText = code === undefined ? undefined : String(code);
  return {
    ok: false,
    error: new ApiError({
      service: "NodeMan",
      operation,
      method: "POST",
      url: displayUrl(url),
      httpStatus: response.status,
      code: codeText,
      serviceMessage: message,
      requestId: response.requestId,
      hint: codeText ? hints[codeText] : undefined,
      attempts: response.attempts,
    }),
  };
}

async function call(
  session: Session,
  settings: NodemanSettings,
  endpoint: string,
  operation: string,
  params: Record<string, unknown>,
) {
  const url = new URL(`${endpoint}/`, settings.baseUrl);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  let body: Record<string, unknown> = params;
  // ESB takes the common arguments in the body; the gateway in a header, keeping the body free of secrets.
  if (settings.route === "esb") body = { ...settings.auth, ...params };
  else headers["X-Bkapi-Authorization"] = settings.authorizationHeader;
  const response = await session.http.send({
    service: "NodeMan",
    operation,
    method: "POST",
    url: url.toString(),
    headers,
    body: JSON.stringify(body),
    // NodeMan's own codes are 38xxxxx; a 5xx with one is its answer, anything else a fault.
    isBusinessError: (_status, data) => /^38\d{5}$/.test(String((data as Envelope | undefined)?.code)),
  });
  return { url, response };
}

function describeTargets(inputs: NodemanTaskTerminationInputs): string {
  const count = inputs.instanceIds?.length;
  return `NodeMan subscription ${inputs.subscriptionId}${count ? ` (${count} instance${count > 1 ? "s" : ""})` : ""}`;
}

async function terminate(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<StartResult> {
  // NodeMan reads an empty instance_id_list as "every running instance": never send one.
  if (inputs.instanceIds?.length === 0)
    throw new TerminationError(
      `instanceIds: an empty list names no instance, and NodeMan would revoke every running one; nothing was sent. Leave instanceIds out to mean every running instance.`,
    );
  const params: Record<string, unknown> = { subscription_id: inputs.subscriptionId };
  if (inputs.instanceIds) params.instance_id_list = inputs.instanceIds;
  const operation = `revoke the running tasks of subscription ${inputs.subscriptionId}`;
  const { url, response } = await call(session, settings, "revoke", operation, params);
  const result = unwrap(operation, url, response);
  const route = { resolvedRoute: settings.route };
  if (result.ok) return { outcome: "terminated", requestId: response.requestId, details: route };
  if (result.error.code === codes.nothingToRevoke) {
    // An earlier attempt whose answer was lost may have done the revoke itself.
    if (response.uncertainAttempts > 0)
      return { outcome: "terminated", requestId: response.requestId, details: route };
    if (inputs.whenNothingRunning === "fail") {
      throw new TerminationError(
        `${result.error.message}. Set whenNothingRunning: "succeed" to accept a subscription with nothing running.`,
      );
    }
    const seen = await poll(inputs, settings, session);
    return {
      outcome: "nothing-running",
      requestId: response.requestId,
      details: { ...route, ...seen.details },
    };
  }
  throw result.error;
}

interface TaskResultItem {
  instance_id?: unknown;
  status?: unknown;
  steps?: { status?: unknown }[];
}

/** The statuses NodeMan documents (docs/apis.md §1); any other is shown as undocumented. */
const documentedStatuses = [
  "PENDING",
  "RUNNING",
  "SUCCESS",
  "FAILED",
  "PART_FAILED",
  "TERMINATED",
  "REMOVED",
  "FILTERED",
  "IGNORED",
];

/** NodeMan service codes this target acts on. */
const codes = { noTask: "3800003", taskNotReady: "3800015", nothingToRevoke: "3800016" };

export interface SeenInstance {
  instanceId: string;
  status: string;
  /** Each step's status: the record flips to FAILED at once, the step now running finishes first (docs/apis.md §1.3). */
  steps: string[];
}

/**
 * Running: the record reads PENDING or RUNNING, or one of its steps still reads RUNNING. A step
 * still PENDING under a finished record never runs, and a status outside the documented list
 * does not count either (it is named in the summary instead).
 */
export const isRunning = (instance: SeenInstance) =>
  runningStatuses.includes(instance.status) || instance.steps.includes("RUNNING");

/** A listing that would need more pages than this fails rather than read on past any deadline. */
export const maxTaskResultPages = 1000;

/** "a, b, c and 4 more": long id lists stay readable in messages. */
function someOf(ids: string[], shown = 5): string {
  const head = ids.slice(0, shown).join(", ");
  return ids.length > shown ? `${head} and ${ids.length - shown} more` : head;
}

/** One page of `task_result`: a bare list (pagesize -1) is everything, `{total, list}` one page of it. */
function taskResultPage(data: unknown, malformed: (what: string) => Error) {
  if (Array.isArray(data)) return { list: data as TaskResultItem[], total: undefined, paged: false };
  const page = (typeof data === "object" && data !== null ? data : {}) as { list?: unknown; total?: unknown };
  if (!Array.isArray(page.list)) throw malformed("the answer's data is neither a list nor {total, list}");
  if (page.total !== undefined && !Number.isSafeInteger(page.total))
    throw malformed(`the answer's total is not an integer: ${JSON.stringify(page.total)}`);
  return { list: page.list as TaskResultItem[], total: page.total as number | undefined, paged: true };
}

/**
 * The targeted instances as `task_result` shows them, every page of them; undefined while the task
 * is not ready (3800015). The service's filter is a convenience: only the listed ids are kept.
 */
export async function readInstances(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<SeenInstance[] | undefined> {
  const wanted = inputs.instanceIds && new Set(inputs.instanceIds);
  const base: Record<string, unknown> = { subscription_id: inputs.subscriptionId };
  // An empty instance_id_list means "no filter" to NodeMan: never send one.
  if (inputs.instanceIds?.length) base.instance_id_list = inputs.instanceIds;
  const operation = `read the task results of subscription ${inputs.subscriptionId}`;
  const seen = new Map<string, SeenInstance>();
  // Every id the service listed, kept or not: what `total` counts.
  const listed = new Set<string>();
  let pageSize = -1;
  let total: number | undefined;
  for (let page = 1; ; page++) {
    if (page > maxTaskResultPages)
      throw new TerminationError(
        `NodeMan: ${operation}: more than ${maxTaskResultPages} pages of ${pageSize}; stopped rather than count from a partial listing`,
      );
    const params = pageSize === -1 ? { ...base, pagesize: -1 } : { ...base, page, pagesize: pageSize };
    const { url, response } = await call(session, settings, "task_result", operation, params);
    const result = unwrap(operation, url, response);
    if (!result.ok) {
      if (result.error.code === codes.taskNotReady) return undefined;
      throw result.error;
    }
    const malformed = (what: string) =>
      new TerminationError(`NodeMan: ${operation}: ${what} (POST ${displayUrl(url)}, page ${page})`);
    const answer = taskResultPage(result.data, malformed);
    const before = listed.size;
    for (const item of answer.list) {
      const instance = seenInstance(item, malformed);
      listed.add(instance.instanceId);
      if (wanted && !wanted.has(instance.instanceId)) continue;
      // An instance listed twice (pages shifting under a change) counts as running if either copy does.
      const earlier = seen.get(instance.instanceId);
      if (!earlier || (!isRunning(earlier) && isRunning(instance))) seen.set(instance.instanceId, instance);
    }
    total = answer.total ?? total;
    // Asked for everything (-1) but answered one page: read on at the page size the service chose.
    if (page === 1) pageSize = answer.paged ? answer.list.length : -1;
    if (pageSize === -1 || answer.list.length === 0) break;
    if (total !== undefined && listed.size >= total) break;
    if (listed.size === before) throw malformed("the page repeats earlier items (is `page` ignored?)");
    if (answer.list.length < pageSize) break;
  }
  if (total !== undefined && listed.size < total)
    throw new TerminationError(
      `NodeMan: ${operation}: the listing ended after ${listed.size} of ${total} instances; stopped rather than count from a partial listing`,
    );
  return [...seen.values()].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
}

function seenInstance(item: TaskResultItem, malformed: (what: string) => Error): SeenInstance {
  if (typeof item?.instance_id !== "string" || typeof item.status !== "string")
    throw malformed(`an item has no instance_id or status: ${JSON.stringify(item).slice(0, 200)}`);
  const steps = Array.isArray(item.steps) ? item.steps : [];
  return {
    instanceId: item.instance_id,
    status: item.status,
    steps: steps.map((step) => String(step?.status)),
  };
}

/** What a reader should know beside the counts: listed ids NodeMan does not show, statuses it does not document. */
function notes(inputs: NodemanTaskTerminationInputs, instances: SeenInstance[]): string {
  const seen = new Set(instances.map((i) => i.instanceId));
  const missing = [...new Set(inputs.instanceIds ?? [])].filter((id) => !seen.has(id));
  const odd = [
    ...new Set(
      instances.flatMap((i) => [i.status, ...i.steps]).filter((s) => !documentedStatuses.includes(s)),
    ),
  ];
  return (
    (missing.length
      ? ` (${missing.length} listed instance(s) not in the subscription: ${someOf(missing)})`
      : "") + (odd.length ? ` (undocumented status ${odd.join(", ")}: not counted as running)` : "")
  );
}

async function poll(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<PollResult> {
  const instances = await readInstances(inputs, settings, session);
  if (!instances) return { stopped: false, summary: "task not ready yet", details: {} };
  const running = instances.filter(isRunning);
  return {
    stopped: running.length === 0,
    summary: `${running.length} of ${instances.length} instance(s) still running${notes(inputs, instances)}`,
    details: { instances: instances.map(({ instanceId, status }) => ({ instanceId, status })) },
  };
}

async function preflight(
  inputs: NodemanTaskTerminationInputs,
  settings: NodemanSettings,
  session: Session,
): Promise<PreflightResult> {
  const subject = `NodeMan subscription ${inputs.subscriptionId}`;
  let instances: SeenInstance[] | undefined;
  try {
    instances = await readInstances(inputs, settings, session);
  } catch (error) {
    if (isApiError(error) && error.code === codes.noTask) {
      return {
        found: false,
        property: "subscriptionId",
        reason: `${subject} has no task or does not exist: ${error.message}`,
      };
    }
    throw error;
  }
  if (!instances)
    return { found: true, message: `${subject}: task not ready yet; the revoke applies to what runs then` };
  const n = instances.length;
  // The revoke acts on PENDING/RUNNING records; a FAILED one whose step still runs is already stopping.
  const active = instances.filter((i) => runningStatuses.includes(i.status)).length;
  const stopping = instances.filter(isRunning).length - active;
  const stoppingText = `${stopping} of ${n} instances still stopping (a step reads RUNNING)`;
  const what =
    active > 0
      ? `${active} of ${n} instances RUNNING will be revoked${stopping ? `; ${stoppingText}` : ""}`
      : stopping > 0
        ? `nothing to revoke; ${stoppingText}`
        : "nothing running: nothing to do";
  return { found: true, message: `${subject}: ${what}${notes(inputs, instances)}` };
}

export const nodemanTarget: Target<NodemanTaskTerminationInputs, NodemanSettings> = {
  typeName: "NodemanTaskTermination",
  fields,
  checkSettings,
  resolveSettings,
  describe: describeTargets,
  idPrefix: (inputs) => `nodeman/${inputs.subscriptionId}`,
  terminate,
  poll,
  preflight,
  // After a revoke, "no task" means the subscription was deleted since.
  isGone: (error) => isApiError(error) && error.code === codes.noTask,
};

/** The provider object behind NodemanTaskTermination; drive it directly with plain inputs in tests. */
export const nodemanTaskTerminationProvider = new TerminationProvider(nodemanTarget);

export interface NodemanTaskTerminationArgs extends TerminationArgs {
  subscriptionId: pulumi.Input<number>;
  instanceIds?: pulumi.Input<pulumi.Input<string>[]>;
  route?: pulumi.Input<"apigw" | "esb">;
  stage?: pulumi.Input<string>;
  whenNothingRunning?: pulumi.Input<"succeed" | "fail">;
}

/** Revokes the running tasks of a NodeMan subscription on `pulumi up` and records what happened. */
export class NodemanTaskTermination extends TerminationResource {
  declare readonly resolvedRoute: pulumi.Output<"apigw" | "esb">;
  declare readonly instances: pulumi.Output<InstanceStatus[] | undefined>;

  constructor(name: string, args: NodemanTaskTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "nodemanTaskTermination",
      "NodemanTaskTermination",
      name,
      args,
      ["resolvedRoute", "instances"],
      opts,
    );
  }
}
