/** What the package exports of YarnApplicationTermination (provider/index.ts, through targets/public.generated.ts). */
export { YarnApplicationTermination } from "./resource";
export { yarnApplicationTerminationProvider } from "./target";
export type {
  YarnApplicationSelector,
  YarnApplicationTerminationArgs,
  YarnApplicationTerminationInputs,
} from "./inputs.generated";
export type { YarnApplicationState, YarnApplicationTerminationOutputs } from "./outputs.generated";
export {
  getYarnApplication,
  getYarnApplicationOutput,
  listYarnApplications,
  listYarnApplicationsOutput,
  type GetYarnApplicationArgs,
  type ListYarnApplicationsArgs,
  type YarnApplication,
} from "./lookups";
