/**
 * Attack: `pulumi up` after the package was upgraded, on a record the previous version wrote
 * (d239633 "MrsJobTermination: explicit batches and selectors": `jobs` and `killedJobExecutionIds`,
 * no `failedJobExecutionIds`; a failed kill left its job out of both). Failed on main.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { jobStateOf, mrsTarget, runningJob, seedWithJobs, type Props } from "./helpers";

describe("attack: resume of a record written by the previous version", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("a batch record without failedJobExecutionIds: the job the old version failed to kill is not reported terminated while it runs", async () => {
    emulator = await startEmulator({
      seed: seedWithJobs([runningJob("jA"), runningJob("jB", { job_state: "KILLED", job_result: "KILLED" })]),
    });
    const inputs = { clusterId, jobExecutionIds: ["jA", "jB"] };
    // What the previous version recorded after jA's kill failed and jB's went through.
    const oldRecord: Props = {
      ...inputs,
      outcome: "requested",
      requestedAt: "2026-11-30T10:00:00.000Z",
      requestId: "old-request",
      jobs: [{ jobExecutionId: "jB", jobName: "etl", jobState: "RUNNING", jobResult: "UNDEFINED" }],
      killedJobExecutionIds: ["jB"],
    };
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const result = await provider.update("mrs/cluster-1/batch@1", oldRecord, inputs).then(
      ({ outs }) => ({ outcome: outs.outcome as string, error: undefined }),
      (error: Error) => ({ outcome: undefined, error }),
    );
    // jA was named by the user and never killed: either it is killed now, or the update says so.
    const jA = jobStateOf(emulator, "jA");
    expect(
      jA === "KILLED" || result.outcome !== "terminated",
      `jA ${jA}, outcome ${result.outcome}`,
    ).to.equal(true);
  });
});
