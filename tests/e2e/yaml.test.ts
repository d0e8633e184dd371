/**
 * End-to-end: the YAML language host that scripts/pulumi-cli.sh provides runs a Pulumi YAML
 * program offline (file backend, no plugin download). The ground the YAML tests of the provider
 * plugin stand on.
 */
import { expect } from "chai";
import { rmSync } from "node:fs";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { pulumiCliOrSkip } from "./program";

describe("end-to-end: a Pulumi YAML program", function () {
  this.timeout(900_000);
  let stack: PulumiStack;
  let programDir: string;

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    programDir = createYamlProject(
      ["config:", "  greeting:", "    type: string", "outputs:", "  message: ${greeting}, YAML", ""].join(
        "\n",
      ),
    );
    stack = await PulumiStack.create(programDir, binDir, "yaml");
  });

  after(() => {
    stack?.dispose();
    if (programDir) rmSync(programDir, { recursive: true, force: true });
  });

  it("runs `pulumi up` through pulumi-language-yaml, reading stack config, with a local file backend", async () => {
    await stack.setConfig({ "yaml-e2e:greeting": "hello" });
    const { output } = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(output).to.match(/1 created/);
    expect(await stack.outputs()).to.deep.equal({ message: "hello, YAML" });
  });
});
