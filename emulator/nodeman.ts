/**
 * BlueKing NodeMan subscription API (docs/apis.md §1): routes, authentication for both ways in, and
 * the state transitions of revoke plus the three status calls a client polls.
 *
 * Documented choices (the notes do not settle them):
 * - ESB authentication failures answer HTTP 200, `result: false`, code 1306101.
 * - Gateway: 401 code 1640001 for authentication; 404 code 1640401 for an unknown stage or resource;
 *   429 code 1642901 when rate limited. Gateway-made errors carry X-Bkapi-Error-Code/-Message.
 * - An unknown subscription answers 3800003, like a subscription without a task.
 * - Business messages are English with the code appended the way the server does: `...（3800016）`.
 * - An empty list filter (instance_id_list: []) means "no filter", as in the server's Python.
 * - subscription_id also accepts a string of digits, like the server's DRF IntegerField.
 */
import { bluekingCredentialProblem } from "./bluekingAuth";
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
  type Subscription,
} from "./seed";

export const ESB_AUTH_FAILED = 1306101;
export const GATEWAY_AUTH_FAILED = 1640001;
export const GATEWAY_NOT_FOUND = 1640401;
export const GATEWAY_RATE_LIMITED = 1642901;
export const NODEMAN_INVALID_PARAMS = 3800001;
export const NODEMAN_NO_TASK = 3800003;
export const NODEMAN_TASK_NOT_READY = 3800015;
export const NODEMAN_NOTHING_TO_REVOKE = 3800016;

const ESB_PREFIX = "/api/c/compapi/v2/nodeman/backend/api/subscription/";
const GATEWAY_PREFIX = "/api/bk-nodeman/";
const GATEWAY_RESOURCE_PREFIX = "backend/api/subscription/";

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

/** Undefined when the path is not NodeMan's. An unknown stage is refused by the gateway: route "unknown". */
export function resolveNodeman(request: ReceivedRequest, state: EmulatorState): Resolution | undefined {
  if (request.rawPath.startsWith(ESB_PREFIX)) {
    const route = routeAt(request.rawPath.slice(ESB_PREFIX.length));
    return toResolution(route, request.method, "esb", {});
  }
  if (request.rawPath.startsWith(GATEWAY_PREFIX)) {
    const rest = request.rawPath.slice(GATEWAY_PREFIX.length);
    const stage = rest.split("/", 1)[0];
    const resource = rest.slice(stage.length + 1);
    const route = resource.startsWith(GATEWAY_RESOURCE_PREFIX)
      ? routeAt(resource.slice(GATEWAY_RESOURCE_PREFIX.length))
      : undefined;
    return toResolution(state.blueking.stages.has(stage) ? route : undefined, request.method, "apigw", {
      stage,
    });
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
    return { reply: envelopeReply({ result: true, code: 0, message: "success", data }), effective };
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
  const message = state.blueking.stages.has(stage)
    ? `API not found: ${what}`
    : `API not found: stage "${stage}" does not exist (stages: ${[...state.blueking.stages].join(", ")})`;
  return nodemanGatewayReply("apigw", 404, GATEWAY_NOT_FOUND, message);
}

/** The business params of an authenticated request, or the refusal to send. */
type ParamsOrRefusal = { params: Record<string, unknown> } | { reply: Reply };

/** ESB: the body carries the common args beside the business params. */
function esbParams(request: ReceivedRequest, state: EmulatorState): ParamsOrRefusal {
  const body = parseJsonObject(request.body);
  if (body === undefined) {
    return esbRefusal(
      "the request body must be a JSON object carrying bk_app_code, bk_app_secret and a token",
    );
  }
  const problem = bluekingCredentialProblem(body, state.blueking);
  return problem === undefined ? { params: body } : esbRefusal(problem);
}

function esbRefusal(message: string): { reply: Reply } {
  return { reply: envelopeReply({ result: false, code: ESB_AUTH_FAILED, message, data: null }) };
}

/** Gateway: credentials in X-Bkapi-Authorization; the body carries business params only. */
function gatewayParams(request: ReceivedRequest, state: EmulatorState): ParamsOrRefusal {
  const header = request.headers["x-bkapi-authorization"];
  const credentials = header === undefined ? undefined : parseJsonObject(header);
  const problem =
    header === undefined
      ? "authentication failed: the X-Bkapi-Authorization header is required"
      : credentials === undefined
        ? "authentication failed: X-Bkapi-Authorization must be a JSON object"
        : bluekingCredentialProblem(credentials, state.blueking);
  if (problem !== undefined)
    return { reply: nodemanGatewayReply("apigw", 401, GATEWAY_AUTH_FAILED, problem) };
  if (request.body.toString().trim() === "") return { params: {} };
  const body = parseJsonObject(request.body);
  if (body === undefined) {
    return {
      reply: envelopeReply(businessFailure(NODEMAN_INVALID_PARAMS, "the request body must be a JSON object")),
    };
  }
  return { params: body };
}

/** An error the gateway (or, without X-Bkapi headers, the ESB) answers itself: auth, 404, throttling, faults. */
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
  return jsonReply(status, { result: false, code, message, data: null }, { ...gatewayHeaders, ...headers });
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
}

function envelopeReply(envelope: Envelope): Reply {
  return jsonReply(200, envelope);
}

function businessFailure(code: number, text: string): Envelope {
  return { result: false, code, message: `${text}（${code}）`, data: null };
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

function revoke(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscriptionId = integerParam(params, "subscription_id");
  const instanceIds = optionalList(params, "instance_id_list", isString, "strings");
  const subscription = subscriptionWithTask(ctx.state, subscriptionId);
  const targets = instanceIds?.length
    ? subscription.instances.filter((instance) => instanceIds.includes(instance.instanceId))
    : subscription.instances.filter((instance) => NODEMAN_ACTIVE.has(instance.status));
  if (targets.length === 0) {
    const detail = instanceIds?.length
      ? "no instance of instance_id_list belongs to it"
      : "it has no running task";
    throw new NodemanError(
      NODEMAN_NOTHING_TO_REVOKE,
      `subscription ${subscriptionId}: nothing to revoke, ${detail}`,
    );
  }
  const changed = targets.filter((instance) => instance.status !== "FAILED");
  for (const instance of changed) markRevoked(instance, ctx.now.getTime(), ctx.state.nodemanStepDelayMs);
  return { data: null, effective: changed.length > 0 };
}

/** The record flips to FAILED at once; the running step only stops once it ends (after the delay). */
function markRevoked(instance: Instance, nowMs: number, stepDelayMs: number): void {
  instance.status = "FAILED";
  instance.finishedAt = nowMs;
  instance.stepsStopAt ??= nowMs + stepDelayMs;
}

function taskResult(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscriptionId = integerParam(params, "subscription_id");
  const taskIds = optionalList(params, "task_id_list", isIntegerValue, "integers");
  const instanceIds = optionalList(params, "instance_id_list", isString, "strings");
  const statuses = optionalList(params, "statuses", isString, "strings");
  const needDetail = optionalBoolean(params, "need_detail") ?? false;
  const page = optionalInteger(params, "page", (n) => n >= 1, "an integer >= 1") ?? 1;
  const asked = optionalInteger(params, "pagesize", (n) => n === -1 || n >= 1, "-1 or an integer >= 1") ?? -1;
  const limit = ctx.state.nodemanPageLimit;
  const pagesize = limit !== undefined && (asked === -1 || asked > limit) ? limit : asked;
  const subscription = subscriptionWithTask(ctx.state, subscriptionId);
  if (consumeNotReady(subscription)) {
    throw new NodemanError(
      NODEMAN_TASK_NOT_READY,
      `the task of subscription ${subscriptionId} is not ready yet`,
    );
  }
  // Every instance of the emulated subscription belongs to its one task.
  const taskSelected = !taskIds?.length || taskIds.map(Number).includes(subscription.taskId);
  const selected = subscription.instances.filter(
    (instance) =>
      taskSelected &&
      (!instanceIds?.length || instanceIds.includes(instance.instanceId)) &&
      (!statuses?.length || statuses.includes(instance.status)),
  );
  const items = selected.map((instance) =>
    taskResultItem(subscription, instance, needDetail, ctx.now.getTime()),
  );
  if (pagesize === -1) return { data: items, effective: false };
  const data = {
    total: items.length,
    list: items.slice((page - 1) * pagesize, page * pagesize),
    status_counter: statusCounter(selected),
  };
  return { data, effective: false };
}

function instanceStatus(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const ids = optionalList(params, "subscription_id_list", isIntegerValue, "integers");
  if (ids === undefined) throw invalidParam("subscription_id_list", "this field is required");
  const subscriptions = ids
    .map((id) => ctx.state.subscriptions.get(Number(id)))
    .filter((subscription) => subscription !== undefined);
  const data = subscriptions.map((subscription) => ({
    subscription_id: subscription.subscriptionId,
    instances: subscription.instances.map((instance) => ({
      instance_id: instance.instanceId,
      status: instance.status,
      instance_info: instanceInfo(instance.instanceId),
      running_task: NODEMAN_ACTIVE.has(instance.status)
        ? { id: subscription.taskId, is_auto_trigger: false }
        : null,
      last_task: { id: subscription.taskId },
    })),
  }));
  return { data, effective: false };
}

function checkTaskReady(params: Record<string, unknown>, ctx: HandlerContext): OperationResult {
  const subscription = subscriptionWithTask(ctx.state, integerParam(params, "subscription_id"));
  return { data: !consumeNotReady(subscription), effective: false };
}

// ---- Views ----

function taskResultItem(subscription: Subscription, instance: Instance, needDetail: boolean, nowMs: number) {
  return {
    task_id: subscription.taskId,
    record_id: instance.recordId,
    instance_id: instance.instanceId,
    create_time: formatTime(instance.createdAt),
    start_time: formatTime(instance.startedAt),
    finish_time: instance.finishedAt === null ? null : formatTime(instance.finishedAt),
    status: instance.status,
    instance_info: instanceInfo(instance.instanceId),
    steps: instance.steps.map((step) => {
      const status = stepStatus(step.status, instance, nowMs);
      return {
        id: step.id,
        type: step.type,
        node_name: step.node_name,
        status,
        ...(needDetail && { log: instance.stepsStopAt === undefined ? "" : "the task was revoked" }),
      };
    }),
  };
}

/**
 * What a step reads: as seeded, except that a revoked instance's RUNNING step keeps reading RUNNING
 * until it ends, then FAILED. Steps that had not started (PENDING) never run: they keep reading PENDING.
 */
export function stepStatus(seeded: NodemanStatus, instance: Instance, nowMs: number): NodemanStatus {
  if (instance.stepsStopAt === undefined || seeded !== "RUNNING") return seeded;
  return nowMs < instance.stepsStopAt ? "RUNNING" : "FAILED";
}

function statusCounter(instances: Instance[]): Record<string, number> {
  const counter: Record<string, number> = { total: instances.length };
  for (const instance of instances) counter[instance.status] = (counter[instance.status] ?? 0) + 1;
  return counter;
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

function subscriptionWithTask(state: EmulatorState, subscriptionId: number): Subscription {
  const subscription = state.subscriptions.get(subscriptionId);
  if (subscription === undefined) {
    throw new NodemanError(NODEMAN_NO_TASK, `subscription ${subscriptionId} does not exist`);
  }
  if (subscription.instances.length === 0) {
    throw new NodemanError(NODEMAN_NO_TASK, `subscription ${subscriptionId} has no task`);
  }
  return subscription;
}

/** True (and one fewer to go) while the seed says the task is not ready yet. */
function consumeNotReady(subscription: Subscription): boolean {
  if (subscription.taskNotReadyFor === 0) return false;
  subscription.taskNotReadyFor--;
  return true;
}

// ---- Parameter validation (3800001, naming the field) ----

function invalidParam(field: string, problem: string): NodemanError {
  return new NodemanError(NODEMAN_INVALID_PARAMS, `${field}: ${problem}`);
}

function isString(value: unknown): value is string {
  return typeof value === "string";
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
  taskId: number;
  taskNotReadyFor: number;
  instances: {
    instanceId: string;
    status: NodemanStatus;
    revoked: boolean;
    steps: { id: string; type: string; node_name: string; status: NodemanStatus }[];
  }[];
}

export function nodemanSnapshot(state: EmulatorState, nowMs: number): SubscriptionSnapshot[] {
  return [...state.subscriptions.values()].map((subscription) => ({
    subscriptionId: subscription.subscriptionId,
    taskId: subscription.taskId,
    taskNotReadyFor: subscription.taskNotReadyFor,
    instances: subscription.instances.map((instance) => ({
      instanceId: instance.instanceId,
      status: instance.status,
      revoked: instance.stepsStopAt !== undefined,
      steps: instance.steps.map((step) => ({ ...step, status: stepStatus(step.status, instance, nowMs) })),
    })),
  }));
}
