/**
 * What a kill's answer means: a kill whose answer was lost may have worked, so it is recorded and
 * the next `pulumi up` takes the job found KILLED as its work; a 2xx that is not MRS's answer (a
 * proxy's page) is not an accepted kill; a record written before `failedJobExecutionIds` existed
 * still gets its failed kill retried.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { isApiError, TerminationIncompleteError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { jobStateOf, runningJob, seedWithJobs, type Props } from "../attack/helpers";

/** Kill attempts run out fast: 2 attempts, tiny backoff. */
const config = (url: string) => ({ ...huaweiConfig(url), "termination:maxAttempts": "2" });
const killed = (id: string) => runningJob(id, { job_state: "KILLED", job_result: "KILLED" });

describe("MrsJobTermination: what a kill's answer means", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });
  const kills = (id?: string) =>
    emulator.requests({ route: "mrs.kill" }).filter((r) => id === undefined || r.path.includes(`/${id}/`));
  /** The kill is applied, then no attempt gets an answer back. */
  const loseKillAnswer = () => {
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
    emulator.injectFault({ route: "mrs.kill", times: 1, fault: { kind: "reset" } });
  };

  async function incompleteCreate(provider: { create(i: object): Promise<unknown> }, inputs: object) {
    const error = await caught(provider.create(inputs));
    expect(error, `${error.name}: ${error.message}`).to.be.instanceOf(TerminationIncompleteError);
    return error as TerminationIncompleteError;
  }

  describe("a kill whose answer was lost", () => {
    it("one job: recorded as uncertain; the next up counts the KILLED job as killed, without a second kill, even with whenAlreadyFinished fail", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      loseKillAnswer();
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA", whenAlreadyFinished: "fail" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.message)
        .to.match(/jA: the kill may have gone through, but no answer says so/)
        .and.match(/connection reset/);
      expect(error.properties).to.include({ outcome: "requested" });
      expect(error.properties).to.not.have.property("completedAt");
      expect(error.properties.failedJobExecutionIds).to.deep.equal(["jA"]);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      expect(error.properties.killedJobExecutionIds).to.deep.equal([]);
      expect(kills()).to.have.length(2);

      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(outs.completedAt).to.be.a("string");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
      expect(outs.failedJobExecutionIds).to.deep.equal([]);
      expect(outs.uncertainJobExecutionIds).to.deep.equal([]);
      expect(outs.jobState).to.equal("KILLED");
      expect(kills()).to.have.length(2);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("one job still running on the next up (the lost kill never arrived): killed then", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "reset" } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      expect(jobStateOf(emulator, "jA")).to.equal("RUNNING");
      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
      expect(jobStateOf(emulator, "jA")).to.equal("KILLED");
    });

    it("one job deleted since (0176): the next up ends terminated and gone, not failing on it for ever", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "reset" } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      emulator.seed(seedWithJobs([]));
      const next = await provider.update(error.id, error.properties as Props, inputs).then(
        ({ outs }) => outs,
        (failure: Error) => failure.message,
      );
      expect(next, String(next)).to.be.an("object");
      expect(next).to.include({ outcome: "terminated", targetGone: true });
      expect((next as Props).failedJobExecutionIds).to.deep.equal([]);
      expect(kills()).to.have.length(2);
    });

    it("a gateway's 502 on every attempt may hide a kill that ran: recorded, not dropped", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "status", status: 502 } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const error = await incompleteCreate(provider, { clusterId, jobExecutionId: "jA" });
      expect(error.message).to.match(/HTTP 502/);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
    });

    it("a kill refused by MRS (0175, a clear answer) on a job still running is not uncertain: create fails unrecorded", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({
        route: "mrs.kill",
        fault: { kind: "reply", status: 400, body: { error_code: "0175", error_msg: "kill failed" } },
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
      expect(isApiError(error) && error.code === "0175", error.message).to.equal(true);
    });

    it("a batch where every kill's answer was lost is recorded (not 'nothing was killed'); the next up counts both", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA"), runningJob("jB")]) });
      loseKillAnswer();
      loseKillAnswer();
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionIds: ["jA", "jB"] };
      const error = await incompleteCreate(provider, inputs);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA", "jB"]);
      expect(error.properties.failedJobExecutionIds).to.deep.equal(["jA", "jB"]);
      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jA", "jB"]);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(2);
      expect(kills()).to.have.length(4);
    });

    it("a batch: jA's answer lost, jB killed; the next up finds jA KILLED and counts it, with whenAlreadyFinished fail", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA"), runningJob("jB")]) });
      loseKillAnswer();
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionIds: ["jA", "jB"], whenAlreadyFinished: "fail" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.message).to.match(/killed 1 of 2 jobs; these failed:\njA: the kill may have gone through/);
      expect(error.properties.killedJobExecutionIds).to.deep.equal(["jB"]);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jB", "jA"]);
      expect(kills("jB")).to.have.length(1);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(2);
    });

    it("the next up failing to read the job keeps it uncertain: a third up still counts it KILLED as ours", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      loseKillAnswer();
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA", whenAlreadyFinished: "fail" };
      const first = await incompleteCreate(provider, inputs);
      emulator.injectFault({ route: "mrs.get_job", times: 2, fault: { kind: "status", status: 503 } });
      const second = await caught(provider.update(first.id, first.properties as Props, inputs));
      expect(second, second.message).to.be.instanceOf(TerminationIncompleteError);
      const props = (second as TerminationIncompleteError).properties;
      expect(props.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      expect(props.failedJobExecutionIds).to.deep.equal(["jA"]);
      const { outs } = await provider.update(first.id, props as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("a job whose kill clearly failed (503) and that someone else killed since is not taken as ours with whenAlreadyFinished fail", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA"), runningJob("jB")]) });
      emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "status", status: 503 } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionIds: ["jA", "jB"], whenAlreadyFinished: "fail" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal([]);
      // Someone else kills jA before the next up.
      const jA = { job_id: "jA", job_name: "etl", job_state: "KILLED", job_result: "KILLED" };
      emulator.injectFault({
        route: "mrs.get_job",
        fault: { kind: "reply", status: 202, body: { job_detail: jA } },
      });
      const again = await caught(provider.update(error.id, error.properties as Props, inputs));
      expect(again.message).to.match(/jA .*was already finished/);
    });
  });

  describe("a 2xx that is not MRS's answer", () => {
    const html = "<html><body><h1>Corporate proxy</h1><p>Please sign in.</p></body></html>";

    it("a proxy's HTML page: not an accepted kill; the error names HTTP 200 and the page; the next up kills the job", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({
        route: "mrs.kill",
        fault: { kind: "reply", status: 200, headers: { "Content-Type": "text/html" }, body: html },
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA" };
      const error = await incompleteCreate(provider, inputs);
      expect(error.message)
        .to.match(/HTTP 200 from POST .*\/jA\/kill: <html>/)
        .and.match(/is a proxy in between/);
      expect(error.properties.failedJobExecutionIds).to.deep.equal(["jA"]);
      expect(jobStateOf(emulator, "jA")).to.equal("RUNNING");
      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(jobStateOf(emulator, "jA")).to.equal("KILLED");
    });

    it("a 200 with an MRS error code is MRS's refusal: create fails with it, unrecorded", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({
        route: "mrs.kill",
        fault: { kind: "reply", status: 200, body: { error_code: "0160", error_msg: "kill failed" } },
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
      expect(isApiError(error) && error.code === "0160", error.message).to.equal(true);
    });

    for (const [name, body] of [
      ["a JSON list", [1, 2]],
      ["plain text", "OK"],
    ] as const) {
      it(`a 200 with ${name} is not an accepted kill: recorded, retried on the next up`, async () => {
        emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
        emulator.injectFault({ route: "mrs.kill", fault: { kind: "reply", status: 200, body } });
        const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
        const outcome = await provider.create({ clusterId, jobExecutionId: "jA" }).then(
          ({ outs }) => `created ${outs.outcome}`,
          (error: Error) => error.name,
        );
        expect(outcome).to.equal("TerminationIncompleteError");
      });
    }

    for (const [name, body] of [
      ["an empty JSON object", {}],
      ["whitespace", " \n"],
    ] as const) {
      it(`a 202 with ${name} is an accepted kill`, async () => {
        emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
        emulator.injectFault({ route: "mrs.kill", fault: { kind: "reply", status: 202, body } });
        const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
        const { outs } = await provider.create({
          clusterId,
          jobExecutionId: "jA",
          waitForTermination: false,
        });
        expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
        expect(outs.failedJobExecutionIds).to.deep.equal([]);
      });
    }
  });

  describe("a record written before failedJobExecutionIds existed", () => {
    const oldRecord = (inputs: Props, killedIds: string[]): Props => ({
      ...inputs,
      outcome: "requested",
      requestedAt: "2026-11-30T10:00:00.000Z",
      requestId: "old-request",
      jobs: killedIds.map((id) => ({ jobExecutionId: id, jobName: "etl", jobState: "RUNNING" })),
      killedJobExecutionIds: killedIds,
    });

    it("the named job left out of every list is killed, the killed one never again; jobs lists both", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA"), killed("jB")]) });
      const inputs = { clusterId, jobExecutionIds: ["jA", "jB"] };
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const { outs } = await provider.update("mrs/cluster-1/batch@1", oldRecord(inputs, ["jB"]), inputs);
      expect(outs.outcome).to.equal("terminated");
      expect(kills().map((r) => r.path.split("/").at(-2))).to.deep.equal(["jA"]);
      expect(outs.killedJobExecutionIds).to.deep.equal(["jB", "jA"]);
      expect(outs.failedJobExecutionIds).to.deep.equal([]);
      expect(outs.jobs.map((j: { jobExecutionId: string }) => j.jobExecutionId)).to.deep.equal(["jB", "jA"]);
      expect(outs.requestId).to.match(/^old-request,/);
    });

    it("its kill failing again keeps the record requested, naming the job", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA"), killed("jB")]) });
      emulator.injectFault({ route: "mrs.kill", times: 2, fault: { kind: "status", status: 503 } });
      const inputs = { clusterId, jobExecutionIds: ["jA", "jB"] };
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const error = await caught(provider.update("mrs/cluster-1/batch@1", oldRecord(inputs, ["jB"]), inputs));
      expect(error).to.be.instanceOf(TerminationIncompleteError);
      expect(error.message).to.match(/the kills of \[jA\] did not go through/);
      expect((error as TerminationIncompleteError).properties).to.include({ outcome: "requested" });
      expect((error as TerminationIncompleteError).properties.failedJobExecutionIds).to.deep.equal(["jA"]);
    });

    it("a single-job record older still (no killedJobExecutionIds: its kill went out) sends no second kill", async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      const inputs = { clusterId, jobExecutionId: "jA", waitTimeoutSeconds: 1 };
      const record: Props = { ...inputs, outcome: "requested", requestedAt: "2026-11-01T10:00:00.000Z" };
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      await provider.update("mrs/cluster-1/jA@1", record, inputs).catch(() => undefined);
      expect(kills()).to.deep.equal([]);
    });
  });
});
