import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { packageVersion } from "../../provider/plugin/main";
import { buildSchema, goModulePath, pythonPackageName, schemaText } from "../../provider/plugin/schema";
import { generatedFiles } from "../../scripts/generate";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { yarnTarget } from "../../provider/targets/yarn/target";

type Json = Record<string, Record<string, unknown>>;

describe("the plugin's schema", () => {
  const schema = buildSchema("1.2.3") as Record<string, Json>;

  it("is committed as schema.json and fresh: run `npm run schema` after changing a field table", () => {
    const committed = readFileSync(path.join(__dirname, "..", "..", "schema.json"), "utf8");
    expect(committed === schemaText(packageVersion()), "schema.json is stale: run `npm run schema`").to.equal(
      true,
    );
  });

  it("commits every file generated from the field and output tables, fresh: run `npm run generate` after changing one", () => {
    const files = generatedFiles();
    expect(files.map((f) => f.file)).to.include.members([
      "schema.json",
      "provider/targets/mrs/inputs.generated.ts",
      "provider/targets/nodeman/inputs.generated.ts",
      "provider/core/outputs.generated.ts",
      "provider/targets/mrs/outputs.generated.ts",
      "provider/targets/nodeman/outputs.generated.ts",
      "provider/targets/yarn/inputs.generated.ts",
      "provider/targets/yarn/outputs.generated.ts",
      "provider/targets/public.generated.ts",
      "provider/providers/mrsJobTermination.ts",
      "provider/providers/nodemanTaskTermination.ts",
      "provider/providers/yarnApplicationTermination.ts",
    ]);
    for (const { file, text } of files) {
      const committed = readFileSync(path.join(__dirname, "..", "..", file), "utf8");
      expect(committed === text, `${file} is stale: run \`npm run generate\``).to.equal(true);
    }
  });

  it("states every input of every resource, with the required ones, and their outputs", () => {
    for (const target of [mrsTarget, nodemanTarget, yarnTarget]) {
      const resource = schema.resources[`termination:index:${target.typeName}`] as Record<string, Json>;
      expect(Object.keys(resource.inputProperties)).to.have.members(Object.keys(target.fields));
      for (const key of Object.keys(target.fields))
        expect((resource.inputProperties[key] as Json).description, key)
          .to.be.a("string")
          .and.match(/^[A-Z].{8,}\.$/);
      expect(resource.properties).to.include.keys("outcome", "requestedAt", "completedAt", "requestId");
    }
    const mrs = schema.resources["termination:index:MrsJobTermination"] as Record<string, unknown>;
    expect(mrs.requiredInputs).to.deep.equal(["clusterId"]);
    const inputs = mrs.inputProperties as Json;
    expect(inputs.waitTimeoutSeconds).to.include({ type: "integer", default: 300 });
    expect(inputs.jobExecutionIds).to.deep.include({
      type: "array",
      items: { type: "string" },
    });
    expect(schema.types["termination:index:JobSelector"].properties as Json).to.have.keys(
      "jobName",
      "jobStates",
      "user",
      "queue",
    );
  });

  it("marks the secret settings secret, and nothing else", () => {
    const secretsOf = (name: string) =>
      Object.entries(schema.types[`termination:index:${name}`].properties as Json)
        .filter(([, p]) => p.secret === true)
        .map(([key]) => key);
    expect(secretsOf("HuaweicloudSettings")).to.have.members(["secretKey", "securityToken", "authToken"]);
    expect(secretsOf("BluekingSettings")).to.have.members(["appSecret", "bkToken", "accessToken"]);
    // Simple authentication's user name is no secret, and the YARN settings hold nothing else.
    expect(secretsOf("YarnSettings")).to.have.members([]);
    expect(schema.config.variables).to.include.keys(
      "huaweicloud",
      "blueking",
      "maxAttempts",
      "caBundle",
      "preflight",
    );
  });

  it("names the Go and Python SDKs that `npm run generate:sdks` writes and commits (CI checks them fresh)", () => {
    const root = path.join(__dirname, "..", "..");
    const language = schema.language as Record<string, Record<string, unknown>>;
    expect(language.go).to.include({
      modulePath: goModulePath,
      importBasePath: `${goModulePath}/termination`,
      respectSchemaVersion: true,
    });
    expect(readFileSync(path.join(root, "sdk", "go", "go.mod"), "utf8")).to.match(
      new RegExp(`^module ${goModulePath.replace(/[.]/g, "\\.")}\n`),
    );
    // The package the SDK's resources register, at the schema's version: the plugin the engine loads.
    expect(
      JSON.parse(readFileSync(path.join(root, "sdk", "go", "termination", "pulumi-plugin.json"), "utf8")),
    ).to.deep.equal({ resource: true, name: "termination", version: packageVersion() });
    expect(language.python).to.deep.include({ packageName: pythonPackageName, pyproject: { enabled: true } });
    const pyproject = readFileSync(path.join(root, "sdk", "python", "pyproject.toml"), "utf8");
    expect(pyproject).to.include(`name = "${pythonPackageName}"`);
    expect(pyproject).to.include(`version = "${packageVersion()}"`);
  });

  it("declares the five functions", () => {
    expect(Object.keys(schema.functions)).to.have.members([
      "termination:index:getMrsJob",
      "termination:index:listMrsJobs",
      "termination:index:getNodemanSubscriptionStatus",
      "termination:index:getYarnApplication",
      "termination:index:listYarnApplications",
    ]);
  });
});
