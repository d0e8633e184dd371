/**
 * The output table: what YarnApplicationTermination records beside its inputs and the record every
 * termination keeps. The only statement of them: `outputs.generated.ts` and the schema come from it.
 */
import type { OutputTable } from "../../core/outputs";

export const yarnOutputs = {
  applications: {
    type: "objectList",
    setByCreate: true,
    description: "every application this termination covers, as last seen",
    item: {
      name: "YarnApplicationState",
      description: "A YARN application as last seen.",
      properties: {
        applicationId: { type: "string", required: true, description: "the application id" },
        name: { type: "string", description: "the application's name" },
        user: { type: "string", description: "the user that submitted it" },
        queue: {
          type: "string",
          description: "its queue, as the ResourceManager reports it (e.g. root.etl)",
        },
        applicationType: { type: "string", description: "its type, e.g. SPARK" },
        state: { type: "string", description: "its state, e.g. RUNNING or KILLED" },
        finalStatus: {
          type: "string",
          description:
            "its final status as YARN reports it: UNDEFINED while it runs, then SUCCEEDED, FAILED or KILLED",
        },
        diagnostics: { type: "string", description: "the ResourceManager's diagnostics, e.g. who killed it" },
        startedTime: { type: "number", description: "when it started, epoch milliseconds" },
        finishedTime: { type: "number", description: "when it finished, epoch milliseconds" },
        gone: {
          type: "flag",
          description:
            "set by a refresh that found this application forgotten by the ResourceManager; the rest is as last seen",
        },
      },
    },
  },
  killedApplicationIds: {
    type: "stringList",
    setByCreate: true,
    description: "the applications a kill was sent to",
  },
  failedApplicationIds: {
    type: "stringList",
    setByCreate: true,
    description:
      'the applications whose kill did not go through (or, with whenAlreadyFinished "fail", that had finished): the next `pulumi up` retries them',
  },
  state: { type: "string", description: "with applicationId: the application's state, as last seen" },
  finalStatus: { type: "string", description: "with applicationId: its final status, as last seen" },
  diagnostics: { type: "string", description: "with applicationId: the ResourceManager's diagnostics" },
} satisfies OutputTable;
