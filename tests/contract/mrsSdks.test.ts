/**
 * Contract: Huawei's OWN MRS clients against the emulator. The official Go SDK's MRS v2 client
 * (huaweicloud-sdk-go-v3, tests/contract/go) and the official Python SDK's (huaweicloudsdkmrs,
 * tests/contract/python) list, read and kill through their own signers, and parse every answer
 * into their own models and error types. Where an emulator rule is stricter than these clients,
 * the clients win: they are what the real gateway accepts. Built and cached by
 * scripts/huawei-sdks.sh; run by `npm run test:contract` (CI: .ci/run), not by `npm test`.
 */
import { expect } from "chai";
import * as path from "node:path";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { repoRoot, run } from "../../testing/process";
import { accessKey, baseSeed, clusterId, projectId, secrets, temporaryAkSk } from "../../testing/seed";

interface Call {
  op: "list" | "read" | "kill";
  clusterId: string;
  job?: string;
  jobName?: string;
  jobState?: string;
  accessKey?: string;
  secretKey?: string;
  securityToken?: string;
}

interface SdkError {
  /** The SDK's own error type: `*sdkerr.ServiceResponseError` (Go), `ClientRequestException` (Python). */
  type: string;
  status?: number;
  code?: string;
  message: string;
  requestId?: string;
}

interface Outcome {
  op: string;
  status?: number;
  /** The answer as the SDK's model parsed it. */
  response?: Record<string, unknown>;
  error?: SdkError;
}

interface JobModel {
  job_id: string;
  job_name: string;
  job_state: string;
  job_result: string;
  user: string;
  queue: string;
  started_time: number;
  submitted_time: number;
}

interface Sdk {
  name: string;
  /** What scripts/huawei-sdks.sh builds for it. */
  tool: "go" | "python";
  command: (built: string) => [string, string[]];
  /** The SDK's error type for a 4xx answer. */
  clientError: string;
}

const sdks: Sdk[] = [
  {
    name: "Go SDK (huaweicloud-sdk-go-v3, MRS v2)",
    tool: "go",
    command: (built) => [built, []],
    clientError: "*sdkerr.ServiceResponseError",
  },
  {
    name: "Python SDK (huaweicloudsdkmrs, MRS v2)",
    tool: "python",
    command: (built) => [built, [path.join(repoRoot, "tests", "contract", "python", "mrs_contract.py")]],
    clientError: "ClientRequestException",
  },
];

const withHuawei = (huawei: NonNullable<SeedState["huawei"]>): SeedState => {
  const seed = baseSeed();
  return { ...seed, huawei: { ...seed.huawei, ...huawei } };
};

describe("contract: Huawei's own MRS clients against the emulator", function () {
  // A first build downloads the Go SDK (48 MB) and PyPI packages: minutes, once per machine.
  this.timeout(60_000);

  for (const sdk of sdks) {
    describe(sdk.name, () => {
      let built: string;
      let emulator: Emulator;

      before(async function () {
        this.timeout(30 * 60_000);
        const script = path.join(repoRoot, "scripts", "huawei-sdks.sh");
        const result = await run("bash", [script, sdk.tool], { echoStderr: true, timeoutMs: 30 * 60_000 });
        expect(result.code, `scripts/huawei-sdks.sh ${sdk.tool} failed:\n${result.stderr}`).to.equal(0);
        built = result.stdout.trim().split("\n").pop() ?? "";
      });

      afterEach(async () => {
        await emulator?.close();
      });

      /** Runs the calls through the SDK, one process, against the emulator. */
      async function through(calls: Call[], seed: SeedState = baseSeed()): Promise<Outcome[]> {
        emulator = await startEmulator({ seed });
        const plan = { endpoint: emulator.url, accessKey, secretKey: secrets.secretKey, projectId, calls };
        const [command, args] = sdk.command(built);
        const result = await run(command, args, { input: JSON.stringify(plan), timeoutMs: 50_000 });
        expect(result.code, result.stderr).to.equal(0);
        const outcomes = JSON.parse(result.stdout) as Outcome[];
        expect(outcomes).to.have.length(calls.length);
        return outcomes;
      }

      it("lists with a name: ShowJobExeListNewResponse holds total_record and the job, answered 202", async () => {
        const [named, byState] = await through([
          { op: "list", clusterId, jobName: "nightly-etl" },
          { op: "list", clusterId, jobState: "FINISHED" },
        ]);
        expect(named.error).to.equal(undefined);
        expect(named.status).to.equal(202);
        const list = named.response as { total_record: number; job_list: JobModel[] };
        expect(list.total_record).to.equal(1);
        expect(list.job_list.map((job) => [job.job_id, job.job_name, job.job_state])).to.deep.equal([
          ["job-running", "nightly-etl", "RUNNING"],
        ]);
        const finished = byState.response as { job_list: JobModel[] };
        expect(finished.job_list.map((job) => job.job_id)).to.deep.equal(["job-finished"]);
        const queries = emulator.requests({ route: "mrs.list_jobs" }).map((r) => r.query);
        expect(queries[0]).to.include("job_name=nightly-etl");
        expect(queries[1]).to.include("job_state=FINISHED");
      });

      it("reads a job: ShowSingleJobExeResponse.job_detail carries the seeded job, times as integers", async () => {
        const [read] = await through([{ op: "read", clusterId, job: "job-running" }]);
        expect(read.error).to.equal(undefined);
        expect(read.status).to.equal(202);
        const job = (read.response as { job_detail: JobModel }).job_detail;
        const seeded = emulator
          .state()
          .mrs.projects[projectId].clusters[clusterId].jobs.find((each) => each.job_id === "job-running");
        expect(job).to.include({
          job_id: "job-running",
          job_name: "nightly-etl",
          job_state: "RUNNING",
          job_result: "UNDEFINED",
          user: seeded?.user,
          queue: seeded?.queue,
          started_time: seeded?.started_time,
          submitted_time: seeded?.submitted_time,
        });
      });

      it("kills a job: StopJobResponse at 202, the job then reads KILLED through the SDK", async () => {
        const [kill, after] = await through([
          { op: "kill", clusterId, job: "job-running" },
          { op: "read", clusterId, job: "job-running" },
        ]);
        expect(kill.error).to.equal(undefined);
        expect(kill.status).to.equal(202);
        expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
        const job = (after.response as { job_detail: JobModel }).job_detail;
        expect([job.job_state, job.job_result]).to.deep.equal(["KILLED", "KILLED"]);
      });

      it("a missing job: the SDK's error type with 0176 at HTTP 400, for a read and a kill", async () => {
        const outcomes = await through([
          { op: "read", clusterId, job: "no-such-job" },
          { op: "kill", clusterId, job: "no-such-job" },
        ]);
        for (const outcome of outcomes) {
          expect(outcome.error, outcome.op).to.include({ type: sdk.clientError, status: 400, code: "0176" });
          expect(outcome.error?.message).to.match(/no-such-job/);
        }
      });

      it("a wrong secret: APIGW.0301 at HTTP 401 in the SDK's error type, with the gateway's request id; nothing killed", async () => {
        const outcomes = await through([
          { op: "read", clusterId, job: "job-running", secretKey: "not-the-secret" },
          { op: "kill", clusterId, job: "job-running", secretKey: "not-the-secret" },
        ]);
        const ids = emulator.requests().map((r) => r.route);
        expect(ids).to.deep.equal(["mrs.get_job", "mrs.kill"]);
        for (const outcome of outcomes) {
          expect(outcome.error, outcome.op).to.include({
            type: sdk.clientError,
            status: 401,
            code: "APIGW.0301",
          });
          expect(outcome.error?.message).to.match(/Incorrect IAM authentication information/);
          expect(outcome.error?.requestId).to.match(/^[0-9a-f-]{36}$/);
        }
        expect(emulator.effectiveCount("mrs.kill")).to.equal(0);
      });

      it("temporary credentials: X-Security-Token signed and checked; a wrong token is APIGW.0301", async () => {
        const temporary = { ...temporaryAkSk };
        const [read, wrong] = await through([
          { op: "read", clusterId, job: "job-running", ...temporary },
          { op: "read", clusterId, job: "job-running", ...temporary, securityToken: "not-the-token" },
        ]);
        expect(read.error, JSON.stringify(read.error)).to.equal(undefined);
        expect(read.status).to.equal(202);
        expect(wrong.error).to.include({ type: sdk.clientError, status: 401, code: "APIGW.0301" });
        const [request] = emulator.requests({ route: "mrs.get_job" });
        expect(String(request.headers.authorization)).to.match(/SignedHeaders=[^,]*x-security-token/);
      });

      it("the emulator accepts the SDK's own signature (the Go SDK does not sign host)", async () => {
        await through([{ op: "read", clusterId, job: "job-running" }]);
        const [request] = emulator.requests({ route: "mrs.get_job" });
        const authorization = request.headers.authorization ?? request.headers.Authorization;
        const signed = /SignedHeaders=([^,]+)/.exec(String(authorization))?.[1].split(";") ?? [];
        expect(signed).to.include("x-sdk-date").and.include("x-project-id");
        if (sdk.tool === "go") expect(signed).to.not.include("host");
        else expect(signed).to.include("host");
        expect(request.status).to.equal(202);
      });

      it("mode gatewayCodes APIG: APIG.0301 in the SDK's error type", async () => {
        const [outcome] = await through(
          [{ op: "read", clusterId, job: "job-running", secretKey: "not-the-secret" }],
          withHuawei({ gatewayCodes: "APIG" }),
        );
        expect(outcome.error).to.include({ type: sdk.clientError, status: 401, code: "APIG.0301" });
      });

      it("mode errorBodies nested: the SDK reads 0176 and the gateway's code from {error: {code, message}}", async () => {
        const [missing, refused] = await through(
          [
            { op: "read", clusterId, job: "no-such-job" },
            { op: "read", clusterId, job: "job-running", secretKey: "not-the-secret" },
          ],
          withHuawei({ errorBodies: "nested" }),
        );
        expect(missing.error).to.include({ type: sdk.clientError, status: 400, code: "0176" });
        expect(missing.error?.message).to.match(/no-such-job/);
        expect(refused.error).to.include({ status: 401, code: "APIGW.0301" });
      });

      it("a missing cluster (12000003, camel-case keys): what each SDK makes of it", async () => {
        const [outcome] = await through([{ op: "read", clusterId: "no-such-cluster", job: "job-running" }]);
        expect(outcome.error).to.include({ type: sdk.clientError, status: 400 });
        // Python reads errorCode/errorMsg (exception_handler.py); Go reads only error_code/error_msg and
        // code/message (core/sdkerr/errors.go): no code, the whole body as the message.
        if (sdk.tool === "python") expect(outcome.error?.code).to.equal("12000003");
        else
          expect([outcome.error?.code, outcome.error?.message]).to.deep.equal([
            undefined,
            JSON.stringify({
              errorCode: "12000003",
              errorMsg: "The cluster no-such-cluster does not exist",
            }),
          ]);
      });
    });
  }
});
