/**
 * Attack attempts that held on main: odd but legal answers the providers already survive. Kept so
 * that the restructure cannot lose them.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { isApiError } from "../../provider";
import { caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { jobStateOf, listedJob, mrsTarget, runningJob, seedWithJobs } from "./helpers";

describe("attack: odd answers that hold", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("maxJobs counts a match that only a second state's listing shows: 10 RUNNING + 1 ACCEPTED fail with 11, nothing killed", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `run-${i}`);
    emulator = await startEmulator({
      seed: seedWithJobs([
        ...ids.map((id) => runningJob(id)),
        runningJob("acc-0", { job_state: "ACCEPTED" }),
      ]),
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobSelector: { jobName: "etl" } };
    const check = await provider.check({}, inputs);
    expect(check.failures?.map(failureName)).to.deep.equal(["jobSelector"]);
    expect(check.failures?.[0].reason).to.match(/matches 11 jobs, more than maxJobs \(10\)/);
    const error = await caught(provider.create(inputs));
    expect(error.message).to.match(/matches 11 jobs/);
    expect(emulator.requests({ route: "mrs.kill" })).to.have.length(0);
  });

  it("a service that ignores job_state (the same job in every state's listing) kills it once", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
    emulator.injectFault({
      route: "mrs.list_jobs",
      times: -1,
      fault: { kind: "reply", status: 200, body: { total_record: 1, job_list: [listedJob(emulator, "jA")] } },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const { outs } = await provider.create({ clusterId, jobSelector: { jobName: "etl" } });
    expect(outs.killedJobExecutionIds).to.deep.equal(["jA"]);
    expect(emulator.requests({ route: "mrs.kill" })).to.have.length(1);
    expect(jobStateOf(emulator, "jA")).to.equal("KILLED");
  });

  it("a listing that never ends (every page full and the same) fails at the page cap without a kill", async () => {
    const page = Array.from({ length: 100 }, (_, i) => ({
      job_id: `x-${i}`,
      job_name: "etl",
      job_state: "RUNNING",
    }));
    emulator = await startEmulator({ seed: seedWithJobs([]) });
    emulator.injectFault({
      route: "mrs.list_jobs",
      times: -1,
      fault: { kind: "reply", status: 200, body: { job_list: page } },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const error = await caught(
      provider.create({ clusterId, jobSelector: { jobName: "etl", jobStates: ["RUNNING"] }, maxJobs: 1000 }),
    );
    expect(error.message).to.match(/cap of 100 pages/);
    expect(emulator.requests({ route: "mrs.kill" })).to.have.length(0);
  });

  for (const retryAfter of ["86400", "-5", "Wed, 21 Oct 2099 07:28:00 GMT", "soon"]) {
    it(`a kill throttled with Retry-After "${retryAfter}" on every answer gives up within its bounds, naming HTTP 429`, async () => {
      emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
      emulator.injectFault({
        route: "mrs.kill",
        times: -1,
        fault: {
          kind: "reply",
          status: 429,
          headers: { "Retry-After": retryAfter },
          body: { error_code: "APIGW.0308", error_msg: "throttled" },
        },
      });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.001 });
      const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
      expect(isApiError(error), error.message).to.equal(true);
      expect(error.message).to.match(/HTTP 429/);
      expect(emulator.requests({ route: "mrs.kill" }).length).to.be.at.most(10);
      expect(jobStateOf(emulator, "jA")).to.equal("RUNNING");
    });
  }

  it("a 202 kill answer carrying an MRS error code is a refusal, not a kill", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
    emulator.injectFault({
      route: "mrs.kill",
      fault: { kind: "reply", status: 202, body: { error_code: "0160", error_msg: "kill failed" } },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const error = await caught(provider.create({ clusterId, jobExecutionId: "jA" }));
    expect(isApiError(error) && error.code, error.message).to.equal("0160");
  });
});
