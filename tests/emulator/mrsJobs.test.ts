import { expect } from "chai";
import { startEmulator, type Emulator, type SeedJob } from "../../emulator";
import {
  clusterId,
  delay,
  jobState,
  jobsPath,
  projectId,
  rawRequest,
  baseSeed,
  tokenMrs,
  UUID,
  type JobDetailBody,
  type MrsErrorBody,
} from "./helpers";

interface JobList {
  total_record: number;
  job_list: { job_id: string; job_name: string; job_state: string }[];
}

const kill = (emulator: Emulator, jobId: string) => tokenMrs(emulator, "POST", `${jobsPath}/${jobId}/kill`);

describe("emulator: MRS job executions", () => {
  let emulator: Emulator;
  afterEach(() => emulator.close());

  describe("with the default seed", () => {
    beforeEach(async () => {
      emulator = await startEmulator({ seed: baseSeed() });
    });

    it("reads a job with HTTP 202 and the documented job_detail fields", async () => {
      const result = await tokenMrs(emulator, "GET", `${jobsPath}/job-running`);
      expect(result.status).to.equal(202);
      expect(result.headers["x-request-id"]).to.match(UUID);
      const detail = result.json<JobDetailBody>().job_detail;
      expect(detail).to.have.all.keys(
        "job_id",
        "user",
        "job_name",
        "job_result",
        "job_state",
        "job_progress",
        "job_type",
        "started_time",
        "submitted_time",
        "finished_time",
        "elapsed_time",
        "arguments",
        "launcher_id",
        "properties",
        "app_id",
        "tracking_url",
        "queue",
      );
      expect(detail).to.include({ job_id: "job-running", job_name: "nightly-etl", job_state: "RUNNING" });
      expect(detail).to.include({
        job_result: "UNDEFINED",
        finished_time: 0,
        user: "etl",
        submitted_time: 3000,
      });
    });

    it("kills a running job at once when there is no delay: 202, empty body, KILLED", async () => {
      const result = await kill(emulator, "job-running");
      expect(result.status).to.equal(202);
      expect(result.text).to.equal("");
      expect(result.headers["x-request-id"]).to.match(UUID);
      const detail = await jobState(emulator, "job-running");
      expect(detail).to.include({ job_state: "KILLED", job_result: "KILLED" });
      expect(detail.finished_time).to.be.greaterThan(0);
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("refuses to kill a job in a final state with 400 0175, a killed one included", async () => {
      await kill(emulator, "job-running");
      for (const jobId of ["job-finished", "job-running"]) {
        const result = await kill(emulator, jobId);
        expect(result.status).to.equal(400);
        expect(result.json<MrsErrorBody>()).to.include({ error_code: "0175" });
      }
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    });

    it("answers an unknown job with 400 0176", async () => {
      for (const target of [`${jobsPath}/no-such-job`, `${jobsPath}/no-such-job/kill`]) {
        const result = await tokenMrs(emulator, target.endsWith("kill") ? "POST" : "GET", target);
        expect(result.status).to.equal(400);
        expect(result.json<MrsErrorBody>().error_code).to.equal("0176");
      }
    });

    it("answers an unknown cluster or project with 400 12000003 under errorCode/errorMsg", async () => {
      for (const path of [
        `/v2/${projectId}/clusters/no-such-cluster/job-executions/job-running/kill`,
        `/v2/no-such-project/clusters/${clusterId}/job-executions/job-running/kill`,
      ]) {
        const result = await tokenMrs(emulator, "POST", path);
        expect(result.status).to.equal(400);
        const body = result.json<MrsErrorBody>();
        expect(body.errorCode).to.equal("12000003");
        expect(body.errorMsg).to.be.a("string");
        expect(body).not.to.have.property("error_code");
      }
    });

    it("never lets dot segments or encoded slashes reach another job or route", async () => {
      const cases: [string, "GET" | "POST", number, string][] = [
        [`${jobsPath}/../job-executions/job-running/kill`, "POST", 404, "APIGW.0101"],
        [`${jobsPath}/..`, "GET", 400, "0176"],
        [`${jobsPath}/job-finished%2F..%2Fjob-running/kill`, "POST", 400, "0176"],
        [`${jobsPath}/job-running%2Fkill`, "GET", 400, "0176"],
        [
          `/v2/${projectId}/clusters/${clusterId}%2F/job-executions/job-running/kill`,
          "POST",
          400,
          "12000003",
        ],
        [`${jobsPath}/job-running/kill/`, "POST", 404, "APIGW.0101"],
        [`${jobsPath}/job-running/kill`, "GET", 404, "APIGW.0101"],
      ];
      for (const [target, method, status, code] of cases) {
        const result = await tokenMrs(emulator, method, target);
        expect(result.status, target).to.equal(status);
        const body = result.json<MrsErrorBody>();
        expect(body.error_code ?? body.errorCode, target).to.equal(code);
      }
      expect(emulator.effectiveCount()).to.equal(0);
      expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    });
  });

  it("keeps a killed job RUNNING for mrsKillDelayMs, then KILLED; a second kill meanwhile is 202 but not effective", async () => {
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: 250 } });
    expect((await kill(emulator, "job-running")).status).to.equal(202);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    expect((await kill(emulator, "job-running")).status).to.equal(202);
    expect(emulator.requests({ route: "mrs.kill" }).map((r) => r.effective)).to.deep.equal([true, false]);
    await delay(300);
    const detail = await jobState(emulator, "job-running");
    expect(detail).to.include({ job_state: "KILLED", job_result: "KILLED" });
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
  });

  describe("listing", () => {
    /** Twelve jobs, job-01 the oldest; odd ones RUNNING and owned by "etl" in queue "q1". */
    const manyJobs: SeedJob[] = Array.from({ length: 12 }, (_, index) => ({
      job_id: `job-${String(index + 1).padStart(2, "0")}`,
      job_name: index === 0 ? "etl" : `etl-${index + 1}`,
      job_state: index % 2 === 0 ? "RUNNING" : "FINISHED",
      user: index % 2 === 0 ? "etl" : "bob",
      queue: index % 2 === 0 ? "q1" : "q2",
      submitted_time: 1_000 + index,
    }));

    beforeEach(async () => {
      const seed = baseSeed();
      const projects = { [projectId]: { clusters: { [clusterId]: { jobs: manyJobs } } } };
      emulator = await startEmulator({ seed: { ...seed, huawei: { ...seed.huawei, projects } } });
    });

    const list = async (query: string) => {
      const result = await tokenMrs(emulator, "GET", `${jobsPath}?${query}`);
      // 202, as Terraform's MRS job listing expects (data_source_huaweicloud_mapreduce_cluster_jobs.go OkCodes 202).
      expect(result.status, query).to.equal(202);
      return result.json<JobList>();
    };
    const ids = (page: JobList) => page.job_list.map((job) => job.job_id);

    it("pages 10 by default, newest first, with offset counting pages from 1", async () => {
      const first = await list("");
      expect(first.total_record).to.equal(12);
      expect(ids(first)).to.have.length(10);
      expect(ids(first)[0]).to.equal("job-12");
      expect(ids(await list("offset=2"))).to.deep.equal(["job-02", "job-01"]);
      expect(ids(await list("limit=5&offset=3"))).to.deep.equal(["job-02", "job-01"]);
      expect(ids(await list("limit=100&offset=2"))).to.deep.equal([]);
    });

    it("filters job_name by substring, ignoring case (fuzzy, as Huawei list filters often are)", async () => {
      expect((await list("job_name=etl")).total_record).to.equal(12);
      expect((await list("job_name=ET")).total_record).to.equal(12);
      expect(ids(await list("job_name=etl-1"))).to.deep.equal(["job-12", "job-11", "job-10"]);
      expect((await list("job_name=nightly")).total_record).to.equal(0);
    });

    it("filters by exact job_state, user and queue", async () => {
      expect((await list("job_state=RUNNING")).total_record).to.equal(6);
      expect((await list("user=bob&queue=q2")).total_record).to.equal(6);
      expect((await list("user=bob&job_state=RUNNING")).total_record).to.equal(0);
      expect((await list("job_name=etl-3&user=etl&limit=1")).job_list).to.have.length(1);
    });

    it("omits total_record when seeded with mrsListOmitsTotalRecord", async () => {
      const seed = baseSeed();
      const projects = { [projectId]: { clusters: { [clusterId]: { jobs: manyJobs } } } };
      emulator.seed({ ...seed, huawei: { ...seed.huawei, projects }, mrsListOmitsTotalRecord: true });
      const page = await list("limit=5");
      expect(page).to.not.have.property("total_record");
      expect(ids(page)).to.have.length(5);
    });

    it("seeds a large finished history cheaply, older than the seeded jobs", async () => {
      const seed = baseSeed();
      const cluster = { jobs: manyJobs, finishedHistory: 10_050 };
      emulator.seed({
        ...seed,
        huawei: { ...seed.huawei, projects: { [projectId]: { clusters: { [clusterId]: cluster } } } },
      });
      expect((await list("limit=1")).total_record).to.equal(10_062);
      expect((await list("job_state=RUNNING")).total_record).to.equal(6);
      const last = await list("limit=100&offset=101");
      expect(last.job_list).to.have.length(62);
      expect(last.job_list.every((job) => job.job_state === "FINISHED")).to.equal(true);
      expect(ids(await list("limit=100&offset=1"))[0]).to.equal("job-12");
    });

    it("sees a kill in the list's job_state filter", async () => {
      await kill(emulator, "job-01");
      expect(ids(await list("job_state=KILLED"))).to.deep.equal(["job-01"]);
    });

    it("refuses a limit outside 1..100, an offset below 1 and an unknown job_state with 400 0162", async () => {
      for (const query of ["limit=0", "limit=101", "limit=ten", "offset=0", "job_state=DONE"]) {
        const result = await tokenMrs(emulator, "GET", `${jobsPath}?${query}`);
        expect(result.status, query).to.equal(400);
        expect(result.json<MrsErrorBody>().error_code, query).to.equal("0162");
      }
    });
  });

  it("answers a request to an unpublished MRS path with 404 APIGW.0101 and X-Request-Id", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const result = await rawRequest(emulator, { method: "GET", target: `/v2/${projectId}/clusters` });
    expect(result.status).to.equal(404);
    expect(result.json<MrsErrorBody>().error_code).to.equal("APIGW.0101");
    expect(result.headers["x-request-id"]).to.match(UUID);
  });
});
