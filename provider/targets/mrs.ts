/**
 * MrsJobTermination: kill Huawei Cloud MRS job executions (`StopJob`, api-notes §2) and watch them
 * stop. One job (`jobExecutionId`), an explicit batch (`jobExecutionIds`), or every job a selector
 * matches when `pulumi up` runs (`jobSelector`, resolved through the list API).
 */
import * as pulumi from "@pulumi/pulumi";
import type { SettingsContext } from "../config";
import { isApiError, TerminationError } from "../errors";
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
import { checkEndpoint, checkPathId, isUnknown, type CheckFailure, type FieldTable } from "../validation";
import {
  apiError,
  checkMrsSettings,
  errorCode,
  finalJobStates,
  formatDuration,
  getJob,
  jobsUrl,
  listJobs,
  nonFinalJobStates,
  regionPattern,
  resolveMrsSettings,
  send,
  type JobDetail,
  type JobFilter,
  type MrsSettings,
} from "./mrsApi";

export interface MrsJobSelector {
  /** Exact job name. */
  jobName?: string;
  /** Default: the states that are not final (NEW, NEW_SAVING, SUBMITTED, ACCEPTED, RUNNING). */
  jobStates?: string[];
  user?: string;
  queue?: string;
}

export interface MrsJobTerminationInputs {
  clusterId: string;
  /** Exactly one of jobExecutionId, jobExecutionIds and jobSelector. */
  jobExecutionId?: string;
  jobExecutionIds?: string[];
  jobSelector?: MrsJobSelector;
  projectId?: string;
  region?: string;
  endpoint?: string;
  waitForTermination?: boolean;
  waitTimeoutSeconds?: number;
  whenAlreadyFinished?: "succeed" | "fail";
  triggers?: unknown[];
  preflight?: boolean;
}

export interface MrsJobState {
  jobExecutionId: string;
  jobName?: string;
  jobState?: string;
  jobResult?: string;
}

export interface MrsJobTerminationOutputs extends MrsJobTerminationInputs, TerminationRecord {
  /** Every job this termination covers, as last seen. */
  jobs?: MrsJobState[];
  /** The jobs a kill was sent to. */
  killedJobExecutionIds?: string[];
  /** With jobExecutionId: that job, as last seen. */
  jobName?: string;
  jobState?: string;
  jobResult?: string;
}

function checkSelector(value: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const allowed = ["jobName", "jobStates", "user", "queue"];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      failures.push({
        property: key,
        reason: `unknown selector field; expected one of ${allowed.join(", ")}`,
      });
  }
  for (const key of ["jobName", "user", "queue"]) {
    const v = value[key];
    if (v !== undefined && !isUnknown(v) && (typeof v !== "string" || v.trim() === "" || v.length > 256)) {
      failures.push({ property: key, reason: `must be a non-empty string, got ${JSON.stringify(v)}` });
    }
  }
  const states = value.jobStates;
  if (states !== undefined && !isUnknown(states)) {
    const all = [...nonFinalJobStates, ...finalJobStates];
    if (!Array.isArray(states) || states.length === 0)
      failures.push({ property: "jobStates", reason: "must be a non-empty list of job states" });
    else
      states.forEach((state, i) => {
        if (!isUnknown(state) && !all.includes(state as string))
          failures.push({
            property: `jobStates[${i}]`,
            reason: `must be one of ${all.join(", ")}, got ${JSON.stringify(state)}`,
          });
      });
  }
  if (Object.keys(value).filter((k) => allowed.includes(k)).length === 0) {
    failures.push({
      property: "jobName",
      reason: "a selector needs at least one of jobName, jobStates, user, queue",
    });
  }
  return failures;
}

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
    onChange: "replace",
    check: checkPathId,
    description: "the job execution to kill",
  },
  jobExecutionIds: {
    type: "stringList",
    maxItems: 100,
    allowEmpty: true,
    onChange: "replace",
    check: checkPathId,
    description: "job executions to kill; an empty list kills nothing",
  },
  jobSelector: {
    type: "object",
    onChange: "replace",
    check: checkSelector,
    properties: {
      jobName: { type: "string", description: "the exact job name" },
      jobStates: {
        type: "stringList",
        description: `job states to match (default: those not final, ${nonFinalJobStates.join(", ")})`,
      },
      user: { type: "string", description: "the user that submitted the job" },
      queue: { type: "string", description: "the YARN queue of the job" },
    },
    description: "kill every job matching it",
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
    default: "succeed",
    description: "what a job already finished means",
  },
  ...commonFields,
};

const targetKeys = ["jobExecutionId", "jobExecutionIds", "jobSelector"] as const;

function checkSettings(news: Record<string, unknown>, context: SettingsContext): CheckFailure[] {
  const failures = checkMrsSettings(news, context);
  const given = targetKeys.filter((key) => news[key] !== undefined && news[key] !== null);
  if (given.length !== 1) {
    failures.push({
      property: given[1] ?? "jobExecutionId",
      reason: `give exactly one of jobExecutionId, jobExecutionIds or jobSelector${given.length ? ` (got ${given.join(" and ")})` : ""}`,
    });
  }
  return failures;
}

function describe(inputs: MrsJobTerminationInputs): string {
  if (inputs.jobExecutionId)
    return `MRS job-execution ${inputs.jobExecutionId} in cluster ${inputs.clusterId}`;
  if (inputs.jobExecutionIds)
    return `MRS job-executions [${inputs.jobExecutionIds.join(", ")}] in cluster ${inputs.clusterId}`;
  return `MRS jobs matching ${JSON.stringify(inputs.jobSelector)} in cluster ${inputs.clusterId}`;
}

function jobState(jobExecutionId: string, job: JobDetail): MrsJobState {
  return { jobExecutionId, jobName: job.job_name, jobState: job.job_state, jobResult: job.job_result };
}

const isFinal = (job: { job_state?: string }) => finalJobStates.includes(String(job.job_state));

/** The jobs this termination is about, as ids; a selector is resolved through the list API. */
async function targetIds(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<string[]> {
  if (inputs.jobExecutionId) return [inputs.jobExecutionId];
  if (inputs.jobExecutionIds) return inputs.jobExecutionIds;
  const selector = inputs.jobSelector ?? {};
  const filter: JobFilter = { ...selector, jobStates: selector.jobStates ?? nonFinalJobStates };
  const jobs = await listJobs(session, settings, inputs.clusterId, filter);
  return jobs.map((job) => String(job.job_id));
}

type KillResult = { killed: boolean; requestId?: string; job: JobDetail };

/** Reads the job, kills it unless it is final, and tells a lost answer from a job that finished on its own. */
async function killJob(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
  id: string,
): Promise<KillResult> {
  const before = await getJob(session, settings, inputs.clusterId, id);
  if (isFinal(before)) return finished(inputs, id, before, "was already finished");
  const url = jobsUrl(settings, inputs.clusterId, id, "/kill");
  const operation = `kill job-execution ${id} in cluster ${inputs.clusterId}`;
  const response = await send(session, settings, operation, "POST", url);
  if (response.status >= 200 && response.status < 300 && !errorCode(response.data)) {
    return { killed: true, requestId: response.requestId, job: before };
  }
  const code = errorCode(response.data);
  if (code === "0175" || code === "0160") {
    // The kill was refused: look why. A job final now either finished on its own in between, or was
    // killed by one of our own earlier attempts whose answer was lost.
    const after = await getJob(session, settings, inputs.clusterId, id);
    if (isFinal(after)) {
      if (response.uncertainAttempts > 0 && after.job_state === "KILLED")
        return { killed: true, requestId: response.requestId, job: after };
      return finished(inputs, id, after, "finished before the kill arrived");
    }
  }
  throw apiError(operation, "POST", url, response);
}

function finished(inputs: MrsJobTerminationInputs, id: string, job: JobDetail, context: string): KillResult {
  if (inputs.whenAlreadyFinished === "fail") {
    throw new TerminationError(
      `MRS: job-execution ${id} (${job.job_name ?? "unnamed"}) in cluster ${inputs.clusterId} ${context}: ` +
        `state ${job.job_state}, result ${job.job_result}. Nothing was killed; set whenAlreadyFinished: "succeed" to accept this.`,
    );
  }
  return { killed: false, job };
}

/** Outputs for a set of jobs; with jobExecutionId also the single job's fields. */
function jobDetails(inputs: MrsJobTerminationInputs, jobs: MrsJobState[]): Record<string, unknown> {
  const details: Record<string, unknown> = { jobs };
  if (inputs.jobExecutionId && jobs[0])
    Object.assign(details, {
      jobName: jobs[0].jobName,
      jobState: jobs[0].jobState,
      jobResult: jobs[0].jobResult,
    });
  return details;
}

async function terminate(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<StartResult> {
  const ids = await targetIds(inputs, settings, session);
  const results: [string, KillResult][] = [];
  const failures: string[] = [];
  for (const id of ids) {
    try {
      results.push([id, await killJob(inputs, settings, session, id)]);
    } catch (error) {
      // One job's failure must not hide the kills already sent: they are recorded below.
      if (ids.length === 1) throw error;
      failures.push(`${id}: ${(error as Error).message}`);
    }
  }
  const killed = results.filter(([, r]) => r.killed);
  if (failures.length > 0 && killed.length === 0)
    throw new TerminationError(`MRS: no job was killed:\n${failures.join("\n")}`);
  const details = {
    ...jobDetails(
      inputs,
      results.map(([id, r]) => jobState(id, r.job)),
    ),
    killedJobExecutionIds: killed.map(([id]) => id),
  };
  const outcome =
    killed.length > 0 ? "terminated" : results.length > 0 ? "already-finished" : "nothing-running";
  if (inputs.jobSelector)
    session.reporter.info(
      `${describe(inputs)}: ${ids.length} matched, killed [${details.killedJobExecutionIds.join(", ")}]`,
    );
  return {
    outcome,
    requestId:
      killed
        .map(([, r]) => r.requestId)
        .filter(Boolean)
        .join(",") || undefined,
    details,
    incomplete:
      failures.length > 0
        ? `killed ${killed.length} of ${ids.length} jobs; these failed:\n${failures.join("\n")}`
        : undefined,
  };
}

/** The jobs to watch: those recorded by create, else the ids in the inputs. */
function watchedIds(record: MrsJobTerminationOutputs): string[] {
  if (record.jobs) return record.jobs.map((job) => job.jobExecutionId);
  return record.jobExecutionId ? [record.jobExecutionId] : (record.jobExecutionIds ?? []);
}

async function poll(
  record: MrsJobTerminationOutputs,
  settings: MrsSettings,
  session: Session,
): Promise<PollResult> {
  const jobs = await Promise.all(
    watchedIds(record).map(async (id) => jobState(id, await getJob(session, settings, record.clusterId, id))),
  );
  const running = jobs.filter((job) => !isFinal({ job_state: job.jobState }));
  const summary =
    record.jobExecutionId && jobs[0]
      ? `job ${jobs[0].jobState}${jobs[0].jobResult ? ` (result ${jobs[0].jobResult})` : ""}`
      : `${running.length} of ${jobs.length} job(s) not final`;
  return { stopped: running.length === 0, summary, details: jobDetails(record, jobs) };
}

const missingCodes: Record<string, string> = { "0176": "jobExecutionId", "12000003": "clusterId" };

async function preflight(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<PreflightResult> {
  let ids: string[];
  const jobs: [string, JobDetail][] = [];
  try {
    ids = await targetIds(inputs, settings, session);
    for (const id of ids) jobs.push([id, await getJob(session, settings, inputs.clusterId, id)]);
  } catch (error) {
    let property = isApiError(error) && error.code ? missingCodes[error.code] : undefined;
    if (property === "jobExecutionId" && inputs.jobExecutionIds) property = `jobExecutionIds[${jobs.length}]`;
    if (property) return { found: false, property, reason: `does not exist: ${(error as Error).message}` };
    throw error;
  }
  const lines = jobs.map(([id, job]) => {
    const name = job.job_name ? `${job.job_name} (${id})` : id;
    if (isFinal(job)) return `MRS job ${name} already ${job.job_state}: nothing to do`;
    const started = Number(job.started_time ?? 0);
    const since = started > 0 ? ` for ${formatDuration(session.now() - started)}` : "";
    return `MRS job ${name} ${job.job_state}${since}: will be killed`;
  });
  if (inputs.jobSelector) lines.unshift(`${describe(inputs)}: ${ids.length} job(s) match now`);
  if (lines.length === 0) lines.push(`${describe(inputs)}: no job: nothing to do`);
  return { found: true, message: lines.join("\n") };
}

export const mrsTarget: Target<MrsJobTerminationInputs, MrsSettings> = {
  typeName: "MrsJobTermination",
  fields,
  checkSettings,
  resolveSettings: (inputs, context) => resolveMrsSettings(inputs, context),
  describe,
  idPrefix: (inputs) =>
    `mrs/${inputs.clusterId}/${inputs.jobExecutionId ?? (inputs.jobExecutionIds ? "batch" : "selector")}`,
  terminate,
  poll,
  preflight,
};

/** The provider object behind MrsJobTermination; drive it directly with plain inputs in tests. */
export const mrsJobTerminationProvider = new TerminationProvider(mrsTarget);

export interface MrsJobTerminationArgs extends TerminationArgs {
  clusterId: pulumi.Input<string>;
  /** Exactly one of jobExecutionId, jobExecutionIds and jobSelector. */
  jobExecutionId?: pulumi.Input<string>;
  jobExecutionIds?: pulumi.Input<pulumi.Input<string>[]>;
  jobSelector?: pulumi.Input<MrsJobSelector>;
  projectId?: pulumi.Input<string>;
  region?: pulumi.Input<string>;
  endpoint?: pulumi.Input<string>;
  whenAlreadyFinished?: pulumi.Input<"succeed" | "fail">;
}

/** Kills running MRS job executions on `pulumi up` and records what happened. */
export class MrsJobTermination extends TerminationResource {
  declare readonly jobName: pulumi.Output<string | undefined>;
  declare readonly jobState: pulumi.Output<string | undefined>;
  declare readonly jobResult: pulumi.Output<string | undefined>;
  declare readonly jobs: pulumi.Output<MrsJobState[]>;
  declare readonly killedJobExecutionIds: pulumi.Output<string[]>;

  constructor(name: string, args: MrsJobTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = ["jobName", "jobState", "jobResult", "jobs", "killedJobExecutionIds"];
    super("mrsJobTermination", "MrsJobTermination", name, args, outputs, opts);
  }
}
