import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, type Emulator } from "../../emulator";
import {
  ConfigurationError,
  getMrsJob,
  getNodemanSubscriptionStatus,
  listMrsJobs,
  listMrsJobsOutput,
} from "../../provider";
import {
  baseSeed,
  bluekingConfig,
  clusterId,
  findSecrets,
  huaweiConfig,
  projectId,
} from "../helpers/fixtures";

const configOf = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

describe("lookups for programs", () => {
  let emulator: Emulator;
  let lines: string[];
  const reporter = { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m) };
  beforeEach(async () => {
    lines = [];
    const seed = baseSeed();
    const jobs = seed.huawei!.projects![projectId].clusters[clusterId].jobs;
    jobs[0].started_time = Date.now() - 7 * 3600_000;
    jobs.push({
      job_id: "job-young",
      job_name: "nightly-etl",
      job_state: "RUNNING",
      started_time: Date.now() - 3600_000,
    });
    emulator = await startEmulator({ seed });
  });
  afterEach(async () => {
    await emulator.close();
  });

  it("getMrsJob reads one job", async () => {
    const job = await getMrsJob(
      { clusterId, jobExecutionId: "job-finished" },
      { config: configOf(huaweiConfig(emulator.url)), env: {}, reporter },
    );
    expect(job).to.include({
      jobExecutionId: "job-finished",
      jobName: "done",
      jobState: "FINISHED",
      jobResult: "SUCCEEDED",
    });
  });

  it("a lookup refuses a misspelled setting of the program's stack config, and reads nothing (issue 17.1)", async () => {
    const { "huaweicloud:mrsEndpoint": endpoint, ...rest } = huaweiConfig(emulator.url);
    const values: Record<string, string> = {
      ...rest,
      "huaweicloud:mrsEndPoint": endpoint,
      "huaweicloud:region": "cn-north-4",
    };
    const config = { get: (key: string) => values[key], keys: () => Object.keys(values) };
    const error = await getMrsJob(
      { clusterId, jobExecutionId: "job-finished" },
      { config, env: {}, reporter },
    ).then(
      () => undefined,
      (caught: Error) => caught,
    );
    expect(error?.name).to.equal("ConfigurationError");
    expect(error?.message).to.match(
      /^`huaweicloud:mrsEndPoint` \(stack config\) is not a setting of pulumi-termination: did you mean stack config `huaweicloud:mrsEndpoint`\?/,
    );
    expect(emulator.requests()).to.deep.equal([]);
  });

  it("listMrsJobs finds the running jobs of a name; the example's filter picks those older than 6 hours", async () => {
    const jobs = await listMrsJobs(
      { clusterId, jobName: "nightly-etl", jobStates: ["RUNNING"] },
      { config: configOf(huaweiConfig(emulator.url)), env: {}, reporter },
    );
    expect(jobs.map((j) => j.jobExecutionId).sort()).to.deep.equal(["job-running", "job-young"]);
    const stale = jobs.filter(
      (j) => j.startedTime !== undefined && Date.now() - j.startedTime > 6 * 3600_000,
    );
    expect(stale.map((j) => j.jobExecutionId)).to.deep.equal(["job-running"]);
    expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
  });

  it("getNodemanSubscriptionStatus reports each instance and whether it runs", async () => {
    const status = await getNodemanSubscriptionStatus(
      { subscriptionId: 42 },
      { config: configOf(bluekingConfig(emulator.url, "esb")), env: {}, reporter },
    );
    expect(status.instances.filter((i) => i.running).map((i) => i.instanceId)).to.have.length(3);
    expect(status.instances.find((i) => i.instanceId === "host|instance|host|4")).to.deep.equal({
      instanceId: "host|instance|host|4",
      status: "SUCCESS",
      running: false,
    });
    expect(emulator.requests({ route: "nodeman.revoke" })).to.deep.equal([]);
  });

  it("fails clearly without settings, and never shows a secret", async () => {
    let error: unknown;
    try {
      await getMrsJob(
        { clusterId, jobExecutionId: "job-running" },
        { config: configOf({}), env: {}, reporter },
      );
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as Error).message)
      .to.include("HW_ACCESS_KEY")
      .and.include("HW_PROJECT_ID");
    const wrong = { ...huaweiConfig(emulator.url), "huaweicloud:secretKey": "x" };
    const refused = await listMrsJobs({ clusterId }, { config: configOf(wrong), env: {}, reporter }).catch(
      (e: Error) => e,
    );
    expect(String(refused)).to.include("APIGW.0301");
    expect(findSecrets(String(refused), lines)).to.deep.equal([]);
  });

  it("the Output form resolves to the same jobs", async () => {
    pulumi.runtime.setMocks({
      newResource: (args) => ({ id: args.name, state: args.inputs }),
      call: (args) => args.inputs,
    });
    const output = listMrsJobsOutput(
      { clusterId: pulumi.output(clusterId), jobName: "nightly-etl" },
      { config: configOf(huaweiConfig(emulator.url)), env: {}, reporter },
    );
    const jobs = await new Promise<unknown[]>((resolve) => output.apply((value) => resolve(value)));
    expect(jobs).to.have.length(2);
  });
});
