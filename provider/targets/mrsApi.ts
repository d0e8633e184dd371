/**
 * The Huawei Cloud MRS v2 job API as this package uses it (docs/apis.md §2): where the endpoint and
 * credentials come from, signed or token-authenticated requests, the error shapes (`error_code`
 * or `errorCode`), and the job reads. Shared by the MrsJobTermination target and the lookups.
 */
import {
  describeSetting,
  findGroup,
  findSetting,
  resolveSetting,
  throwFailures,
  type FoundSetting,
  type SettingSpec,
  type SettingsContext,
} from "../config";
import { ApiError, TerminationError } from "../errors";
import { displayUrl, type HttpResponse } from "../http";
import type { Session } from "../lifecycle";
import { rfc3986Encode, signRequest, type AkSkCredentials } from "../signing/sdkHmacSha256";
import { checkEndpoint, checkPathId, isUnknown, pathSegment, type CheckFailure } from "../validation";

export const finalJobStates = ["FINISHED", "FAILED", "KILLED"];
export const nonFinalJobStates = ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED", "RUNNING"];

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
          ? `stack config \`${missing.config}\``
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
        reason: `no Huawei Cloud credentials: set ${describeSetting(s.accessKey)} with ${describeSetting(s.secretKey)} (as secrets), or an IAM token in ${describeSetting(s.authToken)}`,
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
      reason: `is required to find the MRS endpoint: set ${describeSetting(s.region, "region")}, or an endpoint in ${describeSetting(s.endpoint, "endpoint")}${
        cloud ? ` (${cloud.origin} is set there, and where the API is comes whole from one place)` : ""
      }`,
    });
  // An argument's own problem (reported by the field table) still stops the URL from being made.
  const unusable = endpoint ? checkEndpoint(endpoint.value) : !regionPattern.test(String(region?.value));
  if (failures.length > 0 || unusable) return { failures };
  const url = endpoint?.value ?? `https://mrs.${region?.value}.${cloud?.value ?? defaultCloud}`;
  return { value: new URL(url), failures };
}

export function checkMrsSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[] {
  const failures = resolveAuth(context).failures;
  const s = mrsSettingSpecs;
  if (!isUnknown(news.projectId)) {
    const projectId = findSetting(context, s.projectId, news.projectId);
    if (projectId === undefined)
      failures.push({
        property: "projectId",
        reason: `is required: set ${describeSetting(s.projectId, "projectId")}`,
      });
    else if (projectId.source !== "resource argument" && checkPathId(projectId.value))
      failures.push({
        property: "projectId",
        reason: `${projectId.origin} ${checkPathId(projectId.value)}`,
      });
  }
  failures.push(...resolveLocation(news as MrsLocation, context, false).failures);
  return failures;
}

export function resolveMrsSettings(inputs: MrsLocation, context: SettingsContext): MrsSettings {
  throwFailures(checkMrsSettings(inputs as Record<string, unknown>, context));
  const auth = resolveAuth(context).value as MrsAuth;
  const endpoint = resolveLocation(inputs, context);
  throwFailures(endpoint.failures);
  return {
    endpoint: endpoint.value as URL,
    projectId: resolveSetting(context, mrsSettingSpecs.projectId, inputs.projectId) as string,
    auth,
  };
}

const hints: Record<string, string> = {
  "APIGW.0301":
    "Check the AK/SK (huaweicloud:accessKey/secretKey, HW_ACCESS_KEY/HW_SECRET_KEY) or the IAM token, and this machine's clock: signatures more than 15 minutes off are refused",
  "APIGW.0307": "The IAM token has expired: get a new one (HW_AUTH_TOKEN)",
  "0176": "Check jobExecutionId: no such job in this cluster",
  "12000003": "Check clusterId and projectId: no such cluster in this project",
  "0175": "MRS refused to kill the job",
  "0160": "MRS refused to kill the job",
};

interface MrsErrorBody {
  error_code?: string;
  errorCode?: string;
  error_msg?: string;
  errorMsg?: string;
  request_id?: string;
}

export function errorCode(data: unknown): string | undefined {
  const body = (typeof data === "object" && data !== null ? data : {}) as MrsErrorBody;
  return body.error_code ?? body.errorCode;
}

export function apiError(operation: string, method: string, url: URL, response: HttpResponse): ApiError {
  const body = (
    typeof response.data === "object" && response.data !== null ? response.data : {}
  ) as MrsErrorBody;
  const code = errorCode(response.data);
  return new ApiError({
    service: "MRS",
    operation,
    method,
    url: displayUrl(url),
    httpStatus: response.status,
    code,
    serviceMessage:
      body.error_msg ??
      body.errorMsg ??
      (typeof response.data === "string" ? response.data.slice(0, 200) : undefined),
    requestId: response.requestId ?? body.request_id,
    hint: code ? hints[code] : undefined,
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
    // A 5xx with an MRS code is the service's answer; the gateway's own (APIGW.*) or none is a fault.
    isBusinessError: (_status, data) => {
      const code = errorCode(data);
      return code !== undefined && !code.startsWith("APIGW.");
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

/** A query string as Huawei's SDK sends it: RFC 3986 percent-encoding, a space as `%20`, never `+`. */
export function queryString(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .flatMap(([key, value]) => (value === undefined ? [] : [`${rfc3986Encode(key)}=${rfc3986Encode(value)}`]))
    .join("&");
}

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

/** One listing to its end (offset counts pages from 1): a short page ends it, `total_record` is not relied on. */
async function listAll(
  session: Session,
  settings: MrsSettings,
  clusterId: string,
  jobName: string | undefined,
  jobState: string | undefined,
): Promise<ListedJob[]> {
  const what = `the job-executions of cluster ${clusterId}${jobState ? ` in state ${jobState}` : ""}`;
  const jobs: ListedJob[] = [];
  for (let page = 1; page <= maxListPages; page++) {
    const url = jobsUrl(settings, clusterId);
    url.search = queryString({
      job_name: jobName,
      job_state: jobState,
      limit: String(pageSize),
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
    jobs.push(...list);
    if (list.length < pageSize) return jobs;
  }
  throw new TerminationError(
    `MRS: listing ${what} reached the cap of ${maxListPages} pages of ${pageSize} jobs without reaching its end; ` +
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
