/**
 * Output tables: what a resource records beside its inputs, as data. Each target states its own
 * (`targets/<name>/outputs.ts`) and the record every termination keeps is stated here, once. The
 * TypeScript types and resource-class properties (`outputs.generated.ts`, `npm run generate`), the
 * output names each resource class registers and the plugin's `schema.json` all come from them.
 */

interface OutputBase {
  description: string;
  /** Present in every record: non-optional in the types, required in the schema. */
  required?: boolean;
  /**
   * Recorded by every create of this version, though records written earlier may lack it: the
   * resource class's property is typed without `undefined`; the record type keeps it optional.
   */
  setByCreate?: boolean;
}

export type OutputSpec = OutputBase &
  (
    | { type: "string" | "integer" | "number" | "boolean" | "stringList" }
    /** Present only as `true`: a marker that is otherwise absent. */
    | { type: "flag" }
    /** One of `values`; with `typeName`, a named type in the generated TypeScript. */
    | { type: "enum"; values: readonly string[]; typeName?: string }
    /** A list of objects, each of the named type `item`. */
    | { type: "objectList"; item: OutputItem }
  );

export interface OutputItem {
  /** The type's name, in TypeScript and in the schema's `types`. */
  name: string;
  description: string;
  properties: OutputTable;
}

export type OutputTable = Record<string, OutputSpec>;

/** What every termination records (TerminationRecord), beside its inputs and its target's outputs. */
export const recordOutputs = {
  outcome: {
    type: "enum",
    values: ["terminated", "nothing-running", "already-finished", "requested"],
    typeName: "Outcome",
    required: true,
    description: "what happened; `requested`: the termination was sent and the target not yet seen stopped",
  },
  requestedAt: {
    type: "string",
    required: true,
    description: "ISO 8601: when the termination request was sent (or found unnecessary)",
  },
  completedAt: {
    type: "string",
    description: "ISO 8601: when the target was seen stopped; absent while that is not known",
  },
  requestId: {
    type: "string",
    description: "the service's request id of the kill or revoke, when one was sent",
  },
  targetGone: {
    type: "flag",
    description:
      "set by a refresh, or a wait after the termination was sent, that found the target deleted (job, cluster, subscription); the rest is as last seen",
  },
  imported: {
    type: "flag",
    description:
      "set when `pulumi import` rebuilt this record from the live target: nothing was sent, the outcome and states are as observed then, and requestedAt is when the import looked",
  },
} satisfies OutputTable;

/** Everything a resource of this target records beside its inputs: the record, then its own outputs. */
export function recordedOutputs(target: { outputs: OutputTable }): OutputTable {
  return { ...recordOutputs, ...target.outputs };
}
