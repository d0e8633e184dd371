/**
 * The output table: what MrsJobTermination records beside its inputs and the record every
 * termination keeps. The only statement of them: `outputs.generated.ts` (MrsDetails, MrsJobState,
 * MrsJobTerminationOutputs, the class's properties) and the schema come from it.
 */
import type { OutputTable } from "../../core/outputs";

export const mrsOutputs = {
  jobs: {
    type: "objectList",
    setByCreate: true,
    description: "every job this termination covers, as last seen",
    item: {
      name: "MrsJobState",
      description: "An MRS job as last seen.",
      properties: {
        jobExecutionId: { type: "string", required: true, description: "the job execution id" },
        jobName: { type: "string", description: "the job's name" },
        jobState: { type: "string", description: "the job's state, e.g. RUNNING or KILLED" },
        jobResult: { type: "string", description: "the job's result, e.g. UNDEFINED or KILLED" },
        gone: {
          type: "flag",
          description: "set by a refresh that found this job deleted; the rest is as last seen",
        },
      },
    },
  },
  killedJobExecutionIds: {
    type: "stringList",
    setByCreate: true,
    description: "the jobs a kill was sent to",
  },
  failedJobExecutionIds: {
    type: "stringList",
    setByCreate: true,
    description:
      'the jobs whose kill did not go through (or, with whenAlreadyFinished "fail", that had finished): the next `pulumi up` retries them',
  },
  uncertainJobExecutionIds: {
    type: "stringList",
    setByCreate: true,
    description:
      "of failedJobExecutionIds, the kills that may have reached MRS although no answer said so: a job among them found KILLED by the next `pulumi up` counts as killed",
  },
  jobName: { type: "string", description: "with jobExecutionId: the job's name" },
  jobState: { type: "string", description: "with jobExecutionId: the job's state, as last seen" },
  jobResult: { type: "string", description: "with jobExecutionId: the job's result, as last seen" },
} satisfies OutputTable;
