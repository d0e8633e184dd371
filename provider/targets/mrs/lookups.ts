/** Read-only lookups of MRS jobs, for programs (core/lookup.ts): find jobs, then declare terminations for them. */
import * as pulumi from "@pulumi/pulumi";
import { lookupSession, type InputArgs, type LookupOptions } from "../../core/lookup";
import { getJob, listJobs, nonFinalJobStates, type JobDetail } from "./api";
import type { MrsJobSelector } from "./inputs.generated";
import { resolveMrsSettings, type MrsLocation } from "./settings";

export interface MrsJob {
  jobExecutionId: string;
  jobName?: string;
  jobState?: string;
  jobResult?: string;
  user?: string;
  queue?: string;
  /** Epoch milliseconds, when known. */
  startedTime?: number;
  submittedTime?: number;
  finishedTime?: number;
}

export interface GetMrsJobArgs extends MrsLocation {
  clusterId: string;
  jobExecutionId: string;
}

export interface ListMrsJobsArgs extends MrsLocation, MrsJobSelector {
  clusterId: string;
}

function toMrsJob(id: string, job: JobDetail): MrsJob {
  const time = (value?: number) => (value ? Number(value) : undefined);
  return {
    jobExecutionId: id,
    jobName: job.job_name,
    jobState: job.job_state,
    jobResult: job.job_result,
    user: job.user,
    queue: job.queue,
    startedTime: time(job.started_time),
    submittedTime: time(job.submitted_time),
    finishedTime: time(job.finished_time),
  };
}

export async function getMrsJob(args: GetMrsJobArgs, options: LookupOptions = {}): Promise<MrsJob> {
  const { context, session } = lookupSession(options);
  const job = await getJob(session, resolveMrsSettings(args, context), args.clusterId, args.jobExecutionId);
  return toMrsJob(args.jobExecutionId, job);
}

/** Jobs of a cluster matching the selector exactly (whatever the service's filter returns); `jobStates` defaults to the states that are not final. */
export async function listMrsJobs(args: ListMrsJobsArgs, options: LookupOptions = {}): Promise<MrsJob[]> {
  const { context, session } = lookupSession(options);
  const filter = {
    jobName: args.jobName,
    jobStates: args.jobStates ?? nonFinalJobStates,
    user: args.user,
    queue: args.queue,
  };
  const jobs = await listJobs(session, resolveMrsSettings(args, context), args.clusterId, filter);
  return jobs.map((job) => toMrsJob(String(job.job_id), job));
}

export function getMrsJobOutput(
  args: InputArgs<GetMrsJobArgs>,
  options?: LookupOptions,
): pulumi.Output<MrsJob> {
  return pulumi.output(args).apply((plain) => getMrsJob(plain as GetMrsJobArgs, options));
}

export function listMrsJobsOutput(
  args: InputArgs<ListMrsJobsArgs>,
  options?: LookupOptions,
): pulumi.Output<MrsJob[]> {
  return pulumi.output(args).apply((plain) => listMrsJobs(plain as ListMrsJobsArgs, options));
}
