/**
 * The BlueKing NodeMan API as this package uses it (docs/apis.md §1): calls through the ESB or the
 * API gateway, the `{result, code, message, data}` envelope and the gateway's `X-Bkapi-Error-*`
 * headers, and `task_result` read to its end. Shared by the target and the lookup.
 */
import type { Session } from "../../core/contract";
import { ApiError, TerminationError } from "../../errors";
import { displayUrl, type HttpResponse } from "../../http/client";
import { classifyAnswer, codes, hintFor } from "./codes";
import type { NodemanTaskTerminationInputs } from "./inputs.generated";
import type { NodemanSettings } from "./settings";

/** What NodeMan counts as running a task. */
export const runningStatuses = ["PENDING", "RUNNING"];

interface Envelope {
  result?: boolean;
  code?: number | string;
  message?: string;
  data?: unknown;
}

/** A fresh BlueKing from API gateway 1.26 on has no ESB (docs/apis.md §1.2): a 404 there says so. */
const esbGone =
  "The ESB has no NodeMan component here: check blueking:esbUrl; BlueKing's API gateway 1.26 removes the ESB from new installs, so reach NodeMan through the gateway (blueking:apigwUrlTemplate)";
const isEsb = (url: URL) => url.pathname.includes("/api/c/compapi/");

/** The envelope's data, or an ApiError with the service's code, text and request id. */
export function unwrap(
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
      hint: hintFor(codeText) ?? (response.status === 404 && isEsb(url) ? esbGone : undefined),
      attempts: response.attempts,
    }),
  };
}

export async function call(
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
  // A multi-tenant gateway wants the tenant on every request (bk-tenant-validate.lua).
  if (settings.route === "apigw" && settings.tenantId) headers["X-Bk-Tenant-Id"] = settings.tenantId;
  const response = await session.http.send({
    service: "NodeMan",
    operation,
    method: "POST",
    url: url.toString(),
    headers,
    body: JSON.stringify(body),
    secrets: [settings.auth.bk_app_secret, settings.auth.bk_token, settings.auth.access_token],
    // NodeMan's codes are its answers even on a 5xx; the platform's by codes.ts, whatever the status.
    classify: classifyAnswer,
  });
  return { url, response };
}

interface TaskResultItem {
  instance_id?: unknown;
  status?: unknown;
  task_id?: unknown;
  pipeline_id?: unknown;
  steps?: { status?: unknown }[];
}

/** The statuses NodeMan documents (docs/apis.md §1); any other is shown as undocumented. */
export const documentedStatuses = [
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

export interface SeenInstance {
  instanceId: string;
  /** Computed by NodeMan from the steps: a revoked step still winding down reads RUNNING (docs/apis.md §1.3). */
  status: string;
  /** Each step's status. */
  steps: string[];
  /** The task of the record seen, when the answer says. */
  taskId?: number;
  /** That task's pipeline id; "" for a task without one (an old task or an agent install). */
  pipelineId?: string;
}

/**
 * Running: the item reads PENDING or RUNNING, or one of its steps still reads RUNNING. A step
 * still PENDING under a finished item never runs, and a status outside the documented list
 * does not count either (it is named in the summary instead).
 */
export const isRunning = (instance: SeenInstance) =>
  runningStatuses.includes(instance.status) || instance.steps.includes("RUNNING");

/** A listing that would need more pages than this fails rather than read on past any deadline. */
export const maxTaskResultPages = 1000;

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
 * Which records `task_result` shows: the latest of each instance across every task (what revoke acts
 * on: `need_aggregate_all_tasks`), or the latest among the tasks a revoke acted on (`task_id_list`),
 * so that a task started since, by hand or automatically, is not mistaken for ours (docs/apis.md §1.4).
 */
export type RecordsView = { latest: true } | { taskIds: number[] };

/**
 * The targeted instances as `task_result` shows them, every page of them; undefined while the task
 * is not ready (3800015). The service's filter is a convenience: only the listed ids are kept.
 */
export async function readInstances(
  inputs: Pick<NodemanTaskTerminationInputs, "subscriptionId" | "instanceIds">,
  settings: NodemanSettings,
  session: Session,
  view: RecordsView = { latest: true },
): Promise<SeenInstance[] | undefined> {
  const wanted = inputs.instanceIds && new Set(inputs.instanceIds);
  const base: Record<string, unknown> = { subscription_id: inputs.subscriptionId };
  if ("taskIds" in view) base.task_id_list = view.taskIds;
  else base.need_aggregate_all_tasks = true;
  // An empty instance_id_list matches nothing in task_result and everything in revoke: never send one.
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
    ...(Number.isSafeInteger(item.task_id) && { taskId: item.task_id as number }),
    ...(typeof item.pipeline_id === "string" && { pipelineId: item.pipeline_id }),
  };
}
