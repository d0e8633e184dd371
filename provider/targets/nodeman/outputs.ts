/**
 * The output table: what NodemanTaskTermination records beside its inputs and the record every
 * termination keeps. The only statement of them: `outputs.generated.ts` (NodemanDetails,
 * InstanceStatus, NodemanTaskTerminationOutputs, the class's properties) and the schema come from it.
 */
import type { OutputTable } from "../../core/outputs";

export const nodemanOutputs = {
  resolvedRoute: {
    type: "enum",
    values: ["apigw", "esb"],
    setByCreate: true,
    description: "the route actually used, after defaults",
  },
  instances: {
    type: "objectList",
    description:
      "the last status seen of each targeted instance: the listed ones, or every instance of the subscription",
    item: {
      name: "InstanceStatus",
      description: "A NodeMan instance as last seen.",
      properties: {
        instanceId: {
          type: "string",
          required: true,
          description: "the instance id, e.g. host|instance|host|1",
        },
        status: {
          type: "string",
          required: true,
          description: "the instance's task status, e.g. RUNNING or FAILED",
        },
        taskId: {
          type: "integer",
          description: "the NodeMan task of the record seen; the wait and refresh read these tasks",
        },
        revoked: {
          type: "flag",
          description: "set on the instances the revoke was sent for: those running when create read them",
        },
      },
    },
  },
  skippedInstanceIds: {
    type: "stringList",
    description:
      "with instanceIds: the listed instances not revoked, because they were not running when create read them (or are not in the subscription); a finished host keeps its result",
  },
} satisfies OutputTable;
