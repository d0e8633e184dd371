/**
 * End-to-end: a user presses Ctrl-C twice while `pulumi up` waits for a kill to take effect. The
 * CLI stops at once and leaves a pending create in the state (the kill went out, the resource was
 * never recorded). Then the recovery the CLI names, and the next `pulumi up`: the emulator's
 * effective counts witness that the job is not killed twice, and the state must not claim more
 * than happened.
 */
import { expect } from "chai";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { startEmulator, type Emulator } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import type { Started } from "../../testing/process";
import { baseSeed } from "../helpers/fixtures";
import { configureStack, pulumiCliOrSkip, sharedProgram } from "./program";

interface Deployment {
  deployment: {
    resources?: { urn: string; outputs?: Record<string, unknown>; initErrors?: string[] }[];
    pending_operations?: { type: string; resource: { urn: string } }[];
  };
}

/** Polls `condition` every 100 ms; fails (with the command's output) if time runs out or the command ends first. */
async function until(what: string, condition: () => boolean, timeoutMs: number, command?: Started) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline || (command && command.child.exitCode !== null))
      throw new Error(`${timeoutMs} ms passed or pulumi ended before ${what}:\n${command?.output() ?? ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Processes (a provider, a language host) still running with the stack's PULUMI_HOME; Linux only. */
function processesOf(stack: PulumiStack): string[] {
  if (!existsSync("/proc/self/environ")) return [];
  const marker = `PULUMI_HOME=${stack.env.PULUMI_HOME}\0`;
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, "latin1").includes(marker);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map((pid) => readFileSync(`/proc/${pid}/cmdline`, "latin1").replaceAll("\0", " ").trim());
}

// The accepted kill takes effect after 10 minutes: a job reads as before until a test moves the
// emulator's clock (a jump within MRS's 15-minute signature skew).
const killDelayMs = 10 * 60_000;

describe("end-to-end: pulumi up interrupted by Ctrl-C twice while a kill waits", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let binDir: string;
  let programDir: string;
  const stacks: PulumiStack[] = [];

  const killsSent = () => emulator.requests({ route: "mrs.kill" }).length;
  const effectiveKills = () => emulator.effectiveCount("mrs.kill");
  const deployment = async (stack: PulumiStack) =>
    (JSON.parse(await stack.exportState()) as Deployment).deployment;
  const killJobResource = async (stack: PulumiStack) =>
    (await deployment(stack)).resources?.find((r) => r.urn.endsWith("::kill-job"));
  const pendingOperations = async (stack: PulumiStack) =>
    ((await deployment(stack)).pending_operations ?? []).map((op) => [
      op.type,
      op.resource.urn.split("::").at(-1),
    ]);

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    programDir = await sharedProgram();
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: killDelayMs } });
  });

  after(async () => {
    await emulator?.close();
    for (const stack of stacks) stack.dispose();
  });

  /** A stack of one MrsJobTermination of `jobId`, waiting up to 600 s. */
  async function newStack(name: string, jobId: string): Promise<PulumiStack> {
    const stack = await PulumiStack.create(programDir, binDir, name);
    stacks.push(stack);
    await configureStack(stack, emulator.url, baseSeed(), {
      "e2e:jobExecutionId": jobId,
      "e2e:skipNodeman": "true",
      "e2e:waitTimeoutSeconds": "600",
    });
    return stack;
  }

  /**
   * Starts `pulumi up`, waits until the kill was accepted and the wait began (a status read after
   * the kill), then Ctrl-C twice as a user does. The CLI stops at once; nothing is left running.
   */
  async function upInterruptedWhileWaiting(stack: PulumiStack): Promise<void> {
    const sentBefore = killsSent();
    const up = stack.startPulumi(["up", "--yes", "--skip-preview"]);
    const killSeq = () => emulator.requests({ route: "mrs.kill" })[sentBefore]?.seq ?? Infinity;
    await until(
      "the kill was sent and the wait began",
      () => emulator.requests({ route: "mrs.get_job" }).some((r) => r.seq > killSeq()),
      120_000,
      up,
    );
    up.interrupt();
    await until(
      "the first ^C was acknowledged",
      () => /\^C received; cancelling/.test(up.output()),
      30_000,
      up,
    );
    up.interrupt();
    const result = await up.result;
    expect(result.code).to.not.equal(0);
    expect(result.output)
      .to.include("^C received; terminating")
      .and.match(/kill-job\s+creating \(interrupted\)/);
    // Nothing keeps waiting (or polling) behind the user's back once the CLI has gone.
    await until("the stack's plugins exited", () => processesOf(stack).length === 0, 10_000).catch(() => {
      throw new Error(`still running after the CLI exited:\n${processesOf(stack).join("\n")}`);
    });
  }

  describe("recovered with `pulumi refresh --clear-pending-creates`, then `pulumi up`", () => {
    let stack: PulumiStack;
    before(async () => {
      stack = await newStack("interrupted", "job-running");
    });

    it("1. Ctrl-C twice after the kill was accepted: the CLI stops, the state holds a pending create", async () => {
      await upInterruptedWhileWaiting(stack);
      expect({ sent: killsSent(), effective: effectiveKills() }).to.deep.equal({ sent: 1, effective: 1 });
      expect(await pendingOperations(stack)).to.deep.equal([["creating", "kill-job"]]);
      expect(await killJobResource(stack)).to.equal(undefined);
    });

    it("2. a plain `pulumi refresh` (non-interactive) leaves the pending create; nothing is sent", async () => {
      const before = emulator.requests().length;
      await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
      expect(await pendingOperations(stack)).to.deep.equal([["creating", "kill-job"]]);
      expect(emulator.requests().length).to.equal(before);
    });

    it("3. the recovery, `pulumi refresh --clear-pending-creates`, drops the pending create and sends nothing", async () => {
      const before = emulator.requests().length;
      await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
      expect(await pendingOperations(stack)).to.deep.equal([]);
      expect(await killJobResource(stack)).to.equal(undefined);
      expect(emulator.requests().length).to.equal(before);
    });

    it("4. the next up while the job is still stopping: no second effective kill; recorded as requested, not terminated", async () => {
      // A short wait keeps the test short; the job keeps RUNNING past it.
      await stack.setConfig({ "e2e:waitTimeoutSeconds": "5" });
      const failed = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
      expect(failed.code).to.not.equal(0);
      expect(failed.output).to.include("not stopped after waitTimeoutSeconds=5").and.include("pulumi up");
      expect(effectiveKills()).to.equal(1);
      expect((await killJobResource(stack))?.outputs).to.include({
        outcome: "requested",
        jobState: "RUNNING",
      });
      expect(await pendingOperations(stack)).to.deep.equal([]);
    });

    it("5. once the kill has taken effect, the next up resumes the wait, sends no kill, and records terminated", async () => {
      emulator.setClock(() => new Date(Date.now() + killDelayMs + 60_000));
      const sentBefore = killsSent();
      await stack.pulumi(["up", "--yes", "--skip-preview"]);
      expect({ newKills: killsSent() - sentBefore, effective: effectiveKills() }).to.deep.equal({
        newKills: 0,
        effective: 1,
      });
      expect(await stack.outputs()).to.include({ mrsOutcome: "terminated", mrsJobState: "KILLED" });
      expect((await killJobResource(stack))?.initErrors ?? []).to.deep.equal([]);
    });
  });

  describe("followed by a plain `pulumi up` (no recovery first)", () => {
    let stack: PulumiStack;
    before(async () => {
      stack = await newStack("interrupted-then-up", "job-accepted");
    });

    it("6. up after the interrupt warns about the pending create and names `pulumi refresh`; no second effective kill", async () => {
      const effectiveBefore = effectiveKills();
      await upInterruptedWhileWaiting(stack);
      expect(effectiveKills()).to.equal(effectiveBefore + 1);
      await stack.setConfig({ "e2e:waitTimeoutSeconds": "5" });
      const next = await stack.pulumi(["up", "--yes", "--skip-preview"], { allowFailure: true });
      expect(next.output)
        .to.include("pending operations from previous deployment")
        .and.match(/kill-job, interrupted while creating/)
        .and.include("pulumi refresh");
      expect(effectiveKills()).to.equal(effectiveBefore + 1);
      // Recorded now, honestly: the job is still being killed.
      expect((await killJobResource(stack))?.outputs).to.include({
        outcome: "requested",
        jobState: "ACCEPTED",
      });
      // The engine keeps the old pending create beside the new resource until it is cleared.
      expect(await pendingOperations(stack)).to.deep.equal([["creating", "kill-job"]]);
    });

    it("7. `pulumi refresh --clear-pending-creates` then clears only the stale pending create; the resource stays", async () => {
      await stack.pulumi(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
      expect(await pendingOperations(stack)).to.deep.equal([]);
      expect((await killJobResource(stack))?.outputs).to.include({ outcome: "requested" });
    });
  });
});
