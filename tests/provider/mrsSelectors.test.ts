import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedJob } from "../../emulator/seed";
import { TerminationIncompleteError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs";
import { baseSeed, clusterId, huaweiConfig, projectId, testProvider } from "../helpers/fixtures";

function seedWith(jobs: SeedJob[]) {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs.push(...jobs);
  return seed;
}

const etl = (id: string, state: SeedJob["job_state"], extra: Partial<SeedJob> = {}): SeedJob => ({
  job_id: id,
  job_name: "etl",
  job_state: state,
  job_result: state === "FINISHED" ? "SUCCEEDED" : "UNDEFINED",
  user: "alice",
  queue: "default",
  ...extra,
});

describe("MrsJobTermination batches and selectors", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });
  const killedIds = () => emulator.requests({ route: "mrs.kill" }).map((r) => r.path.split("/").at(-2));

  it("kills every job a selector matches, in the non-final states by default, and reports their ids", async () => {
    emulator = await startEmulator({
      seed: seedWith([
        etl("etl-1", "RUNNING"),
        etl("etl-2", "ACCEPTED"),
        etl("etl-3", "FINISHED"),
        etl("other", "RUNNING", { job_name: "other" }),
      ]),
    });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { id, outs } = await provider.create({ clusterId, jobSelector: { jobName: "etl" } });
    expect(id).to.match(/^mrs\/cluster-1\/selector@/);
    expect(outs.outcome).to.equal("terminated");
    expect([...outs.killedJobExecutionIds].sort()).to.deep.equal(["etl-1", "etl-2"]);
    expect(outs.jobs.map((j: { jobState: string }) => j.jobState)).to.deep.equal(["KILLED", "KILLED"]);
    expect(killedIds().sort()).to.deep.equal(["etl-1", "etl-2"]);
    expect(lines.some((l) => /2 matched, killed \[etl-\d, etl-\d\]/.test(l))).to.equal(
      true,
      lines.join("\n"),
    );
  });

  it("filters by user, queue and explicit states", async () => {
    emulator = await startEmulator({
      seed: seedWith([
        etl("a", "RUNNING"),
        etl("b", "RUNNING", { user: "bob" }),
        etl("c", "RUNNING", { queue: "batch" }),
        etl("d", "ACCEPTED"),
      ]),
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({
      clusterId,
      jobSelector: { jobName: "etl", jobStates: ["RUNNING"], user: "alice", queue: "default" },
    });
    expect(outs.killedJobExecutionIds).to.deep.equal(["a"]);
  });

  it("pages through the list API", async () => {
    const many = Array.from({ length: 130 }, (_, i) => etl(`etl-${i}`, "RUNNING"));
    emulator = await startEmulator({ seed: seedWith(many) });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({
      clusterId,
      jobSelector: { jobName: "etl" },
      waitForTermination: false,
    });
    expect(outs.killedJobExecutionIds).to.have.length(130);
    const pages = emulator
      .requests({ route: "mrs.list_jobs" })
      .map((r) => new URLSearchParams(r.query).get("offset"));
    expect(pages).to.deep.equal(["1", "2"]);
  });

  it("a selector that matches nothing kills nothing", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({ clusterId, jobSelector: { jobName: "nobody" } });
    expect(outs).to.include({ outcome: "nothing-running" });
    expect(killedIds()).to.deep.equal([]);
  });

  it("kills an explicit batch, skipping the finished; an empty batch kills nothing", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({
      clusterId,
      jobExecutionIds: ["job-running", "job-finished", "job-accepted"],
    });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.killedJobExecutionIds).to.deep.equal(["job-running", "job-accepted"]);
    expect(outs.jobs.map((j: { jobState: string }) => j.jobState)).to.deep.equal([
      "KILLED",
      "FINISHED",
      "KILLED",
    ]);
    const empty = await provider.create({ clusterId, jobExecutionIds: [] });
    expect(empty.outs.outcome).to.equal("nothing-running");
    expect(killedIds()).to.have.length(2);
  });

  it("records a batch where some kills failed as incomplete, keeping the ones sent", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    let error: unknown;
    try {
      await provider.create({ clusterId, jobExecutionIds: ["job-running", "no-such-job"] });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    const incomplete = error as TerminationIncompleteError;
    expect(incomplete.message).to.match(/killed 1 of 2 jobs; these failed:\nno-such-job: .*0176/);
    expect(incomplete.properties).to.include({ outcome: "requested" });
    expect(incomplete.properties.killedJobExecutionIds).to.deep.equal(["job-running"]);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ["no target", { clusterId }, "jobExecutionId"],
    ["two targets", { clusterId, jobExecutionId: "a", jobSelector: { jobName: "x" } }, "jobSelector"],
    ["an empty selector", { clusterId, jobSelector: {} }, "jobSelector.jobName"],
    ["a selector typo", { clusterId, jobSelector: { name: "x" } }, "jobSelector.name"],
    ["a bad state", { clusterId, jobSelector: { jobStates: ["RUNING"] } }, "jobSelector.jobStates[0]"],
    ["a selector that is a string", { clusterId, jobSelector: "etl" }, "jobSelector"],
    ["a bad id in a batch", { clusterId, jobExecutionIds: ["ok", "../x"] }, "jobExecutionIds[1]"],
  ];
  for (const [name, inputs, property] of invalid) {
    it(`check refuses ${name}, naming ${property}`, async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const failures = (await provider.check({}, inputs)).failures ?? [];
      expect(failures.map((f) => f.property)).to.include(property);
      expect(emulator.requests()).to.deep.equal([]);
    });
  }

  it("preflight lists what a selector matches now; a missing id in a batch fails on its index", async () => {
    emulator = await startEmulator({ seed: seedWith([etl("etl-1", "RUNNING")]) });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    expect((await provider.check({}, { clusterId, jobSelector: { jobName: "etl" } })).failures).to.deep.equal(
      [],
    );
    expect(lines[0]).to.match(/1 job\(s\) match now\nMRS job etl \(etl-1\) RUNNING.*: will be killed$/);
    const missing = await provider.check({}, { clusterId, jobExecutionIds: ["job-running", "gone"] });
    expect(missing.failures?.map((f) => f.property)).to.deep.equal(["jobExecutionIds[1]"]);
    expect(killedIds()).to.deep.equal([]);
  });
});
