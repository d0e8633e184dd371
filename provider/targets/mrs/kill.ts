/**
 * Killing MRS jobs, one at a time or in a batch: a job already final is not killed, a refused kill
 * is looked at again, and one job's failure neither stops the others nor hides the kills sent.
 */
import type { Session } from "../../core/contract";
import { CancelledError, isApiError, mayHaveArrived, TerminationError } from "../../errors";
import type { HttpResponse } from "../../http/client";
import { apiError, errorCode, finalJobStates, getJob, jobsUrl, send, wasKilled, type JobDetail } from "./api";
import { codes, isGatewayCode } from "./codes";
import type { MrsJobTerminationInputs } from "./inputs.generated";
import type { MrsDetails, MrsJobState } from "./outputs.generated";
import type { MrsSettings } from "./settings";

export function describe(inputs: MrsJobTerminationInputs): string {
  if (inputs.jobExecutionId)
    return `MRS job-execution ${inputs.jobExecutionId} in cluster ${inputs.clusterId}`;
  if (inputs.jobExecutionIds)
    return `MRS job-executions [${inputs.jobExecutionIds.join(", ")}] in cluster ${inputs.clusterId}`;
  return `MRS jobs matching ${JSON.stringify(inputs.jobSelector)} in cluster ${inputs.clusterId}`;
}

export function jobState(jobExecutionId: string, job: JobDetail): MrsJobState {
  return { jobExecutionId, jobName: job.job_name, jobState: job.job_state, jobResult: job.job_result };
}

export const isFinal = (job: { job_state?: string }) => finalJobStates.includes(String(job.job_state));

type KillResult =
  | { outcome: "killed"; requestId?: string; job: JobDetail }
  | { outcome: "finished"; job: JobDetail }
  /** The kill may have reached MRS, but no answer says what became of it. */
  | { outcome: "uncertain"; error: Error; job: JobDetail };

/** MRS accepts a kill with a 2xx and an empty body; any other 2xx body but JSON without an error code (a proxy's page) is not its answer. */
function isAccepted(response: HttpResponse): boolean {
  const { status, data } = response;
  if (status < 200 || status >= 300) return false;
  if (data === undefined || (typeof data === "string" && data.trim() === "")) return true;
  return typeof data === "object" && data !== null && !Array.isArray(data) && errorCode(data) === undefined;
}

/** An answer that does not say what became of the kill: not MRS's (a 2xx without its code), or a gateway's 500/502/504. */
function isUnclearAnswer(response: HttpResponse): boolean {
  const { status } = response;
  const code = errorCode(response.data);
  if (status >= 200 && status < 300) return code === undefined;
  return [500, 502, 504].includes(status) && (code === undefined || isGatewayCode(code));
}

/**
 * Reads the job, kills it unless it is final, and tells a lost answer from a job that finished on
 * its own. `earlierLost`: an earlier kill of ours may have arrived (its answer was lost), so a job
 * found KILLED now is that kill's work, not a job that had already finished.
 */
async function killJob(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
  id: string,
  earlierLost = false,
): Promise<KillResult> {
  const before = await getJob(session, settings, inputs.clusterId, id);
  if (isFinal(before)) {
    if (earlierLost && wasKilled(before)) return { outcome: "killed", job: before };
    return finished(inputs, id, before, "was already finished");
  }
  const url = jobsUrl(settings, inputs.clusterId, id, "/kill");
  const operation = `kill job-execution ${id} in cluster ${inputs.clusterId}`;
  let response: HttpResponse;
  try {
    response = await send(session, settings, operation, "POST", url);
  } catch (error) {
    if (mayHaveArrived(error)) return { outcome: "uncertain", error: error as Error, job: before };
    throw error;
  }
  if (isAccepted(response)) return { outcome: "killed", requestId: response.requestId, job: before };
  const lost = earlierLost || response.uncertainAttempts > 0;
  const code = errorCode(response.data);
  const error = apiError(
    operation,
    "POST",
    url,
    response,
    code === undefined && response.status < 300
      ? "MRS answers a kill with an empty body or JSON: is a proxy in between?"
      : undefined,
  );
  if (code === codes.killRefused || code === codes.killRefusedOther) {
    // The kill was refused: look why. A job final now either finished on its own in between, or was
    // killed by one of our own earlier attempts whose answer was lost.
    let after: JobDetail;
    try {
      after = await getJob(session, settings, inputs.clusterId, id);
    } catch (readError) {
      if (lost) return { outcome: "uncertain", error: readError as Error, job: before };
      throw readError;
    }
    if (isFinal(after)) {
      if (lost && wasKilled(after)) return { outcome: "killed", requestId: response.requestId, job: after };
      return finished(inputs, id, after, "finished before the kill arrived");
    }
  }
  if (lost || isUnclearAnswer(response)) return { outcome: "uncertain", error, job: before };
  throw error;
}

function finished(inputs: MrsJobTerminationInputs, id: string, job: JobDetail, context: string): KillResult {
  if (inputs.whenAlreadyFinished === "fail") {
    throw new TerminationError(
      `MRS: job-execution ${id} (${job.job_name ?? "unnamed"}) in cluster ${inputs.clusterId} ${context}: ` +
        `state ${job.job_state}, result ${job.job_result}. Nothing was killed; set whenAlreadyFinished: "succeed" to accept this.`,
    );
  }
  return { outcome: "finished", job };
}

/** Outputs for a set of jobs; with jobExecutionId also the single job's fields. */
export function jobDetails(inputs: MrsJobTerminationInputs, jobs: MrsJobState[]): MrsDetails {
  const [job] = jobs;
  if (!inputs.jobExecutionId || !job) return { jobs };
  return { jobs, jobName: job.jobName, jobState: job.jobState, jobResult: job.jobResult };
}

export interface Batch {
  /** Every job still covered, as last seen; a job whose kill failed keeps only its id until a read. */
  jobs: MrsJobState[];
  killed: string[];
  /** Every job to retry: its kill did not go through, or may not have. */
  failed: string[];
  /** Of `failed`, the kills that may have reached MRS (their answer was lost). */
  uncertain: string[];
  /** "id: why", one per failed job. */
  failures: string[];
  errors: Error[];
  requestIds: string[];
}

/**
 * Kills each job once. One job's failure does not stop the others nor hide the kills already sent.
 * A job a selector listed that is gone by the time of its kill (0176) is no longer running: dropped;
 * so is one a resume retries (`resuming`), which existed when create read it: retrying its kill
 * could never succeed, and would fail every later `pulumi up`.
 * `earlierLost`: the jobs whose earlier kill may have arrived; one found KILLED counts as killed.
 */
export async function killEach(
  inputs: MrsJobTerminationInputs,
  settings: MrsSettings,
  session: Session,
  ids: string[],
  earlierLost: ReadonlySet<string> = new Set(),
  resuming = false,
): Promise<Batch> {
  const batch: Batch = {
    jobs: [],
    killed: [],
    failed: [],
    uncertain: [],
    failures: [],
    errors: [],
    requestIds: [],
  };
  for (const [index, id] of ids.entries()) {
    if (session.signal?.aborted) {
      // Cancelled (Ctrl-C): no further kill goes out; the jobs left are retried by the next `up`.
      for (const left of ids.slice(index)) {
        batch.jobs.push({ jobExecutionId: left });
        batch.failed.push(left);
        if (earlierLost.has(left)) batch.uncertain.push(left);
        batch.failures.push(`${left}: not sent, the engine asked the provider to stop (Ctrl-C)`);
        batch.errors.push(new CancelledError(`MRS: kill job-execution ${left}: not sent (Ctrl-C)`));
      }
      break;
    }
    try {
      const result = await killJob(inputs, settings, session, id, earlierLost.has(id));
      batch.jobs.push(jobState(id, result.job));
      if (result.outcome === "uncertain") {
        batch.failed.push(id);
        batch.uncertain.push(id);
        batch.failures.push(
          `${id}: the kill may have gone through, but no answer says so (the next \`pulumi up\` reads the job and kills it again if it still runs): ${result.error.message}`,
        );
        batch.errors.push(result.error);
        continue;
      }
      if (result.outcome !== "killed") continue;
      batch.killed.push(id);
      if (result.requestId) batch.requestIds.push(result.requestId);
    } catch (error) {
      if ((inputs.jobSelector || resuming) && isApiError(error) && error.code === codes.jobNotFound) {
        session.reporter.info(
          `${describe(inputs)}: job-execution ${id} is gone since it was ${resuming ? "recorded" : "listed"}; skipped, nothing of it runs`,
        );
        continue;
      }
      batch.jobs.push({ jobExecutionId: id });
      batch.failed.push(id);
      // An earlier kill that may have arrived stays so until a read settles it.
      if (earlierLost.has(id)) batch.uncertain.push(id);
      batch.failures.push(`${id}: ${(error as Error).message}`);
      batch.errors.push(error as Error);
    }
  }
  return batch;
}

export function failedText(batch: Batch): string {
  return `the kills of [${batch.failed.join(", ")}] did not go through:\n${batch.failures.join("\n")}`;
}
