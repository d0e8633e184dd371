/**
 * Huawei's gateway, as the provider meets it: its codes in both spellings (APIGW.xxxx, APIG.xxxx)
 * recognised by one predicate, with advice where the user can act; a kill it answers with a 5xx is
 * its fault (retried, then "uncertain"), not MRS's answer; error bodies nested the way Huawei's SDKs
 * read them; and a killed job that reads FINISHED with job_result KILLED (hazard H5).
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { isApiError, TerminationIncompleteError } from "../../provider";
import { hintFor, isCredentialsRefused, isGatewayCode } from "../../provider/targets/mrs/codes";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { mrsRefusal } from "../../testing/faults";
import { jobStateOf, runningJob, seedWithJobs, type Props } from "../attack/helpers";
import { caught, clusterId, huaweiConfig, secrets, testProvider } from "../helpers/fixtures";

/** Attempts run out fast: 2 attempts, tiny backoff. */
const config = (url: string) => ({ ...huaweiConfig(url), "termination:maxAttempts": "2" });

/** Jobs added to the base seed, with the gateway's and MRS's modes. */
function seedWith(jobs: Parameters<typeof seedWithJobs>[0], huawei: SeedState["huawei"] = {}): SeedState {
  const seed = seedWithJobs(jobs);
  return { ...seed, huawei: { ...seed.huawei, ...huawei } };
}

describe("MRS: Huawei's gateway codes, error bodies and killed jobs", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });
  const kills = () => emulator.requests({ route: "mrs.kill" });

  describe("one predicate for the gateway's codes, both spellings", () => {
    const table: [string, boolean][] = [
      ["APIGW.0301", true],
      ["APIG.0301", true],
      ["APIG.0201", true],
      ["APIGW.0101", true],
      ["0176", false],
      ["12000003", false],
      ["APIGX.0301", false],
      ["APIG.301", false],
      ["apig.0301", false],
      ["MRS.0001", false],
    ];
    for (const [code, gateway] of table) {
      it(`${code} is ${gateway ? "" : "not "}the gateway's`, () => {
        expect(isGatewayCode(code)).to.equal(gateway);
      });
    }

    it("the same number gets the same advice in either spelling; the gateway's own faults get none", () => {
      for (const number of ["0101", "0301", "0302", "0307"]) {
        expect(hintFor(`APIG.${number}`), number)
          .to.be.a("string")
          .and.equal(hintFor(`APIGW.${number}`));
      }
      for (const fault of ["APIG.0103", "APIG.0201", "APIG.0202", "APIGW.0203"])
        expect(hintFor(fault), fault).to.equal(undefined);
    });
  });

  for (const spelling of ["APIGW", "APIG"] as const) {
    describe(`the gateway spelling its codes ${spelling}.xxxx`, () => {
      it(`a wrong secret fails the preview with ${spelling}.0301 and its advice; isCredentialsRefused says so`, async () => {
        emulator = await startEmulator({ seed: seedWith([runningJob("jA")], { gatewayCodes: spelling }) });
        const wrong = { ...config(emulator.url), "huaweicloud:secretKey": "not-the-secret" };
        const { provider } = await testProvider(mrsTarget, wrong, { timeScale: 0.01 });
        const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
        expect(isApiError(error) && error.code, error.message).to.equal(`${spelling}.0301`);
        expect(error.message)
          .to.match(/HTTP 401/)
          .and.match(/Check the AK\/SK/);
        expect(error.message).to.not.include("not-the-secret");
        expect(isCredentialsRefused(error)).to.equal(true);
        expect(kills()).to.deep.equal([]);
      });

      it(`an expired token (${spelling}.0307) is a refusal of the credentials with its advice`, async () => {
        emulator = await startEmulator({ seed: seedWith([runningJob("jA")], { gatewayCodes: spelling }) });
        const token = {
          ...huaweiConfig(emulator.url, "token"),
          "huaweicloud:authToken": secrets.expiredToken,
        };
        const { provider } = await testProvider(mrsTarget, token);
        const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
        expect(isApiError(error) && error.code).to.equal(`${spelling}.0307`);
        expect(error.message).to.match(/The IAM token has expired/);
        expect(isCredentialsRefused(error)).to.equal(true);
      });

      it(`${spelling}.0302 (the IAM user may not call the API) and ${spelling}.0101 get their advice`, async () => {
        emulator = await startEmulator({ seed: seedWith([runningJob("jA")]) });
        const { provider } = await testProvider(mrsTarget, config(emulator.url));
        emulator.injectFault({
          route: "mrs.get_job",
          fault: mrsRefusal(`${spelling}.0302`, "The IAM user is not authorized", { status: 403 }),
        });
        const forbidden = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
        expect(forbidden.message).to.match(/grant it MRS permissions in IAM/);
        expect(isCredentialsRefused(forbidden)).to.equal(true);
        emulator.injectFault({
          route: "mrs.get_job",
          fault: mrsRefusal(`${spelling}.0101`, "The API does not exist", { status: 404 }),
        });
        const missing = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
        expect(missing.message).to.match(/check huaweicloud:mrsEndpoint/);
        expect(isCredentialsRefused(missing)).to.equal(false);
      });

      it(`a kill answered 500 ${spelling}.0201 after it took effect is retried, then counted as ours`, async () => {
        emulator = await startEmulator({ seed: seedWith([runningJob("jA")]) });
        emulator.injectFault({
          route: "mrs.kill",
          fault: {
            kind: "reply",
            status: 500,
            body: { error_code: `${spelling}.0201`, error_msg: "Backend unavailable", request_id: "r1" },
            afterApply: true,
          },
        });
        const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
        const { outs } = await provider.create({ clusterId, jobExecutionId: "jA" });
        // The retry met 0175 (the job had ended); the read after it found the job KILLED: our kill.
        expect(kills().map((k) => k.status)).to.deep.equal([500, 400]);
        expect(outs.outcome).to.equal("terminated");
        expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
        expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
      });

      it(`a kill answered 500 ${spelling}.0201 on every attempt is "uncertain", recorded, and resumed`, async () => {
        emulator = await startEmulator({ seed: seedWith([runningJob("jA")]) });
        emulator.injectFault({
          route: "mrs.kill",
          times: 2,
          fault: mrsRefusal(`${spelling}.0201`, "Backend unavailable", { status: 500 }),
        });
        const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
        const inputs = { clusterId, jobExecutionId: "jA" };
        const error = await caught(provider.create(inputs));
        expect(error, error.message).to.be.instanceOf(TerminationIncompleteError);
        const incomplete = error as TerminationIncompleteError;
        expect(incomplete.message)
          .to.match(/the kill may have gone through/)
          .and.include(`${spelling}.0201`);
        expect(incomplete.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
        expect(kills()).to.have.length(2);
        const { outs } = await provider.update(incomplete.id, incomplete.properties as Props, inputs);
        expect(outs.outcome).to.equal("terminated");
        expect(jobStateOf(emulator, "jA")).to.equal("KILLED");
      });
    });
  }

  it("a 500 with MRS's own code is MRS's answer: not retried, not uncertain", async () => {
    emulator = await startEmulator({ seed: seedWith([runningJob("jA")]) });
    emulator.injectFault({ route: "mrs.kill", fault: mrsRefusal("0175", "kill failed", { status: 500 }) });
    const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
    const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
    expect(error).to.not.be.instanceOf(TerminationIncompleteError);
    expect(isApiError(error) && error.code).to.equal("0175");
    expect(isCredentialsRefused(error)).to.equal(false);
    expect(kills()).to.have.length(1);
  });

  describe("nested error bodies (errorBodies mode), read where Huawei's SDKs read them", () => {
    beforeEach(async () => {
      emulator = await startEmulator({ seed: seedWith([runningJob("jA")], { errorBodies: "nested" }) });
    });

    it("a missing job (0176) or cluster (12000003) fails the preview naming the field", async () => {
      const { provider } = await testProvider(mrsTarget, config(emulator.url));
      const job = await provider.check({}, { clusterId, jobExecutionId: "no-such-job" });
      expect(job.failures?.map(failureName)).to.deep.equal(["jobExecutionId"]);
      expect(job.failures?.[0].reason).to.match(/code 0176: The job "no-such-job" does not exist/);
      const cluster = await provider.check({}, { clusterId: "nope", jobExecutionId: "jA" });
      expect(cluster.failures?.map(failureName)).to.deep.equal(["clusterId"]);
    });

    it("a wrong secret is APIGW.0301 with its advice and the body's request id", async () => {
      const wrong = { ...config(emulator.url), "huaweicloud:secretKey": "not-the-secret" };
      const { provider } = await testProvider(mrsTarget, wrong);
      const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
      expect(isApiError(error) && [error.code, error.httpStatus]).to.deep.equal(["APIGW.0301", 401]);
      expect(error.message)
        .to.match(/Incorrect IAM authentication information/)
        .and.match(/Check the AK\/SK/);
    });

    it("a 500 nested with a gateway code on a kill is the gateway's fault: retried", async () => {
      emulator.injectFault({
        route: "mrs.kill",
        fault: {
          kind: "reply",
          status: 500,
          body: { error: { code: "APIG.0202", message: "Backend unavailable" } },
        },
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const { outs } = await provider.create({ clusterId, jobExecutionId: "jA" });
      expect(outs.outcome).to.equal("terminated");
      expect(kills().map((k) => k.status)).to.deep.equal([500, 202]);
    });

    it("a 2xx with a nested error code is not an accepted kill", async () => {
      emulator.injectFault({
        route: "mrs.kill",
        fault: { kind: "reply", status: 200, body: { error: { code: "0175", message: "kill failed" } } },
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
      expect(isApiError(error) && error.code, error.message).to.equal("0175");
    });
  });

  describe("hazard H5: a killed job reading FINISHED with job_result KILLED (killedJobState mode)", () => {
    beforeEach(async () => {
      emulator = await startEmulator({ seed: seedWith([runningJob("jA")], { killedJobState: "FINISHED" }) });
    });

    it("a kill whose answer was lost is counted as ours on the next up, not as 'finished on its own'", async () => {
      emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
      emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset" } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const inputs = { clusterId, jobExecutionId: "jA", whenAlreadyFinished: "fail" };
      const error = (await caught(provider.create(inputs))) as TerminationIncompleteError;
      expect(error.properties.uncertainJobExecutionIds).to.deep.equal(["jA"]);
      const { outs } = await provider.update(error.id, error.properties as Props, inputs);
      expect(outs.outcome).to.equal("terminated");
      expect([outs.jobState, outs.jobResult]).to.deep.equal(["FINISHED", "KILLED"]);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("a kill retried after its first answer was lost (0175 on the retry) ends terminated", async () => {
      emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
      const { provider } = await testProvider(mrsTarget, config(emulator.url), { timeScale: 0.01 });
      const { outs } = await provider.create({
        clusterId,
        jobExecutionId: "jA",
        whenAlreadyFinished: "fail",
      });
      expect(outs.outcome).to.equal("terminated");
      expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
      expect(kills().map((k) => k.status)).to.deep.equal([null, 400]);
    });

    it("a job someone else killed before our first kill is already finished, not ours", async () => {
      emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
      await emulator.close();
      emulator = await startEmulator({
        seed: seedWith([runningJob("jB", { job_state: "FINISHED", job_result: "KILLED" })], {
          killedJobState: "FINISHED",
        }),
      });
      const { provider } = await testProvider(mrsTarget, config(emulator.url));
      const { outs } = await provider.create({ clusterId, jobExecutionId: "jB" });
      expect(outs.outcome).to.equal("already-finished");
      expect(kills()).to.deep.equal([]);
    });
  });
});
