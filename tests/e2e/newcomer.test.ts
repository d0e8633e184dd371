/**
 * End-to-end: what stood in a newcomer's way (issue 17), through the real engine and the emulator.
 * - A misspelled setting fails the preview naming the key meant, through both doors (17.1).
 * - Check failures name the field and its index, never "{<nil>}" (17.5).
 * - The plugin on a Node.js older than 22 says so once, first, with the fix (17.6).
 * - Through the plugin, advice names the provider's settings (issue 16.8).
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { installPackages, packRepository, pulumiVersion } from "../../testing/pack";
import { baseSeed, clusterId, findSecrets } from "../helpers/fixtures";
import { providerStackConfig } from "../../testing/seed";
import { configureStack, pulumiCliOrSkip, sharedProgram, terminatingRequests } from "./program";

/** A YAML program on the default provider (stack config `termination:*`), the plugin at `pluginDir`. */
function yamlProgram(pluginDir: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
config:
  instanceIds:
    type: array
    items:
      type: string
resources:
  kill-job:
    type: termination:index:MrsJobTermination
    properties:
      clusterId: ${clusterId}
      jobExecutionId: job-running
      waitTimeoutSeconds: 60
  revoke-tasks:
    type: termination:index:NodemanTaskTermination
    properties:
      subscriptionId: 42
      instanceIds: \${instanceIds}
      waitTimeoutSeconds: 60
`;
}

describe("end-to-end: a newcomer's first hour (issue 17)", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let binDir: string;
  let installed: string;
  const stacks: PulumiStack[] = [];
  const dirs: string[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    await sharedProgram(); // builds dist/
    installed = mkdtempSync(path.join(tmpdir(), "pulumi-termination-newcomer-app-"));
    dirs.push(installed);
    writeFileSync(path.join(installed, "package.json"), JSON.stringify({ name: "app", private: true }));
    await installPackages(installed, [await packRepository(installed), `@pulumi/pulumi@${pulumiVersion()}`]);
    emulator = await startEmulator({ seed: baseSeed() });
  });

  after(async () => {
    await emulator?.close();
    for (const stack of stacks) stack.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A stack of the YAML program with the default provider's settings as stack config `termination:*`. */
  async function yamlStack(name: string, huaweicloud: Record<string, string>): Promise<PulumiStack> {
    const programDir = createYamlProject(
      yamlProgram(path.join(installed, "node_modules", "pulumi-termination", "bin")),
      "newcomer",
    );
    dirs.push(programDir);
    const stack = await PulumiStack.create(programDir, binDir, name);
    stacks.push(stack);
    const config = providerStackConfig(baseSeed(), emulator.url);
    const blueking = Object.fromEntries(
      Object.entries({ ...config.plain, ...config.secret })
        .filter(([key]) => key.startsWith("blueking:"))
        .map(([key, value]) => [key.split(":")[1], value]),
    );
    await stack.pulumi(["config", "set", "--path", "newcomer:instanceIds[0]", "host|instance|host|1"]);
    await stack.setConfig(
      {
        "termination:huaweicloud": JSON.stringify(huaweicloud),
        "termination:blueking": JSON.stringify(blueking),
      },
      { secret: true },
    );
    return stack;
  }

  const huaweicloud = () => {
    const config = providerStackConfig(baseSeed(), emulator.url);
    return {
      accessKey: config.plain["huaweicloud:accessKey"],
      secretKey: config.secret["huaweicloud:secretKey"],
      projectId: config.plain["huaweicloud:projectId"],
      mrsEndpoint: emulator.url,
    };
  };

  it("17.1 dynamic door: huaweicloud:mrsEndPoint fails the preview naming huaweicloud:mrsEndpoint, and nothing is sent", async () => {
    const stack = await PulumiStack.create(await sharedProgram(), binDir, "misspelled");
    stacks.push(stack);
    await configureStack(stack, emulator.url);
    await stack.pulumi(["config", "rm", "huaweicloud:mrsEndpoint"]);
    await stack.setConfig({ "huaweicloud:mrsEndPoint": emulator.url, "huaweicloud:region": "cn-north-4" });
    const before = emulator.requests().length;
    const { code, output } = await stack.pulumi(["preview"], { allowFailure: true });
    expect(code).to.not.equal(0);
    expect(output).to.include(
      "has a problem: `huaweicloud:mrsEndPoint` (stack config) is not a setting of pulumi-termination: did you mean stack config `huaweicloud:mrsEndpoint`?",
    );
    expect(output).to.not.include("{<nil>}");
    expect(emulator.requests().length).to.equal(before);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });

  it("17.1 plugin door: termination:huaweicloud with mrsEndPoint fails the preview naming huaweicloud.mrsEndpoint", async () => {
    const { mrsEndpoint, ...rest } = huaweicloud();
    const stack = await yamlStack("plugin-misspelled", {
      ...rest,
      mrsEndPoint: mrsEndpoint,
      region: "cn-north-4",
    });
    const { code, output } = await stack.pulumi(["preview"], { allowFailure: true });
    expect(code).to.not.equal(0);
    expect(output).to.include(
      "huaweicloud.mrsEndPoint: unknown setting: did you mean `huaweicloud.mrsEndpoint`?",
    );
    expect(output).to.not.include("{<nil>}");
    expect(findSecrets(output)).to.deep.equal([]);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });

  it("17.5 a bad list item and missing credentials name the field and index, never {<nil>}", async () => {
    const stack = await yamlStack("plugin-failures", huaweicloud());
    await stack.pulumi(["config", "set", "--path", "newcomer:instanceIds[1]", "10.0.0.5"]);
    const item = await stack.pulumi(["preview"], { allowFailure: true });
    expect(item.code).to.not.equal(0);
    expect(item.output, item.output).to.match(
      /revoke-tasks' has a problem: instanceIds\[1\]: "10\.0\.0\.5" must have four parts .*e\.g\. "host\|instance\|host\|10\.0\.0\.5-0-0" \(or make the id with hostInstanceId\(\{ ip, bkCloudId \}\)\)/,
    );
    expect(item.output).to.not.include("{<nil>}");
    // The NodeMan list fixed; MRS without credentials: the failure names them, no property lookup.
    await stack.pulumi(["config", "rm", "--path", "newcomer:instanceIds[1]"]);
    const { accessKey: _a, secretKey: _s, ...noCredentials } = huaweicloud();
    await stack.setConfig({ "termination:huaweicloud": JSON.stringify(noCredentials) }, { secret: true });
    const credentials = await stack.pulumi(["preview"], { allowFailure: true });
    expect(credentials.code).to.not.equal(0);
    expect(credentials.output, credentials.output).to.match(
      /kill-job' has a problem: credentials: no Huawei Cloud credentials: set provider setting `huaweicloud.accessKey`/,
    );
    expect(credentials.output).to.not.include("{<nil>}");
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });

  it("16.8 through the plugin, a refused AK/SK's advice in the preview names the provider's settings, not huaweicloud:accessKey", async () => {
    const stack = await yamlStack("plugin-advice", { ...huaweicloud(), secretKey: "WRONG-secret-key" });
    // The preview's read of the job is refused: its message carries the advice, and nothing is sent.
    const { output } = await stack.pulumi(["preview"], { allowFailure: true });
    expect(output, output).to.include("APIGW.0301");
    expect(output, output).to.include(
      "Check the AK/SK (huaweicloud.accessKey and huaweicloud.secretKey, or HW_ACCESS_KEY and HW_SECRET_KEY)",
    );
    expect(output).to.not.match(/huaweicloud:(accessKey|secretKey)/);
    expect(findSecrets(output)).to.deep.equal([]);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });

  it("17.6 the plugin on Node.js 20 says once, first, that it needs Node.js 22 and how to get it", async function () {
    const stack = await yamlStack("plugin-node20", huaweicloud());
    // The system node (20) first on PATH for the plugin; the CLI and YAML host need no node.
    const node20 = mkdtempSync(path.join(tmpdir(), "pulumi-termination-node20-"));
    dirs.push(node20);
    symlinkSync("/usr/bin/node", path.join(node20, "node"));
    const version = execFileSync("/usr/bin/node", ["--version"], { encoding: "utf8" });
    if (Number(version.slice(1).split(".")[0]) >= 22) this.skip();
    stack.env.PATH = [binDir, node20, "/usr/bin", "/bin"].join(path.delimiter);
    const { code, output } = await stack.pulumi(["preview"], { allowFailure: true });
    expect(code).to.not.equal(0);
    const refusal =
      /pulumi-resource-termination needs Node\.js 22 or newer, but the `node` on PATH \([^)]*\) is v20[.\d]+\. Put a Node\.js 22 first on PATH/g;
    // The CLI shows a diagnostic as it happens and again under "Diagnostics:": once in each.
    const [progress, diagnostics = ""] = output.split("\nDiagnostics:\n");
    expect(diagnostics.match(refusal), output).to.have.length(1);
    expect(progress.match(refusal), output).to.have.length(1);
    const errors = diagnostics.split("\n").filter((line) => /^\s*error:/.test(line));
    expect(errors, output).to.have.length(1);
    expect(errors[0], output).to.match(
      /resource 'default' has a problem: pulumi-resource-termination needs Node\.js 22/,
    );
    expect(output).to.not.match(/always\* a bug|exited prematurely|could not read plugin/);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });
});
