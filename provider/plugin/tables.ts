/**
 * What the plugin serves: the two resources (their targets, and the outputs they record) and the
 * three functions (their arguments as field tables, their results). Inputs come from the targets'
 * field tables; outputs are stated here, once, for the schema.
 */
import type { Target } from "../core/contract";
import type { LookupOptions } from "../core/lookup";
import { getMrsJob, listMrsJobs, type GetMrsJobArgs, type ListMrsJobsArgs } from "../targets/mrs/lookups";
import { mrsTarget } from "../targets/mrs/target";
import {
  getNodemanSubscriptionStatus,
  type GetNodemanSubscriptionStatusArgs,
} from "../targets/nodeman/lookups";
import { nodemanTarget } from "../targets/nodeman/target";
import type { CheckFailure, FieldSpec, FieldTable } from "../validation/fields";

export interface OutputSpec {
  type: "string" | "integer" | "number" | "boolean" | "stringList" | "objectList";
  description: string;
  /** The item type of an `objectList`, named in the schema's `types`. */
  itemType?: { name: string; schema: Record<string, unknown> };
}

export type OutputTable = Record<string, OutputSpec>;

const objectType = (description: string, properties: Record<string, [string, string]>) => ({
  type: "object",
  description,
  properties: Object.fromEntries(
    Object.entries(properties).map(([key, [type, text]]) => [key, { type, description: text }]),
  ),
});

/** What every termination records (TerminationRecord). */
const recordOutputs: OutputTable = {
  outcome: {
    type: "string",
    description:
      "What happened: `terminated`, `nothing-running`, `already-finished`, or `requested` (sent; the target was not yet seen stopped)",
  },
  requestedAt: {
    type: "string",
    description: "ISO 8601: when the termination was sent or found unnecessary",
  },
  completedAt: {
    type: "string",
    description: "ISO 8601: when the target was seen stopped; absent while not known",
  },
  requestId: {
    type: "string",
    description: "The service's request id of the kill or revoke, when one was sent",
  },
};

const mrsJobState = {
  name: "MrsJobState",
  schema: objectType("An MRS job as last seen.", {
    jobExecutionId: ["string", "The job execution id."],
    jobName: ["string", "The job's name."],
    jobState: ["string", "The job's state, e.g. RUNNING or KILLED."],
    jobResult: ["string", "The job's result, e.g. UNDEFINED or KILLED."],
  }),
};

export interface ServedResource {
  target: Pick<Target<unknown, unknown>, "typeName" | "fields">;
  description: string;
  outputs: OutputTable;
  requiredOutputs: string[];
}

export const resources: ServedResource[] = [
  {
    target: mrsTarget,
    description:
      "Kills running Huawei Cloud MRS job executions on `pulumi up` and records what happened. Deleting it sends nothing: a kill cannot be undone.",
    outputs: {
      ...recordOutputs,
      jobs: {
        type: "objectList",
        itemType: mrsJobState,
        description: "Every job this termination covers, as last seen",
      },
      killedJobExecutionIds: { type: "stringList", description: "The jobs a kill was sent to" },
      jobName: { type: "string", description: "With jobExecutionId: the job's name" },
      jobState: { type: "string", description: "With jobExecutionId: the job's state, as last seen" },
      jobResult: { type: "string", description: "With jobExecutionId: the job's result, as last seen" },
    },
    requiredOutputs: ["outcome", "requestedAt"],
  },
  {
    target: nodemanTarget,
    description:
      "Revokes the running tasks of a BlueKing NodeMan subscription on `pulumi up` and records what happened. Deleting it sends nothing: a revoke cannot be undone.",
    outputs: {
      ...recordOutputs,
      resolvedRoute: { type: "string", description: "The route used, after defaults: `apigw` or `esb`" },
      instances: {
        type: "objectList",
        itemType: {
          name: "InstanceStatus",
          schema: objectType("A NodeMan instance as last seen.", {
            instanceId: ["string", "The instance id, e.g. host|instance|host|1."],
            status: ["string", "The instance's task status, e.g. RUNNING or FAILED."],
          }),
        },
        description: "The last status seen of each targeted instance",
      },
    },
    requiredOutputs: ["outcome", "requestedAt"],
  },
];

export interface ServedFunction {
  name: string;
  description: string;
  fields: FieldTable;
  /** Failures that need more than one field. */
  check?: (args: Record<string, unknown>) => CheckFailure[];
  outputs: OutputTable;
  requiredOutputs: string[];
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

const mrsJob = {
  name: "MrsJob",
  schema: objectType("An MRS job execution.", {
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
const mrsJobOutputs: OutputTable = Object.fromEntries(
  Object.entries(mrsJob.schema.properties).map(([key, p]) => [
    key,
    { type: p.type as OutputSpec["type"], description: p.description },
  ]),
);

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
    requiredOutputs: ["jobExecutionId"],
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
    outputs: { jobs: { type: "objectList", itemType: mrsJob, description: "The matching jobs" } },
    requiredOutputs: ["jobs"],
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
      subscriptionId: { type: "integer", description: "The subscription id" },
      instances: {
        type: "objectList",
        itemType: {
          name: "NodemanInstance",
          schema: objectType("A NodeMan instance and its task status.", {
            instanceId: ["string", "The instance id."],
            status: ["string", "The instance's task status."],
            running: ["boolean", "True while the instance's task (or its current step) is running."],
          }),
        },
        description: "Each instance of the subscription (or of instanceIds)",
      },
    },
    requiredOutputs: ["subscriptionId", "instances"],
    run: async (args, options) => ({
      ...(await getNodemanSubscriptionStatus(checked<GetNodemanSubscriptionStatusArgs>(args), options)),
    }),
  },
];
