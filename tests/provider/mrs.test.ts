import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { isApiError, TerminationIncompleteError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { UNKNOWN } from "../../provider/validation/fields";
import {
  baseSeed,
  caught,
  clusterId,
  emulatorPerTest,
  findSecrets,
  huaweiConfig,
  projectId,
  secrets,
  testProvider,
} from "../helpers/fixtures";
import { mrsRefusal } from "../../testing/faults";

const running = { clusterId, jobExecutionId: "job-running" };

describe("MrsJobTermination provider against the emulator", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  const kills = () => emulator.requests({ route: "mrs.kill" }).length;

  for (const mode of ["aksk", "token"] as const) {
    it(`kills a running job and waits until KILLED (${mode})`, async () => {
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url, mode));
      const { id, outs } = await provider.create(running);
      expect(id).to.match(/^mrs\/cluster-1\/job-running@\d+$/);
      expect(outs).to.include({
        outcome: "terminated",
        jobState: "KILLED",
        jobResult: "KILLED",
        jobName: "nightly-etl",
      });
      expect(outs.requestId).to.be.a("string").and.not.equal("");
      expect(Date.parse(outs.completedAt)).to.be.at.least(Date.parse(outs.requestedAt));
      expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
      expect(kills()).to.equal(1);
      expect(findSecrets(outs, lines, emulator.requests())).to.deep.equal([]);
    });
  }

  it("waits while the kill takes effect, reporting what it sees", async () => {
    await emulator.close();
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: 300 } });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create(running);
    expect(outs.jobState).to.equal("KILLED");
    expect(lines.some((l) => /job RUNNING.*waiting/.test(l))).to.equal(true, lines.join("\n"));
    expect(emulator.requests({ route: "mrs.get_job" }).length).to.be.greaterThan(2);
  });

  it("does not kill a job that already finished", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({ clusterId, jobExecutionId: "job-finished" });
    expect(outs).to.include({ outcome: "already-finished", jobState: "FINISHED", jobResult: "SUCCEEDED" });
    expect(kills()).to.equal(0);
  });

  it('fails on a finished job with whenAlreadyFinished: "fail", without killing', async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const error = await caught(
      provider.create({ clusterId, jobExecutionId: "job-finished", whenAlreadyFinished: "fail" }),
    );
    expect(error.message).to.match(/already finished: state FINISHED, result SUCCEEDED/);
    expect(kills()).to.equal(0);
  });

  it("records the request without waiting when waitForTermination is false", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await provider.create({ ...running, waitForTermination: false });
    expect(outs.outcome).to.equal("requested");
    expect(outs.completedAt).to.equal(undefined);
    expect(kills()).to.equal(1);
  });

  const apiErrors: [string, () => Record<string, string>, Record<string, unknown>, string, RegExp][] = [
    [
      "unknown job",
      () => huaweiConfig(emulator.url),
      { clusterId, jobExecutionId: "no-such-job" },
      "0176",
      /Check jobExecutionId/,
    ],
    [
      "unknown cluster (errorCode spelling)",
      () => huaweiConfig(emulator.url),
      { clusterId: "no-such-cluster", jobExecutionId: "job-running" },
      "12000003",
      /Check clusterId/,
    ],
    [
      "wrong secret key",
      () => ({ ...huaweiConfig(emulator.url), "huaweicloud:secretKey": "WRONG-" + secrets.secretKey }),
      running,
      "APIGW.0301",
      /clock/,
    ],
    [
      "expired token",
      () => ({ ...huaweiConfig(emulator.url, "token"), "huaweicloud:authToken": secrets.expiredToken }),
      running,
      "APIGW.0307",
      /expired/,
    ],
    [
      "unknown token",
      () => ({
        ...huaweiConfig(emulator.url, "token"),
        "huaweicloud:authToken": "nope-" + secrets.authToken,
      }),
      running,
      "APIGW.0301",
      /token/,
    ],
  ];
  for (const [name, config, inputs, code, hint] of apiErrors) {
    it(`reports ${name} with code ${code}, HTTP status, request id and a hint, and no secret`, async () => {
      const { provider, lines } = await testProvider(mrsTarget, config());
      const error = await caught(provider.create(inputs));
      expect(isApiError(error), String(error)).to.equal(true);
      if (!isApiError(error)) return;
      expect(error.code).to.equal(code);
      expect(error.httpStatus).to.be.within(400, 499);
      expect(error.requestId).to.be.a("string").and.not.equal("");
      expect(error.message)
        .to.include(code)
        .and.include(error.requestId as string)
        .and.match(hint);
      expect(error.serviceMessage).to.be.a("string").and.not.equal("");
      expect(findSecrets(error.message, error.stack, lines, emulator.requests())).to.deep.equal([]);
      expect(kills()).to.equal(0);
    });
  }

  it("reports a refused kill (0175) with the service's text and request id; a later create succeeds", async () => {
    emulator.injectFault({
      route: "mrs.kill",
      fault: mrsRefusal("0175", "Failed to kill the job"),
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const error = await caught(provider.create(running));
    expect(error.message)
      .to.include("0175")
      .and.include("Failed to kill the job")
      .and.match(/request id \S+/);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(0);
    const { outs } = await provider.create(running);
    expect(outs.outcome).to.equal("terminated");
  });

  it("records a timed-out wait as created-but-incomplete, and update resumes the wait without a new kill", async () => {
    await emulator.close();
    emulator = await startEmulator({ seed: { ...baseSeed(), mrsKillDelayMs: 1500 } });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const error = await caught(provider.create({ ...running, waitTimeoutSeconds: 1 }));
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    const incomplete = error as TerminationIncompleteError;
    expect(incomplete.message).to.match(/not stopped after waitTimeoutSeconds=1; last seen: job RUNNING/);
    expect(incomplete.id).to.match(/^mrs\/cluster-1\/job-running@/);
    expect(incomplete.properties).to.include({ outcome: "requested", jobState: "RUNNING" });
    const { outs } = await provider.update(incomplete.id, incomplete.properties, {
      ...running,
      waitTimeoutSeconds: 10,
    });
    expect(outs).to.include({ outcome: "terminated", jobState: "KILLED", waitTimeoutSeconds: 10 });
    expect(kills()).to.equal(1);
  });

  it("a status read that fails after the kill still records the resource, and update resumes", async () => {
    const failingPoll = {
      ...mrsTarget,
      poll: async () => {
        throw new Error("status read failed (injected)");
      },
    };
    const { provider } = await testProvider(failingPoll, huaweiConfig(emulator.url));
    const error = await caught(provider.create(running));
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    const incomplete = error as TerminationIncompleteError;
    expect(incomplete.message).to.match(
      /status read failed \(injected\)\. The termination request was sent .*resume waiting\.$/,
    );
    expect(incomplete.properties).to.include({ outcome: "requested" });
    expect(kills()).to.equal(1);
    const healthy = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const { outs } = await healthy.provider.update(incomplete.id, incomplete.properties, running);
    expect(outs).to.include({ outcome: "terminated", jobState: "KILLED" });
    expect(kills()).to.equal(1);
  });

  it("check with preflight: false validates without sending anything, and accepts unknown values", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    expect((await provider.check({}, { ...running, preflight: false })).failures).to.deep.equal([]);
    expect(
      (await provider.check({}, { clusterId: UNKNOWN, jobExecutionId: UNKNOWN, projectId: UNKNOWN }))
        .failures,
    ).to.deep.equal([]);
    const bad = await provider.check(
      {},
      { clusterId: "../etc", jobExecutionId: "a?b", waitTimeoutSeconds: 0, whenAlreadyFinished: "sucess" },
    );
    expect((bad.failures ?? []).map(failureName)).to.deep.equal([
      "clusterId",
      "jobExecutionId",
      "whenAlreadyFinished",
      "waitTimeoutSeconds",
    ]);
    expect(emulator.requests()).to.deep.equal([]);
  });

  describe("preflight in check (read-only)", () => {
    // HOST: the endpoint host the line names (issue 17: each preview line says where it goes).
    const table: [string, Record<string, unknown>, string][] = [
      [
        "a running job",
        running,
        "^MRS job nightly-etl \\(job-running\\) RUNNING( for \\S+)? at HOST: will be killed$",
      ],
      [
        "a queued job",
        { clusterId, jobExecutionId: "job-accepted" },
        "^MRS job queued \\(job-accepted\\) ACCEPTED.* at HOST: will be killed$",
      ],
      [
        "a finished job",
        { clusterId, jobExecutionId: "job-finished" },
        "^MRS job done \\(job-finished\\) already FINISHED at HOST: nothing to do$",
      ],
    ];
    for (const [name, inputs, line] of table) {
      it(`shows what will happen to ${name} and the host it read, sending only a read`, async () => {
        const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
        expect((await provider.check({}, inputs)).failures).to.deep.equal([]);
        expect(lines).to.have.length(1);
        const host = new URL(emulator.url).host.replace(/\./g, "\\.");
        expect(lines[0]).to.match(new RegExp(line.replace("HOST", host)));
        expect(emulator.requests().map((r) => r.route)).to.deep.equal(["mrs.get_job"]);
      });
    }

    it("fails the preview on a job or cluster that does not exist, naming the field", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const job = await provider.check({}, { clusterId, jobExecutionId: "no-such-job" });
      expect(job.failures?.map(failureName)).to.deep.equal(["jobExecutionId"]);
      expect(job.failures?.[0].reason).to.match(/does not exist: .*0176/);
      const cluster = await provider.check(
        {},
        { clusterId: "no-such-cluster", jobExecutionId: "job-running" },
      );
      expect(cluster.failures?.map(failureName)).to.deep.equal(["clusterId"]);
    });

    it("takes only its own codes as a missing target: an error code named like an object key is not one", async () => {
      emulator.injectFault({ route: "mrs.get_job", times: -1, fault: mrsRefusal("constructor", "odd") });
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url), {
        timeScale: 0.01,
      });
      expect((await provider.check({}, running)).failures).to.deep.equal([]);
      expect(lines.at(-1)).to.match(/^warning: .*preflight could not read the target.*constructor/);
      expect(lines.join("\n")).to.not.match(/function Object|native code/);
    });

    it("warns and lets the preview go on when the API is unreachable", async () => {
      emulator.injectFault({ route: "mrs.get_job", times: -1, fault: { kind: "status", status: 503 } });
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url), {
        timeScale: 0.01,
      });
      expect((await provider.check({}, running)).failures).to.deep.equal([]);
      expect(lines.at(-1)).to.match(/^warning: .*preflight could not read the target, the preview goes on/);
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(2);
    });

    it("is skipped for an existing resource whose target is unchanged, for unknown ids, and when turned off", async () => {
      const { provider, lines } = await testProvider(mrsTarget, { ...huaweiConfig(emulator.url) });
      const olds = { ...running, outcome: "terminated" };
      await provider.check(olds, { ...running, waitTimeoutSeconds: 10 });
      await provider.check({}, { clusterId, jobExecutionId: UNKNOWN });
      await provider.check({}, { ...running, preflight: false });
      const off = await testProvider(mrsTarget, {
        ...huaweiConfig(emulator.url),
        "termination:preflight": "false",
      });
      await off.provider.check({}, running);
      expect(emulator.requests()).to.deep.equal([]);
      expect([...lines, ...off.lines]).to.deep.equal([]);
    });

    it("runs again when a change of target means a new termination", async () => {
      const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      await provider.check(
        { ...running, outcome: "terminated" },
        { clusterId, jobExecutionId: "job-accepted" },
      );
      expect(lines[0]).to.match(/job-accepted/);
    });
  });

  it("check names every missing setting with its config key and environment variable", async () => {
    const { provider } = await testProvider(mrsTarget, {});
    const failures = (await provider.check({}, running)).failures ?? [];
    const text = failures.map((f) => `${f.property}: ${f.reason}`).join("\n");
    expect(text)
      .to.include("huaweicloud:accessKey")
      .and.include("HW_ACCESS_KEY")
      .and.include("HW_AUTH_TOKEN");
    expect(text).to.include("projectId: is required").and.include("HW_PROJECT_ID");
    expect(text).to.include("region: is required").and.include("HW_MRS_ENDPOINT");
  });

  it("takes settings from the environment when stack config has none", async () => {
    const env = {
      HW_ACCESS_KEY: huaweiConfig("x")["huaweicloud:accessKey"],
      HW_SECRET_KEY: secrets.secretKey,
      HW_PROJECT_ID: projectId,
      HW_MRS_ENDPOINT: emulator.url,
    };
    const { provider } = await testProvider(mrsTarget, {}, { env });
    expect((await provider.check({}, running)).failures).to.deep.equal([]);
    expect((await provider.create(running)).outs.outcome).to.equal("terminated");
  });

  it("prefers the resource argument over stack config over environment", async () => {
    const config = { ...huaweiConfig("http://127.0.0.1:1"), "huaweicloud:projectId": "wrong-project" };
    const { provider } = await testProvider(mrsTarget, config, {
      env: { HW_MRS_ENDPOINT: "http://127.0.0.1:2" },
    });
    const { outs } = await provider.create({ ...running, projectId, endpoint: emulator.url });
    expect(outs.outcome).to.equal("terminated");
  });

  it("read reports the live state and sends no kill; delete sends nothing", async () => {
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const inputs = { clusterId, jobExecutionId: "job-accepted" };
    const read = await provider.read("mrs/x@1", { ...inputs, outcome: "requested", jobState: "RUNNING" });
    expect(read.props).to.include({ jobState: "ACCEPTED", outcome: "requested" });
    const before = emulator.requests().length;
    await provider.delete("mrs/x@1", inputs);
    expect(emulator.requests().length).to.equal(before);
    expect(lines.at(-1)).to.match(/nothing was sent/);
    expect(kills()).to.equal(0);
  });

  it("encodes ids into the path: nothing reaches another route", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    // check refuses these; create must still never build a traversing URL if called directly.
    const error = await caught(provider.create({ clusterId, jobExecutionId: "../job-running" }));
    expect(error.message).to.include("%2F");
    expect(
      emulator
        .requests()
        .every((r) => r.path.startsWith(`/v2/${projectId}/clusters/${clusterId}/job-executions/`)),
    ).to.equal(true);
    expect(kills()).to.equal(0);
  });
});
