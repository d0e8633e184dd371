import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedJob } from "../../emulator/seed";
import { TerminationIncompleteError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { UNKNOWN } from "../../provider/validation/fields";
import { baseSeed, caught, clusterId, huaweiConfig, projectId, testProvider } from "../helpers/fixtures";

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

  it("pages through the list API, one listing per wanted state", async () => {
    const many = Array.from({ length: 130 }, (_, i) => etl(`etl-${i}`, "RUNNING"));
    emulator = await startEmulator({ seed: seedWith(many) });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({
      clusterId,
      jobSelector: { jobName: "etl" },
      waitForTermination: false,
      maxJobs: 200,
    });
    expect(outs.killedJobExecutionIds).to.have.length(130);
    const pages = (state: string) =>
      emulator
        .requests({ route: "mrs.list_jobs" })
        .map((r) => new URLSearchParams(r.query))
        .filter((q) => q.get("job_state") === state)
        .map((q) => q.get("offset"));
    expect(pages("RUNNING")).to.deep.equal(["1", "2"]);
    for (const state of ["NEW", "NEW_SAVING", "SUBMITTED", "ACCEPTED"])
      expect(pages(state)).to.deep.equal(["1"]);
    expect(pages("FINISHED")).to.deep.equal([]);
  });

  describe("exact matching over a fuzzy list filter", () => {
    const jobs = () =>
      seedWith([
        etl("etl-only", "RUNNING"),
        etl("backfill", "RUNNING", { job_name: "etl-backfill" }),
        etl("upper", "RUNNING", { job_name: "ETL" }),
        etl("bob", "RUNNING", { job_name: "etl", user: "alice-2" }),
        etl("q", "RUNNING", { job_name: "etl", queue: "default-2" }),
      ]);

    it('jobSelector {jobName: "etl"} kills only "etl", never nightly-etl or etl-backfill', async () => {
      emulator = await startEmulator({ seed: jobs() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const { outs } = await provider.create({ clusterId, jobSelector: { jobName: "etl", user: "alice" } });
      expect(outs.killedJobExecutionIds).to.deep.equal(["etl-only", "q"]);
      expect(killedIds().sort()).to.deep.equal(["etl-only", "q"]);
      const byName = await provider.create({ clusterId, jobSelector: { jobName: "etl-backfill" } });
      expect(byName.outs.killedJobExecutionIds).to.deep.equal(["backfill"]);
    });

    it("user and queue match exactly too", async () => {
      emulator = await startEmulator({ seed: jobs() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const { outs } = await provider.create({ clusterId, jobSelector: { user: "alice", queue: "default" } });
      expect([...outs.killedJobExecutionIds].sort()).to.deep.equal(["backfill", "etl-only", "upper"]);
    });

    it("the preview names only the exact matches", async () => {
      emulator = await startEmulator({ seed: jobs() });
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const result = await provider.check(
        {},
        { clusterId, jobSelector: { jobName: "etl", queue: "default" } },
      );
      expect(result.failures).to.deep.equal([]);
      const text = lines.join("\n");
      expect(text).to.match(/2 job\(s\) match now/);
      expect(text).to.include("(etl-only)").and.include("(bob)");
      expect(text).to.not.match(/nightly-etl|etl-backfill|\(upper\)|\(q\)/);
      expect(killedIds()).to.deep.equal([]);
    });
  });

  describe("maxJobs", () => {
    const twelve = () => seedWith(Array.from({ length: 12 }, (_, i) => etl(`etl-${i}`, "RUNNING")));
    const selector = { clusterId, jobSelector: { jobName: "etl" } };

    it("12 matches with the default maxJobs fail the preview on jobSelector, naming 12 and maxJobs", async () => {
      emulator = await startEmulator({ seed: twelve() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const failures = (await provider.check({}, selector)).failures ?? [];
      expect(failures.map(failureName)).to.deep.equal(["jobSelector"]);
      expect(failures[0].reason)
        .to.match(/\b12\b/)
        .and.match(/maxJobs \(10\)/);
      expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
    });

    it("12 matches with the default maxJobs fail create, killing nothing", async () => {
      emulator = await startEmulator({ seed: twelve() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const error = await caught(provider.create(selector));
      expect(error).to.not.be.instanceOf(TerminationIncompleteError);
      expect(error.message)
        .to.match(/matches 12 jobs/)
        .and.match(/maxJobs \(10\)/)
        .and.match(/nothing was killed/i);
      expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
      expect(emulator.requests({ route: "mrs.get_job" })).to.deep.equal([]);
    });

    it("raising maxJobs lets it through; exactly maxJobs passes, maxJobs + 1 does not", async () => {
      emulator = await startEmulator({ seed: twelve() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      expect((await provider.check({}, { ...selector, maxJobs: 11 })).failures?.map(failureName)[0]).to.equal(
        "jobSelector",
      );
      expect((await provider.check({}, { ...selector, maxJobs: 12 })).failures).to.deep.equal([]);
      await caught(provider.create({ ...selector, maxJobs: 11 }));
      expect(killedIds()).to.deep.equal([]);
      const { outs } = await provider.create({ ...selector, maxJobs: 12 });
      expect(outs.killedJobExecutionIds).to.have.length(12);
      expect(outs.maxJobs).to.equal(12);
    });

    it("zero matches pass any maxJobs", async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      expect(
        (await provider.check({}, { clusterId, jobSelector: { jobName: "x" }, maxJobs: 1 })).failures,
      ).to.deep.equal([]);
      const { outs } = await provider.create({ clusterId, jobSelector: { jobName: "x" }, maxJobs: 1 });
      expect(outs.outcome).to.equal("nothing-running");
    });

    it("does not limit an explicit jobExecutionIds list", async () => {
      emulator = await startEmulator({ seed: twelve() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const ids = Array.from({ length: 12 }, (_, i) => `etl-${i}`);
      expect(
        (await provider.check({}, { clusterId, jobExecutionIds: ids, maxJobs: 1 })).failures,
      ).to.deep.equal([]);
      const { outs } = await provider.create({ clusterId, jobExecutionIds: ids, maxJobs: 1 });
      expect(outs.killedJobExecutionIds).to.have.length(12);
    });

    it("an unknown maxJobs during preview does not fail the preview; create checks the real value", async () => {
      emulator = await startEmulator({ seed: twelve() });
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      expect((await provider.check({}, { ...selector, maxJobs: UNKNOWN })).failures).to.deep.equal([]);
      expect(lines.join("\n")).to.match(/12 job\(s\) match now/);
    });

    it("a change of maxJobs updates in place", async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const diff = await provider.diff("id", { ...selector, maxJobs: 10 }, { ...selector, maxJobs: 20 });
      expect(diff).to.include({ changes: true });
      expect(diff.replaces).to.deep.equal([]);
    });
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
      expect(failures.map(failureName)).to.include(property);
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
    expect(missing.failures?.map(failureName)).to.deep.equal(["jobExecutionIds[1]"]);
    expect(killedIds()).to.deep.equal([]);
  });
});
