/** MrsJobTermination as the rest of the package knows it (targets/registration.ts). */
import type { TargetRegistration } from "../registration";
import { mrsFunctions } from "./plugin";
import { mrsTarget } from "./target";

export const mrsRegistration = {
  folder: "mrs",
  target: mrsTarget,
  providerName: "mrsJobTermination" as const,
  providerExport: "mrsJobTerminationProvider",
  detailsType: "MrsDetails",
  description:
    "Kills running Huawei Cloud MRS job executions on `pulumi up` and records what happened. Deleting it sends nothing: a kill cannot be undone.",
  functions: mrsFunctions,
} satisfies TargetRegistration;
