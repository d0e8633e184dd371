/**
 * A batch in which some kills did not go through is never reported `terminated` while
 * those jobs run; the next `pulumi up` (update with the same inputs) retries exactly those kills.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedJob } from "../../emulator/seed";
import { TerminationIncompleteError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { baseSeed, caught, clusterId, huaweiConfig, projectId, testProvider } from "../helpers/fixtures";
import { mrsRefusal } from "../../testing/faults";

const running = (id: string, extra: Partial<SeedJob> = {}): SeedJob => ({
  job_id: id,
  job_name: "etl",
  job_state: "RUNNING",
  job_result: "UNDEFINED",
  ...extra,
});

function seedWith(jobs: SeedJob[], mrsKillDelayMs = 0) {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs.push(...jobs);
  return { ...seed, mrsKillDelayMs };
}

/** Kill attempts run out fast: 2 attempts, tiny backoff. */
const config = (url: string) => ({ ...huaweiConfig(url), "termination:maxAttempts": "2" });

describe("MrsJobTermination batches whose kills partly failed", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });
  const killsOf = () => emulator.requests({ route: "mrs.kill" }).map((r) => r.path.split("/").at(-2));
  const effectiveKills = () =>
    emulator
      .requests({ route: "mrs.kill" })
      .filter((r) => r.effective)
      .map((r) => r.path.split("/").at(-2));
  const stateOf = (id: string) =>
    emulator.state().mrs.projects[projectId].clusters[clusterId].jobs.find((j) => j.job_id === id)?.job_state;
  /** jA's kill answers 503 until the attempts run out; jB's goes through. */
  const failFirstKill = () =>
    emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "status", status: 503 } });
  const batch = { clusterId, jobExecutionIds: ["jA", "jB"] };

  it("records every job and the failed kills, never completedAt beside requested; the next up retries jA only", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
    failFirstKill();
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const error = await caught(provider.create(batch));
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    const incomplete = error as TerminationIncompleteError;
    expect(incomplete.message).to.match(/killed 1 of 2 jobs; these failed:\njA: .*HTTP 503/);
    expect(incomplete.message).to.match(/Run `pulumi up` again to retry/);
    const props = incomplete.properties;
    expect(props.outcome).to.equal("requested");
    expect(props).to.not.have.property("completedAt");
    expect(props.killedJobExecutionIds).to.deep.equal(["jB"]);
    expect(props.failedJobExecutionIds).to.deep.equal(["jA"]);
    expect((props.jobs as { jobExecutionId: string }[]).map((j) => j.jobExecutionId)).to.deep.equal([
      "jA",
      "jB",
    ]);
    expect(stateOf("jA")).to.equal("RUNNING");
    expect(stateOf("jB")).to.equal("KILLED");

    emulator.clearRequests();
    const { outs } = await provider.update(incomplete.id, props, batch);
    expect(killsOf()).to.deep.equal(["jA"]);
    expect(outs.outcome).to.equal("terminated");
    expect(outs.completedAt).to.be.a("string");
    expect(outs.failedJobExecutionIds).to.deep.equal([]);
    expect(outs.killedJobExecutionIds).to.deep.equal(["jB", "jA"]);
    expect(outs.jobs.map((j: { jobState: string }) => j.jobState)).to.deep.equal(["KILLED", "KILLED"]);
    expect(stateOf("jA")).to.equal("KILLED");
  });

  it("names the failed kill also when the wait for the others times out, and the next up still retries it", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")], 1500) });
    failFirstKill();
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const error = (await caught(
      provider.create({ ...batch, waitTimeoutSeconds: 1 }),
    )) as TerminationIncompleteError;
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    expect(error.message)
      .to.match(/these failed:\njA: /)
      .and.match(/not stopped after waitTimeoutSeconds=1/);
    expect(error.properties).to.include({ outcome: "requested" });
    expect(error.properties).to.not.have.property("completedAt");
    expect(error.properties.failedJobExecutionIds).to.deep.equal(["jA"]);
    const { outs } = await provider.update(error.id, error.properties, { ...batch, waitTimeoutSeconds: 10 });
    expect(outs.outcome).to.equal("terminated");
    expect(effectiveKills()).to.deep.equal(["jB", "jA"]);
    expect(killsOf().filter((id) => id === "jB")).to.have.length(1);
  });

  it("a retry that fails again stays incomplete and keeps the record; a third up finishes, jB killed once", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
    failFirstKill();
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const first = (await caught(provider.create(batch))) as TerminationIncompleteError;
    failFirstKill();
    const second = (await caught(
      provider.update(first.id, first.properties, batch),
    )) as TerminationIncompleteError;
    expect(second).to.be.instanceOf(TerminationIncompleteError);
    expect(second.message).to.match(/retried 1 kill\(s\), killed 0; the kills of \[jA\] did not go through/);
    expect(second.properties).to.include({ outcome: "requested" });
    expect(second.properties).to.not.have.property("completedAt");
    expect(second.properties.failedJobExecutionIds).to.deep.equal(["jA"]);
    expect(second.properties.killedJobExecutionIds).to.deep.equal(["jB"]);
    const { outs } = await provider.update(first.id, second.properties, batch);
    expect(outs.outcome).to.equal("terminated");
    expect(effectiveKills()).to.deep.equal(["jB", "jA"]);
    expect(killsOf().filter((id) => id === "jB")).to.have.length(1);
  });

  it("a retry with waitForTermination: false sends the failed kills and stays requested", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
    failFirstKill();
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const inputs = { ...batch, waitForTermination: false };
    const first = (await caught(provider.create(inputs))) as TerminationIncompleteError;
    expect(first.properties).to.include({ outcome: "requested" });
    const { outs } = await provider.update(first.id, first.properties, inputs);
    expect(outs).to.include({ outcome: "requested" });
    expect(outs).to.not.have.property("completedAt");
    expect(outs.failedJobExecutionIds).to.deep.equal([]);
    expect(effectiveKills()).to.deep.equal(["jB", "jA"]);
  });

  it('whenAlreadyFinished: "fail" in a batch: never terminated while that holds; "succeed" then completes it', async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider } = await testProvider(mrsTarget, config(emulator.url));
    const inputs = {
      clusterId,
      jobExecutionIds: ["job-finished", "job-running"],
      whenAlreadyFinished: "fail",
    };
    const first = (await caught(provider.create(inputs))) as TerminationIncompleteError;
    expect(first).to.be.instanceOf(TerminationIncompleteError);
    expect(first.message).to.match(/job-finished: .*already finished/);
    expect(first.properties.failedJobExecutionIds).to.deep.equal(["job-finished"]);
    expect(first.properties).to.not.have.property("completedAt");
    const again = (await caught(
      provider.update(first.id, first.properties, inputs),
    )) as TerminationIncompleteError;
    expect(again).to.be.instanceOf(TerminationIncompleteError);
    expect(again.message).to.match(/job-finished/);
    expect(again.properties).to.include({ outcome: "requested" });
    const { outs } = await provider.update(first.id, again.properties, {
      ...inputs,
      whenAlreadyFinished: "succeed",
    });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.failedJobExecutionIds).to.deep.equal([]);
    expect(outs.jobs.map((j: { jobState: string }) => j.jobState)).to.deep.equal(["FINISHED", "KILLED"]);
    expect(killsOf()).to.deep.equal(["job-running"]);
  });

  it("a batch where every kill fails is not recorded, names every job, and killed nothing", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
    emulator.injectFault({ route: "mrs.kill", times: -1, fault: { kind: "status", status: 503 } });
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const error = await caught(provider.create(batch));
    expect(error).to.not.be.instanceOf(TerminationIncompleteError);
    expect(error.message).to.match(/no job was killed; the kills of \[jA, jB\] did not go through/);
    expect(error.message)
      .to.match(/\njA: .*503/)
      .and.match(/\njB: .*503/);
    expect(effectiveKills()).to.deep.equal([]);
  });

  it("a job a selector listed that is gone by its kill (0176) is skipped, not a failure", async () => {
    emulator = await startEmulator({ seed: seedWith([running("etl-1"), running("etl-2")]) });
    emulator.injectFault({
      route: "mrs.get_job",
      fault: mrsRefusal("0176", "The job does not exist"),
    });
    const { provider, lines } = await testProvider(mrsTarget, config(emulator.url));
    const { outs } = await provider.create({ clusterId, jobSelector: { jobName: "etl" } });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.failedJobExecutionIds).to.deep.equal([]);
    expect(outs.killedJobExecutionIds).to.have.length(1);
    expect(outs.jobs).to.have.length(1);
    expect(lines.some((l) => /is gone since it was listed; skipped/.test(l))).to.equal(
      true,
      lines.join("\n"),
    );
  });

  for (const waitForTermination of [true, false])
    it(`a job whose kill failed and that is deleted since (0176) runs no more: the next up completes the record (waitForTermination: ${waitForTermination})`, async () => {
      emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
      failFirstKill();
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { ...batch, waitForTermination };
      const first = (await caught(provider.create(inputs))) as TerminationIncompleteError;
      expect(first.properties.failedJobExecutionIds).to.deep.equal(["jA"]);
      // jA is deleted (MRS keeps a job's record for a while only); jB stays, killed.
      emulator.seed(seedWith([running("jB", { job_state: "KILLED", job_result: "KILLED" })]));
      const { props } = await provider.read(first.id, first.properties);
      expect((await provider.diff(first.id, props, inputs)).changes).to.equal(true);
      emulator.clearRequests();
      const next = await provider.update(first.id, props, inputs).then(
        ({ outs }) => outs,
        (error: Error) => error.message,
      );
      expect(next, String(next)).to.be.an("object");
      const outs = next as Awaited<ReturnType<typeof provider.update>>["outs"];
      expect(outs.failedJobExecutionIds).to.deep.equal([]);
      expect(outs.killedJobExecutionIds).to.deep.equal(["jB"]);
      expect(outs.jobs.find((j: { jobExecutionId: string }) => j.jobExecutionId === "jA")).to.include({
        gone: true,
      });
      expect(outs.outcome).to.equal(waitForTermination ? "terminated" : "requested");
      expect((await provider.diff(first.id, outs, inputs)).changes).to.equal(false);
      expect(effectiveKills()).to.deep.equal([]);
    });

  it("refresh shows a job whose kill failed as it runs", async () => {
    emulator = await startEmulator({ seed: seedWith([running("jA"), running("jB")]) });
    failFirstKill();
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const error = (await caught(provider.create(batch))) as TerminationIncompleteError;
    const read = await provider.read(error.id, error.properties);
    expect(read.props.jobs).to.deep.include({
      jobExecutionId: "jA",
      jobName: "etl",
      jobState: "RUNNING",
      jobResult: "UNDEFINED",
    });
    expect(read.props.outcome).to.equal("requested");
  });
});
