/** The YARN lookups as the plugin serves them (getYarnApplication, listYarnApplications). */
import type { OutputItem, OutputTable } from "../../core/outputs";
import { checked, itemProperties, required, type ServedFunction } from "../../plugin/functions";
import type { FieldTable } from "../../validation/fields";
import { checkSelector, yarnFields } from "./fields";
import {
  getYarnApplication,
  listYarnApplications,
  type GetYarnApplicationArgs,
  type ListYarnApplicationsArgs,
} from "./lookups";

const selector = yarnFields.applicationSelector;
const shapes = selector.type === "object" ? (selector.properties ?? {}) : {};
/** The selector's fields as arguments of their own: `listYarnApplications({ queue: "root.etl" })`. */
const selectorFields: FieldTable = Object.fromEntries(
  Object.entries(shapes).map(([key, shape]) => [
    key,
    shape.type === "stringList"
      ? { type: "stringList", maxItems: 32, onChange: "replace", description: shape.description }
      : { type: "string", onChange: "replace", description: shape.description },
  ]),
);

const yarnApplication: OutputItem = {
  name: "YarnApplication",
  description: "A YARN application as the ResourceManager reports it.",
  properties: itemProperties({
    applicationId: ["string", "The application id."],
    name: ["string", "The application's name."],
    user: ["string", "The user that submitted it."],
    queue: ["string", "Its queue, e.g. root.etl."],
    applicationType: ["string", "Its type, e.g. SPARK."],
    applicationTags: ["stringList", "Its tags."],
    state: ["string", "Its state."],
    finalStatus: ["string", "Its final status: UNDEFINED while it runs."],
    diagnostics: ["string", "The ResourceManager's diagnostics."],
    startedTime: ["number", "When it started, epoch milliseconds."],
    finishedTime: ["number", "When it finished, epoch milliseconds."],
  }),
};
const applicationOutputs: OutputTable = {
  ...yarnApplication.properties,
  applicationId: { ...yarnApplication.properties.applicationId, required: true },
};

export const yarnFunctions: ServedFunction[] = [
  {
    name: "getYarnApplication",
    description: "Reads one YARN application. Sends nothing that changes it.",
    fields: {
      applicationId: required(yarnFields.applicationId),
      resourceManagerUrl: yarnFields.resourceManagerUrl,
    },
    outputs: applicationOutputs,
    run: async (args, options) => ({
      ...(await getYarnApplication(checked<GetYarnApplicationArgs>(args), options)),
    }),
  },
  {
    name: "listYarnApplications",
    description:
      "Lists the YARN applications that match every given field; `states` defaults to the states that are not final.",
    fields: { ...selectorFields, resourceManagerUrl: yarnFields.resourceManagerUrl },
    check: (args) => {
      const given = Object.fromEntries(Object.entries(args).filter(([key]) => key in selectorFields));
      return Object.keys(given).length === 0 ? [] : checkSelector(given);
    },
    outputs: {
      applications: {
        type: "objectList",
        item: yarnApplication,
        required: true,
        description: "The matching applications",
      },
    },
    run: async (args, options) => ({
      applications: await listYarnApplications(checked<ListYarnApplicationsArgs>(args), options),
    }),
  },
];
