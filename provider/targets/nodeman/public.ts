/** What the package exports of NodemanTaskTermination (provider/index.ts, through targets/public.generated.ts). */
export { NodemanTaskTermination } from "./resource";
export { nodemanTaskTerminationProvider } from "./target";
export type { NodemanTaskTerminationArgs, NodemanTaskTerminationInputs } from "./inputs.generated";
export type { InstanceStatus, NodemanTaskTerminationOutputs } from "./outputs.generated";
export {
  formatInstanceId,
  hostInstanceId,
  parseInstanceId,
  type HostKey,
  type InstanceId,
  type NodeType,
  type ObjectType,
  type ParseResult,
} from "./instanceId";
export {
  getNodemanSubscriptionStatus,
  getNodemanSubscriptionStatusOutput,
  type GetNodemanSubscriptionStatusArgs,
  type NodemanSubscriptionStatus,
} from "./lookups";
