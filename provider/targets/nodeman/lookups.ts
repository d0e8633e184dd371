/** Read-only lookup of a NodeMan subscription's task states, for programs (core/lookup.ts). */
import * as pulumi from "@pulumi/pulumi";
import { lookupSession, type InputArgs, type LookupOptions } from "../../core/lookup";
import { isRunning, readInstances } from "./api";
import { resolveSettings } from "./settings";

export interface GetNodemanSubscriptionStatusArgs {
  subscriptionId: number;
  instanceIds?: string[];
  route?: "apigw" | "esb";
  stage?: string;
}

export interface NodemanSubscriptionStatus {
  subscriptionId: number;
  instances: { instanceId: string; status: string; running: boolean }[];
}

export async function getNodemanSubscriptionStatus(
  args: GetNodemanSubscriptionStatusArgs,
  options: LookupOptions = {},
): Promise<NodemanSubscriptionStatus> {
  const { context, session } = lookupSession(options);
  const instances = (await readInstances(args, resolveSettings(args, context), session)) ?? [];
  return {
    subscriptionId: args.subscriptionId,
    instances: instances.map((i) => ({
      instanceId: i.instanceId,
      status: i.status,
      running: isRunning(i),
    })),
  };
}

export function getNodemanSubscriptionStatusOutput(
  args: InputArgs<GetNodemanSubscriptionStatusArgs>,
  options?: LookupOptions,
): pulumi.Output<NodemanSubscriptionStatus> {
  return pulumi
    .output(args)
    .apply((plain) => getNodemanSubscriptionStatus(plain as GetNodemanSubscriptionStatusArgs, options));
}
