/**
 * MrsJobTermination: kill Huawei Cloud MRS job executions (`StopJob`, docs/apis.md §2.1) and watch them
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
  type ResumeResult,
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
  /** Exact job name, matched on the client whatever the service's filter returns; so are user and queue. */
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
  /** The most jobs jobSelector may match (1..1000, default 10); more fails before anything is killed. */
  maxJobs?: number;
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
  /** Set by a refresh that found this job deleted; the rest is as last seen. */
  gone?: true;
}

export interface MrsJobTerminationOutputs extends MrsJobTerminationInputs, TerminationRecord {
  /** Every job this termination covers, as last seen. */
  jobs?: MrsJobState[];
  /** The jobs a kill was sent to. */
  killedJobExecutionIds?: string[];
  /** The jobs whose kill did not go through (or, with whenAlreadyFinished "fail", that had finished): the next `pulumi up` retries them. */
  failedJobExecutionIds?: string[];
  /** With jobExecutionId: that job, as last seen. */
  jobName?: string;
  jobState?: string;
  jobResult?: string;
}

/** A lone surrogate cannot be percent-encoded into a query: refused in check, not mid-listing. */
function wellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
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
    } else if (typeof v === "string" && !wellFormed(v)) {
      failures.push({ property: key, reason: "must be valid Unicode (it holds a lone surrogate)" });
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
  maxJobs: {
    type: "integer",
    min: 1,
    max: 1000,
    onChange: "update",
    description:
      "the most jobs jobSelector may match; more fails check and create, killing nothing (default 10)",
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

const maxJobsDefault = 10;

/** The jobs a selector matches now, exactly, in the states it names (default: not final). */
async function selectJobs(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<JobDetail[]> {
  const selector = inputs.jobSelector ?? {};
  const filter: JobFilter = { ...selector, jobStates: selector.jobStates ?? nonFinalJobStates };
  return listJobs(session, settings, inputs.clusterId, filter);
}

/** Why a selector may not go on: it matches more than maxJobs. Checked before anything is killed. */
function overLimit(inputs: MrsJobTerminationInputs, jobs: JobDetail[]): string | undefined {
  // Not known yet during a preview: create checks the real value.
  if (isUnknown(inputs.maxJobs)) return undefined;
  const maxJobs = inputs.maxJobs ?? maxJobsDefault;
  if (jobs.length <= maxJobs) return undefined;
  const shown = jobs.slice(0, 10).map((job) => `${job.job_name ?? "unnamed"} (${job.job_id})`);
  return (
    `matches ${jobs.length} jobs, more than maxJobs (${maxJobs}): ${shown.join(", ")}${jobs.length > 10 ? ", ..." : ""}. ` +
    `Narrow the selector, or raise maxJobs to at least ${jobs.length}`
  );
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

interface Batch {
  /** Every job still covered, as last seen; a job whose kill failed keeps only its id until a read. */
  jobs: MrsJobState[];
  killed: string[];
  failed: string[];
  /** "id: why", one per failed job. */
  failures: string[];
  errors: Error[];
  requestIds: string[];
}

/**
 * Kills each job once. One job's failure does not stop the others nor hide the kills already sent.
 * A job a selector listed that is gone by the time of its kill (0176) is no longer running: dropped.
 */
async function killEach(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
  ids: string[],
): Promise<Batch> {
  const batch: Batch = { jobs: [], killed: [], failed: [], failures: [], errors: [], requestIds: [] };
  for (const id of ids) {
    try {
      const result = await killJob(inputs, settings, session, id);
      batch.jobs.push(jobState(id, result.job));
      if (!result.killed) continue;
      batch.killed.push(id);
      if (result.requestId) batch.requestIds.push(result.requestId);
    } catch (error) {
      if (inputs.jobSelector && isApiError(error) && error.code === "0176") {
        session.reporter.info(
          `${describe(inputs)}: job-execution ${id} is gone since it was listed; skipped`,
        );
        continue;
      }
      batch.jobs.push({ jobExecutionId: id });
      batch.failed.push(id);
      batch.failures.push(`${id}: ${(error as Error).message}`);
      batch.errors.push(error as Error);
    }
  }
  return batch;
}

function failedText(batch: Batch): string {
  return `the kills of [${batch.failed.join(", ")}] did not go through:\n${batch.failures.join("\n")}`;
}

async function terminate(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<StartResult> {
  let ids: string[];
  if (inputs.jobSelector) {
    const jobs = await selectJobs(inputs, settings, session);
    const problem = overLimit(inputs, jobs);
    if (problem)
      throw new TerminationError(`${describe(inputs)}: jobSelector ${problem}. Nothing was killed.`);
    ids = jobs.map((job) => String(job.job_id));
  } else {
    ids = inputs.jobExecutionId ? [inputs.jobExecutionId] : (inputs.jobExecutionIds ?? []);
  }
  const batch = await killEach(inputs, settings, session, ids);
  if (ids.length === 1 && batch.errors[0]) throw batch.errors[0];
  if (batch.failed.length > 0 && batch.killed.length === 0)
    throw new TerminationError(`${describe(inputs)}: no job was killed; ${failedText(batch)}`);
  const details = {
    ...jobDetails(inputs, batch.jobs),
    killedJobExecutionIds: batch.killed,
    failedJobExecutionIds: batch.failed,
  };
  const outcome =
    batch.killed.length > 0 ? "terminated" : batch.jobs.length > 0 ? "already-finished" : "nothing-running";
  if (inputs.jobSelector)
    session.reporter.info(`${describe(inputs)}: ${ids.length} matched, killed [${batch.killed.join(", ")}]`);
  return {
    outcome,
    requestId: batch.requestIds.join(",") || undefined,
    details,
    incomplete:
      batch.failed.length > 0
        ? `killed ${batch.killed.length} of ${ids.length} jobs; these failed:\n${batch.failures.join("\n")}`
        : undefined,
  };
}

/** After an incomplete create: retries, once each, the kills that did not go through; the others are left alone. */
async function resume(
  record: MrsJobTerminationOutputs,
  settings: MrsSettings,
  session: Session,
): Promise<ResumeResult> {
  const retry = record.failedJobExecutionIds ?? [];
  if (retry.length === 0) return { details: {} };
  const batch = await killEach(record, settings, session, retry);
  const retried = new Map(batch.jobs.map((job) => [job.jobExecutionId, job]));
  const jobs = (record.jobs ?? []).flatMap((job) =>
    !retry.includes(job.jobExecutionId) ? [job] : (retried.get(job.jobExecutionId) ?? []),
  );
  const requestIds = [record.requestId, ...batch.requestIds].filter(Boolean);
  return {
    details: {
      ...jobDetails(record, jobs),
      killedJobExecutionIds: [...(record.killedJobExecutionIds ?? []), ...batch.killed],
      failedJobExecutionIds: batch.failed,
      ...(requestIds.length > 0 ? { requestId: requestIds.join(",") } : {}),
    },
    incomplete:
      batch.failed.length > 0
        ? `retried ${retry.length} kill(s), killed ${batch.killed.length}; ${failedText(batch)}`
        : undefined,
  };
}

/** The jobs to read: those recorded by create, else the ids in the inputs. */
function watchedIds(record: MrsJobTerminationOutputs): string[] {
  if (record.jobs) return record.jobs.map((job) => job.jobExecutionId);
  return record.jobExecutionId ? [record.jobExecutionId] : (record.jobExecutionIds ?? []);
}

/** The job (0176) or its cluster (12000003) no longer exists. */
const isGone = (error: unknown) => isApiError(error) && ["0176", "12000003"].includes(error.code ?? "");

/**
 * Reads every recorded job. Stopped means every job whose kill went out is final; a job whose kill
 * failed is shown as seen (an error reading it keeps what was known) but waited for only once killed.
 * A job deleted since runs no more: it keeps what was last seen, marked gone; all gone is an error.
 */
async function poll(
  record: MrsJobTerminationOutputs,
  settings: MrsSettings,
  session: Session,
): Promise<PollResult> {
  const ids = watchedIds(record);
  const failed = new Set(record.failedJobExecutionIds ?? []);
  const known = new Map((record.jobs ?? []).map((job) => [job.jobExecutionId, job]));
  const gone: unknown[] = [];
  const jobs = await Promise.all(
    ids.map(async (id): Promise<MrsJobState> => {
      try {
        return jobState(id, await getJob(session, settings, record.clusterId, id));
      } catch (error) {
        if (isGone(error)) {
          gone.push(error);
          return { ...known.get(id), jobExecutionId: id, gone: true };
        }
        if (failed.has(id)) return known.get(id) ?? { jobExecutionId: id };
        throw error;
      }
    }),
  );
  if (ids.length > 0 && gone.length === ids.length) throw gone[0];
  const watched = jobs.filter((job) => !failed.has(job.jobExecutionId));
  const running = watched.filter((job) => !job.gone && !isFinal({ job_state: job.jobState }));
  const notSent = failed.size > 0 ? `; ${failed.size} kill(s) not gone through` : "";
  const summary =
    record.jobExecutionId && jobs[0]
      ? `job ${jobs[0].jobState}${jobs[0].jobResult ? ` (result ${jobs[0].jobResult})` : ""}`
      : `${running.length} of ${watched.length} job(s) not final${notSent}`;
  return { stopped: running.length === 0, summary, details: jobDetails(record, jobs) };
}

const missingCodes: Record<string, string> = { "0176": "jobExecutionId", "12000003": "clusterId" };

async function preflight(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<PreflightResult> {
  const jobs: [string, JobDetail][] = [];
  if (inputs.jobSelector) {
    // The listing already shows each job: no read per job.
    const listed = await selectJobs(inputs, settings, session);
    const problem = overLimit(inputs, listed);
    if (problem) return { found: false, property: "jobSelector", reason: problem };
    jobs.push(...listed.map((job): [string, JobDetail] => [String(job.job_id), job]));
  } else {
    const ids = inputs.jobExecutionId ? [inputs.jobExecutionId] : (inputs.jobExecutionIds ?? []);
    try {
      for (const id of ids) jobs.push([id, await getJob(session, settings, inputs.clusterId, id)]);
    } catch (error) {
      let property = isApiError(error) && error.code ? missingCodes[error.code] : undefined;
      if (property === "jobExecutionId" && inputs.jobExecutionIds)
        property = `jobExecutionIds[${jobs.length}]`;
      if (property) return { found: false, property, reason: `does not exist: ${(error as Error).message}` };
      throw error;
    }
  }
  const lines = jobs.map(([id, job]) => {
    const name = job.job_name ? `${job.job_name} (${id})` : id;
    if (isFinal(job)) return `MRS job ${name} already ${job.job_state}: nothing to do`;
    const started = Number(job.started_time ?? 0);
    const since = started > 0 ? ` for ${formatDuration(session.now() - started)}` : "";
    return `MRS job ${name} ${job.job_state}${since}: will be killed`;
  });
  if (inputs.jobSelector) lines.unshift(`${describe(inputs)}: ${jobs.length} job(s) match now`);
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
  resume,
  poll,
  preflight,
  isGone,
};

/** The provider object behind MrsJobTermination; drive it directly with plain inputs in tests. */
export const mrsJobTerminationProvider = new TerminationProvider(mrsTarget);

export interface MrsJobTerminationArgs extends TerminationArgs {
  clusterId: pulumi.Input<string>;
  /** Exactly one of jobExecutionId, jobExecutionIds and jobSelector. */
  jobExecutionId?: pulumi.Input<string>;
  jobExecutionIds?: pulumi.Input<pulumi.Input<string>[]>;
  jobSelector?: pulumi.Input<MrsJobSelector>;
  /** The most jobs jobSelector may match (1..1000, default 10); more fails before anything is killed. */
  maxJobs?: pulumi.Input<number>;
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
  declare readonly failedJobExecutionIds: pulumi.Output<string[]>;

  constructor(name: string, args: MrsJobTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "jobName",
      "jobState",
      "jobResult",
      "jobs",
      "killedJobExecutionIds",
      "failedJobExecutionIds",
    ];
    super("mrsJobTermination", "MrsJobTermination", name, args, outputs, opts);
  }
}
