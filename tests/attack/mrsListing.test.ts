/**
 * Attack: MRS listings that are legal but odd. Each test here failed on main when written.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { jobStateOf, listedJob, mrsTarget, runningJob, seedWithJobs } from "./helpers";

describe("attack: MRS listings", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("a service that caps its page below the limit asked (total_record 11, 10 listed) does not let 11 matches through maxJobs 10", async () => {
    const ids = Array.from({ length: 11 }, (_, i) => `etl-${String(i).padStart(2, "0")}`);
    emulator = await startEmulator({ seed: seedWithJobs(ids.map((id) => runningJob(id))) });
    // The service pages by 10 whatever `limit` says, and says so in total_record.
    const firstTen = ids.slice(0, 10).map((id) => listedJob(emulator, id));
    emulator.injectFault({
      route: "mrs.list_jobs",
      times: -1,
      fault: { kind: "reply", status: 200, body: { total_record: 11, job_list: firstTen } },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobSelector: { jobName: "etl", jobStates: ["RUNNING"] } };
    const outcome = await provider.create(inputs).then(
      (result) => `created: ${JSON.stringify(result.outs.killedJobExecutionIds)}`,
      (error: Error) => `failed: ${error.message}`,
    );
    // 11 match: either the listing is read whole and maxJobs (10) refuses it, or the listing is
    // refused as partial. Never: ten of them killed and the eleventh left running unmentioned.
    expect(
      ids.filter((id) => jobStateOf(emulator, id) === "KILLED"),
      outcome,
    ).to.deep.equal([]);
  });

  it("a page shorter than total_record says is not taken as the end of the listing", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("j1"), runningJob("j2")]) });
    // Page 1 shows one of the two and says there are two.
    emulator.injectFault({
      route: "mrs.list_jobs",
      fault: { kind: "reply", status: 200, body: { total_record: 2, job_list: [listedJob(emulator, "j1")] } },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobSelector: { jobName: "etl", jobStates: ["RUNNING"] } };
    const error = await caught(provider.create(inputs)).catch(() => undefined);
    const states = [jobStateOf(emulator, "j1"), jobStateOf(emulator, "j2")];
    // Either both are found and killed, or the create fails without reporting success on half.
    expect(
      states.every((s) => s === "KILLED") || (error !== undefined && states.every((s) => s === "RUNNING")),
      `states ${states.join(", ")}; create ${error ? `failed: ${error.message}` : "succeeded"}`,
    ).to.equal(true);
  });
});
