import { expect } from "chai";
import { startEmulator, type Emulator, type RandomFaultSpec } from "../../emulator";
import {
  delay,
  gateway,
  instanceStatuses,
  jobState,
  jobsPath,
  rawRequest,
  requestError,
  secrets,
  baseSeed,
  tokenMrs,
  UUID,
  type Envelope,
  type MrsErrorBody,
} from "./helpers";

const killTarget = `${jobsPath}/job-running/kill`;

describe("emulator: faults", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  afterEach(() => emulator.close());

  const kill = () => tokenMrs(emulator, "POST", killTarget);
  const readJob = () => tokenMrs(emulator, "GET", `${jobsPath}/job-running`);

  it("status: answers plain text with no service error code, Retry-After and the request id, and changes nothing", async () => {
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "status", status: 503, retryAfterSeconds: 2 } });
    const result = await kill();
    expect(result.status).to.equal(503);
    expect(result.headers["content-type"]).to.match(/^text\/plain/);
    expect(result.text).to.equal("injected fault: HTTP 503 Service Unavailable\n");
    expect(result.headers["retry-after"]).to.equal("2");
    expect(result.headers["x-request-id"]).to.match(UUID);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    expect(emulator.requests({ route: "mrs.kill" })[0]).to.include({
      status: 503,
      fault: "status:503",
      effective: false,
    });
    expect((await kill()).status).to.equal(202);
  });

  it("status 429 on a NodeMan gateway route carries the gateway's throttling code", async () => {
    emulator.injectFault({ route: "nodeman.revoke", fault: { kind: "status", status: 429 } });
    const result = await gateway(emulator, "revoke", { subscription_id: 42 });
    expect(result.status).to.equal(429);
    expect(result.headers["x-bkapi-error-code"]).to.equal("1642902");
    expect(result.headers["x-bkapi-request-id"]).to.match(UUID);
    expect(result.headers).not.to.have.property("retry-after");
  });

  it("consumes a route's faults in order, `times` each, and leaves other routes alone", async () => {
    emulator.injectFault({ route: "mrs.get_job", times: 2, fault: { kind: "status", status: 502 } });
    emulator.injectFault({ route: "mrs.get_job", fault: { kind: "status", status: 504 } });
    expect((await kill()).status).to.equal(202);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await readJob()).status);
    expect(statuses).to.deep.equal([502, 502, 504, 202]);
  });

  it("times -1 lasts until the faults are cleared", async () => {
    emulator.injectFault({ route: "mrs.get_job", times: -1, fault: { kind: "status", status: 500 } });
    for (let i = 0; i < 5; i++) expect((await readJob()).status).to.equal(500);
    emulator.clearFaults();
    expect((await readJob()).status).to.equal(202);
  });

  it("reset: the client sees a socket error and nothing changes", async () => {
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset" } });
    const error = await requestError(emulator, {
      method: "POST",
      target: killTarget,
      headers: { "X-Auth-Token": secrets.authToken },
    });
    expect(error.message).to.match(/socket hang up|ECONNRESET/);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    expect(emulator.effectiveCount("mrs.kill")).to.equal(0);
    expect(emulator.requests()[0]).to.include({ status: null, fault: "reset", effective: false });
  });

  it("reset-after-apply: the kill takes effect but the client never hears of it", async () => {
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
    const error = await requestError(emulator, {
      method: "POST",
      target: killTarget,
      headers: { "X-Auth-Token": secrets.authToken },
    });
    expect(error.message).to.match(/socket hang up|ECONNRESET/);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("KILLED");
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    expect(emulator.requests({ route: "mrs.kill" })[0]).to.include({
      status: null,
      effective: true,
      fault: "reset-after-apply",
    });
  });

  it("reset-after-apply on a NodeMan revoke applies it too", async () => {
    emulator.injectFault({ route: "nodeman.revoke", fault: { kind: "reset-after-apply" } });
    await gateway(emulator, "revoke", { subscription_id: 42 }).then(
      () => expect.fail("the revoke must end with a socket error"),
      (error: Error) => expect(error.message).to.match(/socket hang up|ECONNRESET/),
    );
    expect((await instanceStatuses(emulator))["host|instance|host|1"]).to.equal("FAILED");
  });

  it("hang: the client times out; the held request is then handled like a slow server would", async () => {
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "hang", ms: 300 } });
    const started = Date.now();
    const error = await requestError(emulator, {
      method: "POST",
      target: killTarget,
      headers: { "X-Auth-Token": secrets.authToken },
      timeoutMs: 100,
    });
    expect(error.message).to.equal("client timeout");
    expect(Date.now() - started).to.be.lessThan(290);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    await delay(300);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("KILLED");
    expect(emulator.requests({ route: "mrs.kill" })[0]).to.include({ fault: "hang:300ms", status: 202 });
  });

  it("hang: a held request is answered normally after ms when the client waits", async () => {
    emulator.injectFault({ route: "mrs.get_job", fault: { kind: "hang", ms: 100 } });
    const started = Date.now();
    expect((await readJob()).status).to.equal(202);
    expect(Date.now() - started).to.be.at.least(95);
  });

  it("hang Infinity never answers, and close() still finishes at once", async () => {
    emulator.injectFault({ route: "mrs.get_job", fault: { kind: "hang", ms: Infinity } });
    const pending = requestError(emulator, {
      method: "GET",
      target: `${jobsPath}/job-running`,
      headers: { "X-Auth-Token": secrets.authToken },
    });
    await delay(50);
    const started = Date.now();
    await emulator.close();
    expect(Date.now() - started).to.be.lessThan(500);
    expect((await pending).message).to.match(/socket hang up|ECONNRESET/);
  });

  it("reply: a custom answer (a business error) with no effect", async () => {
    emulator.injectFault({
      route: "mrs.kill",
      fault: {
        kind: "reply",
        status: 400,
        body: { error_code: "0175", error_msg: "Failed to kill the job" },
      },
    });
    const result = await kill();
    expect(result.status).to.equal(400);
    expect(result.json<MrsErrorBody>()).to.deep.equal({
      error_code: "0175",
      error_msg: "Failed to kill the job",
    });
    expect(result.headers["x-request-id"]).to.match(UUID);
    expect((await jobState(emulator, "job-running")).job_state).to.equal("RUNNING");
    expect(emulator.requests()[0].fault).to.equal("reply:400");
  });

  it("refuses an invalid fault spec, naming what is wrong", () => {
    const bad = (spec: unknown) => () => emulator.injectFault(spec as never);
    expect(bad({ route: "mrs.nope", fault: { kind: "reset" } })).to.throw(/route must be one of/);
    expect(bad({ route: "mrs.kill", times: 0, fault: { kind: "reset" } })).to.throw(/times/);
    expect(bad({ route: "mrs.kill", fault: { kind: "status", status: 418 } })).to.throw(/fault.status/);
    expect(bad({ route: "mrs.kill", fault: { kind: "explode" } })).to.throw(/fault.kind/);
  });

  describe("random faults", () => {
    const spec: RandomFaultSpec = { probability: 0.5, seed: 1234, routes: ["mrs.get_job"] };

    /** Runs 40 reads and returns what answered each: a fault name or "ok". */
    async function faultSequence(target: Emulator): Promise<string[]> {
      for (let i = 0; i < 40; i++) {
        await rawRequest(target, {
          method: "GET",
          target: `${jobsPath}/job-running`,
          headers: { "X-Auth-Token": secrets.authToken },
        }).catch(() => undefined);
      }
      return target.requests().map((request) => request.fault ?? "ok");
    }

    it("are reproducible from their seed", async () => {
      emulator.setRandomFaults(spec);
      const first = await faultSequence(emulator);
      const second = await startEmulator({ seed: baseSeed() });
      try {
        second.setRandomFaults(spec);
        expect(await faultSequence(second)).to.deep.equal(first);
      } finally {
        await second.close();
      }
      expect(first.filter((fault) => fault !== "ok").length).to.be.within(8, 32);
      expect(new Set(first)).to.include.members(["ok", "reset", "reset-after-apply"]);
    });

    it("differ with another seed, touch only the chosen routes and kinds, and stop when unset", async () => {
      emulator.setRandomFaults({ ...spec, kinds: ["status"] });
      const withSeed1234 = await faultSequence(emulator);
      emulator.reset();
      emulator.setRandomFaults({ ...spec, seed: 99, kinds: ["status"] });
      const withSeed99 = await faultSequence(emulator);
      expect(withSeed99).not.to.deep.equal(withSeed1234);
      expect(withSeed99.every((fault) => fault === "ok" || fault.startsWith("status:"))).to.equal(true);
      expect((await kill()).status).to.equal(202);
      emulator.setRandomFaults(undefined);
      emulator.clearRequests();
      expect(await faultSequence(emulator)).to.deep.equal(Array(40).fill("ok"));
    });
  });

  it("rate limiting answers 429 with Retry-After: 1 in each API's gateway style", async () => {
    await emulator.close();
    emulator = await startEmulator({ seed: baseSeed(), rateLimitPerSecond: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, () => readJob()));
    const throttled = results.filter((result) => result.status === 429);
    expect(throttled.length).to.be.at.least(2);
    expect(throttled[0].headers["retry-after"]).to.equal("1");
    expect(throttled[0].json<MrsErrorBody>().error_code).to.equal("APIGW.0308");
    const nodeman = await Promise.all(
      Array.from({ length: 8 }, () => gateway(emulator, "check_task_ready", { subscription_id: 42 })),
    );
    const limited = nodeman.find((result) => result.status === 429);
    expect(limited?.headers["x-bkapi-error-code"]).to.equal("1642902");
    expect(limited?.json<Envelope>()).to.include({ result: false, code: 1642902 });
    expect(emulator.requests().some((request) => request.fault === "rate-limit")).to.equal(true);
  });
});
