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
import { createYamlProject, PulumiStack } from "../../scripts/lib/pulumi";
import type { Started } from "../../testing/process";
import { baseSeed } from "../helpers/fixtures";
import type { SeedState } from "../../emulator";
import { configureStack, pluginProgram, pulumiCliOrSkip, installedPlugin, sharedProgram } from "./program";

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

/** The base seed with five more jobs RUNNING, batch-1 to batch-5, for a batch. */
function batchSeed(extra: Partial<SeedState> = {}): SeedState {
  const seed = baseSeed(extra);
  const cluster = Object.values(seed.huawei!.projects!)[0].clusters["cluster-1"];
  for (let n = 1; n <= 5; n++)
    cluster.jobs.push({
      job_id: `batch-${n}`,
      job_name: `batch-${n}`,
      job_state: "RUNNING",
      job_result: "UNDEFINED",
      submitted_time: 4000 + n,
    });
  return seed;
}

/** The provider processes still running with the stack's PULUMI_HOME whose command line has `marker`, as pids. */
function pluginPids(stack: PulumiStack, command = "pulumi-resource-termination"): number[] {
  if (!existsSync("/proc/self/environ")) return [];
  const marker = `PULUMI_HOME=${stack.env.PULUMI_HOME}\0`;
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return (
          readFileSync(`/proc/${pid}/environ`, "latin1").includes(marker) &&
          readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(command)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe("end-to-end: the provider plugin when the user presses Ctrl-C once, or the CLI is killed", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let binDir: string;
  let pluginDir: string;
  const stacks: PulumiStack[] = [];
  const orphans: number[] = [];

  /** Where the current test's requests begin: the request log outlives `emulator.seed`. */
  let from = 0;
  const requests = (route: "mrs.kill" | "mrs.get_job") =>
    emulator.requests({ route }).filter((r) => r.seq > from);
  const kills = () => requests("mrs.kill").map((r) => r.path.split("/").at(-2));
  const deployment = async (stack: PulumiStack) =>
    (JSON.parse(await stack.exportState()) as Deployment).deployment;
  const killJobResource = async (stack: PulumiStack) =>
    (await deployment(stack)).resources?.find((r) => r.urn.endsWith("::kill-job"));

  before(async function () {
    this.timeout(45 * 60_000);
    binDir = await pulumiCliOrSkip(this);
    pluginDir = await installedPlugin();
    emulator = await startEmulator({ seed: batchSeed() });
  });

  after(async () => {
    // A plugin that outlived its CLI (the behaviour test 10 guards against) must not outlive the test.
    for (const pid of orphans)
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    await emulator?.close();
    for (const stack of stacks) stack.dispose();
  });

  beforeEach(() => {
    from = emulator.requests().at(-1)?.seq ?? 0;
  });

  async function pluginStack(name: string, program: Record<string, string>, ids?: string[]) {
    const dir = createYamlProject(pluginProgram(pluginDir, ids), "e2e");
    const stack = await PulumiStack.create(dir, binDir, name);
    stacks.push(stack);
    await configureStack(stack, emulator.url, baseSeed(), { "e2e:skipNodeman": "true", ...program });
    return stack;
  }

  /** Ctrl-C once, as a user does: the engine sends Cancel and waits for what runs to end. */
  async function interruptOnce(up: Started) {
    up.interrupt();
    await until("the ^C was acknowledged", () => /\^C received; cancelling/.test(up.output()), 60_000, up);
    return up.result;
  }

  it("8. Ctrl-C once while a kill whose answer was lost is retried: the kill is recorded as uncertain, and the next up settles it without a second kill", async () => {
    emulator.seed(batchSeed());
    emulator.clearFaults();
    const stack = await pluginStack("cancel-lost-answer", { "e2e:jobExecutionId": "job-running" });
    // The kill takes effect, but its answer is lost; the retry is told to wait 30 s (429 Retry-After).
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
    emulator.injectFault({
      route: "mrs.kill",
      fault: { kind: "status", status: 429, retryAfterSeconds: 30 },
    });
    const up = stack.startPulumi(["up", "--yes", "--skip-preview"]);
    await until("the kill was retried", () => kills().length >= 2, 120_000, up);
    const result = await interruptOnce(up);
    expect(result.code, result.output).to.not.equal(0);
    expect(kills(), "nothing is sent after the cancel").to.deep.equal(["job-running", "job-running"]);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    expect((await killJobResource(stack))?.outputs, result.output).to.deep.include({
      outcome: "requested",
      uncertainJobExecutionIds: ["job-running"],
    });

    // The next up reads the job, finds it KILLED by that kill, and sends none.
    emulator.clearFaults();
    const next = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(kills(), next.output).to.have.length(2);
    expect((await killJobResource(stack))?.outputs).to.deep.include({
      outcome: "terminated",
      jobState: "KILLED",
      killedJobExecutionIds: ["job-running"],
      uncertainJobExecutionIds: [],
    });
  });

  it("9. Ctrl-C once during a batch of five: no further kill is sent; the one sent is recorded, and the next up sends the four others", async () => {
    emulator.seed(batchSeed());
    emulator.clearFaults();
    const batch = ["batch-1", "batch-2", "batch-3", "batch-4", "batch-5"];
    const stack = await pluginStack("cancel-batch", {}, batch);
    // The first kill is held 15 s, then done: the Ctrl-C comes while it is on its way.
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "hang", ms: 15_000 } });
    const up = stack.startPulumi(["up", "--yes", "--skip-preview"]);
    await until("the first kill was sent", () => kills().length >= 1, 120_000, up);
    const result = await interruptOnce(up);
    expect(result.code, result.output).to.not.equal(0);
    expect(kills(), result.output).to.deep.equal(["batch-1"]);
    expect((await killJobResource(stack))?.outputs, result.output).to.deep.include({
      outcome: "requested",
      killedJobExecutionIds: ["batch-1"],
      failedJobExecutionIds: batch.slice(1),
    });

    const next = await stack.pulumi(["up", "--yes", "--skip-preview"]);
    expect(kills(), next.output).to.deep.equal(batch);
    expect((await killJobResource(stack))?.outputs).to.deep.include({
      outcome: "terminated",
      killedJobExecutionIds: batch,
      failedJobExecutionIds: [],
    });
  });

  it("10. SIGKILL of the CLI while the plugin waits: the plugin exits within seconds and polls no more", async () => {
    // The kill is accepted but takes effect only after 10 minutes: the plugin keeps polling.
    emulator.seed(batchSeed({ mrsKillDelayMs: killDelayMs }));
    emulator.clearFaults();
    const stack = await pluginStack("cli-killed", {
      "e2e:jobExecutionId": "job-running",
      "e2e:waitTimeoutSeconds": "300",
    });
    const up = stack.startPulumi(["up", "--yes", "--skip-preview"]);
    const reads = () => requests("mrs.get_job").length;
    const killSeq = () => requests("mrs.kill")[0]?.seq ?? Infinity;
    await until(
      "the kill was sent and the wait began",
      () => requests("mrs.get_job").some((r) => r.seq > killSeq()),
      120_000,
      up,
    );
    // The engine may run more than one (the YAML host loads the schema through one of its own).
    const plugins = pluginPids(stack);
    expect(plugins).to.not.deep.equal([]);
    orphans.push(...plugins);
    process.kill(up.child.pid as number, "SIGKILL");
    await up.result;
    const killedAt = Date.now();
    await until("the plugin exited", () => pluginPids(stack).length === 0, 20_000).catch(() => {
      throw new Error(
        `the plugin ${plugins.join(", ")} still runs ${Math.round((Date.now() - killedAt) / 1000)} s after its CLI was killed, and has read the job ${reads()} times`,
      );
    });
    // Gone: whatever it read after the CLI was killed, it reads no more.
    const readsWhenGone = reads();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(reads()).to.equal(readsWhenGone);
  });

  it("11. the dynamic door, for the README: after a SIGKILL of the CLI, Pulumi's own host polls on until waitTimeoutSeconds, then idles without exiting", async () => {
    emulator.seed(batchSeed({ mrsKillDelayMs: killDelayMs }));
    emulator.clearFaults();
    const stack = await PulumiStack.create(await sharedProgram(), binDir, "cli-killed-dynamic");
    stacks.push(stack);
    await configureStack(stack, emulator.url, baseSeed(), {
      "e2e:skipNodeman": "true",
      "e2e:waitTimeoutSeconds": "20",
    });
    const up = stack.startPulumi(["up", "--yes", "--skip-preview"]);
    const reads = () => requests("mrs.get_job").length;
    const killSeq = () => requests("mrs.kill")[0]?.seq ?? Infinity;
    await until(
      "the kill was sent and the wait began",
      () => requests("mrs.get_job").some((r) => r.seq > killSeq()),
      120_000,
      up,
    );
    const waitBegan = Date.now();
    // Pulumi's dynamic-provider host (@pulumi/pulumi cmd/dynamic-provider, under a /bin/sh wrapper).
    const hosts = pluginPids(stack, "dynamic-provider");
    expect(hosts).to.not.deep.equal([]);
    orphans.push(...hosts);
    process.kill(up.child.pid as number, "SIGKILL");
    await up.result;
    const readsAtKill = reads();
    await until("the host read the job again", () => reads() > readsAtKill, 30_000);
    // Its wait ends at its deadline (20 s after it began); after that it reads no more, but runs on.
    await until("the host's wait is over", () => Date.now() > waitBegan + 30_000, 60_000);
    const readsAfterWait = reads();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(reads()).to.equal(readsAfterWait);
    expect(pluginPids(stack, "dynamic-provider")).to.deep.equal(hosts);
  });
});
