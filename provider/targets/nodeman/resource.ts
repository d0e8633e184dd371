/** The class users construct: `new NodemanTaskTermination(name, args)`. */
import * as pulumi from "@pulumi/pulumi";
import { TerminationResource } from "../../core/resource";
import type { NodemanTaskTerminationArgs } from "./inputs.generated";
import type { InstanceStatus } from "./outputs";

/** Revokes the running tasks of a NodeMan subscription on `pulumi up` and records what happened. */
export class NodemanTaskTermination extends TerminationResource {
  declare readonly resolvedRoute: pulumi.Output<"apigw" | "esb">;
  declare readonly instances: pulumi.Output<InstanceStatus[] | undefined>;

  constructor(name: string, args: NodemanTaskTerminationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "nodemanTaskTermination",
      "NodemanTaskTermination",
      name,
      args,
      ["resolvedRoute", "instances"],
      opts,
    );
  }
}
