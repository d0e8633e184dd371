/** NodemanTaskTermination as the rest of the package knows it (targets/registration.ts). */
import type { TargetRegistration } from "../registration";
import { nodemanFunctions } from "./plugin";
import { nodemanTarget } from "./target";

export const nodemanRegistration = {
  folder: "nodeman",
  target: nodemanTarget,
  providerName: "nodemanTaskTermination" as const,
  providerExport: "nodemanTaskTerminationProvider",
  detailsType: "NodemanDetails",
  description:
    "Revokes the running tasks of a BlueKing NodeMan subscription on `pulumi up` and records what happened. Deleting it sends nothing: a revoke cannot be undone.",
  functions: nodemanFunctions,
} satisfies TargetRegistration;
