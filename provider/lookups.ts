/**
 * Read-only lookups for programs: find jobs and task states by what they are, then declare
 * terminations for them. They run in the program (during preview too, since the program asked
 * for them) with the same settings as the resources: arguments, then stack config, then the
 * environment. Each has a plain-promise form and an Output form.
 */
import * as pulumi from "@pulumi/pulumi";
import { resolveHttpSettings, type ConfigSource, type SettingsContext } from "./config";
import { createHttpClient, type Reporter } from "./http";
import type { Session } from "./lifecycle";
import {
  getJob,
  listJobs,
  nonFinalJobStates,
  resolveMrsSettings,
  type JobDetail,
  type MrsLocation,
} from "./targets/mrsApi";
import type { MrsJobSelector } from "./targets/mrs";
import {
  isRunning,
  nodemanTarget,
  readInstances,
  type NodemanTaskTerminationInputs,
} from "./targets/nodeman";

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

export interface GetNodemanSubscriptionStatusArgs {
  subscriptionId: number;
  instanceIds?: string[];
  route?: "apigw" | "esb";
  stage?: string;
}

export interface NodemanSubscriptionStatus {
  subscriptionId: number;
  instances: { instanceId: string; status: string; running: boolean }[];
}

/** Where settings come from; by default the running program's stack config and environment. */
export interface LookupOptions {
  config?: ConfigSource;
  env?: Record<string, string | undefined>;
  reporter?: Reporter;
}

type InputArgs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

const programConfig: ConfigSource = { get: (key) => pulumi.runtime.getConfig(key) };
const pulumiReporter: Reporter = { info: (m) => pulumi.log.info(m), warn: (m) => pulumi.log.warn(m) };

function lookupSession(options: LookupOptions): { context: SettingsContext; session: Session } {
  const context = { config: options.config ?? programConfig, env: options.env ?? process.env };
  const reporter = options.reporter ?? pulumiReporter;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const http = createHttpClient(resolveHttpSettings(context), { reporter, sleep });
  return { context, session: { http, reporter, now: Date.now, sleep } };
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

export async function getNodemanSubscriptionStatus(
  args: GetNodemanSubscriptionStatusArgs,
  options: LookupOptions = {},
): Promise<NodemanSubscriptionStatus> {
  const { context, session } = lookupSession(options);
  const inputs = args as NodemanTaskTerminationInputs;
  const instances =
    (await readInstances(inputs, nodemanTarget.resolveSettings(inputs, context), session)) ?? [];
  return {
    subscriptionId: args.subscriptionId,
    instances: instances.map((i) => ({
      instanceId: i.instanceId,
      status: i.status,
      running: isRunning(i),
    })),
  };
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

export function getNodemanSubscriptionStatusOutput(
  args: InputArgs<GetNodemanSubscriptionStatusArgs>,
  options?: LookupOptions,
): pulumi.Output<NodemanSubscriptionStatus> {
  return pulumi
    .output(args)
    .apply((plain) => getNodemanSubscriptionStatus(plain as GetNodemanSubscriptionStatusArgs, options));
}
