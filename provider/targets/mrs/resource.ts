/** The class users construct: `new MrsJobTermination(name, args)`. */
import type * as pulumi from "@pulumi/pulumi";
import { TerminationResource } from "../../core/resource";
import type { MrsJobTerminationArgs } from "./inputs.generated";
import { mrsOutputs } from "./outputs";
import type { MrsJobTerminationProperties } from "./outputs.generated";

// Its outputs as properties (jobs, killedJobExecutionIds, …), generated from `mrsOutputs`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface MrsJobTermination extends MrsJobTerminationProperties {}

/** Kills running MRS job executions on `pulumi up` and records what happened. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class MrsJobTermination extends TerminationResource {
  constructor(name: string, args: MrsJobTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    super("mrsJobTermination", "MrsJobTermination", name, args, mrsOutputs, opts);
  }
}
