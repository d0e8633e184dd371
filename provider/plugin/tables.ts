/**
 * What the plugin serves: the two resources (their targets, and the outputs they record) and the
 * three functions (their arguments as field tables, their results). A resource's inputs and outputs
 * come from its target's field and output tables; the functions' results are stated here, once.
 */
import type { Target } from "../core/contract";
import type { OutputItem, OutputTable } from "../core/outputs";
import type { LookupOptions } from "../core/lookup";
import { getMrsJob, listMrsJobs, type GetMrsJobArgs, type ListMrsJobsArgs } from "../targets/mrs/lookups";
import { mrsTarget } from "../targets/mrs/target";
import {
  getNodemanSubscriptionStatus,
  type GetNodemanSubscriptionStatusArgs,
} from "../targets/nodeman/lookups";
import { nodemanTarget } from "../targets/nodeman/target";
import type { CheckFailure, FieldSpec, FieldTable } from "../validation/fields";

/** A list item's properties, for a function's outputs: `[type, description]` each. */
const itemProperties = (properties: Record<string, ["string" | "number" | "boolean", string]>): OutputTable =>
  Object.fromEntries(
    Object.entries(properties).map(([key, [type, description]]) => [key, { type, description }]),
  );

export interface ServedResource {
  /** Its outputs are the target's output table with the record every termination keeps. */
  target: Pick<Target<unknown, unknown>, "typeName" | "fields" | "outputs">;
  description: string;
}

export const resources: ServedResource[] = [
  {
    target: mrsTarget,
    description:
      "Kills running Huawei Cloud MRS job executions on `pulumi up` and records what happened. Deleting it sends nothing: a kill cannot be undone.",
  },
  {
    target: nodemanTarget,
    description:
      "Revokes the running tasks of a BlueKing NodeMan subscription on `pulumi up` and records what happened. Deleting it sends nothing: a revoke cannot be undone.",
  },
];

export interface ServedFunction {
  name: string;
  description: string;
  fields: FieldTable;
  /** Failures that need more than one field. */
  check?: (args: Record<string, unknown>) => CheckFailure[];
  outputs: OutputTable;
  run(args: Record<string, unknown>, options: LookupOptions): Promise<Record<string, unknown>>;
}

/** Arguments that passed their function's field table: the lookups' own argument types. */
function checked<T>(args: Record<string, unknown>): T {
  return args as T;
}

const mrsFields = mrsTarget.fields;
const required = (spec: FieldSpec): FieldSpec => ({ ...spec, required: true });
const mrsLocation = {
  projectId: mrsFields.projectId,
  region: mrsFields.region,
  endpoint: mrsFields.endpoint,
};
const selector = mrsFields.jobSelector;
const selectorKeys = ["jobName", "jobStates", "user", "queue"];

const mrsJob: OutputItem = {
  name: "MrsJob",
  description: "An MRS job execution.",
  properties: itemProperties({
    jobExecutionId: ["string", "The job execution id."],
    jobName: ["string", "The job's name."],
    jobState: ["string", "The job's state."],
    jobResult: ["string", "The job's result."],
    user: ["string", "The user that submitted the job."],
    queue: ["string", "The YARN queue of the job."],
    startedTime: ["number", "When the job started, epoch milliseconds."],
    submittedTime: ["number", "When the job was submitted, epoch milliseconds."],
    finishedTime: ["number", "When the job finished, epoch milliseconds."],
  }),
};
const mrsJobOutputs: OutputTable = {
  ...mrsJob.properties,
  jobExecutionId: { ...mrsJob.properties.jobExecutionId, required: true },
};

export const functions: ServedFunction[] = [
  {
    name: "getMrsJob",
    description: "Reads one MRS job execution. Sends nothing that changes it.",
    fields: {
      clusterId: mrsFields.clusterId,
      jobExecutionId: required(mrsFields.jobExecutionId),
      ...mrsLocation,
    },
    outputs: mrsJobOutputs,
    run: async (args, options) => ({ ...(await getMrsJob(checked<GetMrsJobArgs>(args), options)) }),
  },
  {
    name: "listMrsJobs",
    description:
      "Lists the jobs of an MRS cluster that match every given field; `jobStates` defaults to the states that are not final.",
    fields: {
      clusterId: mrsFields.clusterId,
      ...mrsLocation,
      jobName: { type: "string", onChange: "replace", description: "the exact job name" },
      jobStates: {
        type: "stringList",
        maxItems: 8,
        onChange: "replace",
        description: selector.type === "object" ? (selector.properties?.jobStates.description ?? "") : "",
      },
      user: { type: "string", onChange: "replace", description: "the user that submitted the job" },
      queue: { type: "string", onChange: "replace", description: "the YARN queue of the job" },
    },
    // The selector's own check, on the selector fields given (none means the default states).
    check: (args) => {
      const given = Object.fromEntries(Object.entries(args).filter(([key]) => selectorKeys.includes(key)));
      if (Object.keys(given).length === 0 || selector.type !== "object") return [];
      return selector.check(given);
    },
    outputs: { jobs: { type: "objectList", item: mrsJob, required: true, description: "The matching jobs" } },
    run: async (args, options) => ({ jobs: await listMrsJobs(checked<ListMrsJobsArgs>(args), options) }),
  },
  {
    name: "getNodemanSubscriptionStatus",
    description:
      "Reads the task status of each instance of a NodeMan subscription. Sends nothing that changes it.",
    fields: {
      subscriptionId: nodemanTarget.fields.subscriptionId,
      instanceIds: nodemanTarget.fields.instanceIds,
      route: nodemanTarget.fields.route,
      stage: nodemanTarget.fields.stage,
    },
    outputs: {
      subscriptionId: { type: "integer", required: true, description: "The subscription id" },
      instances: {
        type: "objectList",
        required: true,
        item: {
          name: "NodemanInstance",
          description: "A NodeMan instance and its task status.",
          properties: itemProperties({
            instanceId: ["string", "The instance id."],
            status: ["string", "The instance's task status."],
            running: ["boolean", "True while the instance's task (or its current step) is running."],
          }),
        },
        description: "Each instance of the subscription (or of instanceIds)",
      },
    },
    run: async (args, options) => ({
      ...(await getNodemanSubscriptionStatus(checked<GetNodemanSubscriptionStatusArgs>(args), options)),
    }),
  },
];
