/**
 * The Huawei Cloud MRS v2 job API as this package uses it (docs/apis.md §2): signed or
 * token-authenticated requests, the error shapes (`error_code` or `errorCode`), and the job reads.
 * Shared by the MrsJobTermination target and the lookups.
 */
import type { Session } from "../../core/contract";
import { ApiError, TerminationError } from "../../errors";
import { displayUrl, type HttpResponse } from "../../http/client";
import { signRequest } from "../../signing/sdkHmacSha256";
import { pathSegment, queryString } from "../../validation/url";
import { hintFor, isGatewayCode } from "./codes";
import type { MrsSettings } from "./settings";

export const finalJobStates = ["FINISHED", "FAILED", "KILLED"];
export const nonFinalJobStates = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"];

/**
 * MRS's rule for the list's `job_name` query: letters, digits, `-` and `_`, 1 to 128 (the SDKs' doc
 * of job_name, huaweicloud-sdk-go-v3 services/mrs/v2/model/model_show_job_exe_list_new_request.go).
 * Submitted names follow the same characters, 1 to 64 (model_job_execution.go), so no other name
 * can match. `user` and `queue` are matched here, never sent, so MRS's query rules for them do not
 * apply: they are left as any name, lest a real user or queue be refused (docs/apis.md §2.3).
 */
export const jobNamePattern = /^[A-Za-z0-9_-]{1,128}$/;

export function checkJobName(value: string): string | undefined {
  return jobNamePattern.test(value)
    ? undefined
    : `must be an MRS job name: letters, digits, - and _ only, 1 to 128 characters (MRS refuses any other), got ${JSON.stringify(value)}`;
}

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === "object" && value !== null && !Array.isArray(value);
/** A code or message as a string: the SDKs read strings, and Node's also a number (IAM's `code: 401`). */
const text = (value: unknown) =>
  typeof value === "string" && value !== ""
    ? value
    : typeof value === "number" && Number.isFinite(value)
      ? String(value)
      : undefined;

interface ErrorFields {
  code?: string;
  message?: string;
}

/**
 * Where Huawei's SDKs find an error's code and message, as they do: `error_code`/`error_msg`
 * (MRS, the gateway), `errorCode`/`errorMsg` (MRS's cluster errors; Terraform's mrs resource notes
 * both), `code`/`message` (Go core/sdkerr/errors.go processServiceResponseError, Python
 * exception_handler.py _process_sdk_error), and nested under `error` or any other object
 * (Node core/exception/ExceptionUtil.ts reads `error.code`; Go and Python search nested objects).
 */
function errorFields(data: unknown, depth = 0): ErrorFields {
  if (!isObject(data) || depth > 3) return {};
  const flat = text(data.error_code) ?? text(data.errorCode);
  if (flat !== undefined) return { code: flat, message: text(data.error_msg) ?? text(data.errorMsg) };
  // Only as a pair, as the Go and Python SDKs read it: a lone `code` is not an error.
  const code = text(data.code);
  const message = text(data.message);
  if (code !== undefined && message !== undefined) return { code, message };
  // Node's SDK reads `error.code` even without a message beside it.
  const inner = isObject(data.error) ? text(data.error.code) : undefined;
  if (inner !== undefined) return { code: inner, message: text((data.error as Fields).message) };
  for (const value of Object.values(data)) {
    const found = errorFields(value, depth + 1);
    if (found.code !== undefined) return found;
  }
  return {};
}

export function errorCode(data: unknown): string | undefined {
  return errorFields(data).code;
}

export function apiError(
  operation: string,
  method: string,
  url: URL,
  response: HttpResponse,
  hint?: string,
): ApiError {
  const { code, message } = errorFields(response.data);
  const requestId = isObject(response.data) ? text(response.data.request_id) : undefined;
  return new ApiError({
    service: "MRS",
    operation,
    method,
    url: displayUrl(url),
    httpStatus: response.status,
    code,
    serviceMessage: message ?? (typeof response.data === "string" ? response.data.slice(0, 200) : undefined),
    requestId: response.requestId ?? requestId,
    hint: hint ?? hintFor(code),
    attempts: response.attempts,
  });
}

/** `.../v2/{project}/clusters/{cluster}/job-executions[/{job}][suffix]`, every id percent-encoded. */
export function jobsUrl(settings: MrsSettings, clusterId: string, jobExecutionId?: string, suffix = ""): URL {
  const base = settings.endpoint.pathname.replace(/\/$/, "");
  const project = pathSegment("projectId", settings.projectId);
  const cluster = pathSegment("clusterId", clusterId);
  const job = jobExecutionId === undefined ? "" : `/${pathSegment("jobExecutionId", jobExecutionId)}`;
  const url = new URL(settings.endpoint.toString());
  url.pathname = `${base}/v2/${project}/clusters/${cluster}/job-executions${job}${suffix}`;
  return url;
}

export async function send(
  session: Session,
  settings: MrsSettings,
  operation: string,
  method: "GET" | "POST",
  url: URL,
) {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Project-Id": settings.projectId,
  };
  const { auth } = settings;
  if (auth.kind === "token") headers["X-Auth-Token"] = auth.token;
  return session.http.send({
    service: "MRS",
    operation,
    method,
    url: url.toString(),
    headers,
    body: "",
    // The secret key is never sent, but masked too should anything repeat it.
    secrets:
      auth.kind === "token" ? [auth.token] : [auth.credentials.secretKey, auth.credentials.securityToken],
    // A 5xx with an MRS code is the service's answer; the gateway's own (APIGW.*, APIG.*) or none is a fault.
    isBusinessError: (_status, data) => {
      const code = errorCode(data);
      return code !== undefined && !isGatewayCode(code);
    },
    sign:
      auth.kind === "aksk"
        ? (r) =>
            signRequest(
              {
                method: r.method,
                path: r.url.pathname,
                query: r.url.search.slice(1),
                headers: r.headers,
                body: r.body,
              },
              auth.credentials,
              new Date(session.now()),
            )
        : undefined,
  });
}

export interface JobDetail {
  job_id?: string;
  job_name?: string;
  job_state?: string;
  job_result?: string;
  user?: string;
  queue?: string;
  /** Epoch milliseconds; 0 when not reached yet. */
  started_time?: number;
  submitted_time?: number;
  finished_time?: number;
}

/**
 * Killed, by its state or by its result. The SDKs document job_result KILLED ("manually terminated
 * while running") apart from job_state KILLED, and a job's two fields can disagree (golangsdk's
 * fixture: FINISHED with result FAILED); whether a killed job can read FINISHED is not documented.
 */
export const wasKilled = (job: JobDetail): boolean =>
  job.job_state === "KILLED" || job.job_result === "KILLED";

export async function getJob(
  session: Session,
  settings: MrsSettings,
  clusterId: string,
  jobExecutionId: string,
): Promise<JobDetail> {
  const url = jobsUrl(settings, clusterId, jobExecutionId);
  const operation = `read job-execution ${jobExecutionId} in cluster ${clusterId}`;
  const response = await send(session, settings, operation, "GET", url);
  if (response.status >= 300 || errorCode(response.data)) throw apiError(operation, "GET", url, response);
  const detail = (response.data as { job_detail?: JobDetail } | undefined)?.job_detail;
  if (!detail || typeof detail.job_state !== "string") {
    throw new TerminationError(
      `MRS: ${operation}: the answer has no job_detail.job_state (HTTP ${response.status} from GET ${displayUrl(url)})`,
    );
  }
  return detail;
}

export interface JobFilter {
  /** Exact job name. The service's filter may match more (by substring): matched here again. */
  jobName?: string;
  /** Asked of the service one state at a time; default: every state, in one listing. */
  jobStates?: string[];
  user?: string;
  queue?: string;
}

const pageSize = 100;
/** Per listing: a listing this long fails rather than being used cut short. */
export const maxListPages = 100;

/**
 * Every job of the cluster matching the filter exactly. One listing per wanted state, so that a
 * long history in other states cannot crowd the wanted jobs out of the page cap.
 */
export async function listJobs(
  session: Session,
  settings: MrsSettings,
  clusterId: string,
  filter: JobFilter,
): Promise<JobDetail[]> {
  const nameProblem = filter.jobName === undefined ? undefined : checkJobName(filter.jobName);
  // Refused before anything is sent: MRS would answer the listing with a 400.
  if (nameProblem) throw new TerminationError(`MRS: jobName ${nameProblem}`);
  const states = filter.jobStates ?? [undefined];
  const listings = await Promise.all(
    states.map((state) => listAll(session, settings, clusterId, filter.jobName, state)),
  );
  const seen = new Set<string>();
  return listings.flat().filter((job) => {
    // A job submitted while paging shifts the pages: the same job may come twice.
    if (seen.has(job.job_id)) return false;
    seen.add(job.job_id);
    return (
      (filter.jobName === undefined || job.job_name === filter.jobName) &&
      (!filter.jobStates || filter.jobStates.includes(String(job.job_state))) &&
      (filter.user === undefined || job.user === filter.user) &&
      (filter.queue === undefined || job.queue === filter.queue)
    );
  });
}

type ListedJob = JobDetail & { job_id: string };
const isListedJob = (job: unknown): job is ListedJob => typeof (job as JobDetail | null)?.job_id === "string";

/** `total_record` when the page carries one that can be trusted as a count. */
function totalRecord(data: unknown): number | undefined {
  const total = (data as { total_record?: unknown } | undefined)?.total_record;
  const value = typeof total === "string" && /^\d+$/.test(total) ? Number(total) : total;
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * One listing to its end (offset counts pages from 1). It ends at an empty page, or at a page
 * shorter than the server pages by once `total_record` (when sent) is reached. A server that pages
 * by fewer jobs than asked (a first page short of both the limit and its total) is read on at its
 * own page size; a listing that then repeats a page or ends short of its total fails rather than
 * being used in part.
 */
async function listAll(
  session: Session,
  settings: MrsSettings,
  clusterId: string,
  jobName: string | undefined,
  jobState: string | undefined,
): Promise<ListedJob[]> {
  const what = `the job-executions of cluster ${clusterId}${jobState ? ` in state ${jobState}` : ""}`;
  const jobs = new Map<string, ListedJob>();
  let limit = pageSize;
  for (let page = 1; page <= maxListPages; page++) {
    const url = jobsUrl(settings, clusterId);
    url.search = queryString({
      job_name: jobName,
      job_state: jobState,
      limit: String(limit),
      offset: String(page),
    });
    const operation = `list ${what} (page ${page})`;
    const response = await send(session, settings, operation, "GET", url);
    if (response.status >= 300 || errorCode(response.data)) throw apiError(operation, "GET", url, response);
    const list = (response.data as { job_list?: unknown } | undefined)?.job_list;
    if (!Array.isArray(list) || !list.every(isListedJob)) {
      const problem = Array.isArray(list) ? "a job without a job_id" : "no job_list";
      throw new TerminationError(
        `MRS: ${operation}: the answer has ${problem} (HTTP ${response.status} from GET ${displayUrl(url)})`,
      );
    }
    // A job submitted while paging shifts the pages: the same job may come twice.
    const fresh = list.filter((job) => !jobs.has(job.job_id));
    for (const job of fresh) jobs.set(job.job_id, job);
    const short = list.length < limit;
    const total = totalRecord(response.data);
    if (total === undefined || jobs.size >= total) {
      if (short) return [...jobs.values()];
      continue;
    }
    // total_record says there are more jobs than read so far.
    if (page === 1 && short && list.length > 0) {
      limit = list.length;
      continue;
    }
    if (!short && fresh.length > 0) continue;
    const seen =
      list.length === 0
        ? "an empty page"
        : fresh.length === 0
          ? "a page already read"
          : `${list.length} jobs`;
    throw new TerminationError(
      `MRS: listing ${what}: page ${page} (limit ${limit}) holds ${seen}, but total_record says ${total} jobs and ` +
        `${jobs.size} were read: the listing changed while it was read, or the service pages inconsistently. ` +
        `Nothing is selected from a partial listing; run \`pulumi up\` again.`,
    );
  }
  throw new TerminationError(
    `MRS: listing ${what} reached the cap of ${maxListPages} pages of ${limit} jobs without reaching its end; ` +
      `nothing is selected from a partial listing. Narrow the selection (jobName, jobStates).`,
  );
}

/** "2h13m", "5m", "42s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`;
  return minutes > 0 ? `${minutes}m` : `${seconds}s`;
}
