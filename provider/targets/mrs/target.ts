/**
 * MrsJobTermination: kill Huawei Cloud MRS job executions (`StopJob`, docs/apis.md §2.1) and watch
 * them stop. One job (`jobExecutionId`), an explicit batch (`jobExecutionIds`), or every job a
 * selector matches when `pulumi up` runs (`jobSelector`, resolved through the list API).
 */
import type { ResourceProvider } from "@pulumi/pulumi/dynamic";
import type {
  ImportSupport,
  PollResult,
  PreflightResult,
  Recorded,
  ResumeResult,
  Session,
  StartResult,
  Target,
} from "../../core/contract";
import { idList, stillRunning } from "../../core/importId";
import { TerminationProvider } from "../../core/provider";
import type { SettingsContext } from "../../core/settings";
import { isApiError, TerminationError } from "../../errors";
import { isUnknown, type CheckFailure } from "../../validation/fields";
import { formatDuration, getJob, listJobs, nonFinalJobStates, type JobDetail, type JobFilter } from "./api";
import { isCredentialsRefused, missingInputs } from "./codes";
import { mrsFields } from "./fields";
import type { MrsJobTerminationInputs } from "./inputs.generated";
import { describe, failedText, isFinal, jobDetails, jobState, killEach } from "./kill";
import type { MrsDetails, MrsJobState, MrsJobTerminationOutputs } from "./outputs.generated";
import { mrsOutputs } from "./outputs";
import { checkMrsSettings, resolveMrsSettings, type MrsSettings } from "./settings";
import { lookupCode } from "../../core/codeTable";

const targetKeys = ["jobExecutionId", "jobExecutionIds", "jobSelector"] as const;

function checkSettings(news: MrsJobTerminationInputs, context: SettingsContext): CheckFailure[] {
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

async function terminate(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
): Promise<StartResult<MrsDetails>> {
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
  // A kill that may have arrived must be recorded, so that the next `up` resumes from it.
  const sent = batch.killed.length + batch.uncertain.length;
  if (ids.length === 1 && batch.errors[0] && sent === 0) throw batch.errors[0];
  if (batch.failed.length > 0 && sent === 0)
    throw new TerminationError(`${describe(inputs)}: no job was killed; ${failedText(batch)}`);
  const details = {
    ...jobDetails(inputs, batch.jobs),
    killedJobExecutionIds: batch.killed,
    failedJobExecutionIds: batch.failed,
    uncertainJobExecutionIds: batch.uncertain,
  };
  const outcome = sent > 0 ? "terminated" : batch.jobs.length > 0 ? "already-finished" : "nothing-running";
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

/**
 * The kills to send again. A record written before `failedJobExecutionIds` existed (but with
 * `killedJobExecutionIds`) left a failed kill's job out of every list: the ids named, less those
 * killed. A record older still holds one job whose kill went out.
 */
function toRetry(record: MrsJobTerminationInputs & MrsDetails): string[] {
  if (record.failedJobExecutionIds) return record.failedJobExecutionIds;
  if (!record.killedJobExecutionIds) return [];
  const killed = new Set(record.killedJobExecutionIds);
  const named = record.jobExecutionId ? [record.jobExecutionId] : (record.jobExecutionIds ?? []);
  return named.filter((id) => !killed.has(id));
}

/**
 * After an incomplete create: retries, once each, the kills that did not go through; the others are
 * left alone. A job whose earlier kill may have arrived and that is KILLED now counts as killed.
 */
async function resume(
  record: Recorded<MrsJobTerminationInputs, MrsDetails>,
  settings: MrsSettings,
  session: Session,
): Promise<ResumeResult<MrsDetails>> {
  const retry = toRetry(record);
  if (retry.length === 0) return { details: {} };
  const earlierLost = new Set(record.uncertainJobExecutionIds ?? []);
  const batch = await killEach(record, settings, session, retry, earlierLost, true);
  const retried = new Map(batch.jobs.map((job) => [job.jobExecutionId, job]));
  const recorded = record.jobs ?? [];
  const jobs = [
    // A retried job that killEach skipped is gone (0176): it keeps what was last seen, marked so.
    ...recorded.map((job) =>
      !retry.includes(job.jobExecutionId)
        ? job
        : (retried.get(job.jobExecutionId) ?? { ...job, gone: true as const }),
    ),
    // A job an older record left out of `jobs`.
    ...batch.jobs.filter((job) => !recorded.some((known) => known.jobExecutionId === job.jobExecutionId)),
  ];
  const requestIds = [record.requestId, ...batch.requestIds].filter(Boolean);
  return {
    details: {
      ...jobDetails(record, jobs),
      killedJobExecutionIds: [...(record.killedJobExecutionIds ?? []), ...batch.killed],
      failedJobExecutionIds: batch.failed,
      uncertainJobExecutionIds: batch.uncertain,
    },
    requestId: requestIds.length > 0 ? requestIds.join(",") : undefined,
    incomplete:
      batch.failed.length > 0
        ? `retried ${retry.length} kill(s), killed ${batch.killed.length}; ${failedText(batch)}`
        : undefined,
  };
}

/** What a record left incomplete still has to do: the kills to send again, those whose answer was lost apart. */
function pending(record: Recorded<MrsJobTerminationInputs, MrsDetails>): string[] {
  const lost = new Set(record.uncertainJobExecutionIds ?? []);
  const retry = toRetry(record);
  const refused = retry.filter((id) => !lost.has(id));
  const unsure = retry.filter((id) => lost.has(id));
  return [
    ...(refused.length ? [`the kill(s) of [${refused.join(", ")}] did not go through`] : []),
    ...(unsure.length
      ? [`the kill(s) of [${unsure.join(", ")}] may have gone through, but no answer said so`]
      : []),
  ];
}

/** The jobs to read: those recorded by create, else the ids in the inputs. */
function watchedIds(record: MrsJobTerminationInputs & MrsDetails): string[] {
  if (record.jobs) return record.jobs.map((job) => job.jobExecutionId);
  return record.jobExecutionId ? [record.jobExecutionId] : (record.jobExecutionIds ?? []);
}

/** The job (0176) or its cluster (12000003) no longer exists. */
const isGone = (error: unknown) => isApiError(error) && lookupCode(missingInputs, error.code) !== undefined;

/**
 * Reads every recorded job. Stopped means every job whose kill went out is final; a job whose kill
 * failed is shown as seen (an error reading it keeps what was known) but waited for only once killed.
 * A job deleted since runs no more: it keeps what was last seen, marked gone; all gone is an error
 * that `isGone` recognises (a refresh marks the record `targetGone`, a wait ends there).
 */
async function poll(
  record: MrsJobTerminationInputs & MrsDetails,
  settings: MrsSettings,
  session: Session,
): Promise<PollResult<MrsDetails>> {
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
      let property: string | undefined = isApiError(error)
        ? lookupCode(missingInputs, error.code)
        : undefined;
      if (property === "jobExecutionId" && inputs.jobExecutionIds)
        property = `jobExecutionIds[${jobs.length}]`;
      if (property) return { found: false, property, reason: `does not exist: ${(error as Error).message}` };
      throw error;
    }
  }
  // Each line names the host it read, so that a preview shows which cloud (and site) `up` would reach.
  const at = `at ${settings.endpoint.host}`;
  const lines = jobs.map(([id, job]) => {
    const name = job.job_name ? `${job.job_name} (${id})` : id;
    if (isFinal(job)) return `MRS job ${name} already ${job.job_state} ${at}: nothing to do`;
    const started = Number(job.started_time ?? 0);
    const since = started > 0 ? ` for ${formatDuration(session.now() - started)}` : "";
    return `MRS job ${name} ${job.job_state}${since} ${at}: will be killed`;
  });
  if (inputs.jobSelector) lines.unshift(`${describe(inputs)} ${at}: ${jobs.length} job(s) match now`);
  if (lines.length === 0) lines.push(`${describe(inputs)} ${at}: no job: nothing to do`);
  return { found: true, message: lines.join("\n") };
}

/**
 * `pulumi import`: `mrs/<clusterId>/<jobExecutionId>` names jobExecutionId, and a list of two or
 * more ids, comma separated, names jobExecutionIds. The ids create recorded for a batch or a
 * selector (`mrs/<clusterId>/batch@…`) do not carry their jobs.
 */
const importing: ImportSupport<MrsJobTerminationInputs, MrsSettings, MrsDetails> = {
  kind: "mrs",
  forms: ["mrs/<clusterId>/<jobExecutionId>", "mrs/<clusterId>/<jobExecutionId>,<jobExecutionId>,…"],
  pathFields: ["clusterId", ...targetKeys],
  parse(path, created) {
    const parts = path.split("/");
    if (parts.length !== 2) return `it has ${parts.length} part(s) after mrs/, not 2`;
    const [clusterId, jobs] = parts;
    if (created && (jobs === "batch" || jobs === "selector"))
      return `that is the id create records for a ${jobs === "batch" ? "jobExecutionIds batch" : "jobSelector"}, which does not list its jobs: name them`;
    const ids = idList(jobs, "job execution id");
    if (typeof ids === "string") return ids;
    return ids.length === 1 ? { clusterId, jobExecutionId: ids[0] } : { clusterId, jobExecutionIds: ids };
  },
  async observe(inputs, settings, session) {
    const ids = inputs.jobExecutionId ? [inputs.jobExecutionId] : (inputs.jobExecutionIds ?? []);
    const jobs: MrsJobState[] = [];
    for (const id of ids) jobs.push(jobState(id, await getJob(session, settings, inputs.clusterId, id)));
    const running = jobs.filter((job) => !isFinal({ job_state: job.jobState }));
    if (running.length > 0)
      throw stillRunning(
        describe(inputs),
        running.map((job) => `job ${job.jobExecutionId} is ${job.jobState}`).join(", "),
        "kill",
      );
    return {
      outcome: "already-finished",
      details: {
        ...jobDetails(inputs, jobs),
        killedJobExecutionIds: [],
        failedJobExecutionIds: [],
        uncertainJobExecutionIds: [],
      },
    };
  },
};

export const mrsTarget: Target<MrsJobTerminationInputs, MrsSettings, MrsDetails> = {
  typeName: "MrsJobTermination",
  fields: mrsFields,
  outputs: mrsOutputs,
  checkSettings,
  resolveSettings: (inputs, context) => resolveMrsSettings(inputs, context),
  describe,
  idPrefix: (inputs) =>
    `mrs/${inputs.clusterId}/${inputs.jobExecutionId ?? (inputs.jobExecutionIds ? "batch" : "selector")}`,
  terminate,
  resume,
  pending,
  poll,
  preflight,
  isGone,
  isCredentialsRefused,
  importing,
};

/** The provider object behind MrsJobTermination; drive it directly with plain inputs in tests. */
export const mrsJobTerminationProvider = new TerminationProvider(mrsTarget) satisfies ResourceProvider<
  MrsJobTerminationInputs,
  MrsJobTerminationOutputs
>;
