/** The public API of pulumi-termination: every export here is on purpose. */
export { MrsJobTermination } from "./targets/mrs/resource";
export { mrsJobTerminationProvider } from "./targets/mrs/target";
export type {
  MrsJobSelector,
  MrsJobTerminationArgs,
  MrsJobTerminationInputs,
} from "./targets/mrs/inputs.generated";
export type { MrsJobState, MrsJobTerminationOutputs } from "./targets/mrs/outputs.generated";
export { NodemanTaskTermination } from "./targets/nodeman/resource";
export { nodemanTaskTerminationProvider } from "./targets/nodeman/target";
export type {
  NodemanTaskTerminationArgs,
  NodemanTaskTerminationInputs,
} from "./targets/nodeman/inputs.generated";
export type { InstanceStatus, NodemanTaskTerminationOutputs } from "./targets/nodeman/outputs.generated";
export {
  formatInstanceId,
  hostInstanceId,
  parseInstanceId,
  type HostKey,
  type InstanceId,
  type NodeType,
  type ObjectType,
  type ParseResult,
} from "./targets/nodeman/instanceId";
export {
  ApiError,
  ConfigurationError,
  NetworkError,
  TerminationError,
  TerminationIncompleteError,
  WaitTimeoutError,
  isApiError,
  isConfigurationError,
  isNetworkError,
  isTerminationError,
  isTerminationIncompleteError,
  isWaitTimeoutError,
} from "./errors";
export type { Outcome, TerminationRecord } from "./core/contract";
export type { TerminationArgs } from "./core/inputs.generated";
export { TerminationResource } from "./core/resource";
export type { LookupOptions } from "./core/lookup";
export {
  getMrsJob,
  getMrsJobOutput,
  listMrsJobs,
  listMrsJobsOutput,
  type GetMrsJobArgs,
  type ListMrsJobsArgs,
  type MrsJob,
} from "./targets/mrs/lookups";
export {
  getNodemanSubscriptionStatus,
  getNodemanSubscriptionStatusOutput,
  type GetNodemanSubscriptionStatusArgs,
  type NodemanSubscriptionStatus,
} from "./targets/nodeman/lookups";
