/**
 * The inputs of NodemanTaskTermination, stated once: validation, diff, the TypeScript types
 * (inputs.generated.ts) and the provider schema all come from this table.
 */
import { commonFields } from "../../core/commonFields";
import type { FieldTable } from "../../validation/fields";
import { codes } from "./codes";
import { instanceIdProblem } from "./instanceId";

export const nodemanFields: FieldTable = {
  subscriptionId: {
    type: "integer",
    required: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    onChange: "replace",
    description: "the NodeMan subscription id",
  },
  instanceIds: {
    type: "stringList",
    maxItems: 5000,
    check: instanceIdProblem,
    onChange: "replace",
    description: "instance ids such as host|instance|host|1; absent means every running instance",
  },
  route: { type: "enum", values: ["apigw", "esb"], onChange: "replace", description: "API gateway or ESB" },
  stage: {
    type: "string",
    onChange: "replace",
    check: (v) =>
      /^[a-z][a-z0-9_-]{0,31}$/.test(v) ? undefined : `must be a gateway stage name such as prod, got "${v}"`,
    default: "prod",
    description: "the API gateway stage (default prod)",
  },
  whenNothingRunning: {
    type: "enum",
    values: ["succeed", "fail"],
    onChange: "update",
    default: "succeed",
    description: `what code ${codes.nothingToRevoke} (nothing running) means`,
  },
  ...commonFields,
};
