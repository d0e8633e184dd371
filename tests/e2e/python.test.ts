/**
 * End-to-end from Python: tests/e2e/python/__main__.py, a `runtime: python` program on the
 * generated SDK (sdk/python, `pulumi_termination`), run by the real engine through the Python
 * language host, both from the environment scripts/python-env.sh makes (`pulumi` from PyPI). It
 * loads `pulumi-resource-termination` from the package as npm installs it and declares an explicit
 * provider, the three resources and a `getMrsJob` invoke against the emulator, whose request log is the
 * witness. The cases run in order on one stack, as tests/e2e/plugin.test.ts's YAML program does:
 * the plugin is the same, the language is not.
 */
import { expect } from "chai";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import type { RecordedRequest } from "../../emulator/requestLog";
import { obtainPythonEnv, PulumiStack } from "../../scripts/lib/pulumi";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import { diagnosticsOf, installedPlugin, instanceStatuses, pulumiCliOrSkip } from "./program";

/** The emulator's one YARN application (its seed below), RUNNING. */
const applicationId = "application_1700000000000_0001";

/** The program's directory: its __main__.py and a Pulumi.yaml that finds the plugin in `pluginDir`. */
function pythonProject(pluginDir: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pulumi-termination-python-e2e-"));
  copyFileSync(path.join(__dirname, "python", "__main__.py"), path.join(dir, "__main__.py"));
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      "name: python-e2e",
      "runtime: python",
      "plugins:",
      "  providers:",
      "    - name: termination",
      `      path: ${pluginDir}`,
      "",
    ].join("\n"),
  );
  return dir;
}

describe("end-to-end: a Python program on the generated SDK, through the provider plugin", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  let programDir: string;

  const kills = () => emulator.requests({ route: "mrs.kill" }).length;
  const revokes = () => emulator.requests({ route: "nodeman.revoke" }).length;
  const yarnKills = () => emulator.requests({ route: "yarn.kill" }).length;
  const terminations = () => kills() + revokes() + yarnKills();
  const since = (seq: number) => emulator.requests().filter((r) => r.seq > seq);
  const lastSeq = () => emulator.requests().at(-1)?.seq ?? 0;
  /** Requests of `route` about `target`: a path segment, or a subscription id in the body. */
  const reads = (requests: RecordedRequest[], route: string, target: string | number) =>
    requests.filter(
      (r) =>
        r.route === route &&
        (r.path.split("/").includes(String(target)) ||
          (r.body as { subscription_id?: unknown } | null)?.subscription_id === target),
    ).length;

  before(async function () {
    this.timeout(45 * 60_000);
    // The CLI with the Python language host beside it, and the environment from PyPI it runs.
    const binDir = await pulumiCliOrSkip(this, "python");
    const pythonBin = await obtainPythonEnv();
    const pluginDir = await installedPlugin();
    emulator = await startEmulator({
      seed: baseSeed({ yarn: { applications: [{ name: "spark-etl", user: "etl", queue: "default" }] } }),
    });
    programDir = pythonProject(pluginDir);
    stack = await PulumiStack.create(programDir, [pythonBin, binDir], "python");
    await stack.setConfig({
      "python-e2e:clusterId": clusterId,
      "python-e2e:jobExecutionId": "job-running",
      "python-e2e:subscriptionId": "42",
      "python-e2e:applicationId": applicationId,
      "yarn:resourceManagerUrl": emulator.url,
      "yarn:user": "etl",
      "huaweicloud:accessKey": accessKey,
      "huaweicloud:projectId": projectId,
      "huaweicloud:mrsEndpoint": emulator.url,
      "blueking:appCode": "pulumi-termination",
      "blueking:username": "admin",
      "blueking:apigwUrlTemplate": `${emulator.url}/api/{api_name}`,
    });
    await stack.setConfig(
      {
        "huaweicloud:secretKey": secrets.secretKey,
        "blueking:appSecret": secrets.appSecret,
        "blueking:bkToken": secrets.bkToken,
      },
      { secret: true },
    );
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
    if (programDir) rmSync(programDir, { recursive: true, force: true });
  });

  it("1. preview: each line under its own resource, one read per target, no kill or revoke", async () => {
    const { output } = await stack.pulumi(["preview"]);
    expect(diagnosticsOf(output, "termination:index:MrsJobTermination (kill-job):")).to.satisfy(
      (lines: string[]) =>
        lines.some((l) => /^MRS job nightly-etl \(job-running\) RUNNING.*: will be killed$/.test(l)),
    );
    expect(diagnosticsOf(output, "termination:index:NodemanTaskTermination (revoke-tasks):")).to.include(
      `NodeMan subscription 42 via apigw at ${new URL(emulator.url).host}: 3 of 4 instance(s) running will be revoked: host|instance|host|1, host|instance|host|127.0.0.1-0-0, host|instance|host|2`,
    );
    expect(diagnosticsOf(output, "termination:index:YarnApplicationTermination (kill-app):")).to.satisfy(
      (lines: string[]) =>
        lines.some((l) => /^YARN application .*spark-etl.* RUNNING.*: will be killed$/.test(l)),
    );
    // Nothing stands under the Stack: that is where a dynamic provider's lines go.
    expect(output).to.not.match(/pulumi:pulumi:Stack \([^)]*\):\n/);
    expect(output).to.match(/\+\s+termination:index:MrsJobTermination\s+kill-job\s+create/);
    expect(output).to.match(/\+\s+termination:index:NodemanTaskTermination\s+revoke-tasks\s+create/);
    expect(terminations()).to.equal(0);
    const requests = emulator.requests();
    expect(reads(requests, "mrs.get_job", "job-running")).to.equal(1);
    expect(reads(requests, "nodeman.task_result", 42)).to.equal(1);
    expect(reads(requests, "yarn.get_app", applicationId)).to.equal(1);
  });

  it("2. bad inputs fail the preview naming the field, and send no request for it", async () => {
    // Every resource's inputs bad, and the invoke's: nothing at all goes out. Which failure stops
    // the program first is the engine's choice, so only the field the job and the invoke share is certain.
    let before = lastSeq();
    await stack.setConfig({
      "python-e2e:clusterId": "../cluster-1",
      "python-e2e:subscriptionId": "0",
      "python-e2e:applicationId": "application_1",
    });
    const all = await stack.pulumi(["preview"], { allowFailure: true });
    expect(all.code).to.not.equal(0);
    expect(all.output).to.include("clusterId");
    expect(since(before)).to.deep.equal([]);
    // Only the NodeMan input bad: it is named, and NodeMan gets no request (the others may get reads).
    await stack.setConfig({ "python-e2e:clusterId": clusterId, "python-e2e:applicationId": applicationId });
    before = lastSeq();
    const one = await stack.pulumi(["preview"], { allowFailure: true });
    await stack.setConfig({ "python-e2e:subscriptionId": "42" });
    expect(one.code).to.not.equal(0);
    expect(one.output).to.match(/revoke-tasks.*property subscriptionId .*must be between 1 and/);
    expect(since(before).filter((r) => r.api === "nodeman")).to.deep.equal([]);
    expect(since(before).filter((r) => r.method !== "GET")).to.deep.equal([]);
    // Only the YARN application id bad: named, and YARN gets no request.
    await stack.setConfig({ "python-e2e:applicationId": "application_1" });
    before = lastSeq();
    const yarn = await stack.pulumi(["preview"], { allowFailure: true });
    await stack.setConfig({ "python-e2e:applicationId": applicationId });
    expect(yarn.code).to.not.equal(0);
    expect(yarn.output).to.match(/kill-app.*property applicationId /s);
    expect(since(before).filter((r) => r.api === "yarn")).to.deep.equal([]);
    expect(
      since(before).filter((r) => r.method !== "GET" && r.route !== "nodeman.task_result"),
    ).to.deep.equal([]);
  });

  it("3. up terminates each target once and records the documented outputs; the invoke answers", async () => {
    const { output } = await stack.pulumi(["up", "--yes"]);
    expect(output).to.match(/5 created/); // the stack, the provider and the three resources
    expect({
      kills: emulator.effectiveCount("mrs.kill"),
      revokes: emulator.effectiveCount("nodeman.revoke"),
      yarnKills: emulator.effectiveCount("yarn.kill"),
    }).to.deep.equal({ kills: 1, revokes: 1, yarnKills: 1 });
    const outputs = await stack.outputs();
    expect(outputs).to.include({
      mrsOutcome: "terminated",
      mrsJobState: "KILLED",
      mrsJobName: "nightly-etl",
      nodemanOutcome: "terminated",
      yarnOutcome: "terminated",
      yarnState: "KILLED",
      yarnFinalStatus: "KILLED",
      finishedState: "FINISHED",
      finishedResult: "SUCCEEDED",
      finishedName: "done",
    });
    expect(outputs.mrsKilled).to.deep.equal(["job-running"]);
    expect(outputs.yarnKilled).to.deep.equal([applicationId]);
    expect(instanceStatuses(outputs)).to.include({
      "host|instance|host|1": "FAILED",
      "host|instance|host|2": "FAILED",
      "host|instance|host|127.0.0.1-0-0": "FAILED",
    });
  });

  it("4. a second up changes nothing and sends nothing that terminates", async () => {
    const before = lastSeq();
    const { output } = await stack.pulumi(["up", "--yes"]);
    expect(output).to.match(/5 unchanged/);
    expect(output).to.not.match(/replace|updated|created/i);
    // Only the invoke reads, once in the preview and once in the update.
    expect(since(before).map((r) => r.route)).to.deep.equal(["mrs.get_job", "mrs.get_job"]);
  });

  it("5. refresh reads live state and sends nothing that terminates", async () => {
    const before = lastSeq();
    const terminationsBefore = terminations();
    await stack.pulumi(["refresh", "--yes"]);
    expect(terminations()).to.equal(terminationsBefore);
    expect(reads(since(before), "mrs.get_job", "job-running")).to.be.greaterThan(0);
    expect(since(before).every((r) => r.method === "GET" || r.route === "nodeman.task_result")).to.equal(
      true,
    );
    expect(await stack.outputs()).to.include({
      mrsOutcome: "terminated",
      mrsJobState: "KILLED",
      yarnState: "KILLED",
    });
  });

  it("6. secrets from require_secret are ciphertext in `pulumi stack export`; none in plain text anywhere", async () => {
    const state = await stack.exportState();
    expect(providerInputs(state, "huaweicloud")).to.include("ciphertext");
    expect(providerInputs(state, "blueking")).to.include("ciphertext");
    expect(findSecrets(state, stack.transcript, emulator.requests())).to.deep.equal([]);
  });

  it("7. secrets passed as plain str values are ciphertext in `pulumi stack export` too", async () => {
    // The same values, as a program that never calls require_secret passes them (a str from its
    // environment): only the provider's schema and its answers can mark them secret.
    Object.assign(stack.env, {
      E2E_PLAIN_SECRETS: "1",
      E2E_SECRET_KEY: secrets.secretKey,
      E2E_APP_SECRET: secrets.appSecret,
      E2E_BK_TOKEN: secrets.bkToken,
    });
    const terminationsBefore = terminations();
    const { output } = await stack.pulumi(["up", "--yes"]);
    expect(terminations()).to.equal(terminationsBefore);
    expect(findSecrets(output), "secrets in the CLI's output").to.deep.equal([]);
    const state = await stack.exportState();
    expect(findSecrets(state), "secrets in plain text in the state").to.deep.equal([]);
    expect(providerInputs(state, "huaweicloud")).to.include("ciphertext");
    expect(providerInputs(state, "blueking")).to.include("ciphertext");
  });

  it("8. destroy succeeds and sends nothing that terminates", async () => {
    const terminationsBefore = terminations();
    const { output } = await stack.pulumi(["destroy", "--yes"]);
    expect(output).to.match(/deleted/);
    expect(terminations()).to.equal(terminationsBefore);
    expect(findSecrets(output)).to.deep.equal([]);
  });
});

/** The explicit provider's `key` input in an exported state, as JSON (a secret envelope or an object). */
function providerInputs(exported: string, key: string): string {
  const { deployment } = JSON.parse(exported) as {
    deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
  };
  const provider = deployment.resources.find((r) => r.type === "pulumi:providers:termination");
  expect(provider?.inputs?.[key], `the explicit provider's ${key} input`).to.not.equal(undefined);
  return JSON.stringify(provider?.inputs?.[key]);
}
