/** The public API of pulumi-termination: every export here is on purpose. */
export {
  MrsJobTermination,
  mrsJobTerminationProvider,
  type MrsJobSelector,
  type MrsJobState,
  type MrsJobTerminationArgs,
  type MrsJobTerminationInputs,
  type MrsJobTerminationOutputs,
} from "./targets/mrs";
export {
  NodemanTaskTermination,
  nodemanTaskTerminationProvider,
  type InstanceStatus,
  type NodemanTaskTerminationArgs,
  type NodemanTaskTerminationInputs,
  type NodemanTaskTerminationOutputs,
} from "./targets/nodeman";
export {
  formatInstanceId,
  hostInstanceId,
  parseInstanceId,
  type HostKey,
  type InstanceId,
  type NodeType,
  type ObjectType,
  type ParseResult,
} from "./targets/nodemanInstanceId";
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
export type { Outcome, TerminationRecord } from "./lifecycle";
export { TerminationResource, type TerminationArgs } from "./resource";
export {
  getMrsJob,
  getMrsJobOutput,
  getNodemanSubscriptionStatus,
  getNodemanSubscriptionStatusOutput,
  listMrsJobs,
  listMrsJobsOutput,
  type GetMrsJobArgs,
  type GetNodemanSubscriptionStatusArgs,
  type ListMrsJobsArgs,
  type LookupOptions,
  type MrsJob,
  type NodemanSubscriptionStatus,
} from "./lookups";
