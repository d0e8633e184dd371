/**
 * End-to-end: the real Pulumi engine (CLI, Node.js language host, dynamic-provider process)
 * running a program that installs this package from its tarball, against the emulator, whose
 * request log is the witness. The cases run in order on one stack, as a user's stack would live.
 */
import { expect } from "chai";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import { installPackages, packRepository, scratchDir } from "../../testing/pack";
import { repoRoot } from "../../testing/process";
import { baseSeed, findSecrets } from "../helpers/fixtures";
import { configureStack, instanceStatuses, pulumiCliOrSkip, sharedProgram } from "./program";
import { mrsRefusal } from "../../testing/faults";

describe("end-to-end with the Pulumi CLI", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  let programDir: string;
  const work = scratchDir("next");

  const kills = () => emulator.requests({ route: "mrs.kill" }).length;
  const revokes = () => emulator.requests({ route: "nodeman.revoke" }).length;

  before(async function () {
    // A first build of the CLI takes about 13 minutes on 2 cores; CI builds it in a step of its own.
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    programDir = await sharedProgram();
    emulator = await startEmulator({ seed: baseSeed() });
    stack = await PulumiStack.create(programDir, binDir, "e2e");
    await configureStack(stack, emulator.url);
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
  });

  it("1. preview shows both creates and what they will terminate, and sends no kill or revoke", async () => {
    const { output } = await stack.pulumi(["preview"]);
    // Each line names where it goes (issue 17): the emulator's host here; NodeMan also the route
    // and the instances the revoke will act on.
    const host = new URL(emulator.url).host;
    const hostPattern = host.replace(/\./g, "\\.");
    expect(output).to.match(
      new RegExp(`MRS job nightly-etl \\(job-running\\) RUNNING.* at ${hostPattern}: will be killed`),
    );
    expect(output).to.include(
      `NodeMan subscription 42 via apigw at ${host}: 3 of 4 instance(s) running will be revoked: host|instance|host|1, host|instance|host|127.0.0.1-0-0, host|instance|host|2`,
    );
    expect(output).to.match(/\+\s+\S*MrsJobTermination\s+kill-job\s+create/);
    expect(output).to.match(/\+\s+\S*NodemanTaskTermination\s+revoke-tasks\s+create/);
    // Listed instances: the running one named, the finished one left alone.
    await stack.setConfig({
      "e2e:instanceIds": JSON.stringify(["host|instance|host|1", "host|instance|host|4"]),
    });
    const listed = await stack.pulumi(["preview"]);
    expect(listed.output).to.include(
      `NodeMan subscription 42 via apigw at ${host}: 1 of 2 listed instance(s) running will be revoked: host|instance|host|1; not running, left alone: host|instance|host|4 (SUCCESS)`,
    );
    await stack.pulumi(["config", "rm", "e2e:instanceIds"]);
    expect(kills() + revokes()).to.equal(0);
  });

  it("2. preview with a malformed instance id or job id fails naming the field, and sends nothing", async () => {
    await stack.setConfig({
      "e2e:instanceIds": JSON.stringify(["host|instance|host|1", "host|instance|nope"]),
    });
    const badInstance = await stack.pulumi(["preview"], { allowFailure: true });
    expect(badInstance.code).to.not.equal(0);
    expect(badInstance.output).to.include("instanceIds[1]");
    await stack.pulumi(["config", "rm", "e2e:instanceIds"]);
    await stack.setConfig({ "e2e:jobExecutionId": "../job-running" });
    const badJob = await stack.pulumi(["preview"], { allowFailure: true });
    expect(badJob.code).to.not.equal(0);
    expect(badJob.output).to.include("jobExecutionId");
    await stack.setConfig({ "e2e:jobExecutionId": "job-running" });
    expect(kills() + revokes()).to.equal(0);
    // The valid resource in the same program still gets its preflight read; nothing else goes out.
    expect([...new Set(emulator.requests().map((r) => r.route))].sort()).to.deep.equal([
      "mrs.get_job",
      "nodeman.task_result",
    ]);
  });

  it("3. a job id from another resource's output (unknown in preview) previews cleanly", async () => {
    await stack.setConfig({ "e2e:jobIdFromOutput": "true" });
    const { output } = await stack.pulumi(["preview"]);
    expect(output).to.match(/kill-job\s+create/);
    await stack.pulumi(["config", "rm", "e2e:jobIdFromOutput"]);
    expect(kills() + revokes()).to.equal(0);
  });

  it("4. up kills the job and revokes the tasks; stack outputs show the outcome", async () => {
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    const outputs = await stack.outputs();
    expect(outputs).to.include({
      mrsOutcome: "terminated",
      mrsJobState: "KILLED",
      nodemanOutcome: "terminated",
    });
    expect(instanceStatuses(outputs)).to.include({
      "host|instance|host|1": "FAILED",
      "host|instance|host|2": "FAILED",
      "host|instance|host|127.0.0.1-0-0": "FAILED",
    });
    expect({
      kills: emulator.effectiveCount("mrs.kill"),
      revokes: emulator.effectiveCount("nodeman.revoke"),
    }).to.deep.equal({ kills: 1, revokes: 1 });
  });

  it("5. a second up changes nothing and sends no request", async () => {
    const before = emulator.requests().length;
    const { output } = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(output).to.match(/2 unchanged|unchanged/);
    expect(output).to.not.match(/replace|updated|created/i);
    expect(emulator.requests().length).to.equal(before);
  });

  it("6. a new version of the package (code changed, inputs the same) replaces nothing and sends nothing", async () => {
    const next = path.join(work, "next");
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      version: string;
      files: string[];
    };
    // Everything the package ships (its "files"), so that the next version is whole.
    for (const shipped of manifest.files.filter((entry) => !entry.startsWith("!")))
      cpSync(path.join(repoRoot, shipped), path.join(next, shipped), { recursive: true });
    manifest.version = `${manifest.version}-next`;
    writeFileSync(path.join(next, "package.json"), JSON.stringify(manifest, null, 2));
    writeFileSync(
      path.join(next, "dist", "core", "provider.js"),
      readFileSync(path.join(next, "dist", "core", "provider.js"), "utf8") + "\n// a new version\n",
    );
    await installPackages(programDir, [await packRepository(work, next)]);
    const before = emulator.requests().length;
    const { output } = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(output).to.not.match(/replace/i);
    expect(emulator.requests().length).to.equal(before);
  });

  it("7. changing triggers replaces and sends exactly one new kill and one new revoke", async () => {
    emulator.seed(baseSeed());
    const [killsBefore, revokesBefore] = [kills(), revokes()];
    await stack.setConfig({ "e2e:trigger": "rotate-1" });
    const { output } = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(output).to.match(/2 replaced/);
    expect({ kills: kills() - killsBefore, revokes: revokes() - revokesBefore }).to.deep.equal({
      kills: 1,
      revokes: 1,
    });
  });

  it("8. refresh reads live state and sends no kill or revoke", async () => {
    const [killsBefore, revokesBefore, readsBefore] = [
      kills(),
      revokes(),
      emulator.requests({ route: "mrs.get_job" }).length,
    ];
    await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
    expect({ kills: kills() - killsBefore, revokes: revokes() - revokesBefore }).to.deep.equal({
      kills: 0,
      revokes: 0,
    });
    expect(emulator.requests({ route: "mrs.get_job" }).length).to.be.greaterThan(readsBefore);
  });

  it("10. secrets: nothing in state, CLI output, or the serialized provider holds them in plain text", async () => {
    const state = await stack.exportState();
    expect(findSecrets(state, stack.transcript, emulator.requests())).to.deep.equal([]);
    const deployment = JSON.parse(state) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown> }[] };
    };
    const providers = deployment.deployment.resources
      .filter((r) => /Termination$/.test(r.type))
      .map((r) => String(r.inputs?.__provider));
    expect(providers).to.have.length(2);
    for (const provider of providers) {
      expect(provider.length).to.be.below(2048);
      expect(provider).to.match(
        /require\("pulumi-termination\/providers\/(mrsJobTermination|nodemanTaskTermination)"\)/,
      );
      expect(provider).to.not.match(/node_modules|\/dist\/|\.cjs/);
    }
    console.log(`      __provider: ${providers.map((p) => p.length).join(" and ")} bytes`);
  });

  it("11. a refused kill (0175) fails up with the code, text and request id; the next up completes", async () => {
    emulator.seed(baseSeed());
    emulator.injectFault({
      route: "mrs.kill",
      times: -1,
      fault: mrsRefusal("0175", "Failed to kill the job (injected)", { requestId: "req-0175-e2e" }),
    });
    await stack.setConfig({ "e2e:trigger": "rotate-2" });
    const failed = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
    expect(failed.code).to.not.equal(0);
    expect(failed.output)
      .to.include("0175")
      .and.include("Failed to kill the job (injected)")
      .and.include("req-0175-e2e");
    emulator.clearFaults();
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(await stack.outputs()).to.include({ mrsOutcome: "terminated", mrsJobState: "KILLED" });
  });

  it("9. destroy succeeds and sends no kill or revoke", async () => {
    const [killsBefore, revokesBefore] = [kills(), revokes()];
    const { output } = await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(output).to.match(/nothing was sent|deleted/);
    expect({ kills: kills() - killsBefore, revokes: revokes() - revokesBefore }).to.deep.equal({
      kills: 0,
      revokes: 0,
    });
  });
});
