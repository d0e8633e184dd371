/** YarnApplicationTermination as the rest of the package knows it (targets/registration.ts). */
import type { TargetRegistration } from "../registration";
import { yarnFunctions } from "./plugin";
import { yarnTarget } from "./target";

export const yarnRegistration = {
  folder: "yarn",
  target: yarnTarget,
  providerName: "yarnApplicationTermination" as const,
  providerExport: "yarnApplicationTerminationProvider",
  detailsType: "YarnDetails",
  description:
    "Kills running YARN applications through the ResourceManager's REST API on `pulumi up` and records what happened. Deleting it sends nothing: a kill cannot be undone.",
  functions: yarnFunctions,
} satisfies TargetRegistration;
