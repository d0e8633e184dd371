/**
 * Input validation as data: each target declares a table of fields, and the same table drives
 * `check` (what is valid) and `diff` (what a change means). Pure functions, no I/O.
 */

/** What the engine sends for a value not known yet during preview. Never an error. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** The value of a field, read from typed inputs or from a plain record alike. */
export function valueOf(values: object, key: string): unknown {
  return Reflect.get(values, key);
}

export interface CheckFailure {
  property: string;
  reason: string;
}

interface FieldBase {
  /**
   * A change of this field: "replace" terminates again, "update" only changes the record,
   * "ignore" is no change at all (a preview-time switch).
   */
  onChange: "replace" | "update" | "ignore";
  required?: boolean;
  description: string;
  /** What an absent value means, stated for the provider schema; the code that applies it is unchanged. */
  default?: string | number | boolean;
}

/** A field of an object input, for the provider schema (the object's `check` validates it). */
export interface PropertyShape {
  type: "string" | "stringList";
  description: string;
}

export type FieldSpec = FieldBase &
  (
    | { type: "integer"; min: number; max: number }
    | { type: "string"; check?: (value: string) => string | undefined }
    | { type: "boolean" }
    | { type: "enum"; values: readonly string[] }
    | {
        type: "stringList";
        check?: (value: string) => string | undefined;
        maxItems: number;
        allowEmpty?: boolean;
      }
    /** An object whose fields `check` validates; its failures' properties are relative to it. */
    | {
        type: "object";
        check: (value: Record<string, unknown>) => CheckFailure[];
        properties?: Record<string, PropertyShape>;
        /** The TypeScript interface of the object, in the generated types. */
        typeName?: string;
      }
    | { type: "list" }
  );

export type FieldTable = Record<string, FieldSpec>;

/** Keys the engine adds to every dynamic resource's inputs. */
const engineKeys = new Set(["__provider"]);

const maxStringLength = 1024;

export function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? text.slice(0, 57) + "..." : text;
}

function checkString(value: unknown, check?: (value: string) => string | undefined): string | undefined {
  if (typeof value !== "string") return `must be a string, got ${describeValue(value)}`;
  if (value.trim() === "") return "must not be empty";
  if (value.length > maxStringLength) return `must be at most ${maxStringLength} characters`;
  return check?.(value);
}

function checkField(spec: FieldSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value))
        return `must be an integer, got ${describeValue(value)}`;
      if (value < spec.min || value > spec.max)
        return `must be between ${spec.min} and ${spec.max}, got ${value}`;
      return undefined;
    case "string":
      return checkString(value, spec.check);
    case "boolean":
      return typeof value === "boolean" ? undefined : `must be true or false, got ${describeValue(value)}`;
    case "enum":
      return typeof value === "string" && spec.values.includes(value)
        ? undefined
        : `must be one of ${spec.values.map((v) => `"${v}"`).join(", ")}, got ${describeValue(value)}`;
    case "list":
      return Array.isArray(value) ? undefined : `must be a list, got ${describeValue(value)}`;
    case "object":
      return typeof value === "object" && !Array.isArray(value)
        ? undefined
        : `must be an object, got ${describeValue(value)}`;
    case "stringList": {
      if (!Array.isArray(value)) return `must be a list of strings, got ${describeValue(value)}`;
      if (value.length === 0 && !spec.allowEmpty) return "must not be empty: leave it out to mean all";
      if (value.length > spec.maxItems)
        return `must hold at most ${spec.maxItems} items, got ${value.length}`;
      return undefined;
    }
  }
}

/** Every failure in `news` against the table, each naming its field (`instanceIds[2]` for an item). */
export function validateFields(news: object, table: FieldTable): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (!Object.hasOwn(table, key) && !engineKeys.has(key)) {
      failures.push({
        property: key,
        reason: `unknown argument; expected one of ${Object.keys(table).join(", ")}`,
      });
    }
  }
  for (const [property, spec] of Object.entries(table)) {
    const value = valueOf(news, property);
    if (isUnknown(value)) continue;
    if (value === undefined || value === null) {
      if (spec.required) failures.push({ property, reason: `is required: ${spec.description}` });
      continue;
    }
    const reason = checkField(spec, value);
    if (reason) {
      failures.push({ property, reason });
      continue;
    }
    if (spec.type === "object") {
      for (const failure of spec.check(value as Record<string, unknown>)) {
        failures.push({ property: `${property}.${failure.property}`, reason: failure.reason });
      }
    }
    if (spec.type === "stringList") {
      const items = value as unknown[];
      items.forEach((item, index) => {
        if (isUnknown(item)) return;
        const itemReason = checkString(item, spec.check);
        if (itemReason) failures.push({ property: `${property}[${index}]`, reason: itemReason });
      });
      const seen = new Set<unknown>();
      items.forEach((item, index) => {
        if (seen.has(item) && !isUnknown(item))
          failures.push({ property: `${property}[${index}]`, reason: `duplicates ${describeValue(item)}` });
        seen.add(item);
      });
    }
  }
  return failures;
}

/** Deep equality of two input values, as the engine would see them. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface FieldDiff {
  changes: boolean;
  replaces: string[];
}

/**
 * Which declared fields changed and which of those force a new termination; `__provider` and
 * fields documented as no change (`onChange: "ignore"`) never count.
 */
export function diffFields(olds: object, news: object, table: FieldTable): FieldDiff {
  const changed = Object.keys(table).filter((key) => {
    const value = valueOf(news, key);
    return table[key].onChange !== "ignore" && (isUnknown(value) || !sameValue(valueOf(olds, key), value));
  });
  return {
    changes: changed.length > 0,
    replaces: changed.filter((key) => table[key].onChange === "replace"),
  };
}

/**
 * Failures as the engine prints them. The engine looks a failure's property up among the
 * top-level inputs and prints "property P value V has a problem: R"; a name it cannot find
 * (`instanceIds[1]`, a missing field, a setting such as `credentials`) prints as `{<nil>}`, which
 * reads like a bug. So a property stays only when it is a top-level input that is set; any other
 * failure gets no property (the engine then prints "resource X has a problem: R") and its name
 * leads the reason: "instanceIds[1]: ...". `failureName` reads the name back.
 */
export function forEngine(failures: CheckFailure[], news: object): CheckFailure[] {
  return failures.map(({ property, reason }) => {
    const value = valueOf(news, property);
    if (property === "" || (value !== undefined && value !== null)) return { property, reason };
    return { property: "", reason: `${property}: ${reason}` };
  });
}

/** The field or setting a failure is about, as `forEngine` left it: its property, or the reason's lead. */
export function failureName(failure: CheckFailure): string {
  return failure.property || (/^([A-Za-z][\w.[\]]*): /.exec(failure.reason)?.[1] ?? "");
}
