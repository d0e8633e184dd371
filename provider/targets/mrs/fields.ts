/**
 * The inputs of MrsJobTermination, stated once: validation, diff, the TypeScript types
 * (inputs.generated.ts) and the provider schema all come from this table.
 */
import { commonFields } from "../../core/commonFields";
import { isUnknown, type CheckFailure, type FieldTable } from "../../validation/fields";
import { checkEndpoint, checkPathId } from "../../validation/url";
import { checkJobName, finalJobStates, nonFinalJobStates } from "./api";
import { regionPattern } from "./settings";

/** A lone surrogate cannot be percent-encoded into a query: refused in check, not mid-listing. */
function wellFormed(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

export function checkSelector(value: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const allowed = ["jobName", "jobStates", "user", "queue"];
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      failures.push({
        property: key,
        reason: `unknown selector field; expected one of ${allowed.join(", ")}`,
      });
  }
  for (const key of ["jobName", "user", "queue"]) {
    const v = value[key];
    if (v !== undefined && !isUnknown(v) && (typeof v !== "string" || v.trim() === "" || v.length > 256)) {
      failures.push({ property: key, reason: `must be a non-empty string, got ${JSON.stringify(v)}` });
    } else if (typeof v === "string" && v !== v.trim()) {
      // Matching is exact, so a stray space would match nothing and the termination kill nothing.
      failures.push({
        property: key,
        reason: `must not start or end with a space, got ${JSON.stringify(v)}`,
      });
    } else if (typeof v === "string" && !wellFormed(v)) {
      failures.push({ property: key, reason: "must be valid Unicode (it holds a lone surrogate)" });
    } else if (key === "jobName" && typeof v === "string" && checkJobName(v)) {
      failures.push({ property: key, reason: checkJobName(v) as string });
    }
  }
  const states = value.jobStates;
  if (states !== undefined && !isUnknown(states)) {
    const all = [...nonFinalJobStates, ...finalJobStates];
    if (!Array.isArray(states) || states.length === 0)
      failures.push({ property: "jobStates", reason: "must be a non-empty list of job states" });
    else
      states.forEach((state, i) => {
        if (!isUnknown(state) && !all.includes(state as string))
          failures.push({
            property: `jobStates[${i}]`,
            reason: `must be one of ${all.join(", ")}, got ${JSON.stringify(state)}`,
          });
      });
  }
  if (Object.keys(value).filter((k) => allowed.includes(k)).length === 0) {
    failures.push({
      property: "jobName",
      reason: "a selector needs at least one of jobName, jobStates, user, queue",
    });
  }
  return failures;
}

export const mrsFields: FieldTable = {
  clusterId: {
    type: "string",
    required: true,
    onChange: "replace",
    check: checkPathId,
    description: "the MRS cluster id",
  },
  jobExecutionId: {
    type: "string",
    onChange: "replace",
    check: checkPathId,
    description: "the job execution to kill",
  },
  jobExecutionIds: {
    type: "stringList",
    maxItems: 100,
    allowEmpty: true,
    onChange: "replace",
    check: checkPathId,
    description: "job executions to kill; an empty list kills nothing",
  },
  jobSelector: {
    type: "object",
    onChange: "replace",
    check: checkSelector,
    typeName: "MrsJobSelector",
    properties: {
      jobName: {
        type: "string",
        description: "the exact job name: letters, digits, - and _, 1 to 128 characters, as MRS has them",
      },
      jobStates: {
        type: "stringList",
        description: `job states to match (default: those not final, ${nonFinalJobStates.join(", ")})`,
      },
      user: { type: "string", description: "the user that submitted the job" },
      queue: { type: "string", description: "the YARN queue of the job" },
    },
    description: "kill every job matching it",
  },
  maxJobs: {
    type: "integer",
    min: 1,
    max: 1000,
    onChange: "update",
    description:
      "the most jobs jobSelector may match; more fails check and create, killing nothing (default 10)",
  },
  projectId: { type: "string", onChange: "replace", check: checkPathId, description: "the project id" },
  region: {
    type: "string",
    onChange: "replace",
    check: (v) =>
      regionPattern.test(v) ? undefined : `must be a region name such as cn-north-4, got "${v}"`,
    description: "the region, e.g. cn-north-4",
  },
  endpoint: {
    type: "string",
    onChange: "replace",
    check: checkEndpoint,
    description: "the MRS endpoint URL",
  },
  whenAlreadyFinished: {
    type: "enum",
    values: ["succeed", "fail"],
    onChange: "update",
    default: "succeed",
    description: "what a job already finished means",
  },
  ...commonFields,
};
