/**
 * Huawei Cloud MRS v2 job executions (docs/apis.md §2): kill, get and list, each authenticated for
 * real by huaweiAuth.ts.
 *
 * Each rule that follows Huawei's code names its source beside it. Documented choices (no source
 * settles them; docs/apis.md §2 says so too):
 * - Killing a job already in a final state (FINISHED, FAILED, KILLED) answers 400 0175.
 * - A second kill while the first is pending answers 202 again but changes nothing.
 * - The job_name filter matches by substring, ignoring case (`etl` lists `nightly-etl` and
 *   `ETL-backfill`): the MRS docs do not say, and many Huawei Cloud list filters are fuzzy. Of the two
 *   choices this is the one that catches a client trusting the filter; `job_state`, `user` and
 *   `queue` match exactly. The list is newest first (submitted_time descending).
 * - `total_record` is on every page unless seeded with `mrsListOmitsTotalRecord`.
 * - A bad limit (not 1..100), offset (not >= 1) or job_state answers 400 0162 (query failed).
 * - A path segment that is not a plain id (letters, digits, _ and -) names nothing: "..", "%2F"
 *   and the like answer 0176 (job) or 12000003 (project, cluster), never another route.
 * - Times not reached yet (started_time of a NEW job, finished_time of a running one) read 0.
 * - Unknown paths under /v2/ answer 404 APIGW.0101, as the gateway does for an unpublished API;
 *   throttling answers 429 APIGW.0308.
 * - A job_name, user or queue query outside MRS's rule (the SDKs' doc of each) answers 400 0162:
 *   the SDKs say what MRS accepts, not what it answers otherwise.
 *
 * Modes (seed.huawei), for what the sources allow but do not settle:
 * - gatewayCodes "APIG": the gateway's codes spelled APIG.xxxx, as the API Gateway docs print them.
 * - errorBodies "nested": errors as {error: {code, message}}, the form Huawei's SDKs also read.
 * - killedJobState "FINISHED": a killed job reads FINISHED with job_result KILLED (hazard H5).
 */
import { huaweiAuthFailure } from "./huaweiAuth";
import { emptyReply, jsonReply, type ReceivedRequest, type Reply } from "./http";
import { noEffect, type HandlerContext, type Outcome, type Resolution, type RouteName } from "./routes";
import {
  MRS_FINAL_STATES,
  MRS_JOB_STATES,
  RESOURCE_ID_PATTERN,
  type Cluster,
  type EmulatorState,
  type Job,
  type MrsJobState,
  type MrsModes,
} from "./seed";

/** The gateway's codes, spelled as observed; respelled APIG.xxxx in the seed's gatewayCodes mode. */
// API Gateway user guide, usermanual-apig apig_03_0048 (APIG.0101: the API does not exist, 404).
export const MRS_API_NOT_FOUND = "APIGW.0101";
// No source read names the throttling code: the emulator's choice (docs/apis.md §2.5).
export const MRS_THROTTLED = "APIGW.0308";
// MRS API doc mrs_02_0088 ("Failed to terminate the job.", 400).
export const MRS_KILL_FAILED = "0175";
// terraform-provider-huaweicloud resource_huaweicloud_mapreduce_job.go v2ClusterJobNotFoundCodes.
export const MRS_JOB_NOT_FOUND = "0176";
// No source names it: the emulator's choice for a query it refuses.
export const MRS_QUERY_FAILED = "0162";
// terraform-provider-huaweicloud resource_huaweicloud_mapreduce_job.go ("12000003 ... errorCode").
export const MRS_CLUSTER_NOT_FOUND = "12000003";

// The SDKs' default limit (huaweicloud-sdk-nodejs-v3 MrsClient.ts showJobExeListNew: 10).
const LIST_LIMIT_DEFAULT = 10;
// The largest known to work (Terraform's data_source_huaweicloud_mapreduce_cluster_jobs.go pages by 100).
const LIST_LIMIT_MAX = 100;
/**
 * What MRS accepts in the list's filters, from the SDKs' doc of each query parameter
 * (huaweicloud-sdk-go-v3 services/mrs/v2/model/model_show_job_exe_list_new_request.go).
 */
const LIST_QUERY_RULES: [string, RegExp, string][] = [
  ["job_name", /^[A-Za-z0-9_-]{1,128}$/, "letters, digits, - and _, 1 to 128 characters"],
  [
    "user",
    /^[A-Za-z._-][A-Za-z0-9._-]{0,31}$/,
    "letters, digits, - _ and ., not starting with a digit, 1 to 32",
  ],
  ["queue", /^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _, 1 to 64 characters"],
];

// ---- Routing ----

/**
 * Undefined when the path is not under /v2/. Matching is on raw segments: nothing is decoded or
 * normalised, so `..` or `%2F` stay inside the segment they were sent in.
 */
export function resolveMrs(request: ReceivedRequest): Resolution | undefined {
  if (!request.rawPath.startsWith("/v2/")) return undefined;
  const segments = request.rawPath.split("/").slice(1);
  const [, projectId, clusters, clusterId, executions, jobId, action, ...extra] = segments;
  const wellFormed =
    clusters === "clusters" &&
    executions === "job-executions" &&
    extra.length === 0 &&
    !segments.includes("");
  const route = wellFormed ? routeFor(request.method, jobId, action) : "unknown";
  const params = route === "unknown" ? {} : { projectId, clusterId, ...(jobId !== undefined && { jobId }) };
  return { api: "mrs", route, params };
}

function routeFor(
  method: string,
  jobId: string | undefined,
  action: string | undefined,
): RouteName | "unknown" {
  if (method === "GET" && jobId === undefined) return "mrs.list_jobs";
  if (method === "GET" && action === undefined) return "mrs.get_job";
  if (method === "POST" && action === "kill") return "mrs.kill";
  return "unknown";
}

// ---- Handling ----

export function handleMrs(resolution: Resolution, request: ReceivedRequest, ctx: HandlerContext): Outcome {
  const modes = ctx.state.mrsModes;
  if (resolution.route === "unknown") {
    return noEffect(
      mrsGatewayReply(
        404,
        MRS_API_NOT_FOUND,
        "The API does not exist or has not been published in the environment",
        { ...ctx, modes },
      ),
    );
  }
  const authFailure = huaweiAuthFailure(request, ctx.state.huawei, ctx.now);
  if (authFailure !== undefined)
    return noEffect(mrsGatewayReply(401, authFailure.code, authFailure.message, { ...ctx, modes }));

  const { projectId, clusterId, jobId = "" } = resolution.params;
  const cluster = findCluster(ctx.state, projectId, clusterId);
  // MRS spells this error's keys in camel case (terraform-provider-huaweicloud
  // huaweicloud/services/mrs/resource_huaweicloud_mapreduce_job.go: "12000003 ... key is errorCode").
  if (cluster === undefined)
    return noEffect(
      mrsError(MRS_CLUSTER_NOT_FOUND, `The cluster ${clusterId} does not exist`, modes, "camel"),
    );
  const nowMs = ctx.now.getTime();
  const answer = { modes, nowMs };
  switch (resolution.route) {
    case "mrs.list_jobs":
      return noEffect(listJobs(cluster, request.rawQuery, answer, !ctx.state.mrsListOmitsTotalRecord));
    case "mrs.get_job":
      return noEffect(getJob(cluster, jobId, answer));
    default:
      return killJob(cluster, jobId, answer, ctx.state.mrsKillDelayMs);
  }
}

/** What every answer needs to know: the clock and the seed's modes. */
interface Answer {
  modes: MrsModes;
  nowMs: number;
}

/**
 * An error body: flat with `error_code`/`error_msg` (or camel-case keys), or nested as
 * `{error: {code, message}}`, which the Node SDK reads as `error.code` (core/exception/ExceptionUtil.ts)
 * and the Go and Python SDKs find in any nested object (core/sdkerr/errors.go, exception_handler.py).
 */
function errorBody(
  code: string,
  message: string,
  modes: MrsModes,
  keys: "snake" | "camel" = "snake",
): Record<string, unknown> {
  if (modes.errorBodies === "nested") return { error: { code, message } };
  return keys === "camel" ? { errorCode: code, errorMsg: message } : { error_code: code, error_msg: message };
}

/**
 * An error the Huawei API gateway answers itself (auth, unknown API, throttling), with the request id
 * in the body too, as observed (huaweicloud-sdk-nodejs-v3 issue #2: `APIGW.0301`, `request_id`).
 * The seed's mode spells the code APIGW.xxxx or APIG.xxxx.
 */
export function mrsGatewayReply(
  status: number,
  gatewayCode: string,
  message: string,
  ctx: Pick<HandlerContext, "requestId"> & { modes: MrsModes },
  headers: Record<string, string> = {},
): Reply {
  const code = gatewayCode.replace(/^APIGW?\./, `${ctx.modes.gatewayCodes}.`);
  return jsonReply(status, { ...errorBody(code, message, ctx.modes), request_id: ctx.requestId }, headers);
}

function mrsError(code: string, message: string, modes: MrsModes, keys?: "snake" | "camel"): Reply {
  return jsonReply(400, errorBody(code, message, modes, keys));
}

function findCluster(state: EmulatorState, projectId: string, clusterId: string): Cluster | undefined {
  if (!RESOURCE_ID_PATTERN.test(projectId) || !RESOURCE_ID_PATTERN.test(clusterId)) return undefined;
  return state.projects.get(projectId)?.get(clusterId);
}

function findJob(cluster: Cluster, jobId: string): Job | undefined {
  return RESOURCE_ID_PATTERN.test(jobId) ? cluster.jobs.find((job) => job.job_id === jobId) : undefined;
}

function jobNotFound(jobId: string, modes: MrsModes): Reply {
  return mrsError(
    MRS_JOB_NOT_FOUND,
    `The job ${JSON.stringify(decodeForMessage(jobId))} does not exist`,
    modes,
  );
}

function decodeForMessage(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---- Operations ----

// An accepted kill: 202 with an empty body (MRS API doc mrs_02_0088; the SDKs' StopJobResponse has no fields).
function killJob(cluster: Cluster, jobId: string, { modes, nowMs }: Answer, killDelayMs: number): Outcome {
  const job = findJob(cluster, jobId);
  if (job === undefined) return noEffect(jobNotFound(jobId, modes));
  const state = jobView(job, nowMs, modes).job_state;
  if (MRS_FINAL_STATES.has(state)) {
    return noEffect(
      mrsError(MRS_KILL_FAILED, `Failed to kill the job: job ${jobId} has already ended (${state})`, modes),
    );
  }
  if (job.killTakesEffectAt !== undefined) return noEffect(emptyReply(202));
  job.killTakesEffectAt = nowMs + killDelayMs;
  return { reply: emptyReply(202), effective: true };
}

// MRS answers a successful query with 202 (sic): API doc mrs_02_0086; golangsdk openstack/mrs/v2/jobs Get OkCodes 200, 202.
function getJob(cluster: Cluster, jobId: string, { modes, nowMs }: Answer): Reply {
  const job = findJob(cluster, jobId);
  return job === undefined
    ? jobNotFound(jobId, modes)
    : jsonReply(202, { job_detail: jobView(job, nowMs, modes) });
}

function listJobs(cluster: Cluster, rawQuery: string, { modes, nowMs }: Answer, withTotal: boolean): Reply {
  const query = new URLSearchParams(rawQuery);
  const limit = positiveIntegerParam(query, "limit", LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX);
  // A page number from 1 (Terraform's data_source_huaweicloud_mapreduce_cluster_jobs.go: "starts from 1").
  const offset = positiveIntegerParam(query, "offset", 1, Number.MAX_SAFE_INTEGER);
  const jobState = query.get("job_state");
  const refuse = (problem: string) => mrsError(MRS_QUERY_FAILED, `Query failed: ${problem}`, modes);
  if (limit === undefined) return refuse(`limit must be an integer from 1 to ${LIST_LIMIT_MAX}`);
  if (offset === undefined) return refuse("offset must be a page number from 1");
  // The eight states of the SDKs' enum (huaweicloud-sdk-go-v3 model_show_job_exe_list_new_request.go).
  if (jobState !== null && !(MRS_JOB_STATES as readonly string[]).includes(jobState)) {
    return refuse(`job_state must be one of ${MRS_JOB_STATES.join(", ")}`);
  }
  for (const [name, rule, what] of LIST_QUERY_RULES) {
    const value = query.get(name);
    if (value !== null && !rule.test(value)) return refuse(`${name} must be ${what}`);
  }
  const exact = (field: "user" | "queue", value: string) => {
    const wanted = query.get(field);
    return wanted === null || wanted === value;
  };
  const name = query.get("job_name")?.toLowerCase();
  const matching = cluster.jobs
    .filter((job) => name === undefined || job.job_name.toLowerCase().includes(name))
    .filter((job) => exact("user", job.user) && exact("queue", job.queue))
    .map((job) => jobView(job, nowMs, modes))
    .filter((job) => jobState === null || job.job_state === jobState)
    .sort((a, b) => b.submitted_time - a.submitted_time);
  const page = matching.slice((offset - 1) * limit, offset * limit);
  // 202, as the job read: terraform-provider-huaweicloud data_source_huaweicloud_mapreduce_cluster_jobs.go lists with OkCodes 202.
  return jsonReply(202, withTotal ? { total_record: matching.length, job_list: page } : { job_list: page });
}

/** The value, its default when absent, or undefined when it is not an integer in [1, max]. */
function positiveIntegerParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  max: number,
): number | undefined {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  return value >= 1 && value <= max ? value : undefined;
}

// ---- View ----

export interface JobDetail {
  job_id: string;
  user: string;
  job_name: string;
  job_result: string;
  job_state: MrsJobState;
  job_progress: number;
  job_type: string;
  started_time: number;
  submitted_time: number;
  finished_time: number;
  elapsed_time: number;
  arguments: string;
  launcher_id: string;
  properties: string;
  app_id: string;
  tracking_url: string;
  queue: string;
}

/**
 * What a client reads now: an accepted kill shows once its delay has passed, as job_result KILLED
 * ("manually terminated while running", the SDKs' doc of job_result) and job_state KILLED, or FINISHED
 * in the killedJobState mode.
 */
export function jobView(job: Job, nowMs: number, modes?: Pick<MrsModes, "killedJobState">): JobDetail {
  const killedAt = job.killTakesEffectAt;
  const killed = killedAt !== undefined && nowMs >= killedAt;
  const finished = killed ? killedAt : job.finished_time;
  return {
    job_id: job.job_id,
    user: job.user,
    job_name: job.job_name,
    job_result: killed ? "KILLED" : job.job_result,
    job_state: killed ? (modes?.killedJobState ?? "KILLED") : job.job_state,
    job_progress: job.job_progress,
    job_type: job.job_type,
    started_time: job.started_time,
    submitted_time: job.submitted_time,
    finished_time: finished,
    elapsed_time: job.started_time === 0 ? 0 : (finished || nowMs) - job.started_time,
    arguments: job.arguments,
    launcher_id: job.launcher_id,
    properties: job.properties,
    app_id: job.app_id,
    tracking_url: job.tracking_url,
    queue: job.queue,
  };
}

// ---- Snapshot (for state()) ----

export type ProjectsSnapshot = Record<string, { clusters: Record<string, { jobs: JobDetail[] }> }>;

export function mrsSnapshot(state: EmulatorState, nowMs: number): ProjectsSnapshot {
  const projects: ProjectsSnapshot = {};
  for (const [projectId, clusters] of state.projects) {
    const snapshot: ProjectsSnapshot[string] = { clusters: {} };
    for (const [clusterId, cluster] of clusters) {
      snapshot.clusters[clusterId] = {
        jobs: cluster.jobs.map((job) => jobView(job, nowMs, state.mrsModes)),
      };
    }
    projects[projectId] = snapshot;
  }
  return projects;
}
