/**
 * `pulumi import` ids, written once for every target: `<kind>/<path>[@<epoch ms>][?<argument>=<value>&…]`.
 * The path names what was terminated (each target parses its own); an argument after `?` is any other
 * plain input the program gives (projectId, region, route, resourceManagerUrl…), so that the imported
 * inputs match the program's and the next `up` has nothing to change. `@<epoch ms>` ends the ids that
 * create records: such an id imports as the path it carries. Pure: nothing is read here.
 */
import { ImportIdError, TerminationError } from "../errors";
import { validateFields, type FieldSpec } from "../validation/fields";
import type { Target } from "./contract";

/** The inputs an argument after `?` may set: one plain value each. */
const plainTypes: FieldSpec["type"][] = ["string", "enum", "integer", "boolean"];

function plainValue(spec: FieldSpec, raw: string): unknown {
  if (spec.type === "integer" && /^-?\d+$/.test(raw)) return Number(raw);
  if (spec.type === "boolean" && (raw === "true" || raw === "false")) return raw === "true";
  // Anything else stays text: the field check then says what is wrong with it.
  return raw;
}

/** The arguments that may follow `?` for this target. */
export function queryArguments(target: Pick<Target<object, unknown>, "fields" | "importing">): string[] {
  const { fields, importing } = target;
  return Object.keys(fields).filter(
    (key) => plainTypes.includes(fields[key].type) && !importing.pathFields.includes(key),
  );
}

/** The expected forms, in words, for every error about an id. */
export function expectedForms(target: Pick<Target<object, unknown>, "fields" | "importing">): string {
  const forms = target.importing.forms.join(" or ");
  return `expected ${forms}, optionally followed by ?<argument>=<value>&… for the arguments ${queryArguments(target).join(", ")}`;
}

/** The inputs an import id names, checked against the target's fields; a typed error naming the forms otherwise. */
export function parseImportId(id: string, target: Target<object, unknown>): Record<string, unknown> {
  const { importing, fields } = target;
  const fail = (why: string) =>
    new ImportIdError(
      `${target.typeName}: cannot import ${JSON.stringify(id)}: ${why}; ${expectedForms(target)}. Nothing was read.`,
    );
  const mark = id.indexOf("?");
  let head = mark < 0 ? id : id.slice(0, mark);
  const query = mark < 0 ? "" : id.slice(mark + 1);
  const created = /@\d+$/.test(head);
  if (created) head = head.slice(0, head.lastIndexOf("@"));
  const prefix = `${importing.kind}/`;
  if (!head.startsWith(prefix)) throw fail(`it does not start with ${prefix}`);
  const parsed = importing.parse(head.slice(prefix.length), created);
  if (typeof parsed === "string") throw fail(parsed);
  const inputs: Record<string, unknown> = { ...parsed };
  const allowed = queryArguments(target);
  for (const [key, raw] of new URLSearchParams(query)) {
    if (importing.pathFields.includes(key)) throw fail(`${key} is named by the path, not after ?`);
    if (!allowed.includes(key)) throw fail(`${JSON.stringify(key)} is not an argument that can follow ?`);
    if (key in inputs) throw fail(`${key} is given twice`);
    inputs[key] = plainValue(fields[key], raw);
  }
  const failures = validateFields(inputs, fields);
  if (failures.length > 0) throw fail(failures.map((f) => `${f.property} ${f.reason}`).join("; "));
  return inputs;
}

/** Splits "a,b,c": every part a non-empty id. */
export function idList(text: string, what: string): string[] | string {
  const ids = text.split(",");
  if (ids.some((part) => part === "")) return `an empty ${what} in ${JSON.stringify(text)}`;
  return ids;
}

/**
 * The refusal of an import whose targets still run: nothing terminated them, so there is no
 * termination to record. One wording for every target; `running` names what runs, `terminate` is
 * the target's verb ("kill", "revoke").
 */
export function stillRunning(subject: string, running: string, terminate: string): TerminationError {
  return new TerminationError(
    `${subject}: ${running}: still running, and nothing has terminated it, so there is no termination to import; nothing was sent. ` +
      `Declare the resource without \`import\` and run \`pulumi up\` to ${terminate} it, or import once it has stopped.`,
  );
}
