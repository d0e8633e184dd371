/**
 * The Pulumi package schema of `termination`, made from the field tables: inputs (types,
 * descriptions, defaults, required), the outputs each resource records, the functions, and the
 * provider's configuration with its secret fields. `schema.json` at the repository root is this,
 * committed; a test fails when it is stale (`npm run schema` rewrites it).
 */
import type { FieldSpec, FieldTable, PropertyShape } from "../validation/fields";
import {
  credentialObjectDescriptions,
  credentialObjects,
  terminationProperties,
  type ConfigProperty,
} from "./config";
import { recordedOutputs, type OutputSpec, type OutputTable } from "../core/outputs";
import { functions, resources } from "./tables";

type Json = Record<string, unknown>;

const pkg = "termination";
const token = (name: string) => `${pkg}:index:${name}`;
const ref = (name: string) => ({ $ref: `#/types/${token(name)}` });

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1) + (trimmed.endsWith(".") ? "" : ".");
}

const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * The Go SDK's module (sdk/go/go.mod, written by `npm run generate:sdks`) and the import path of its
 * one package. The repository is not published under this path: a program points its go.mod at a
 * checkout with `replace github.com/pulumi-termination/pulumi-termination/sdk/go => <checkout>/sdk/go`.
 */
export const goModulePath = "github.com/pulumi-termination/pulumi-termination/sdk/go";
/** The Python SDK's distribution and import name (sdk/python, pip-installable). */
export const pythonPackageName = "pulumi_termination";

/**
 * The code generators' settings (pkg/v3 codegen/go and codegen/python, run by scripts/codegen/sdkgen).
 * Both SDKs carry the schema's version, so that the engine asks for the plugin of this package.
 */
const languages = {
  go: {
    importBasePath: `${goModulePath}/${pkg}`,
    modulePath: goModulePath,
    respectSchemaVersion: true,
  },
  python: {
    packageName: pythonPackageName,
    pyproject: { enabled: true },
    respectSchemaVersion: true,
  },
};

function shapeSchema(shape: PropertyShape): Json {
  const type =
    shape.type === "stringList" ? { type: "array", items: { type: "string" } } : { type: "string" };
  return { ...type, description: sentence(shape.description) };
}

/** One input property; object fields add their own named type to `types`. */
function fieldSchema(name: string, spec: FieldSpec, types: Json): Json {
  let type: Json;
  let description = sentence(spec.description);
  switch (spec.type) {
    case "integer":
      type = { type: "integer" };
      break;
    case "boolean":
      type = { type: "boolean" };
      break;
    case "string":
      type = { type: "string" };
      break;
    case "enum":
      type = { type: "string" };
      description += ` One of: ${spec.values.map((v) => `\`${v}\``).join(", ")}.`;
      break;
    case "stringList":
      type = { type: "array", items: { type: "string" } };
      break;
    case "list":
      type = { type: "array", items: { $ref: "pulumi.json#/Any" } };
      break;
    case "object": {
      const typeName = capitalized(name);
      types[token(typeName)] = {
        type: "object",
        description,
        properties: Object.fromEntries(
          Object.entries(spec.properties ?? {}).map(([key, shape]) => [key, shapeSchema(shape)]),
        ),
      };
      type = ref(typeName);
      break;
    }
  }
  return { ...type, description, ...(spec.default === undefined ? {} : { default: spec.default }) };
}

function inputs(table: FieldTable, types: Json) {
  return {
    properties: Object.fromEntries(
      Object.entries(table).map(([key, spec]) => [key, fieldSchema(key, spec, types)]),
    ),
    required: Object.keys(table).filter((key) => table[key].required),
  };
}

/** One output property; an enum lists its values, a list item adds its named type to `types`. */
function outputSchema(spec: OutputSpec, types: Json): Json {
  const description = sentence(spec.description);
  switch (spec.type) {
    case "flag":
      return { type: "boolean", description };
    case "enum":
      return {
        type: "string",
        description: `${description} One of: ${spec.values.map((v) => `\`${v}\``).join(", ")}.`,
      };
    case "stringList":
      return { type: "array", items: { type: "string" }, description };
    case "objectList": {
      const { name, properties } = spec.item;
      const required = Object.keys(properties).filter((key) => properties[key].required);
      types[token(name)] = {
        type: "object",
        description: sentence(spec.item.description),
        properties: outputsSchema(properties, types),
        ...(required.length > 0 ? { required } : {}),
      };
      return { type: "array", items: ref(name), description };
    }
    default:
      return { type: spec.type, description };
  }
}

function outputsSchema(table: OutputTable, types: Json): Json {
  return Object.fromEntries(Object.entries(table).map(([key, spec]) => [key, outputSchema(spec, types)]));
}

function configSchema(property: ConfigProperty): Json {
  const env = property.spec.env.map((e) => `\`${e}\``).join(" or ");
  const fallback = property.default === undefined ? "" : ` Default: ${property.default}.`;
  return {
    type: property.type,
    description: `${sentence(property.description)}${fallback} Stack config \`${property.spec.config}\` for the dynamic provider; environment ${env}.`,
    // No schema default: an SDK would send it as a provider setting, and the environment would never be read.
    ...(property.secret ? { secret: true } : {}),
  };
}

export function buildSchema(version: string): Json {
  const types: Json = {};
  for (const [name, table] of Object.entries(credentialObjects)) {
    types[token(capitalized(name)) + "Settings"] = {
      type: "object",
      description: credentialObjectDescriptions[name as keyof typeof credentialObjects].type,
      properties: Object.fromEntries(Object.entries(table).map(([key, p]) => [key, configSchema(p)])),
    };
  }
  const configProperties: Json = {
    ...Object.fromEntries(
      Object.keys(credentialObjects).map((name) => [
        name,
        {
          ...ref(`${capitalized(name)}Settings`),
          description: `${credentialObjectDescriptions[name as keyof typeof credentialObjects].title} settings (stack config \`termination:${name}\`); secret fields stay encrypted in state.`,
        },
      ]),
    ),
    ...Object.fromEntries(Object.entries(terminationProperties).map(([key, p]) => [key, configSchema(p)])),
  };

  const resourceSchemas: Json = {};
  for (const resource of resources) {
    const { properties, required } = inputs(resource.target.fields, types);
    const outputs = recordedOutputs(resource.target);
    resourceSchemas[token(resource.target.typeName)] = {
      description: resource.description,
      inputProperties: properties,
      requiredInputs: required,
      properties: { ...properties, ...outputsSchema(outputs, types) },
      required: [...required, ...Object.keys(outputs).filter((key) => outputs[key].required)],
    };
  }

  const functionSchemas: Json = {};
  for (const fn of functions) {
    const args = inputs(fn.fields, types);
    functionSchemas[token(fn.name)] = {
      description: fn.description,
      inputs: { properties: args.properties, required: args.required },
      outputs: {
        properties: outputsSchema(fn.outputs, types),
        required: Object.keys(fn.outputs).filter((key) => fn.outputs[key].required),
      },
    };
  }

  return {
    name: pkg,
    displayName: "Termination",
    version,
    description:
      "Resources that terminate running jobs: Huawei Cloud MRS job executions, BlueKing NodeMan subscription tasks and YARN applications.",
    keywords: [
      "pulumi",
      "termination",
      "huaweicloud",
      "mrs",
      "blueking",
      "nodeman",
      "yarn",
      "category/utility",
    ],
    license: "Apache-2.0",
    config: { variables: configProperties },
    provider: {
      description: "Credentials and settings of the termination provider.",
      inputProperties: configProperties,
      properties: configProperties,
    },
    resources: resourceSchemas,
    functions: functionSchemas,
    types: Object.fromEntries(Object.entries(types).sort(([a], [b]) => (a < b ? -1 : 1))),
    language: languages,
  };
}

/** The text of `schema.json`: stable key order, two-space indent, a final newline. */
export function schemaText(version: string): string {
  return JSON.stringify(buildSchema(version), null, 2) + "\n";
}
