/**
 * Writes schema.json, the provider plugin's package schema, from the field tables
 * (`npm run schema`). tests/plugin/schema.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { packageVersion } from "../provider/plugin/main";
import { schemaText } from "../provider/plugin/schema";

const file = path.join(__dirname, "..", "schema.json");
writeFileSync(file, schemaText(packageVersion()));
console.log(`wrote ${path.relative(process.cwd(), file)}`);
