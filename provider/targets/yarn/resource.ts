/** The class users construct: `new YarnApplicationTermination(name, args)`. */
import type * as pulumi from "@pulumi/pulumi";
import { TerminationResource } from "../../core/resource";
import type { YarnApplicationTerminationArgs } from "./inputs.generated";
import { yarnOutputs } from "./outputs";
import type { YarnApplicationTerminationProperties } from "./outputs.generated";

// Its outputs as properties (applications, killedApplicationIds, …), generated from `yarnOutputs`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface YarnApplicationTermination extends YarnApplicationTerminationProperties {}

/** Kills running YARN applications on `pulumi up` and records what happened. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class YarnApplicationTermination extends TerminationResource {
  constructor(name: string, args: YarnApplicationTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    super("yarnApplicationTermination", "YarnApplicationTermination", name, args, yarnOutputs, opts);
  }
}
