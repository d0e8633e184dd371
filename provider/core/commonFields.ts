/** Fields every termination has, merged into each target's table. */
import type { FieldTable } from "../validation/fields";

export const waitDefaults = { waitForTermination: true, waitTimeoutSeconds: 300 };

export const commonFields: FieldTable = {
  waitForTermination: {
    type: "boolean",
    onChange: "update",
    default: true,
    description: "wait until the target has stopped (default true)",
  },
  waitTimeoutSeconds: {
    type: "integer",
    min: 1,
    max: 86_400,
    onChange: "update",
    default: 300,
    description: "how long to wait, in seconds (default 300)",
  },
  triggers: { type: "list", onChange: "replace", description: "any change terminates again" },
  preflight: {
    type: "boolean",
    onChange: "ignore",
    default: true,
    description: "read the target during preview to show what will be terminated (default true)",
  },
};
