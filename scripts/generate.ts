/**
 * Writes every file generated from the field and output tables (`npm run generate`): `schema.json`,
 * the provider plugin's package schema, and each table's TypeScript types. tests/plugin/schema.test.ts
 * fails when a committed one is stale.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { commonFields } from "../provider/core/commonFields";
import { recordOutputs } from "../provider/core/outputs";
import { packageVersion } from "../provider/plugin/main";
import { schemaText } from "../provider/plugin/schema";
import { mrsFields } from "../provider/targets/mrs/fields";
import { mrsOutputs } from "../provider/targets/mrs/outputs";
import { nodemanFields } from "../provider/targets/nodeman/fields";
import { nodemanOutputs } from "../provider/targets/nodeman/outputs";
import { outputsFile, typesFile } from "./codegen/typescript";

const recordImport = `import type { TerminationRecord } from "../../core/outputs.generated";`;

const root = path.join(__dirname, "..");

/** Each generated file, by its path from the repository root, and its text. */
export function generatedFiles(): { file: string; text: string }[] {
  return [
    { file: "schema.json", text: schemaText(packageVersion()) },
    {
      file: "provider/core/inputs.generated.ts",
      text: typesFile(
        commonFields,
        { inputs: "TerminationInputs", args: "TerminationArgs", subject: "every termination" },
        "./commonFields.ts",
      ),
    },
    {
      file: "provider/core/outputs.generated.ts",
      text: outputsFile(
        recordOutputs,
        {
          record: "TerminationRecord",
          properties: "TerminationRecordProperties",
          subject: "every termination",
        },
        "./outputs.ts (recordOutputs)",
      ),
    },
    {
      file: "provider/targets/mrs/inputs.generated.ts",
      text: typesFile(
        mrsFields,
        { inputs: "MrsJobTerminationInputs", args: "MrsJobTerminationArgs", subject: "MrsJobTermination" },
        "./fields.ts",
      ),
    },
    {
      file: "provider/targets/mrs/outputs.generated.ts",
      text: outputsFile(
        mrsOutputs,
        {
          record: "MrsDetails",
          properties: "MrsJobTerminationProperties",
          subject: "MrsJobTermination",
          outputs: {
            name: "MrsJobTerminationOutputs",
            extends: ["MrsJobTerminationInputs", "TerminationRecord", "MrsDetails"],
          },
        },
        "./outputs.ts",
        [recordImport, `import type { MrsJobTerminationInputs } from "./inputs.generated";`],
      ),
    },
    {
      file: "provider/targets/nodeman/inputs.generated.ts",
      text: typesFile(
        nodemanFields,
        {
          inputs: "NodemanTaskTerminationInputs",
          args: "NodemanTaskTerminationArgs",
          subject: "NodemanTaskTermination",
        },
        "./fields.ts",
      ),
    },
    {
      file: "provider/targets/nodeman/outputs.generated.ts",
      text: outputsFile(
        nodemanOutputs,
        {
          record: "NodemanDetails",
          properties: "NodemanTaskTerminationProperties",
          subject: "NodemanTaskTermination",
          outputs: {
            name: "NodemanTaskTerminationOutputs",
            extends: ["NodemanTaskTerminationInputs", "TerminationRecord", "NodemanDetails"],
          },
        },
        "./outputs.ts",
        [recordImport, `import type { NodemanTaskTerminationInputs } from "./inputs.generated";`],
      ),
    },
  ];
}

if (require.main === module) {
  for (const { file, text } of generatedFiles()) {
    writeFileSync(path.join(root, file), text);
    console.log(`wrote ${file}`);
  }
}
