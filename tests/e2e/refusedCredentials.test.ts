/**
 * End-to-end, both doors: `pulumi preview` with credentials the API refuses exits non-zero with
 * the service's advice, and sends no kill or revoke; with the API failing (5xx) or not running, it
 * stays green with a warning. The dynamic door is the shared TypeScript program; the plugin door a
 * YAML program whose explicit provider takes its credentials from stack config.
 */
import { expect } from "chai";
import { rmSync } from "node:fs";
import { startEmulator, type Emulator } from "../../emulator";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import {
  configureStack,
  installedPlugin,
  pulumiCliOrSkip,
  sharedProgram,
  terminatingRequests,
} from "./program";

function yamlProgram(pluginDir: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
resources:
  terminations:
    type: pulumi:providers:termination
    properties:
      huaweicloud:
        accessKey: \${huaweicloud:accessKey}
        secretKey: \${huaweicloud:secretKey}
        projectId: \${huaweicloud:projectId}
        mrsEndpoint: \${huaweicloud:mrsEndpoint}
  kill-job:
    type: termination:index:MrsJobTermination
    properties:
      clusterId: ${clusterId}
      jobExecutionId: job-running
    options:
      provider: \${terminations}
`;
}

const refusal = /the API refused the credentials, so `up` would fail too/;
const advice = /APIGW\.0301.*Check the AK\/SK/;
const warning = /warning: .*preflight could not read the target, the preview goes on without it/;

describe("end-to-end: a preview with refused credentials fails; with the API down it warns", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let binDir: string;
  const stacks: PulumiStack[] = [];
  let yamlDir: string | undefined;

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
  });

  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });

  afterEach(async () => {
    await emulator?.close();
  });

  after(() => {
    for (const stack of stacks) stack.dispose();
    if (yamlDir) rmSync(yamlDir, { recursive: true, force: true });
  });

  /** The preview's three cases on one stack: a wrong secret key, the API answering 503, the API stopped. */
  async function previews(stack: PulumiStack, setSecretKey: (value: string) => Promise<void>) {
    await setSecretKey("not-the-secret-key");
    const refused = await stack.pulumi(["preview"], { allowFailure: true });
    expect(refused.code, refused.output).to.not.equal(0);
    expect(refused.output).to.match(refusal).and.match(advice);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
    expect(emulator.requests({ route: "mrs.get_job" }).length).to.be.greaterThan(0);

    await setSecretKey(secrets.secretKey);
    emulator.injectFault({ route: "mrs.get_job", times: -1, fault: { kind: "status", status: 503 } });
    emulator.injectFault({ route: "nodeman.task_result", times: -1, fault: { kind: "status", status: 503 } });
    const failing = await stack.pulumi(["preview"], { allowFailure: true });
    expect(failing.code, failing.output).to.equal(0);
    expect(failing.output)
      .to.match(warning)
      .and.match(/HTTP 503/);

    await emulator.close();
    const stopped = await stack.pulumi(["preview"], { allowFailure: true });
    expect(stopped.code, stopped.output).to.equal(0);
    expect(stopped.output).to.match(warning);
    expect(findSecrets(stack.transcript)).to.deep.equal([]);
  }

  it("the dynamic provider (a TypeScript program): refused fails with the advice, 503 or stopped warns", async () => {
    const stack = await PulumiStack.create(await sharedProgram(), binDir, "refused-dynamic");
    stacks.push(stack);
    await configureStack(stack, emulator.url);
    await previews(stack, (value) => stack.setConfig({ "huaweicloud:secretKey": value }, { secret: true }));
  });

  it("the plugin (a YAML program): refused fails with the advice, 503 or stopped warns", async () => {
    yamlDir = createYamlProject(yamlProgram(await installedPlugin()), "refused-yaml");
    const stack = await PulumiStack.create(yamlDir, binDir, "refused-plugin");
    stacks.push(stack);
    await stack.setConfig({
      "huaweicloud:accessKey": accessKey,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": emulator.url,
    });
    await previews(stack, (value) => stack.setConfig({ "huaweicloud:secretKey": value }, { secret: true }));
  });
});
