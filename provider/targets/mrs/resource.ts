/** The class users construct: `new MrsJobTermination(name, args)`. */
import * as pulumi from "@pulumi/pulumi";
import { TerminationResource } from "../../core/resource";
import type { MrsJobTerminationArgs } from "./inputs.generated";
import type { MrsJobState } from "./outputs";

/** Kills running MRS job executions on `pulumi up` and records what happened. */
export class MrsJobTermination extends TerminationResource {
  declare readonly jobName: pulumi.Output<string | undefined>;
  declare readonly jobState: pulumi.Output<string | undefined>;
  declare readonly jobResult: pulumi.Output<string | undefined>;
  declare readonly jobs: pulumi.Output<MrsJobState[]>;
  declare readonly killedJobExecutionIds: pulumi.Output<string[]>;
  declare readonly failedJobExecutionIds: pulumi.Output<string[]>;
  declare readonly uncertainJobExecutionIds: pulumi.Output<string[]>;

  constructor(name: string, args: MrsJobTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = [
      "jobName",
      "jobState",
      "jobResult",
      "jobs",
      "killedJobExecutionIds",
      "failedJobExecutionIds",
      "uncertainJobExecutionIds",
    ];
    super("mrsJobTermination", "MrsJobTermination", name, args, outputs, opts);
  }
}
