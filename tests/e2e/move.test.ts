/**
 * End-to-end: moving a TypeScript program from the dynamic provider's class to the provider plugin
 * (README, "Moving from the class to the plugin"). The same termination is first created by
 * `MrsJobTermination` (type `pulumi-nodejs:dynamic/termination:MrsJobTermination`), then the
 * program declares it by the plugin's token (`termination:index:MrsJobTermination`). With an
 * `aliases` entry naming the old type, the engine keeps the record and the plugin finds nothing to
 * do; without it, the engine sees a new resource and a deleted one, and the job, still stopping,
 * gets a second kill. The emulator's request log is the witness.
 */
import { expect } from "chai";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import { pulumiCliOrSkip, sharedProgram, terminatingRequests, terminationResources } from "./program";

const indexTs = `
import * as pulumi from "@pulumi/pulumi";
import { MrsJobTermination } from "pulumi-termination";

const config = new pulumi.Config("e2e");
const door = config.require("door"); // "dynamic" | "plugin" | "plugin-aliased"
const args = {
  clusterId: config.require("clusterId"),
  jobExecutionId: config.require("jobExecutionId"),
  waitForTermination: false,
};

// What a program declares through the plugin without a generated SDK: the resource by its token.
class PluginTermination extends pulumi.CustomResource {
  declare readonly outcome: pulumi.Output<unknown>;
  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("termination:index:MrsJobTermination", name, { ...props, outcome: undefined }, opts);
  }
}

let outcome: pulumi.Output<unknown>;
if (door === "dynamic") {
  outcome = new MrsJobTermination("stop-job", args).outcome;
} else {
  const aliases = door === "plugin-aliased" ? [{ type: "pulumi-nodejs:dynamic/termination:MrsJobTermination" }] : [];
  outcome = new PluginTermination("stop-job", args, { aliases }).outcome;
}
export const mrsOutcome = outcome;
`;

describe("end-to-end: moving a termination from the dynamic class to the provider plugin", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let programDir: string;
  let binDir: string;
  const stacks: PulumiStack[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    // The job stays stopping for the whole test, so that a second kill would reach it.
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: 600_000 } });
    const installed = await sharedProgram();
    programDir = mkdtempSync(path.join(tmpdir(), "termination-move-"));
    for (const shared of ["node_modules", "package.json"])
      symlinkSync(path.join(installed, shared), path.join(programDir, shared));
    writeFileSync(
      path.join(programDir, "Pulumi.yaml"),
      [
        "name: e2e-move",
        "runtime: nodejs",
        "main: index.ts",
        "plugins:",
        "  providers:",
        "    - name: termination",
        "      path: node_modules/pulumi-termination/bin",
        "",
      ].join("\n"),
    );
    writeFileSync(path.join(programDir, "index.ts"), indexTs);
    writeFileSync(
      path.join(programDir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, target: "es2020", module: "commonjs", skipLibCheck: true },
      }),
    );
  });

  after(async () => {
    for (const stack of stacks) stack.dispose();
    if (programDir) rmSync(programDir, { recursive: true, force: true });
    await emulator?.close();
  });

  /** A stack whose termination was created by the dynamic class: one kill sent, the job still stopping. */
  async function stackCreatedByTheClass(name: string): Promise<PulumiStack> {
    const stack = await PulumiStack.create(programDir, binDir, name);
    stacks.push(stack);
    const huawei = { accessKey, projectId, mrsEndpoint: emulator.url };
    await stack.setConfig({
      "e2e:clusterId": clusterId,
      "e2e:jobExecutionId": "job-running",
      "e2e:door": "dynamic",
      "huaweicloud:accessKey": accessKey,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": emulator.url,
    });
    // The plugin's default provider reads termination:huaweicloud; the class reads huaweicloud:*.
    await stack.setConfig(
      {
        "huaweicloud:secretKey": secrets.secretKey,
        "termination:huaweicloud": JSON.stringify({ ...huawei, secretKey: secrets.secretKey }),
      },
      { secret: true },
    );
    emulator.clearRequests();
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(terminatingRequests(emulator).kills, "the class's up kills once").to.equal(1);
    expect((await stack.outputs()).mrsOutcome).to.equal("requested");
    return stack;
  }

  it("with `aliases` naming the old type: the record is kept, nothing is sent again", async () => {
    emulator.reset();
    const stack = await stackCreatedByTheClass("aliased");
    await stack.setConfig({ "e2e:door": "plugin-aliased" });
    const preview = await stack.pulumi(["preview", "--diff"]);
    expect(preview.output).to.not.match(/\+ 1 to create|\+-\s*1 to replace|- 1 to delete/);
    const { output } = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(terminatingRequests(emulator).kills, "no second kill").to.equal(1);
    expect(output).to.not.match(/created|replaced|deleted/);
    const resources = terminationResources(await stack.exportState());
    expect(resources.map((r) => r.type)).to.deep.equal(["termination:index:MrsJobTermination"]);
    expect(resources[0].outputs?.outcome).to.equal("requested");
    expect(findSecrets(await stack.exportState()), "no secret in plain text in the state").to.deep.equal([]);
  });

  it("without the alias: the engine creates a new resource, and the job still stopping gets a second kill", async () => {
    emulator.reset();
    const stack = await stackCreatedByTheClass("unaliased");
    await stack.setConfig({ "e2e:door": "plugin" });
    const preview = await stack.pulumi(["preview"]);
    expect(preview.output)
      .to.match(/\+ 1 to create/)
      .and.match(/- 1 to delete/);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(terminatingRequests(emulator).kills, "what the README warns of").to.equal(2);
  });
});
