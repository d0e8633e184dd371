/**
 * The inputs of YarnApplicationTermination, stated once: validation, diff, the TypeScript types
 * (inputs.generated.ts) and the provider schema all come from this table.
 */
import { commonFields } from "../../core/commonFields";
import { isUnknown, type CheckFailure, type FieldTable } from "../../validation/fields";
import { finalStates, nonFinalStates } from "./codes";
import { checkResourceManagerUrls } from "./settings";

/**
 * An application id as ApplicationId.fromString parses it: `application_`, the RM's start time
 * (the cluster timestamp, epoch ms) and a sequence number (at least 4 digits as printed).
 */
export const applicationIdPattern = /^application_[0-9]{1,19}_[0-9]{1,10}$/;

export function checkApplicationId(value: string): string | undefined {
  return applicationIdPattern.test(value)
    ? undefined
    : `must be a YARN application id, application_<clusterTimestamp>_<sequence> such as application_1700000000000_0001, got ${JSON.stringify(value.slice(0, 80))}`;
}

const selectorStrings = ["name", "queue", "user", "applicationType"];
const selectorKeys = [...selectorStrings, "applicationTags", "states"];

function stringProblem(v: unknown): string | undefined {
  if (typeof v !== "string" || v.trim() === "" || v.length > 256)
    return `must be a non-empty string, got ${JSON.stringify(v)}`;
  // Matching is exact, so a stray space would match nothing and the termination kill nothing.
  if (v !== v.trim()) return `must not start or end with a space, got ${JSON.stringify(v)}`;
  try {
    encodeURIComponent(v);
  } catch {
    return "must be valid Unicode (it holds a lone surrogate)";
  }
  return undefined;
}

function listProblems(key: string, value: unknown, item: (v: unknown) => string | undefined): CheckFailure[] {
  if (isUnknown(value)) return [];
  if (!Array.isArray(value) || value.length === 0 || value.length > 32)
    return [{ property: key, reason: "must be a list of 1 to 32 values" }];
  return value.flatMap((v, i) => {
    const problem = isUnknown(v) ? undefined : item(v);
    return problem ? [{ property: `${key}[${i}]`, reason: problem }] : [];
  });
}

export function checkSelector(value: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(value)) {
    if (!selectorKeys.includes(key))
      failures.push({
        property: key,
        reason: `unknown selector field; expected one of ${selectorKeys.join(", ")}`,
      });
  }
  for (const key of selectorStrings) {
    const v = value[key];
    const problem = v === undefined || isUnknown(v) ? undefined : stringProblem(v);
    if (problem) failures.push({ property: key, reason: problem });
  }
  if (value.applicationTags !== undefined)
    failures.push(
      ...listProblems("applicationTags", value.applicationTags, (v) =>
        // AppInfo joins an application's tags with commas: a tag holding one could never match.
        typeof v === "string" && v.includes(",")
          ? `must not hold a comma, got ${JSON.stringify(v)}`
          : stringProblem(v),
      ),
    );
  if (value.states !== undefined) {
    const all = [...nonFinalStates, ...finalStates];
    failures.push(
      ...listProblems("states", value.states, (v) =>
        all.includes(v as string) ? undefined : `must be one of ${all.join(", ")}, got ${JSON.stringify(v)}`,
      ),
    );
  }
  if (!Object.keys(value).some((key) => selectorKeys.includes(key)))
    failures.push({
      property: "name",
      reason: `a selector needs at least one of ${selectorKeys.join(", ")}`,
    });
  return failures;
}

export const yarnFields: FieldTable = {
  applicationId: {
    type: "string",
    onChange: "replace",
    check: checkApplicationId,
    description: "the YARN application to kill, e.g. application_1700000000000_0001",
  },
  applicationIds: {
    type: "stringList",
    maxItems: 100,
    allowEmpty: true,
    onChange: "replace",
    check: checkApplicationId,
    description: "applications to kill; an empty list kills nothing",
  },
  applicationSelector: {
    type: "object",
    onChange: "replace",
    check: checkSelector,
    typeName: "YarnApplicationSelector",
    properties: {
      name: { type: "string", description: "the exact application name" },
      queue: {
        type: "string",
        description: "the queue, e.g. root.etl (a name without root. is taken as under root)",
      },
      user: { type: "string", description: "the user that submitted the application" },
      applicationType: { type: "string", description: "the exact application type, e.g. SPARK or MAPREDUCE" },
      applicationTags: {
        type: "stringList",
        description: "tags the application must all carry (YARN compares tags regardless of case)",
      },
      states: {
        type: "stringList",
        description: `application states to match (default: those not final, ${nonFinalStates.join(", ")})`,
      },
    },
    description: "kill every application matching all of its fields when `pulumi up` runs",
  },
  maxApplications: {
    type: "integer",
    min: 1,
    max: 1000,
    onChange: "update",
    default: 10,
    description:
      "the most applications applicationSelector may match; more fails preview and create, killing nothing",
  },
  resourceManagerUrl: {
    type: "string",
    onChange: "replace",
    check: checkResourceManagerUrls,
    description:
      "the ResourceManager's web address, e.g. http://rm.example.com:8088; an HA pair separated by a comma (default: stack config yarn:resourceManagerUrl, environment YARN_RESOURCEMANAGER_URL)",
  },
  whenAlreadyFinished: {
    type: "enum",
    values: ["succeed", "fail"],
    onChange: "update",
    default: "succeed",
    description: "what an application already finished means",
  },
  ...commonFields,
};
