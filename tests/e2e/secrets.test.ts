/**
 * End-to-end through the provider plugin: credentials given as plain values are stored as secrets.
 * A YAML program (the real engine and YAML language host, the plugin as npm installs it) gives its
 * explicit provider `huaweicloud.secretKey`, `blueking.appSecret` and `blueking.bkToken` as plain
 * literals; a second stack's default provider gets them from `termination:huaweicloud` set as JSON
 * text and `termination:blueking` set by `--path`, neither with `--secret`. Whatever the program
 * passed, the state holds those fields as ciphertext, and no output of the CLI prints them: the
 * plugin's CheckConfig marks the fields its schema calls secret, as a real provider does.
 */
import { expect } from "chai";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import { installedPlugin, pulumiCliOrSkip, terminatingRequests } from "./program";

const signatureKey = "4dabf18193072939515e22adb298388d";

interface StateResource {
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The resources of a `pulumi stack export` that are termination providers. */
function providersIn(exported: string): StateResource[] {
  const { deployment } = JSON.parse(exported) as { deployment: { resources?: StateResource[] } };
  return (deployment.resources ?? []).filter((r) => r.type === "pulumi:providers:termination");
}

/** True for the state's form of a secret: the signature and ciphertext, no plain value. */
function isCiphertext(value: unknown): boolean {
  const envelope = value as Record<string, unknown> | undefined;
  return (
    typeof envelope === "object" &&
    envelope !== null &&
    envelope[signatureKey] !== undefined &&
    typeof envelope.ciphertext === "string" &&
    !("plaintext" in envelope) &&
    !("value" in envelope)
  );
}

/** The resources every program here declares, with `options` (YAML) added to each. */
function resources(options: string): string {
  return `
  kill-job:
    type: termination:index:MrsJobTermination
    properties:
      clusterId: ${clusterId}
      jobExecutionId: job-running
      waitTimeoutSeconds: 60
${options}
  revoke-tasks:
    type: termination:index:NodemanTaskTermination
    properties:
      subscriptionId: 42
      waitTimeoutSeconds: 60
${options}
`;
}

/** An explicit provider whose secrets are plain literals of the program. */
function explicitProgram(pluginDir: string, url: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
resources:
  plain:
    type: pulumi:providers:termination
    properties:
      huaweicloud:
        accessKey: ${accessKey}
        secretKey: ${secrets.secretKey}
        projectId: ${projectId}
        mrsEndpoint: ${url}
      blueking:
        appCode: pulumi-termination
        appSecret: ${secrets.appSecret}
        username: admin
        bkToken: ${secrets.bkToken}
        apigwUrlTemplate: ${url}/api/{api_name}
${resources("    options:\n      provider: ${plain}")}`;
}

/** Only the default provider, configured from stack config. */
function defaultProgram(pluginDir: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
resources:
${resources("")}`;
}

describe("end-to-end: plain-valued credentials through the plugin are stored as secrets", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let pluginDir: string;
  let binDir: string;
  const stacks: PulumiStack[] = [];
  const dirs: string[] = [];

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    pluginDir = await installedPlugin();
    emulator = await startEmulator({ seed: baseSeed() });
  });

  afterEach(() => emulator?.reset());

  after(async () => {
    await emulator?.close();
    for (const stack of stacks) stack.dispose();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  async function stackOf(body: string, name: string): Promise<PulumiStack> {
    const dir = createYamlProject(body, name);
    dirs.push(dir);
    const stack = await PulumiStack.create(dir, binDir, name);
    stacks.push(stack);
    return stack;
  }

  /** The provider's secret fields in state: ciphertext in its inputs and its outputs, nowhere plain. */
  function expectEncrypted(exported: string, fields: Record<string, string[]>) {
    expect(findSecrets(exported), "a secret in plain text in `pulumi stack export`").to.deep.equal([]);
    const [provider] = providersIn(exported);
    expect(provider, "the provider in state").to.not.equal(undefined);
    for (const side of ["inputs", "outputs"] as const) {
      for (const [object, keys] of Object.entries(fields)) {
        const value = provider[side]?.[object] as Record<string, unknown> | undefined;
        expect(value, `${side}.${object}`).to.not.equal(undefined);
        // The fields themselves, or the whole object, as ciphertext.
        if (isCiphertext(value)) continue;
        for (const key of keys)
          expect(
            isCiphertext(value?.[key]),
            `${side}.${object}.${key}: ${JSON.stringify(value?.[key])}`,
          ).to.equal(true);
      }
    }
  }

  it("an explicit provider with plain secretKey, appSecret and bkToken: ciphertext in state, in no output", async () => {
    const stack = await stackOf(explicitProgram(pluginDir, emulator.url), "secrets-explicit");
    const preview = await stack.pulumi(["preview", "--diff"]);
    for (const field of ["secretKey", "appSecret", "bkToken"])
      expect(preview.output).to.match(new RegExp(`${field}\\s*: \\[secret\\]`));
    const up = await stack.pulumi(["up", "--yes", "--diff"]);
    expect(up.output, up.output).to.match(/4 created/);
    // The credentials worked: each target was terminated once.
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 1, revokes: 1 });
    expectEncrypted(await stack.exportState(), {
      huaweicloud: ["secretKey"],
      blueking: ["appSecret", "bkToken"],
    });
    // A later change of a secret: the diff shows neither the old value nor the new one.
    writeFileSync(
      path.join(stack.programDir, "Pulumi.yaml"),
      `name: secrets-explicit\nruntime: yaml\n${explicitProgram(pluginDir, emulator.url).replace(secrets.secretKey, secrets.temporarySecretKey)}`,
    );
    const changed = await stack.pulumi(["preview", "--diff"]);
    expect(changed.output).to.match(/pulumi:providers:termination/);
    await stack.pulumi(["destroy", "--yes"]);
    expect(findSecrets(stack.transcript), "a secret in the CLI's output").to.deep.equal([]);
  });

  it("a state an earlier version wrote in plain text: the provider's outputs are re-recorded encrypted when a setting changes", async () => {
    const stack = await stackOf(explicitProgram(pluginDir, emulator.url), "secrets-upgrade");
    await stack.pulumi(["up", "--yes"]);
    // The state an earlier version wrote: the provider's secrets plain, in its inputs and outputs.
    const shown = (await stack.pulumi(["stack", "export", "--show-secrets"])).stdout;
    const plain: unknown = JSON.parse(shown, (_key, value: Record<string, string> | undefined) =>
      value && typeof value === "object" && value[signatureKey] && "plaintext" in value
        ? (JSON.parse(value.plaintext) as unknown)
        : value,
    );
    const file = path.join(stack.scratch, "earlier-state.json");
    writeFileSync(file, JSON.stringify(plain));
    await stack.pulumi(["stack", "import", "--file", file]);
    // An unchanged provider keeps its recorded outputs (the engine's same step: pulumi/pulumi
    // pkg/resource/deploy/step.go SameStep.Apply), so this `up` encrypts the inputs only.
    await stack.pulumi(["up", "--yes"]);
    expect(findSecrets(await stack.exportState())).to.not.deep.equal([]);
    // A change of its settings (the secret rotated, as a secret once stored in plain text should be)
    // records the provider anew: every secret setting encrypted, the old and the new.
    writeFileSync(
      path.join(stack.programDir, "Pulumi.yaml"),
      `name: secrets-upgrade\nruntime: yaml\n${explicitProgram(pluginDir, emulator.url).replace(secrets.secretKey, secrets.temporarySecretKey)}`,
    );
    const rotated = await stack.pulumi(["up", "--yes", "--diff"]);
    expect(rotated.output).to.match(/1 updated/);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 1, revokes: 1 });
    const exported = await stack.exportState();
    expectEncrypted(exported, { huaweicloud: ["secretKey"], blueking: ["appSecret", "bkToken"] });
    expect(findSecrets(stack.transcript.slice(-2))).to.deep.equal([]);
  });

  it("the default provider with termination:huaweicloud as JSON text and termination:blueking by --path, no --secret", async () => {
    const stack = await stackOf(defaultProgram(pluginDir), "secrets-default");
    await stack.setConfig({
      "termination:huaweicloud": JSON.stringify({
        accessKey,
        secretKey: secrets.secretKey,
        projectId,
        mrsEndpoint: emulator.url,
      }),
    });
    await stack.pulumi([
      "config",
      "set",
      "--plaintext",
      "--path",
      "termination:blueking.appCode",
      "pulumi-termination",
    ]);
    await stack.pulumi(["config", "set", "--plaintext", "--path", "termination:blueking.username", "admin"]);
    await stack.pulumi([
      "config",
      "set",
      "--plaintext",
      "--path",
      "termination:blueking.appSecret",
      secrets.appSecret,
    ]);
    await stack.pulumi([
      "config",
      "set",
      "--plaintext",
      "--path",
      "termination:blueking.bkToken",
      secrets.bkToken,
    ]);
    await stack.pulumi([
      "config",
      "set",
      "--path",
      "termination:blueking.apigwUrlTemplate",
      `${emulator.url}/api/{api_name}`,
    ]);
    // The commands above carry the secrets on their command lines: the rest of the transcript must not.
    stack.transcript.splice(0);
    const preview = await stack.pulumi(["preview", "--diff"]);
    expect(preview.output).to.match(/MrsJobTermination/);
    const up = await stack.pulumi(["up", "--yes", "--diff"]);
    // A default provider is not counted among the resources.
    expect(up.output, up.output).to.match(/3 created/);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 1, revokes: 1 });
    expectEncrypted(await stack.exportState(), {
      huaweicloud: ["secretKey"],
      blueking: ["appSecret", "bkToken"],
    });
    await stack.pulumi(["destroy", "--yes"]);
    expect(findSecrets(stack.transcript), "a secret in the CLI's output").to.deep.equal([]);
  });
});
