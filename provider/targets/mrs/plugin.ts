/** The MRS lookups as the plugin serves them (getMrsJob, listMrsJobs). */
import type { OutputItem, OutputTable } from "../../core/outputs";
import { checked, itemProperties, required, type ServedFunction } from "../../plugin/functions";
import { mrsFields } from "./fields";
import { getMrsJob, listMrsJobs, type GetMrsJobArgs, type ListMrsJobsArgs } from "./lookups";

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

export const mrsFunctions: ServedFunction[] = [
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
];
