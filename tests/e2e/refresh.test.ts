/**
 * End-to-end: `pulumi refresh` through the real engine when the targets are gone (deleted after
 * their termination) and when a read fails. A gone target keeps its record, marked `targetGone`;
 * a failed read fails the refresh with the error said once, without stack lines or install paths.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import { baseSeed, seedWithout } from "../helpers/fixtures";
import {
  configureStack,
  pluginProgram,
  pulumiCliOrSkip,
  installedPlugin,
  sharedProgram,
  terminatingRequests,
  terminationResources,
} from "./program";
import { mrsRefusal, nodemanRefusal } from "../../testing/faults";

describe("end-to-end: pulumi refresh of targets gone since, and of a read that fails", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;

  const sent = () => terminatingRequests(emulator);
  const terminations = async () => terminationResources(await stack.exportState());

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    const programDir = await sharedProgram();
    emulator = await startEmulator({ seed: baseSeed() });
    stack = await PulumiStack.create(programDir, binDir, "refresh");
    await configureStack(stack, emulator.url);
    await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect((await terminations()).map((r) => r.outputs?.outcome)).to.deep.equal(["terminated", "terminated"]);
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
  });

  it("with the job and the subscription deleted, exits 0 and marks both targetGone, keeping the records", async () => {
    const seed = seedWithout("job");
    seed.blueking = seedWithout("subscription").blueking;
    emulator.seed(seed);
    const before = sent();
    const refreshed = await stack.pulumi(["refresh", "--yes", "--skip-preview"], { allowFailure: true });
    expect(refreshed.code, refreshed.output).to.equal(0);
    const resources = await terminations();
    expect(resources.map((r) => r.outputs?.targetGone)).to.deep.equal([true, true]);
    expect(resources.map((r) => r.outputs?.outcome)).to.deep.equal(["terminated", "terminated"]);
    expect(sent()).to.deep.equal(before);
  });

  it("with a read refused (3800001), fails, saying the request id in one message, once in the summary, without stack lines or dist/ paths", async () => {
    emulator.seed(baseSeed());
    emulator.injectFault({
      route: "nodeman.task_result",
      times: -1,
      fault: nodemanRefusal(3800001, "subscription_id: refused (injected)", { requestId: "req-3800001-e2e" }),
    });
    const failed = await stack.pulumi(["refresh", "--yes", "--skip-preview"], { allowFailure: true });
    emulator.clearFaults();
    expect(failed.code).to.not.equal(0);
    expect(failed.output).to.include("3800001").and.include("subscription_id: refused (injected)");
    expect(failed.output).to.not.include("    at ");
    expect(failed.output).to.not.include("dist/");
    // The CLI's progress view echoes a resource's error on its progress lines; the Diagnostics
    // summary says each message once. The request id must stand in one message only, said once
    // there: the provider host's own stderr line must not repeat it.
    const diagnostics = failed.output.slice(
      failed.output.indexOf("Diagnostics:"),
      failed.output.indexOf("Outputs:"),
    );
    expect(diagnostics.split("req-3800001-e2e").length - 1, failed.output).to.equal(1);
    const saying = failed.output
      .split("\n")
      .filter((line) => line.includes("req-3800001-e2e"))
      .map((line) => line.slice(line.indexOf("error: ")));
    expect(new Set(saying).size, failed.output).to.equal(1);
  });
});

describe("end-to-end: an incomplete termination stays incomplete through refresh, through both doors", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let binDir: string;
  let programDir: string;
  let pluginDir: string;
  const stacks: PulumiStack[] = [];
  const batch = ["job-running", "job-accepted"];

  /** The kills sent since `seq`, as the job each named. */
  const killsSince = (seq: number) =>
    emulator
      .requests({ route: "mrs.kill" })
      .filter((r) => r.seq > seq)
      .map((r) => r.path.split("/").at(-2));
  const lastSeq = () => emulator.requests().at(-1)?.seq ?? 0;
  const record = async (stack: PulumiStack) =>
    terminationResources(await stack.exportState()).find((r) => r.urn.endsWith("::kill-job"))?.outputs;

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    programDir = await sharedProgram();
    pluginDir = await installedPlugin();
    emulator = await startEmulator({ seed: baseSeed() });
  });

  after(async () => {
    await emulator?.close();
    for (const stack of stacks) stack.dispose();
  });

  for (const door of ["dynamic provider (TypeScript)", "provider plugin (YAML)"] as const) {
    it(`${door}: a refused kill of a batch stays pending after \`pulumi refresh\`; \`preview --expect-no-changes\` fails naming it; \`up --refresh\` retries exactly that kill`, async () => {
      emulator.seed(baseSeed());
      emulator.clearFaults();
      const dir = door.startsWith("dynamic")
        ? programDir
        : createYamlProject(pluginProgram(pluginDir, batch), "e2e");
      const stack = await PulumiStack.create(
        dir,
        binDir,
        door.startsWith("dynamic") ? "incomplete-ts" : "incomplete-yaml",
      );
      stacks.push(stack);
      await configureStack(stack, emulator.url, baseSeed(), {
        "e2e:jobExecutionIds": JSON.stringify(batch),
        "e2e:skipNodeman": "true",
      });
      // The batch's first kill (job-running's) is refused; job-accepted's goes through.
      emulator.injectFault({
        route: "mrs.kill",
        fault: mrsRefusal("0175", "Failed to kill the job (injected)", { requestId: "req-0175-refresh" }),
      });
      let seq = lastSeq();
      const first = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
      expect(first.code, first.output).to.not.equal(0);
      expect(killsSince(seq)).to.deep.equal(batch);
      expect(await record(stack)).to.deep.include({
        outcome: "requested",
        killedJobExecutionIds: ["job-accepted"],
        failedJobExecutionIds: ["job-running"],
      });

      // A refresh reads the live jobs and keeps what is still to be done.
      seq = lastSeq();
      await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
      expect(killsSince(seq)).to.deep.equal([]);
      expect(await record(stack)).to.deep.include({
        outcome: "requested",
        failedJobExecutionIds: ["job-running"],
      });

      // Visible: a pending retry is a change, an update (never a replacement), named under the resource.
      const preview = await stack.pulumi(["preview", "--expect-no-changes", "--diff"], {
        allowFailure: true,
      });
      expect(preview.code, preview.output).to.not.equal(0);
      expect(preview.output, preview.output)
        .to.match(/~ .*MrsJobTermination: \(update\)\n.*\n.*::kill-job\]/)
        .and.not.match(/replace/);
      expect(preview.output, preview.output).to.match(/incomplete.*job-running|job-running.*incomplete/);
      expect(killsSince(seq)).to.deep.equal([]);

      // What CI runs: the refresh first, then the retry of exactly the kill that failed.
      seq = lastSeq();
      const retried = await stack.pulumi(["up", "--refresh", "--yes", "--skip-preview"]);
      expect(killsSince(seq), retried.output).to.deep.equal(["job-running"]);
      expect(await record(stack)).to.deep.include({
        outcome: "terminated",
        killedJobExecutionIds: ["job-accepted", "job-running"],
        failedJobExecutionIds: [],
      });

      // Complete now: no change, and a refresh keeps it so.
      await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
      seq = lastSeq();
      const clean = await stack.pulumi(["preview", "--expect-no-changes"], { allowFailure: true });
      expect(clean.code, clean.output).to.equal(0);
      expect(killsSince(seq)).to.deep.equal([]);
    });
  }
});
