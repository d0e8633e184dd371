/**
 * Killing MRS jobs, one at a time or in a batch: a job already final is not killed, a refused kill
 * is looked at again, and one job's failure neither stops the others nor hides the kills sent.
 */
import type { Session } from "../../core/contract";
import { isApiError, TerminationError } from "../../errors";
import { apiError, errorCode, finalJobStates, getJob, jobsUrl, send, type JobDetail } from "./api";
import { codes } from "./codes";
import type { MrsJobTerminationInputs } from "./inputs.generated";
import type { MrsDetails, MrsJobState } from "./outputs";
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
  if (code === codes.killRefused || code === codes.killRefusedOther) {
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
export function jobDetails(inputs: MrsJobTerminationInputs, jobs: MrsJobState[]): MrsDetails {
  const [job] = jobs;
  if (!inputs.jobExecutionId || !job) return { jobs };
  return { jobs, jobName: job.jobName, jobState: job.jobState, jobResult: job.jobResult };
}

export interface Batch {
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
export async function killEach(
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
      if (inputs.jobSelector && isApiError(error) && error.code === codes.jobNotFound) {
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

export function failedText(batch: Batch): string {
  return `the kills of [${batch.failed.join(", ")}] did not go through:\n${batch.failures.join("\n")}`;
}
