/**
 * What a target's plugin functions are (its lookups as the plugin serves them): arguments as a
 * field table, results as an output table. Each target states its own in its folder's plugin.ts.
 */
import type { LookupOptions } from "../core/lookup";
import type { OutputTable } from "../core/outputs";
import type { CheckFailure, FieldSpec, FieldTable } from "../validation/fields";

export interface ServedFunction {
  name: string;
  description: string;
  fields: FieldTable;
  /** Failures that need more than one field. */
  check?: (args: Record<string, unknown>) => CheckFailure[];
  outputs: OutputTable;
  run(args: Record<string, unknown>, options: LookupOptions): Promise<Record<string, unknown>>;
}

/** A list item's properties, for a function's outputs: `[type, description]` each. */
export const itemProperties = (
  properties: Record<string, ["string" | "number" | "boolean" | "stringList", string]>,
): OutputTable =>
  Object.fromEntries(
    Object.entries(properties).map(([key, [type, description]]) => [key, { type, description }]),
  );

/** Arguments that passed their function's field table: the lookups' own argument types. */
export function checked<T>(args: Record<string, unknown>): T {
  return args as T;
}

export const required = (spec: FieldSpec): FieldSpec => ({ ...spec, required: true });
