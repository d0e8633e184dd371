/**
 * What every termination resource shares: the arguments of the lifecycle and the record outputs.
 * A target's resource class adds its own arguments and outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TerminationRecord } from "./contract";
import type { TerminationArgs } from "./inputs.generated";
import { serializableProvider, type ProviderName } from "./serializable";

export abstract class TerminationResource extends pulumi.dynamic.Resource {
  declare readonly outcome: pulumi.Output<TerminationRecord["outcome"]>;
  declare readonly requestedAt: pulumi.Output<string>;
  declare readonly completedAt: pulumi.Output<string | undefined>;
  declare readonly requestId: pulumi.Output<string | undefined>;

  /** `outputs` names the target's own outputs, so that the engine knows them before create. */
  protected constructor(
    provider: ProviderName,
    type: string,
    name: string,
    args: TerminationArgs,
    outputs: string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    const record = ["outcome", "requestedAt", "completedAt", "requestId", ...outputs];
    const props = { ...args, ...Object.fromEntries(record.map((key) => [key, undefined])) };
    super(serializableProvider(provider), name, props, opts, "termination", type);
  }
}
