/**
 * End-to-end through the provider plugin: a Pulumi YAML program, run by the real engine and the
 * YAML language host against the emulator, loads `pulumi-resource-termination` from the package as
 * npm installs it (the packed tarball), and declares both resources and a `getMrsJob` invoke
 * through an explicit provider configured from the program's own `huaweicloud:*`/`blueking:*`
 * stack config. The emulator's request log is the witness. The cases run in order on one stack.
 */
import { expect } from "chai";
import { rmSync } from "node:fs";
import { startEmulator, type Emulator } from "../../emulator";
import type { RecordedRequest } from "../../emulator/requestLog";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { accessKey, baseSeed, clusterId, findSecrets, projectId, secrets } from "../helpers/fixtures";
import { diagnosticsOf, installedPlugin, instanceStatuses, pulumiCliOrSkip } from "./program";

/** The program; `pluginDir` holds `pulumi-resource-termination`. */
function program(pluginDir: string): string {
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
config:
  clusterId:
    type: string
  jobExecutionId:
    type: string
  subscriptionId:
    type: integer
resources:
  terminations:
    type: pulumi:providers:termination
    properties:
      huaweicloud:
        accessKey: \${huaweicloud:accessKey}
        secretKey: \${huaweicloud:secretKey}
        projectId: \${huaweicloud:projectId}
        mrsEndpoint: \${huaweicloud:mrsEndpoint}
      blueking:
        appCode: \${blueking:appCode}
        appSecret: \${blueking:appSecret}
        username: \${blueking:username}
        bkToken: \${blueking:bkToken}
        apigwUrlTemplate: \${blueking:apigwUrlTemplate}
  kill-job:
    type: termination:index:MrsJobTermination
    properties:
      clusterId: \${clusterId}
      jobExecutionId: \${jobExecutionId}
      waitTimeoutSeconds: 60
    options:
      provider: \${terminations}
  revoke-tasks:
    type: termination:index:NodemanTaskTermination
    properties:
      subscriptionId: \${subscriptionId}
      waitTimeoutSeconds: 60
    options:
      provider: \${terminations}
variables:
  # Another job than the one killed, so that its reads are told apart from the resource's.
  finished:
    fn::invoke:
      function: termination:index:getMrsJob
      arguments:
        clusterId: \${clusterId}
        jobExecutionId: job-finished
      options:
        provider: \${terminations}
outputs:
  finishedState: \${finished.jobState}
  finishedResult: \${finished.jobResult}
  finishedName: \${finished.jobName}
  mrsOutcome: \${kill-job.outcome}
  mrsJobState: \${kill-job.jobState}
  mrsJobName: \${kill-job.jobName}
  mrsKilled: \${kill-job.killedJobExecutionIds}
  nodemanOutcome: \${revoke-tasks.outcome}
  nodemanInstances: \${revoke-tasks.instances}
`;
}

describe("end-to-end: a Pulumi YAML program through the provider plugin", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  let programDir: string;

  const kills = () => emulator.requests({ route: "mrs.kill" }).length;
  const revokes = () => emulator.requests({ route: "nodeman.revoke" }).length;
  const terminations = () => kills() + revokes();
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
    const binDir = await pulumiCliOrSkip(this);
    // The plugin as npm installs it: node_modules/pulumi-termination/bin of the packed tarball.
    const pluginDir = await installedPlugin();
    emulator = await startEmulator({ seed: baseSeed() });
    programDir = createYamlProject(program(pluginDir), "yaml-plugin");
    stack = await PulumiStack.create(programDir, binDir, "plugin");
    await stack.setConfig({
      "yaml-plugin:clusterId": clusterId,
      "yaml-plugin:jobExecutionId": "job-running",
      "yaml-plugin:subscriptionId": "42",
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
    // Nothing stands under the Stack: that is where a dynamic provider's lines go.
    expect(output).to.not.match(/pulumi:pulumi:Stack \([^)]*\):\n/);
    expect(output).to.match(/\+\s+termination:index:MrsJobTermination\s+kill-job\s+create/);
    expect(output).to.match(/\+\s+termination:index:NodemanTaskTermination\s+revoke-tasks\s+create/);
    expect(terminations()).to.equal(0);
    const requests = emulator.requests();
    expect(reads(requests, "mrs.get_job", "job-running")).to.equal(1);
    expect(reads(requests, "nodeman.task_result", 42)).to.equal(1);
  });

  it("2. bad inputs fail the preview naming the field, and send no request for it", async () => {
    // Both resources' inputs bad, and the invoke's: nothing at all goes out. Which failure stops
    // the program first is the engine's choice, so only the field shared by the two is certain.
    let before = lastSeq();
    await stack.setConfig({ "yaml-plugin:clusterId": "../cluster-1", "yaml-plugin:subscriptionId": "0" });
    const both = await stack.pulumi(["preview"], { allowFailure: true });
    expect(both.code).to.not.equal(0);
    expect(both.output).to.include("clusterId");
    expect(since(before)).to.deep.equal([]);
    // Only the NodeMan input bad: it is named, and NodeMan gets no request (MRS may get its reads).
    await stack.setConfig({ "yaml-plugin:clusterId": clusterId });
    before = lastSeq();
    const one = await stack.pulumi(["preview"], { allowFailure: true });
    await stack.setConfig({ "yaml-plugin:subscriptionId": "42" });
    expect(one.code).to.not.equal(0);
    expect(one.output).to.match(/revoke-tasks.*property subscriptionId .*must be between 1 and/);
    expect(since(before).filter((r) => r.api !== "mrs")).to.deep.equal([]);
    expect(since(before).filter((r) => r.method !== "GET")).to.deep.equal([]);
  });

  it("3. up terminates once, reads each target once in its preview and no more, and records the outputs", async () => {
    const before = lastSeq();
    const { output } = await stack.pulumi(["up", "--yes"]);
    expect(output).to.match(/4 created/);
    expect({
      kills: emulator.effectiveCount("mrs.kill"),
      revokes: emulator.effectiveCount("nodeman.revoke"),
    }).to.deep.equal({ kills: 1, revokes: 1 });
    // supportsPreview: the one preflight read runs in the preview's Create; the update adds none.
    // Both creates read their target right before terminating it (NodeMan since wave 5: which of
    // the instances run, and in which tasks), so two reads precede the revoke and two the kill.
    const requests = since(before);
    const upTo = (route: string) =>
      requests.slice(
        0,
        requests.findIndex((r) => r.route === route),
      );
    expect(reads(upTo("nodeman.revoke"), "nodeman.task_result", 42)).to.equal(2);
    expect(reads(upTo("mrs.kill"), "mrs.get_job", "job-running")).to.equal(2);
    expect(output.match(/will be killed/g)?.length).to.equal(
      output.split("Updating (")[0].match(/will be killed/g)?.length,
    );

    const outputs = await stack.outputs();
    expect(outputs).to.include({
      mrsOutcome: "terminated",
      mrsJobState: "KILLED",
      mrsJobName: "nightly-etl",
      nodemanOutcome: "terminated",
    });
    expect(outputs.mrsKilled).to.deep.equal(["job-running"]);
    expect(instanceStatuses(outputs)).to.include({
      "host|instance|host|1": "FAILED",
      "host|instance|host|2": "FAILED",
      "host|instance|host|127.0.0.1-0-0": "FAILED",
    });
    // The invoke's result, through the same explicit provider.
    expect(outputs).to.include({
      finishedState: "FINISHED",
      finishedResult: "SUCCEEDED",
      finishedName: "done",
    });
  });

  it("4. a second up changes nothing and sends nothing that terminates", async () => {
    const before = lastSeq();
    const { output } = await stack.pulumi(["up", "--yes"]);
    expect(output).to.match(/4 unchanged/);
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
    expect(await stack.outputs()).to.include({ mrsOutcome: "terminated", mrsJobState: "KILLED" });
  });

  it("6. the Huawei secret key is encrypted in `pulumi stack export`; no secret in plain text anywhere", async () => {
    const state = await stack.exportState();
    const deployment = JSON.parse(state) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    const provider = deployment.deployment.resources.find((r) => r.type === "pulumi:providers:termination");
    const huaweicloud = provider?.inputs?.huaweicloud as Record<string, unknown> | undefined;
    expect(huaweicloud, "the explicit provider's huaweicloud input").to.be.an("object");
    // Encrypted: the whole object, or the key within it, is a secret envelope with ciphertext.
    const envelope = JSON.stringify(huaweicloud);
    expect(envelope).to.include("4dabf18193072939515e22adb298388d");
    expect(envelope).to.include("ciphertext");
    expect(findSecrets(state, stack.transcript, emulator.requests())).to.deep.equal([]);
  });

  it("7. destroy succeeds and sends nothing that terminates", async () => {
    const terminationsBefore = terminations();
    const { output } = await stack.pulumi(["destroy", "--yes"]);
    expect(output).to.match(/deleted/);
    expect(terminations()).to.equal(terminationsBefore);
    expect(findSecrets(stack.transcript)).to.deep.equal([]);
  });
});
