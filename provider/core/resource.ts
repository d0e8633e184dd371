/**
 * What every termination resource shares: the arguments of the lifecycle and the record outputs.
 * A target's resource class adds its own arguments and outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import type { TerminationArgs } from "./inputs.generated";
import { recordOutputs, type OutputTable } from "./outputs";
import type { TerminationRecordProperties } from "./outputs.generated";
import { serializableProvider, type ProviderName } from "./serializable";

// The record's properties (outcome, requestedAt, …), generated from `recordOutputs`: the engine sets them.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface TerminationResource extends TerminationRecordProperties {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class TerminationResource extends pulumi.dynamic.Resource {
  /** `outputs` is the target's output table, so that the engine knows every output before create. */
  protected constructor(
    provider: ProviderName,
    type: string,
    name: string,
    args: TerminationArgs,
    outputs: OutputTable,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const record = [...Object.keys(recordOutputs), ...Object.keys(outputs)];
    const props = { ...args, ...Object.fromEntries(record.map((key) => [key, undefined])) };
    super(serializableProvider(provider), name, props, opts, "termination", type);
  }
}
