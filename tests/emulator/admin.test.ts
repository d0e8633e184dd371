import { expect } from "chai";
import { startEmulator, type Emulator, type StateSnapshot } from "../../emulator";
import { gateway, jobsPath, rawRequest, baseSeed, tokenMrs, type HttpResult, clusterId } from "./helpers";

describe("emulator: admin HTTP API", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  afterEach(() => emulator.close());

  const admin = (method: string, path: string, body?: unknown): Promise<HttpResult> =>
    rawRequest(emulator, {
      method,
      target: `/_emulator/${path}`,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it("answers health", async () => {
    const result = await admin("GET", "health");
    expect(result.status).to.equal(200);
    expect(result.json()).to.deep.equal({ ok: true });
  });

  it("round trip: seed, state, faults, requests, effective, reset", async () => {
    const seed = baseSeed({ mrsKillDelayMs: 0 });
    seed.blueking = {
      ...seed.blueking,
      subscriptions: [
        { subscriptionId: 7, instances: [{ instanceId: "host|instance|host|1", status: "RUNNING" }] },
      ],
    };
    expect((await admin("POST", "seed", seed)).status).to.equal(200);
    let state = (await admin("GET", "state")).json<StateSnapshot>();
    expect(state.nodeman.subscriptions.map((s) => s.subscriptionId)).to.deep.equal([7]);

    expect(
      (
        await admin("POST", "faults", {
          route: "mrs.get_job",
          times: -1,
          fault: { kind: "hang", ms: "Infinity" },
        })
      ).status,
    ).to.equal(200);
    expect(
      (await admin("POST", "faults", { route: "mrs.kill", fault: { kind: "status", status: 503 } })).status,
    ).to.equal(200);
    expect((await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`)).status).to.equal(503);
    expect((await admin("DELETE", "faults")).status).to.equal(200);
    expect((await tokenMrs(emulator, "GET", `${jobsPath}/job-running`)).status).to.equal(202);
    expect((await tokenMrs(emulator, "POST", `${jobsPath}/job-running/kill`)).status).to.equal(202);
    await gateway(emulator, "revoke", { subscription_id: 7 });

    const kills = (await admin("GET", "requests?route=mrs.kill")).json<
      { status: number; fault?: string }[]
    >();
    expect(kills.map((k) => [k.status, k.fault])).to.deep.equal([
      [503, "status:503"],
      [202, undefined],
    ]);
    expect((await admin("GET", "requests")).json<unknown[]>()).to.have.length(4);
    expect((await admin("GET", "effective")).json()).to.deep.include({ total: 2 });
    expect((await admin("GET", "effective")).json<{ routes: Record<string, number> }>().routes).to.include({
      "mrs.kill": 1,
      "nodeman.revoke": 1,
      "mrs.get_job": 0,
    });
    state = (await admin("GET", "state")).json<StateSnapshot>();
    expect(
      state.mrs.projects[Object.keys(state.mrs.projects)[0]].clusters[clusterId].jobs[0].job_state,
    ).to.equal("KILLED");
    expect(state.nodeman.subscriptions[0].instances[0]).to.include({ status: "FAILED", revoked: true });

    expect((await admin("DELETE", "requests")).status).to.equal(200);
    expect((await admin("GET", "requests")).json()).to.deep.equal([]);
    expect((await admin("POST", "reset")).status).to.equal(200);
    expect((await admin("GET", "effective")).json()).to.deep.include({ total: 0 });
    state = (await admin("GET", "state")).json<StateSnapshot>();
    expect(state.nodeman.subscriptions[0].instances[0]).to.include({ status: "RUNNING", revoked: false });
  });

  it("sets and clears random faults", async () => {
    expect(
      (await admin("POST", "random-faults", { probability: 1, seed: 1, kinds: ["status"] })).status,
    ).to.equal(200);
    expect((await tokenMrs(emulator, "GET", `${jobsPath}/job-running`)).status).to.be.at.least(429);
    expect((await admin("DELETE", "random-faults")).status).to.equal(200);
    expect((await tokenMrs(emulator, "GET", `${jobsPath}/job-running`)).status).to.equal(202);
  });

  it("answers 400 naming the problem for a bad seed, fault or filter, and 404 for an unknown endpoint", async () => {
    const badSeed = await admin("POST", "seed", {
      blueking: { subscriptions: [{ subscriptionId: "x", instances: [] }] },
    });
    expect(badSeed.status).to.equal(400);
    expect(badSeed.json<{ message: string }>().message).to.equal(
      "seed.blueking.subscriptions[0].subscriptionId must be an integer >= 1",
    );
    const badFault = await admin("POST", "faults", { route: "mrs.kill", fault: { kind: "hang", ms: -1 } });
    expect(badFault.status).to.equal(400);
    expect(badFault.json<{ message: string }>().message).to.match(/^fault.ms/);
    expect((await admin("POST", "faults", undefined)).status).to.equal(400);
    expect((await admin("GET", "requests?route=nope")).status).to.equal(400);
    const unknown = await admin("GET", "nope");
    expect(unknown.status).to.equal(404);
    expect(unknown.json<{ endpoints: string[] }>().endpoints).to.include("GET /_emulator/state");
    expect(emulator.requests()).to.deep.equal([]);
  });

  it("keeps the previous state when a seed is refused", async () => {
    await admin("POST", "seed", { huawei: { projects: { "bad/id": { clusters: {} } } } });
    expect(emulator.state().nodeman.subscriptions).to.have.length(3);
  });
});
