/**
 * BlueKing NodeMan subscription API (docs/apis.md §1): routes, authentication for both ways in, and
 * the state transitions of revoke plus the three status calls a client polls. Each rule names the
 * public source it follows (BN = TencentBlueKing/bk-nodeman, BG = blueking-apigateway-apisix, ESB =
 * blueking-apigateway src/esb); docs/apis.md §1.6 lists what no source settles and what the
 * emulator chose there.
 */
import { bluekingCaller, esbWording, gatewayWording, tenantProblem, type Caller } from "./bluekingAuth";
import { jsonReply, parseJsonObject, type ReceivedRequest, type Reply } from "./http";
import {
  noEffect,
  type HandlerContext,
  type Outcome,
  type Resolution,
  type RouteName,
  type Transport,
} from "./routes";
import {
  NODEMAN_ACTIVE,
  type EmulatorState,
  type Instance,
  type NodemanStatus,
  type NodemanStepStatus,
  type Subscription,
  type Task,
} from "./seed";

// The gateway's own codes (BG src/apisix/plugins/bk-core/errorx.lua).
export const GATEWAY_INVALID_ARGS = 1640001;
export const GATEWAY_UNAUTHORIZED = 1640100;
export const GATEWAY_APP_NO_PERMISSION = 1640301;
export const GATEWAY_CROSS_TENANT_FORBIDDEN = 1640302;
export const GATEWAY_NOT_FOUND = 1640401;
export const GATEWAY_RATE_LIMITED = 1642902;
// The ESB's (ESB src/esb/esb/common/errors.py ErrorCodes).
export const ESB_COMMON_ERROR = 1306000;
export const ESB_APP_PERMISSION_DENIED = 1306403;
export const ESB_RATE_LIMITED = 1306429;
export const ESB_THIRD_PARTY_ERROR = 1306201;
// NodeMan's (BN apps/backend/subscription/errors.py, PLAT_CODE 3800000 + ERROR_CODE).
export const NODEMAN_INVALID_PARAMS = 3800001;
export const NODEMAN_NO_TASK = 3800003;
export const NODEMAN_CREATE_TASK_FAILED = 3800014;
export const NODEMAN_TASK_NOT_READY = 3800015;
export const NODEMAN_NOTHING_TO_REVOKE = 3800016;
/** An exception that escaped DRF: BN apps/middlewares.py answers it with HTTP 500 and this code. */
export const NODEMAN_SYSTEM_ERROR = 50000;

const ESB_PREFIX = "/api/c/compapi/v2/nodeman/backend/api/subscription/";
const GATEWAY_PREFIX = "/api/bk-nodeman/";
const RESOURCE_PATH = "backend/api/subscription/";
/** bk-monitor bkmonitor/api/node_man/default.py calls the gateway under `system/`. */
const SYSTEM_PREFIX = "system/";

interface OperationResult {
  data: unknown;
  effective: boolean;
}
type Operation = (params: Record<string, unknown>, ctx: HandlerContext) => OperationResult;

/** Route `nodeman.{name}` is served at `.../subscription/{name}/`. */
const OPERATIONS: Partial<Record<RouteName, Operation>> = {
  "nodeman.revoke": revoke,
  "nodeman.task_result": taskResult,
  "nodeman.instance_status": instanceStatus,
  "nodeman.check_task_ready": checkTaskReady,
};

// ---- Routing ----

/**
 * Undefined when the path is not NodeMan's. The gateway serves `{stage}/backend/api/subscription/…`
 * and `{stage}/system/backend/api/subscription/…`; a multi-tenant one only the `system/` form (C1).
 * An unknown stage or resource is route "unknown".
 */
export function resolveNodeman(request: ReceivedRequest, state: EmulatorState): Resolution | undefined {
  if (request.rawPath.startsWith(ESB_PREFIX)) {
    const route = routeAt(request.rawPath.slice(ESB_PREFIX.length));
    return toResolution(route, request.method, "esb", {});
  }
  if (request.rawPath.startsWith(GATEWAY_PREFIX)) {
    const rest = request.rawPath.slice(GATEWAY_PREFIX.length);
    const stage = rest.split("/", 1)[0];
    let resource = rest.slice(stage.length + 1);
    const prefix = resource.startsWith(SYSTEM_PREFIX) ? SYSTEM_PREFIX : "";
    resource = resource.slice(prefix.length);
    const published = state.blueking.stages.has(stage) && (prefix !== "" || !state.blueking.multiTenant);
    const route =
      published && resource.startsWith(RESOURCE_PATH)
        ? routeAt(resource.slice(RESOURCE_PATH.length))
        : undefined;
    return toResolution(route, request.method, "apigw", { stage, prefix });
  }
  return undefined;
}

/** `revoke/` → nodeman.revoke; anything else (no trailing slash, more segments) → undefined. */
function routeAt(tail: string): RouteName | undefined {
  const route = /^([a-z_]+)\/$/.exec(tail)?.[1];
  return route !== undefined && `nodeman.${route}` in OPERATIONS
    ? (`nodeman.${route}` as RouteName)
    : undefined;
}

/** Every operation is POST only. */
function toResolution(
  route: RouteName | undefined,
  method: string,
  transport: Transport,
  params: Record<string, string>,
): Resolution {
  return {
    api: "nodeman",
    route: route !== undefined && method === "POST" ? route : "unknown",
    transport,
    params,
  };
}

// ---- Handling ----

export function handleNodeman(
  resolution: Resolution,
  request: ReceivedRequest,
  ctx: HandlerContext,
): Outcome {
  const run = resolution.route === "unknown" ? undefined : OPERATIONS[resolution.route];
  if (run === undefined) return noEffect(notFound(resolution, request, ctx.state));
  const received =
    resolution.transport === "esb" ? esbParams(request, ctx.state) : gatewayParams(request, ctx.state);
  if ("reply" in received) return noEffect(received.reply);
  try {
    const { data, effective } = run(received.params, ctx);
    // BN apps/generic.py ApiMixin.finalize_response: a success carries an empty message.
    return { reply: envelopeReply({ result: true, code: 0, message: "", data }), effective };
  } catch (error) {
    if (!(error instanceof NodemanError)) throw error;
    return noEffect(envelopeReply(businessFailure(error.code, error.message)));
  }
}

function notFound(resolution: Resolution, request: ReceivedRequest, state: EmulatorState): Reply {
  const what = `${request.method} ${request.rawPath}`;
  if (resolution.transport === "esb") {
    const status = request.method === "POST" ? 404 : 405;
    return jsonReply(status, {
      result: false,
      code: status,
      message: `ESB: no component for ${what}`,
      data: null,
    });
  }
  const stage = resolution.params.stage ?? "";
  const reason = !state.blueking.stages.has(stage)
    ? `stage "${stage}" does not exist (stages: ${[...state.blueking.stages].join(", ")})`
    : state.blueking.multiTenant && resolution.params.prefix === ""
      ? `${what}: a multi-tenant gateway publishes NodeMan under ${SYSTEM_PREFIX}${RESOURCE_PATH}`
      : what;
  // No route matched, so no route plugin (bk-status-rewrite included) runs: always a 404.
  return gatewayError(state, 404, GATEWAY_NOT_FOUND, "API not found", reason, { rewrite: false });
}

/** The business params of an authenticated request, or the refusal to send. */
type ParamsOrRefusal = { params: Record<string, unknown> } | { reply: Reply };

/**
 * ESB: the common args travel in the body. A refused app or user is HTTP 200, code 1306000, the
 * validator's text (ESB esb/channel/base.py validate_request → CommonAPIError); an app without the
 * component's permission 1306403 (ESB esb/compperm/validators.py).
 */
function esbParams(request: ReceivedRequest, state: EmulatorState): ParamsOrRefusal {
  const body = parseJsonObject(request.body) ?? {};
  const found = bluekingCaller(body, state.blueking);
  if ("problem" in found) return esbRefusal(ESB_COMMON_ERROR, esbWording(found.problem));
  if (found.caller.app.permitted === false)
    return esbRefusal(
      ESB_APP_PERMISSION_DENIED,
      "APP has no permission to access the component (revoke_subscription) of the system (NODEMAN). The APP manager can go to the Developer Center and apply for permission to access the component",
    );
  return { params: body };
}

function esbRefusal(code: number, message: string): { reply: Reply } {
  return { reply: envelopeReply({ result: false, code, message, data: null }) };
}

/**
 * Gateway, in its plugins' order (BG plugin priorities): no credentials at all 401/1640100
 * (bk-oauth2-protected-resource.lua); refused app or user 400/1640001 (bk-auth-validate.lua);
 * tenant checks 403/1640302 in multi-tenant mode (bk-tenant-validate.lua); an app without
 * permission 403/1640301 (bk-permission.lua). The body carries business params only.
 */
function gatewayParams(request: ReceivedRequest, state: EmulatorState): ParamsOrRefusal {
  const header = request.headers["x-bkapi-authorization"];
  if (header === undefined || header === "") {
    const reply = gatewayError(state, 401, GATEWAY_UNAUTHORIZED, "Unauthorized", undefined, {
      fields: { reason: "no valid authentication header found", expected: "Authorization: Bearer <token>" },
      headers: {
        "WWW-Authenticate":
          'Bearer error="invalid_request", error_description="no valid authentication header found"',
      },
    });
    return { reply };
  }
  const credentials = parseJsonObject(header);
  const found =
    credentials === undefined ? { problem: undefined } : bluekingCaller(credentials, state.blueking);
  if ("problem" in found) {
    const reason =
      found.problem === undefined
        ? "request header X-Bkapi-Authorization is not a valid JSON"
        : gatewayWording(found.problem);
    return { reply: gatewayError(state, 400, GATEWAY_INVALID_ARGS, "Parameters error", reason) };
  }
  const refusal = callerRefusal(found.caller, request, state);
  if (refusal !== undefined) return { reply: refusal };
  if (request.body.toString().trim() === "") return { params: {} };
  const body = parseJsonObject(request.body);
  if (body === undefined) {
    return {
      reply: envelopeReply(businessFailure(NODEMAN_INVALID_PARAMS, "the request body must be a JSON object")),
    };
  }
  return { params: body };
}

function callerRefusal(caller: Caller, request: ReceivedRequest, state: EmulatorState): Reply | undefined {
  if (state.blueking.multiTenant) {
    const problem = tenantProblem(caller, request.headers["x-bk-tenant-id"]);
    if (problem !== undefined)
      return gatewayError(state, 403, GATEWAY_CROSS_TENANT_FORBIDDEN, "Cross tenant forbidden", problem);
  }
  if (caller.app.permitted === false)
    return gatewayError(
      state,
      403,
      GATEWAY_APP_NO_PERMISSION,
      "App has no permission to the resource",
      `no permission, bk_app_code=${caller.app.appCode}`,
    );
  return undefined;
}

interface GatewayErrorOptions {
  /** `with_field` pairs after the reason. */
  fields?: Record<string, string>;
  headers?: Record<string, string>;
  /** Whether bk-status-rewrite may apply (only on a matched route); default true. */
  rewrite?: boolean;
}

/**
 * An error the gateway answers itself: `{code, code_name?, message, result, data}` with the code and
 * message in X-Bkapi-Error-Code/-Message (BG bk-error-wrapper.lua); the message is errorx's text
 * plus `[reason="…"]` (errorx.lua with_field). With bk-status-rewrite on the route, HTTP 200
 * (errorx.lua exit_plugin).
 */
function gatewayError(
  state: EmulatorState,
  status: number,
  code: number,
  text: string,
  reason: string | undefined,
  options: GatewayErrorOptions = {},
): Reply {
  const fields = { ...(reason === undefined ? {} : { reason }), ...options.fields };
  const pairs = Object.entries(fields).map(([key, value]) => `${key}="${value}"`);
  const message = pairs.length === 0 ? text : `${text} [${pairs.join(" ")}]`;
  const rewrite = options.rewrite !== false && state.blueking.statusRewrite200;
  return nodemanGatewayReply("apigw", rewrite ? 200 : status, code, message, options.headers);
}

/**
 * An error the gateway (or, without X-Bkapi headers, the ESB) answers itself: auth, 404,
 * throttling, faults. Exported for server.ts, which answers throttling and injected faults.
 */
export function nodemanGatewayReply(
  transport: Transport | undefined,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Reply {
  const gatewayHeaders: Record<string, string> =
    transport === "apigw"
      ? { "X-Bkapi-Error-Code": String(code), "X-Bkapi-Error-Message": asciiHeaderValue(message) }
      : {};
  const codeName = transport === "apigw" ? GATEWAY_CODE_NAMES[code] : undefined;
  return jsonReply(
    status,
    { code, ...(codeName && { code_name: codeName }), message, result: false, data: null },
    { ...gatewayHeaders, ...headers },
  );
}

/** errorx.lua's `code_name` of each code the emulated gateway answers. */
const GATEWAY_CODE_NAMES: Record<number, string> = {
  [GATEWAY_INVALID_ARGS]: "INVALID_ARGS",
  [GATEWAY_UNAUTHORIZED]: "UNAUTHORIZED",
  [GATEWAY_APP_NO_PERMISSION]: "APP_NO_PERMISSION",
  [GATEWAY_CROSS_TENANT_FORBIDDEN]: "CROSS_TENANT_FORBIDDEN",
  [GATEWAY_NOT_FOUND]: "API_NOT_FOUND",
  [GATEWAY_RATE_LIMITED]: "RATE_LIMIT_RESTRICTION",
};

/**
 * Throttled: the gateway answers 429 with 1642902 (BG bk-stage-rate-limit.lua), or 200 under
 * bk-status-rewrite; the ESB 200 with 1306429 (ESB esb/ratelimit/validators.py).
 */
export function nodemanThrottledReply(
  state: EmulatorState,
  transport: Transport | undefined,
  headers: Record<string, string>,
): Reply {
  if (transport === "esb")
    return jsonReply(
      200,
      {
        result: false,
        code: ESB_RATE_LIMITED,
        message:
          "Access frequency of APP to component [revoke_subscription] exceeds the limit, please try again later",
        data: null,
      },
      headers,
    );
  const status = state.blueking.statusRewrite200 ? 200 : 429;
  return nodemanGatewayReply(
    "apigw",
    status,
    GATEWAY_RATE_LIMITED,
    "API rate limit exceeded by stage strategy",
    headers,
  );
}

/**
 * NodeMan failing unexpectedly (an injected 500): BN apps/middlewares.py answers HTTP 500 with code
 * 50000, which the gateway passes on (BG bk-error-wrapper.lua: the backend answered); the ESB wraps
 * any non-200 into HTTP 200, code 1306201 (ESB esb/outgoing.py, esb/channel/base.py).
 */
export function nodemanServerErrorReply(
  transport: Transport | undefined,
  headers: Record<string, string>,
): Reply {
  if (transport === "esb")
    return jsonReply(
      200,
      {
        result: false,
        code: ESB_THIRD_PARTY_ERROR,
        message:
          "Component request third-party system [NODEMAN] interface [subscription] error: Status Code: 500, please try again later or contact component developer to handle this",
        data: null,
      },
      headers,
    );
  return jsonReply(
    500,
    { code: NODEMAN_SYSTEM_ERROR, message: "系统异常,请联系管理员处理", data: "", result: false },
    headers,
  );
}

/** Header values must be plain ASCII; messages may quote what the client sent. */
function asciiHeaderValue(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?");
}

interface Envelope {
  result: boolean;
  code: number;
  message: string;
  data: unknown;
  errors?: null;
}

function envelopeReply(envelope: Envelope): Reply {
  return jsonReply(200, envelope);
}

/** BN apps/generic.py _error: HTTP 200, the code appended to the message, and an `errors` field. */
function businessFailure(code: number, text: string): Envelope {
  return { result: false, code, message: `${text}（${code}）`, data: null, errors: null };
}

/** A business error: answered HTTP 200 with result false and the code appended to the message. */
class NodemanError extends Error {
  override name = "NodemanError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

// ---- Operations ----

/**
 * BN handler.py revoke(), in its order: the records first (get_running_instance_records: without a
 * list the latest PENDING/RUNNING ones, with a list the latest of those ids whatever their status;
 * none → 3800016), then the subscription's newest task by id (none → 3800003); a task without a
 * pipeline is force-failed and its records left as they are (H4); otherwise the records read FAILED
 * at once, while a step now running stops only when it ends (after nodemanStepDelayMs).
 */
function revoke(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscriptionId = integerParam(params, "subscription_id");
  // RevokeSubscriptionSerializer's ListField has no child type: any items, which then match no id.
  const instanceIds = optionalList(params, "instance_id_list", isAnything, "values");
  const subscription = ctx.state.subscriptions.get(subscriptionId);
  const latest = subscription === undefined ? [] : latestRecords(subscription);
  // BN: `if not instance_id_list` — an empty list means no list here.
  const named = new Set(instanceIds);
  const targets = instanceIds?.length
    ? latest.filter((record) => named.has(record.instanceId))
    : latest.filter((record) => NODEMAN_ACTIVE.has(record.status));
  if (subscription === undefined || targets.length === 0) {
    throw new NodemanError(
      NODEMAN_NOTHING_TO_REVOKE,
      `subscription [id:${subscriptionId}] has no running task, please check`,
    );
  }
  const newest = [...subscription.tasks].sort((a, b) => b.taskId - a.taskId)[0];
  if (newest === undefined)
    throw new NodemanError(NODEMAN_NO_TASK, `subscription [${subscriptionId}] has no subscription task`);
  if (newest.pipelineId === "") return { data: null, effective: true };
  const nowMs = ctx.now.getTime();
  // Effective when a record changed; a list naming records already FAILED changes nothing.
  const effective = targets.some((record) => record.status !== "FAILED");
  for (const record of targets) markRevoked(record, nowMs, ctx.state.nodemanStepDelayMs);
  return { data: null, effective };
}

/** The record flips to FAILED at once; the running step only stops once it ends (after the delay). */
function markRevoked(record: Instance, nowMs: number, stepDelayMs: number): void {
  record.status = "FAILED";
  record.finishedAt ??= nowMs;
  record.stepsStopAt ??= nowMs + stepDelayMs;
}

/**
 * BN handler.py task_result(): the tasks of task_id_list (an id not the subscription's → 3800003) or
 * the newest by creation (none → 3800003); unless need_aggregate_all_tasks, they must be ready
 * (3800015, or 3800014 for a task whose creation failed). The latest record of each instance among
 * those tasks (or among all, aggregated), then the filters: a given list filters even when empty
 * (`is not None`). Pages are taken by ascending record id, each page listed newest record first;
 * `status_counter` counts every latest record, filters aside.
 */
function taskResult(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscriptionId = integerParam(params, "subscription_id");
  const taskIds = optionalList(params, "task_id_list", isIntegerValue, "integers")?.map(Number);
  const instanceIds = optionalList(params, "instance_id_list", isString, "strings");
  const statuses = optionalList(params, "statuses", isString, "strings");
  const needDetail = optionalBoolean(params, "need_detail") ?? false;
  const aggregate = optionalBoolean(params, "need_aggregate_all_tasks") ?? false;
  const page = optionalInteger(params, "page", (n) => n >= 1, "an integer >= 1") ?? 1;
  const asked = optionalInteger(params, "pagesize", (n) => n === -1 || n >= 1, "-1 or an integer >= 1") ?? -1;
  const limit = ctx.state.nodemanPageLimit;
  const pagesize = limit !== undefined && (asked === -1 || asked > limit) ? limit : asked;
  const { subscription, tasks } = selectedTasks(ctx.state, subscriptionId, taskIds);
  if (!aggregate) checkReady(subscriptionId, tasks);
  const nowMs = ctx.now.getTime();
  const all = latestRecords(subscription, aggregate ? undefined : new Set(tasks.map((t) => t.taskId)));
  const named = instanceIds && new Set(instanceIds);
  const selected = all.filter(
    (record) =>
      (named === undefined || named.has(record.instanceId)) &&
      (statuses === undefined || statuses.includes(record.status)),
  );
  const pageOf = pagesize === -1 ? selected : selected.slice((page - 1) * pagesize, page * pagesize);
  const items = [...pageOf]
    .sort((a, b) => b.recordId - a.recordId)
    .map((record) => taskResultItem(subscription, record, needDetail, nowMs));
  if (pagesize === -1) return { data: items, effective: false };
  const data = { total: selected.length, list: items, status_counter: statusCounter(all) };
  return { data, effective: false };
}

/**
 * BN handler.py instance_status(): the latest record of each instance with its computed status;
 * `running_task` keyed by task (running_records[record.task_id]), so one running instance per task
 * carries it; `last_task` the task of the record. Every instance with a record counts as in scope.
 */
function instanceStatus(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const ids = optionalList(params, "subscription_id_list", isIntegerValue, "integers");
  if (ids === undefined) throw invalidParam("subscription_id_list", "this field is required");
  const nowMs = ctx.now.getTime();
  const subscriptions = ids
    .map((id) => ctx.state.subscriptions.get(Number(id)))
    .filter((subscription) => subscription !== undefined);
  const data = subscriptions.map((subscription) => {
    const records = latestRecords(subscription);
    const shown = new Map(records.map((record) => [record, shownStatus(record, nowMs)]));
    // Later records overwrite earlier ones of the same task, as the dict assignment does.
    const runningOfTask = new Map<number, Instance>();
    for (const record of records)
      if (NODEMAN_ACTIVE.has(shown.get(record)!)) runningOfTask.set(record.taskId, record);
    return {
      subscription_id: subscription.subscriptionId,
      instances: records.map((record) => {
        const task = taskOf(subscription, record.taskId);
        return {
          instance_id: record.instanceId,
          status: shown.get(record),
          create_time: formatTime(record.createdAt),
          host_statuses: [],
          instance_info: instanceInfo(record.instanceId),
          running_task:
            runningOfTask.get(record.taskId) === record
              ? { id: record.taskId, is_auto_trigger: task.isAutoTrigger }
              : null,
          last_task: { id: record.taskId },
        };
      }),
    };
  });
  return { data, effective: false };
}

/** BN handler.py check_task_ready(): the newest task by id, or those of task_id_list. */
function checkTaskReady(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscriptionId = integerParam(params, "subscription_id");
  const taskIds = optionalList(params, "task_id_list", isIntegerValue, "integers")?.map(Number);
  const subscription = ctx.state.subscriptions.get(subscriptionId);
  const tasks = taskIds?.length
    ? (subscription?.tasks ?? []).filter((task) => taskIds.includes(task.taskId))
    : [...(subscription?.tasks ?? [])].sort((a, b) => b.taskId - a.taskId).slice(0, 1);
  if (tasks.length === 0)
    throw new NodemanError(
      NODEMAN_NO_TASK,
      `subscription -> [${subscriptionId}] task -> [${(taskIds ?? []).join(", ")}] does not exist`,
    );
  try {
    checkReady(subscriptionId, tasks);
  } catch (error) {
    if (error instanceof NodemanError && error.code === NODEMAN_TASK_NOT_READY)
      return { data: false, effective: false };
    throw error;
  }
  return { data: true, effective: false };
}

// ---- Views ----

/** BN task_tools.py get_subscription_task_instance_status(), with one sub-step per step. */
function taskResultItem(subscription: Subscription, record: Instance, needDetail: boolean, nowMs: number) {
  const task = taskOf(subscription, record.taskId);
  return {
    task_id: record.taskId,
    record_id: record.recordId,
    instance_id: record.instanceId,
    create_time: formatTime(record.createdAt),
    pipeline_id: task.pipelineId,
    start_time: formatTime(record.startedAt),
    finish_time: record.finishedAt === null ? null : formatTime(record.finishedAt),
    status: shownStatus(record, nowMs),
    instance_info: instanceInfo(record.instanceId),
    steps: record.steps.map((step, index) => {
      const status = stepStatus(step.status, record, nowMs);
      const finished = status === "SUCCESS" || status === "FAILED";
      const times = {
        start_time: formatTime(record.startedAt),
        finish_time: finished ? formatTime(record.finishedAt ?? nowMs) : null,
      };
      const nodeId = `${task.pipelineId}-${record.recordId}-${index}`;
      return {
        id: step.id,
        type: step.type,
        node_name: step.node_name,
        status,
        pipeline_id: nodeId,
        ...times,
        target_hosts: [
          {
            node_name: step.node_name,
            pipeline_id: nodeId,
            status,
            ...times,
            sub_steps: [
              {
                index: 0,
                node_name: step.node_name,
                step_code: step.type,
                pipeline_id: nodeId,
                log: needDetail && record.stepsStopAt !== undefined ? "the task was revoked" : "",
                ex_data: null,
                status,
                ...times,
              },
            ],
          },
        ],
      };
    }),
  };
}

/**
 * What a step reads: as seeded, except that a revoked record's RUNNING step keeps reading RUNNING
 * until it ends, then FAILED (BN components/collections/base.py: an activity sees the revoke when its
 * run() returns). Steps that had not started (PENDING) never run; finished ones keep their result.
 */
export function stepStatus(seeded: NodemanStepStatus, record: Instance, nowMs: number): NodemanStepStatus {
  if (record.stepsStopAt === undefined || seeded !== "RUNNING") return seeded;
  return nowMs < record.stepsStopAt ? "RUNNING" : "FAILED";
}

/**
 * An item's status is computed from its steps (BN task_tools.py get_subscription_task_instance_status
 * and collect_status): all SUCCESS → SUCCESS, any FAILED → FAILED, any RUNNING → RUNNING, else
 * PENDING, which yields to the record's status when that is not PENDING; no steps → the record's.
 */
export function shownStatus(record: Instance, nowMs: number): NodemanStatus {
  if (record.steps.length === 0) return record.status;
  const collected = collectStatus(record.steps.map((step) => stepStatus(step.status, record, nowMs)));
  return record.status !== "PENDING" && collected === "PENDING" ? record.status : collected;
}

function collectStatus(statuses: NodemanStepStatus[]): NodemanStepStatus {
  const set = new Set(statuses);
  if (set.size === 1 && set.has("SUCCESS")) return "SUCCESS";
  if (set.has("FAILED")) return "FAILED";
  if (set.has("RUNNING")) return "RUNNING";
  return "PENDING";
}

/** Counts the records' statuses, as BN counts them (the record's field, not the computed one). */
function statusCounter(records: Instance[]): Record<string, number> {
  const counter: Record<string, number> = {};
  for (const record of records) counter[record.status] = (counter[record.status] ?? 0) + 1;
  return { ...counter, total: records.length };
}

/** `host|instance|host|1` → bk_host_id; `host|instance|host|10.0.0.1-0-0` → ip, cloud and supplier ids. */
function instanceInfo(instanceId: string): Record<string, unknown> {
  const [objectType, , type, id] = instanceId.split("|");
  if (objectType !== "host" || type !== "host") return { service: { id } };
  if (/^\d+$/.test(id)) return { host: { bk_host_id: Number(id) } };
  const address = /^(.+)-(\d+)-(\d+)$/.exec(id);
  if (address === null) return { host: {} };
  const ipField = address[1].includes(":") ? "bk_host_innerip_v6" : "bk_host_innerip";
  return { host: { [ipField]: address[1], bk_cloud_id: Number(address[2]), bk_supplier_id: address[3] } };
}

/** `YYYY-MM-DD HH:MM:SS` (UTC), the way NodeMan prints times. */
function formatTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);
}

// ---- State lookups ----

/** The latest record of each instance (the highest record id: is_latest), of these tasks or of all; by record id. */
export function latestRecords(subscription: Subscription, taskIds?: Set<number>): Instance[] {
  const latest = new Map<string, Instance>();
  for (const record of subscription.records)
    if (taskIds === undefined || taskIds.has(record.taskId)) latest.set(record.instanceId, record);
  return [...latest.values()].sort((a, b) => a.recordId - b.recordId);
}

function taskOf(subscription: Subscription, taskId: number): Task {
  return subscription.tasks.find((task) => task.taskId === taskId)!;
}

/** BN handler.py task_result(): task_id_list, every id the subscription's, or its newest task by creation. */
function selectedTasks(
  state: EmulatorState,
  subscriptionId: number,
  taskIds: number[] | undefined,
): { subscription: Subscription; tasks: Task[] } {
  const subscription = state.subscriptions.get(subscriptionId);
  const known = subscription?.tasks ?? [];
  if (taskIds?.length) {
    const missing = taskIds.filter((id) => !known.some((task) => task.taskId === id));
    if (subscription === undefined || missing.length > 0)
      throw new NodemanError(NODEMAN_NO_TASK, `subscription task (${missing.join(", ")}) does not exist`);
    return { subscription, tasks: known.filter((task) => taskIds.includes(task.taskId)) };
  }
  const newest = known.at(-1);
  if (subscription === undefined || newest === undefined)
    throw new NodemanError(NODEMAN_NO_TASK, `subscription [${subscriptionId}] has no task`);
  return { subscription, tasks: [newest] };
}

/** A task whose creation failed → 3800014; one not ready yet (one fewer to go) → 3800015. */
function checkReady(subscriptionId: number, tasks: Task[]): void {
  for (const task of tasks) {
    if (task.createError !== undefined)
      throw new NodemanError(NODEMAN_CREATE_TASK_FAILED, `failed to create the task: ${task.createError}`);
  }
  const waiting = tasks.filter((task) => task.notReadyFor > 0);
  for (const task of waiting) task.notReadyFor--;
  if (waiting.length > 0)
    throw new NodemanError(
      NODEMAN_TASK_NOT_READY,
      `the task of subscription ${subscriptionId} is not ready yet, please try again later. task_id_list: [${tasks.map((t) => t.taskId).join(", ")}]`,
    );
}

// ---- Parameter validation (3800001, naming the field) ----

function invalidParam(field: string, problem: string): NodemanError {
  return new NodemanError(NODEMAN_INVALID_PARAMS, `${field}: ${problem}`);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function isAnything(_value: unknown): _value is unknown {
  return true;
}

/** An integer, or a string of digits as DRF's IntegerField accepts. */
function isIntegerValue(value: unknown): value is number | string {
  return (
    (typeof value === "number" && Number.isSafeInteger(value)) ||
    (typeof value === "string" && /^\s*-?\d{1,15}\s*$/.test(value))
  );
}

function integerParam(params: Record<string, unknown>, field: string): number {
  const value = params[field];
  if (value === undefined || value === null) throw invalidParam(field, "this field is required");
  if (!isIntegerValue(value)) throw invalidParam(field, "a valid integer is required");
  return Number(value);
}

function optionalInteger(
  params: Record<string, unknown>,
  field: string,
  accept: (n: number) => boolean,
  expected: string,
): number | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (!isIntegerValue(value) || !accept(Number(value))) throw invalidParam(field, `must be ${expected}`);
  return Number(value);
}

function optionalBoolean(params: Record<string, unknown>, field: string): boolean | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalidParam(field, "must be a boolean");
  return value;
}

function optionalList<T>(
  params: Record<string, unknown>,
  field: string,
  isItem: (item: unknown) => item is T,
  itemsAre: string,
): T[] | undefined {
  const value = params[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isItem))
    throw invalidParam(field, `must be a list of ${itemsAre}`);
  return value;
}

// ---- Snapshot (for state()) ----

export interface SubscriptionSnapshot {
  subscriptionId: number;
  /** The newest task. */
  taskId: number | null;
  taskNotReadyFor: number;
  tasks: { taskId: number; pipelineId: string; isAutoTrigger: boolean; records: number }[];
  /** The latest record of each instance. */
  instances: {
    instanceId: string;
    taskId: number;
    /** The record's status. */
    status: NodemanStatus;
    /** What task_result shows: computed from the steps. */
    shownStatus: NodemanStatus;
    revoked: boolean;
    steps: { id: string; type: string; node_name: string; status: NodemanStepStatus }[];
  }[];
}

export function nodemanSnapshot(state: EmulatorState, nowMs: number): SubscriptionSnapshot[] {
  return [...state.subscriptions.values()].map((subscription) => {
    const newest = subscription.tasks.at(-1);
    return {
      subscriptionId: subscription.subscriptionId,
      taskId: newest?.taskId ?? null,
      taskNotReadyFor: newest?.notReadyFor ?? 0,
      tasks: subscription.tasks.map((task) => ({
        taskId: task.taskId,
        pipelineId: task.pipelineId,
        isAutoTrigger: task.isAutoTrigger,
        records: subscription.records.filter((record) => record.taskId === task.taskId).length,
      })),
      instances: latestRecords(subscription).map((record) => ({
        instanceId: record.instanceId,
        taskId: record.taskId,
        status: record.status,
        shownStatus: shownStatus(record, nowMs),
        revoked: record.stepsStopAt !== undefined,
        steps: record.steps.map((step) => ({ ...step, status: stepStatus(step.status, record, nowMs) })),
      })),
    };
  });
}
