/**
 * Huawei Cloud MRS: kill a job execution (`StopJob`, api-notes §2) and watch it stop.
 * Success is HTTP 202 with no body; the job read also answers 202. Errors carry `error_code` or
 * `errorCode` (both spellings exist). Auth is an AK/SK signature or an IAM token.
 */
import * as pulumi from "@pulumi/pulumi";
import { describeSetting, resolveSetting, type SettingSpec, type SettingsContext } from "../config";
import { ApiError, ConfigurationError, isApiError, TerminationError } from "../errors";
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
import { serializableProvider } from "../serializable";
import { signRequest, type AkSkCredentials } from "../signing/sdkHmacSha256";
import {
  checkEndpoint,
  checkPathId,
  isUnknown,
  pathSegment,
  type CheckFailure,
  type FieldTable,
} from "../validation";

export interface MrsJobTerminationInputs {
  clusterId: string;
  jobExecutionId: string;
  projectId?: string;
  region?: string;
  endpoint?: string;
  waitForTermination?: boolean;
  waitTimeoutSeconds?: number;
  whenAlreadyFinished?: "succeed" | "fail";
  triggers?: unknown[];
}

export interface MrsJobTerminationOutputs extends MrsJobTerminationInputs, TerminationRecord {
  jobName?: string;
  jobState?: string;
  jobResult?: string;
}

export const finalJobStates = ["FINISHED", "FAILED", "KILLED"];

const settingSpecs = {
  accessKey: { config: "huaweicloud:accessKey", env: ["HW_ACCESS_KEY"] },
  secretKey: { config: "huaweicloud:secretKey", env: ["HW_SECRET_KEY"] },
  securityToken: { config: "huaweicloud:securityToken", env: ["HW_SECURITY_TOKEN"] },
  authToken: { config: "huaweicloud:authToken", env: ["HW_AUTH_TOKEN"] },
  region: { config: "huaweicloud:region", env: ["HW_REGION_NAME"] },
  projectId: { config: "huaweicloud:projectId", env: ["HW_PROJECT_ID"] },
  cloud: { config: "huaweicloud:cloud", env: ["HW_CLOUD"] },
  endpoint: { config: "huaweicloud:mrsEndpoint", env: ["HW_MRS_ENDPOINT"] },
} satisfies Record<string, SettingSpec>;

const regionPattern = /^[a-z]{2}(-[a-z0-9]+){1,4}$/;

const fields: FieldTable = {
  clusterId: {
    type: "string",
    required: true,
    onChange: "replace",
    check: checkPathId,
    description: "the MRS cluster id",
  },
  jobExecutionId: {
    type: "string",
    required: true,
    onChange: "replace",
    check: checkPathId,
    description: "the job execution id to kill",
  },
  projectId: { type: "string", onChange: "replace", check: checkPathId, description: "the project id" },
  region: {
    type: "string",
    onChange: "replace",
    check: (v) =>
      regionPattern.test(v) ? undefined : `must be a region name such as cn-north-4, got "${v}"`,
    description: "the region, e.g. cn-north-4",
  },
  endpoint: {
    type: "string",
    onChange: "replace",
    check: checkEndpoint,
    description: "the MRS endpoint URL",
  },
  whenAlreadyFinished: {
    type: "enum",
    values: ["succeed", "fail"],
    onChange: "update",
    description: "what a job already finished means",
  },
  ...commonFields,
};

type MrsAuth = { kind: "aksk"; credentials: AkSkCredentials } | { kind: "token"; token: string };

export interface MrsSettings {
  endpoint: URL;
  projectId: string;
  auth: MrsAuth;
}

function credentialFailures(context: SettingsContext): CheckFailure[] {
  const has = (spec: SettingSpec) => resolveSetting(context, spec) !== undefined;
  const s = settingSpecs;
  if (has(s.accessKey) !== has(s.secretKey)) {
    return [
      {
        property: "credentials",
        reason: `an access key needs its secret key: set both ${describeSetting(s.accessKey)} and ${describeSetting(s.secretKey)}`,
      },
    ];
  }
  if (!has(s.accessKey) && !has(s.authToken)) {
    return [
      {
        property: "credentials",
        reason: `no Huawei Cloud credentials: set ${describeSetting(s.accessKey)} with ${describeSetting(s.secretKey)} (as secrets), or an IAM token in ${describeSetting(s.authToken)}`,
      },
    ];
  }
  return [];
}

function checkSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[] {
  const failures = credentialFailures(context);
  const s = settingSpecs;
  if (!isUnknown(news.projectId)) {
    const projectId = resolveSetting(context, s.projectId, news.projectId);
    if (projectId === undefined)
      failures.push({
        property: "projectId",
        reason: `is required: set ${describeSetting(s.projectId, "projectId")}`,
      });
    else if (news.projectId === undefined && checkPathId(projectId))
      failures.push({
        property: "projectId",
        reason: `${describeSetting(s.projectId)} ${checkPathId(projectId)}`,
      });
  }
  if (!isUnknown(news.endpoint) && !isUnknown(news.region) && news.endpoint === undefined) {
    const endpoint = resolveSetting(context, s.endpoint);
    if (endpoint !== undefined) {
      const problem = checkEndpoint(endpoint);
      if (problem)
        failures.push({ property: "endpoint", reason: `${describeSetting(s.endpoint)} ${problem}` });
    } else if (resolveSetting(context, s.region, news.region) === undefined) {
      failures.push({
        property: "region",
        reason: `is required to find the MRS endpoint: set ${describeSetting(s.region, "region")}, or an endpoint in ${describeSetting(s.endpoint, "endpoint")}`,
      });
    }
  }
  return failures;
}

function resolveSettings(inputs: MrsJobTerminationInputs, context: SettingsContext): MrsSettings {
  const failures = checkSettings(inputs as unknown as Record<string, unknown>, context);
  if (failures.length > 0)
    throw new ConfigurationError(failures.map((f) => `${f.property}: ${f.reason}`).join("; "));
  const s = settingSpecs;
  const region = resolveSetting(context, s.region, inputs.region);
  const cloud = resolveSetting(context, s.cloud) ?? "myhuaweicloud.com";
  const endpoint = resolveSetting(context, s.endpoint, inputs.endpoint) ?? `https://mrs.${region}.${cloud}`;
  const accessKey = resolveSetting(context, s.accessKey);
  const auth: MrsAuth = accessKey
    ? {
        kind: "aksk",
        credentials: {
          accessKey,
          secretKey: resolveSetting(context, s.secretKey) as string,
          securityToken: resolveSetting(context, s.securityToken),
        },
      }
    : { kind: "token", token: resolveSetting(context, s.authToken) as string };
  return {
    endpoint: new URL(endpoint),
    projectId: resolveSetting(context, s.projectId, inputs.projectId) as string,
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

function errorCode(data: unknown): string | undefined {
  const body = (typeof data === "object" && data !== null ? data : {}) as MrsErrorBody;
  return body.error_code ?? body.errorCode;
}

function apiError(operation: string, method: string, url: URL, response: HttpResponse): ApiError {
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

function jobUrl(settings: MrsSettings, inputs: MrsJobTerminationInputs, suffix = ""): URL {
  const base = settings.endpoint.pathname.replace(/\/$/, "");
  const project = pathSegment("projectId", settings.projectId);
  const cluster = pathSegment("clusterId", inputs.clusterId);
  const job = pathSegment("jobExecutionId", inputs.jobExecutionId);
  const url = new URL(settings.endpoint.toString());
  url.pathname = `${base}/v2/${project}/clusters/${cluster}/job-executions/${job}${suffix}`;
  return url;
}

async function send(
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

interface JobDetail {
  job_id?: string;
  started_time?: number;
  job_name?: string;
  job_state?: string;
  job_result?: string;
}

export async function getJob(
  session: Session,
  settings: MrsSettings,
  inputs: MrsJobTerminationInputs,
): Promise<JobDetail> {
  const url = jobUrl(settings, inputs);
  const response = await send(
    session,
    settings,
    `read job-execution ${inputs.jobExecutionId} in cluster ${inputs.clusterId}`,
    "GET",
    url,
  );
  const detail = (response.data as { job_detail?: JobDetail } | undefined)?.job_detail;
  if (response.status >= 300 || errorCode(response.data))
    throw apiError(`read job-execution ${inputs.jobExecutionId}`, "GET", url, response);
  if (!detail || typeof detail.job_state !== "string") {
    throw new TerminationError(
      `MRS: read job-execution ${inputs.jobExecutionId}: the answer has no job_detail.job_state (HTTP ${response.status} from GET ${displayUrl(url)})`,
    );
  }
  return detail;
}

function jobDetails(job: JobDetail): Record<string, unknown> {
  return { jobName: job.job_name, jobState: job.job_state, jobResult: job.job_result };
}

function alreadyFinished(inputs: MrsJobTerminationInputs, job: JobDetail, context: string): StartResult {
  if (inputs.whenAlreadyFinished === "fail") {
    throw new TerminationError(
      `MRS: job-execution ${inputs.jobExecutionId} (${job.job_name ?? "unnamed"}) in cluster ${inputs.clusterId} ${context}: ` +
        `state ${job.job_state}, result ${job.job_result}. Nothing was killed; set whenAlreadyFinished: "succeed" to accept this.`,
    );
  }
  return { outcome: "already-finished", details: jobDetails(job) };
}

async function terminate(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<StartResult> {
  const before = await getJob(session, settings, inputs);
  if (finalJobStates.includes(before.job_state as string))
    return alreadyFinished(inputs, before, "was already finished");
  const url = jobUrl(settings, inputs, "/kill");
  const operation = `kill job-execution ${inputs.jobExecutionId} in cluster ${inputs.clusterId}`;
  const response = await send(session, settings, operation, "POST", url);
  if (response.status >= 200 && response.status < 300 && !errorCode(response.data)) {
    return { outcome: "terminated", requestId: response.requestId, details: jobDetails(before) };
  }
  const code = errorCode(response.data);
  if (code === "0175" || code === "0160") {
    // The kill was refused: look why. A job final now either finished on its own in between, or was
    // killed by one of our own earlier attempts whose answer was lost.
    const after = await getJob(session, settings, inputs);
    if (finalJobStates.includes(after.job_state as string)) {
      if (response.uncertainAttempts > 0 && after.job_state === "KILLED") {
        return { outcome: "terminated", requestId: response.requestId, details: jobDetails(after) };
      }
      return alreadyFinished(inputs, after, "finished before the kill arrived");
    }
  }
  throw apiError(operation, "POST", url, response);
}

async function poll(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<PollResult> {
  const job = await getJob(session, settings, inputs);
  const stopped = finalJobStates.includes(job.job_state as string);
  return {
    stopped,
    summary: `job ${job.job_state}${job.job_result ? ` (result ${job.job_result})` : ""}`,
    details: jobDetails(job),
  };
}

/** "2h13m", "5m", "42s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`;
  return minutes > 0 ? `${minutes}m` : `${seconds}s`;
}

const missingCodes: Record<string, string> = { "0176": "jobExecutionId", "12000003": "clusterId" };

async function preflight(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<PreflightResult> {
  let job: JobDetail;
  try {
    job = await getJob(session, settings, inputs);
  } catch (error) {
    const property = isApiError(error) && error.code ? missingCodes[error.code] : undefined;
    if (property) return { found: false, property, reason: `does not exist: ${(error as Error).message}` };
    throw error;
  }
  const name = job.job_name ? `${job.job_name} (${inputs.jobExecutionId})` : inputs.jobExecutionId;
  if (finalJobStates.includes(job.job_state as string)) {
    return { found: true, message: `MRS job ${name} already ${job.job_state}: nothing to do` };
  }
  const started = Number(job.started_time ?? 0);
  const since = started > 0 ? ` for ${formatDuration(session.now() - started)}` : "";
  return { found: true, message: `MRS job ${name} ${job.job_state}${since}: will be killed` };
}

export const mrsTarget: Target<MrsJobTerminationInputs, MrsSettings> = {
  typeName: "MrsJobTermination",
  fields,
  checkSettings,
  resolveSettings,
  describe: (inputs) => `MRS job-execution ${inputs.jobExecutionId} in cluster ${inputs.clusterId}`,
  idPrefix: (inputs) => `mrs/${inputs.clusterId}/${inputs.jobExecutionId}`,
  terminate,
  poll,
  preflight,
};

/** The provider object behind MrsJobTermination; drive it directly with plain inputs in tests. */
export const mrsJobTerminationProvider = new TerminationProvider(mrsTarget);

export interface MrsJobTerminationArgs {
  clusterId: pulumi.Input<string>;
  jobExecutionId: pulumi.Input<string>;
  projectId?: pulumi.Input<string>;
  region?: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  waitForTermination?: pulumi.Input<boolean>;
  waitTimeoutSeconds?: pulumi.Input<number>;
  whenAlreadyFinished?: pulumi.Input<"succeed" | "fail">;
  triggers?: pulumi.Input<unknown[]>;
}

/** Kills a running MRS job execution on `pulumi up` and records what happened. */
export class MrsJobTermination extends pulumi.dynamic.Resource {
  declare readonly outcome: pulumi.Output<TerminationRecord["outcome"]>;
  declare readonly requestedAt: pulumi.Output<string>;
  declare readonly completedAt: pulumi.Output<string | undefined>;
  declare readonly requestId: pulumi.Output<string | undefined>;
  declare readonly jobName: pulumi.Output<string | undefined>;
  declare readonly jobState: pulumi.Output<string | undefined>;
  declare readonly jobResult: pulumi.Output<string | undefined>;

  constructor(name: string, args: MrsJobTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      outcome: undefined,
      requestedAt: undefined,
      completedAt: undefined,
      requestId: undefined,
      jobName: undefined,
      jobState: undefined,
      jobResult: undefined,
    };
    super(
      serializableProvider("mrsJobTermination"),
      name,
      { ...args, ...outputs },
      opts,
      "termination",
      "MrsJobTermination",
    );
  }
}
