/** The public API of pulumi-termination: every export here is on purpose. */
// Each target's own exports (its folder's public.ts), listed from the registry by `npm run generate`.
export * from "./targets/public.generated";
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
