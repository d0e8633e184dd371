/**
 * End-to-end: `pulumi refresh` through the real engine when the targets are gone (deleted after
 * their termination) and when a read fails. A gone target keeps its record, marked `targetGone`;
 * a failed read fails the refresh with the error said once, without stack lines or install paths.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import { baseSeed, seedWithout } from "../helpers/fixtures";
import {
  configureStack,
  pulumiCliOrSkip,
  sharedProgram,
  terminatingRequests,
  terminationResources,
} from "./program";
import { nodemanRefusal } from "../../testing/faults";

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
