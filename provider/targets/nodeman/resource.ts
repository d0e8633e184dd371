/** The class users construct: `new NodemanTaskTermination(name, args)`. */
import type * as pulumi from "@pulumi/pulumi";
import { TerminationResource } from "../../core/resource";
import type { NodemanTaskTerminationArgs } from "./inputs.generated";
import { nodemanOutputs } from "./outputs";
import type { NodemanTaskTerminationProperties } from "./outputs.generated";

// Its outputs as properties (resolvedRoute, instances), generated from `nodemanOutputs`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface NodemanTaskTermination extends NodemanTaskTerminationProperties {}

/** Revokes the running tasks of a NodeMan subscription on `pulumi up` and records what happened. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NodemanTaskTermination extends TerminationResource {
  constructor(name: string, args: NodemanTaskTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    super("nodemanTaskTermination", "NodemanTaskTermination", name, args, nodemanOutputs, opts);
  }
}
