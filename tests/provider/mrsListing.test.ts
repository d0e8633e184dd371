/**
 * The MRS listing behind jobSelector and listMrsJobs: read to the end, never short of `total_record`,
 * one listing per wanted state, a cap that fails loudly rather than select from a partial listing,
 * and queries on the wire as Huawei's SDK sends them.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import type { SeedJob } from "../../emulator/seed";
import { listMrsJobs } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { baseSeed, caught, clusterId, huaweiConfig, projectId, testProvider } from "../helpers/fixtures";

const job = (id: string, extra: Partial<SeedJob> = {}): SeedJob => ({
  job_id: id,
  job_name: "etl",
  job_state: "RUNNING",
  job_result: "UNDEFINED",
  user: "bob",
  ...extra,
});

function seedWith(
  jobs: SeedJob[],
  cluster: { finishedHistory?: number } = {},
  extra: Partial<SeedState> = {},
) {
  const seed = baseSeed();
  const target = seed.huawei!.projects![projectId].clusters[clusterId];
  target.jobs.push(...jobs);
  Object.assign(target, cluster);
  return { ...seed, ...extra };
}

const lookup = (emulator: Emulator, mode: "aksk" | "token" = "aksk") => ({
  config: { get: (key: string) => huaweiConfig(emulator.url, mode)[key] },
  env: {},
  reporter: { info: () => undefined, warn: () => undefined },
});

describe("MRS listing", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });
  const listQueries = () =>
    emulator.requests({ route: "mrs.list_jobs" }).map((r) => new URLSearchParams(r.query));

  it("reads past the first page when the pages carry no total_record: 150 matches, 150 killed", async () => {
    const many = Array.from({ length: 150 }, (_, i) => job(`etl-${i}`));
    emulator = await startEmulator({ seed: seedWith(many, {}, { mrsListOmitsTotalRecord: true }) });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({
      clusterId,
      jobSelector: { jobName: "etl" },
      maxJobs: 1000,
      waitForTermination: false,
    });
    expect(outs.killedJobExecutionIds).to.have.length(150);
  });

  it("a page of exactly limit items followed by an empty page ends the listing", async () => {
    const many = Array.from({ length: 100 }, (_, i) => job(`etl-${i}`));
    emulator = await startEmulator({ seed: seedWith(many, {}, { mrsListOmitsTotalRecord: true }) });
    const jobs = await listMrsJobs({ clusterId, jobName: "etl", jobStates: ["RUNNING"] }, lookup(emulator));
    expect(jobs).to.have.length(100);
    expect(listQueries().map((q) => q.get("offset"))).to.deep.equal(["1", "2"]);
  });

  it("finds a running job behind 10,050 finished ones: jobSelector {user} kills it", async () => {
    emulator = await startEmulator({
      seed: seedWith([job("alice-job", { user: "alice", submitted_time: 1 })], { finishedHistory: 10_050 }),
    });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    expect((await provider.check({}, { clusterId, jobSelector: { user: "alice" } })).failures).to.deep.equal(
      [],
    );
    expect(lines.join("\n")).to.match(/1 job\(s\) match now\nMRS job etl \(alice-job\) RUNNING/);
    const { outs } = await provider.create({ clusterId, jobSelector: { user: "alice" } });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.killedJobExecutionIds).to.deep.equal(["alice-job"]);
    // Each state asked for on its own: the finished history is never paged.
    expect(
      listQueries().every((q) => q.get("job_state") !== null && q.get("job_state") !== "FINISHED"),
    ).to.equal(true);
  });

  it("fails naming the cap rather than answering from a partial listing", async () => {
    emulator = await startEmulator({ seed: seedWith([], { finishedHistory: 10_050 }) });
    const error = await caught(listMrsJobs({ clusterId, jobStates: ["FINISHED"] }, lookup(emulator)));
    expect(error.message).to.match(/in state FINISHED reached the cap of 100 pages of 100 jobs/);
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const create = await caught(
      provider.create({ clusterId, jobSelector: { user: "admin", jobStates: ["FINISHED"] }, maxJobs: 1000 }),
    );
    expect(create.message)
      .to.match(/reached the cap/)
      .and.match(/nothing is selected from a partial listing/);
    expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
  });

  describe("total_record", () => {
    const listed = (ids: string[]) =>
      ids.map((id) => ({
        job_id: id,
        job_name: "pager",
        job_state: "RUNNING",
        job_result: "UNDEFINED",
        user: "bob",
      }));
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `pager-${String(i).padStart(3, "0")}`);

    it("a service that pages by 10 whatever the limit is read on at its own page size: 25 of 25 killed", async () => {
      emulator = await startEmulator({ seed: seedWith(ids(25).map((id) => job(id, { job_name: "pager" }))) });
      emulator.injectFault({
        route: "mrs.list_jobs",
        fault: { kind: "reply", status: 200, body: { total_record: 25, job_list: listed(ids(10)) } },
      });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const { outs } = await provider.create({
        clusterId,
        jobSelector: { jobName: "pager", jobStates: ["RUNNING"] },
        maxJobs: 1000,
        waitForTermination: false,
      });
      expect(outs.killedJobExecutionIds).to.have.length(25);
      expect(listQueries().map((q) => [q.get("limit"), q.get("offset")])).to.deep.equal([
        ["100", "1"],
        ["10", "2"],
        ["10", "3"],
      ]);
    });

    it("a listing that ends short of its total_record fails, naming both counts, and kills nothing", async () => {
      emulator = await startEmulator({
        seed: seedWith(ids(150).map((id) => job(id, { job_name: "pager" }))),
      });
      emulator.injectFault({
        route: "mrs.list_jobs",
        fault: { kind: "reply", status: 200, body: { total_record: 150, job_list: listed(ids(100)) } },
      });
      emulator.injectFault({
        route: "mrs.list_jobs",
        fault: { kind: "reply", status: 200, body: { total_record: 150, job_list: [] } },
      });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const error = await caught(
        provider.create({
          clusterId,
          jobSelector: { jobName: "pager", jobStates: ["RUNNING"] },
          maxJobs: 1000,
        }),
      );
      expect(error.message)
        .to.match(
          /page 2 \(limit 100\) holds an empty page, but total_record says 150 jobs and 100 were read/,
        )
        .and.match(/Nothing is selected from a partial listing/);
      expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
    });

    it("a total_record that shrinks while the listing is read (jobs ended in between) is not a partial listing", async () => {
      emulator = await startEmulator({
        seed: seedWith(ids(140).map((id) => job(id, { job_name: "pager" }))),
      });
      // Page 1 was read while 150 ran; 10 have ended since.
      emulator.injectFault({
        route: "mrs.list_jobs",
        fault: { kind: "reply", status: 200, body: { total_record: 150, job_list: listed(ids(100)) } },
      });
      const jobs = await listMrsJobs(
        { clusterId, jobName: "pager", jobStates: ["RUNNING"] },
        lookup(emulator),
      );
      expect(jobs).to.have.length(140);
    });

    it("a total_record sent as a string of digits is read as the count", async () => {
      emulator = await startEmulator({ seed: seedWith(ids(2).map((id) => job(id, { job_name: "pager" }))) });
      emulator.injectFault({
        route: "mrs.list_jobs",
        fault: { kind: "reply", status: 200, body: { total_record: "2", job_list: listed(ids(1)) } },
      });
      const jobs = await listMrsJobs(
        { clusterId, jobName: "pager", jobStates: ["RUNNING"] },
        lookup(emulator),
      );
      expect(jobs.map((j) => j.jobExecutionId)).to.deep.equal(ids(2));
    });
  });

  it("listMrsJobs matches jobName exactly over the fuzzy filter", async () => {
    emulator = await startEmulator({
      seed: seedWith([
        job("a"),
        job("b", { job_name: "nightly-etl-backfill" }),
        job("c", { job_name: "ETL" }),
      ]),
    });
    const jobs = await listMrsJobs({ clusterId, jobName: "etl" }, lookup(emulator));
    expect(jobs.map((j) => j.jobExecutionId)).to.deep.equal(["a"]);
  });

  describe("queries on the wire", () => {
    // MRS job names are letters, digits, - and _ (the SDKs' doc of job_name); a name at the edges of
    // that rule goes out as it is, nothing to percent-encode.
    const longest = `A-z_0${"9".repeat(59)}`; // 64 characters, the longest a submitted job has
    for (const mode of ["aksk", "token"] as const) {
      it(`sends a job name at the rule's edges unencoded (${mode}), and the signature is accepted`, async () => {
        emulator = await startEmulator({
          seed: seedWith([job("edge", { job_name: longest }), job("plain", { job_name: longest.slice(1) })]),
        });
        const jobs = await listMrsJobs({ clusterId, jobName: longest }, lookup(emulator, mode));
        expect(jobs.map((j) => j.jobExecutionId)).to.deep.equal(["edge"]);
        const requests = emulator.requests({ route: "mrs.list_jobs" });
        expect(requests).to.have.length(5);
        for (const request of requests) {
          expect(request.status).to.equal(202);
          expect(request.query).to.match(
            new RegExp(`^job_name=${longest}&job_state=[A-Z_]+&limit=100&offset=1$`),
          );
        }
      });
    }

    // Names MRS refuses in the listing (model_show_job_exe_list_new_request.go: letters, digits, -
    // and _, 1 to 128): check names the field, and the lookup refuses them too; nothing is sent.
    const refused = ["nightly etl", "etl+x", "a&b=c", "a/b", "ü", "作业", "(a)*!'~", "a.b", "x".repeat(129)];
    for (const name of refused) {
      it(`check and listMrsJobs refuse the job name ${JSON.stringify(name.slice(0, 12))} that MRS would refuse, sending nothing`, async () => {
        emulator = await startEmulator({ seed: baseSeed() });
        const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
        const failures = (await provider.check({}, { clusterId, jobSelector: { jobName: name } })).failures;
        expect(failures?.map(failureName)).to.deep.equal(["jobSelector.jobName"]);
        expect(failures?.[0].reason).to.match(/letters, digits, - and _ only, 1 to 128 characters/);
        const error = await caught(listMrsJobs({ clusterId, jobName: name }, lookup(emulator)));
        expect(error.message).to.match(/^MRS: jobName must be an MRS job name/);
        expect(emulator.requests()).to.deep.equal([]);
      });
    }

    it("a name of 128 characters passes check: the longest the listing accepts", async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const inputs = { clusterId, jobSelector: { jobName: "x".repeat(128) }, preflight: false };
      expect((await provider.check({}, inputs)).failures).to.deep.equal([]);
    });

    it("check refuses a selector name that cannot be encoded (a lone surrogate), naming it", async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const failures = (await provider.check({}, { clusterId, jobSelector: { jobName: "etl\ud800" } }))
        .failures;
      expect(failures?.map(failureName)).to.deep.equal(["jobSelector.jobName"]);
      expect(emulator.requests()).to.deep.equal([]);
    });

    it("check refuses selector values with surrounding spaces, which exact matching would never match", async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const selector = { jobName: "etl ", user: " alice", queue: "default\t" };
      const failures = (await provider.check({}, { clusterId, jobSelector: selector })).failures ?? [];
      expect(failures.map(failureName)).to.deep.equal([
        "jobSelector.jobName",
        "jobSelector.user",
        "jobSelector.queue",
      ]);
      expect(failures[0].reason).to.match(/space/);
      expect(emulator.requests()).to.deep.equal([]);
    });
  });
});
