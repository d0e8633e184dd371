/** What the package exports of MrsJobTermination (provider/index.ts, through targets/public.generated.ts). */
export { MrsJobTermination } from "./resource";
export { mrsJobTerminationProvider } from "./target";
export type { MrsJobSelector, MrsJobTerminationArgs, MrsJobTerminationInputs } from "./inputs.generated";
export type { MrsJobState, MrsJobTerminationOutputs } from "./outputs.generated";
export {
  getMrsJob,
  getMrsJobOutput,
  listMrsJobs,
  listMrsJobsOutput,
  type GetMrsJobArgs,
  type ListMrsJobsArgs,
  type MrsJob,
} from "./lookups";
