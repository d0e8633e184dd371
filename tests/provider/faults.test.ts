/**
 * The fault table: each fault against kill, revoke and the status calls. A case
 * survives when the termination ends `terminated` with exactly one effective kill or revoke.
 * The summary printed at the end is the figure quoted in the README.
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type Fault, type RouteName } from "../../emulator";
import { isTerminationIncompleteError } from "../../provider/errors";
import { createHttpClient } from "../../provider/http/client";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import {
  baseSeed,
  bluekingConfig,
  caught,
  clusterId,
  emulatorPerTest,
  findSecrets,
  huaweiConfig,
  projectId,
  testProvider,
} from "../helpers/fixtures";

const fast = {
  "termination:requestTimeoutSeconds": "0.5",
  "termination:maxAttempts": "5",
  "termination:maxRetrySeconds": "30",
};

interface Case {
  name: string;
  fault: Fault;
  times: number;
}

const transient: Case[] = [
  { name: "500 twice", fault: { kind: "status", status: 500 }, times: 2 },
  { name: "502 twice", fault: { kind: "status", status: 502 }, times: 2 },
  { name: "503 three times", fault: { kind: "status", status: 503 }, times: 3 },
  { name: "429 with Retry-After: 1", fault: { kind: "status", status: 429, retryAfterSeconds: 1 }, times: 1 },
  { name: "connection reset", fault: { kind: "reset" }, times: 1 },
  { name: "answer lost after the effect", fault: { kind: "reset-after-apply" }, times: 1 },
  { name: "hung past the request timeout", fault: { kind: "hang", ms: 2000 }, times: 1 },
];

type TargetName = "MRS" | "NodeMan";
const routes: [TargetName, RouteName][] = [
  ["MRS", "mrs.kill"],
  ["MRS", "mrs.get_job"],
  ["NodeMan", "nodeman.revoke"],
  ["NodeMan", "nodeman.task_result"],
];

const summary: { route: string; fault: string; survived: boolean; requests: number; effective: number }[] =
  [];

describe("fault table: transient faults are survived, and terminate exactly once", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });
  after(() => {
    const transientRows = summary.filter((s) => !s.fault.startsWith("down"));
    const survived = transientRows.filter((s) => s.survived).length;
    console.log(
      `\n      fault table: ${survived} of ${transientRows.length} transient cases survived; outages fail clearly`,
    );
    for (const s of summary) {
      console.log(
        `      ${s.route.padEnd(20)} ${s.fault.padEnd(30)} requests ${s.requests}, effective ${s.effective}`,
      );
    }
  });

  async function terminate(target: TargetName) {
    if (target === "MRS") {
      const { provider, lines } = await testProvider(
        mrsTarget,
        { ...huaweiConfig(emulator.url), ...fast },
        { timeScale: 0.05 },
      );
      return {
        lines,
        outs: (await provider.create({ clusterId, jobExecutionId: "job-running" })).outs,
        effectiveRoute: "mrs.kill" as const,
      };
    }
    const { provider, lines } = await testProvider(
      nodemanTarget,
      { ...bluekingConfig(emulator.url, "apigw"), ...fast },
      { timeScale: 0.05 },
    );
    return {
      lines,
      outs: (await provider.create({ subscriptionId: 42 })).outs,
      effectiveRoute: "nodeman.revoke" as const,
    };
  }

  for (const [target, route] of routes) {
    for (const c of transient) {
      // A lost answer to a read has no effect to lose; it is the same case as a reset.
      if (c.fault.kind === "reset-after-apply" && !route.endsWith("kill") && !route.endsWith("revoke"))
        continue;
      it(`${route}: ${c.name}`, async () => {
        emulator.injectFault({ route, times: c.times, fault: c.fault });
        const { outs, lines, effectiveRoute } = await terminate(target);
        const effective = emulator.effectiveCount(effectiveRoute);
        summary.push({
          route,
          fault: c.name,
          survived: outs.outcome === "terminated" && effective === 1,
          requests: emulator.requests().length,
          effective,
        });
        expect(outs.outcome).to.equal("terminated");
        expect(effective).to.equal(1);
        const notice =
          c.fault.kind === "status" && c.fault.status === 429
            ? /throttled \(HTTP 429.*retrying in/
            : /attempt 2 of 5/;
        expect(lines.some((l) => notice.test(l))).to.equal(true, lines.join("\n"));
        expect(findSecrets(lines, outs)).to.deep.equal([]);
      });
    }
  }

  for (const [target, route] of [routes[0], routes[2]]) {
    it(`${route}: down for longer than the retry budget fails clearly, after the configured attempts`, async () => {
      emulator.injectFault({ route, times: -1, fault: { kind: "status", status: 503 } });
      let error: Error | undefined;
      try {
        await terminate(target);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.match(/failed after 5 attempts: HTTP 503/);
      expect(emulator.requests({ route }).length).to.equal(5);
      expect(emulator.effectiveCount()).to.equal(0);
      summary.push({
        route,
        fault: "down past the budget (fails)",
        survived: false,
        requests: emulator.requests().length,
        effective: 0,
      });
      console.log(`      error text: ${error?.message}`);
    });
  }

  it("a throttling gateway is waited out endpoint-wide: 40 kills at 40 requests/s, none failed", async () => {
    await emulator.close();
    const seed = baseSeed();
    const jobs = seed.huawei!.projects![projectId].clusters[clusterId].jobs;
    for (let i = 0; i < 40; i++) jobs.push({ job_id: `rate-${i}`, job_state: "RUNNING" });
    emulator = await startEmulator({ seed, rateLimitPerSecond: 40 });
    const { provider, lines } = await testProvider(mrsTarget, { ...huaweiConfig(emulator.url), ...fast });
    const results = await Promise.allSettled(
      jobs
        .filter((j) => j.job_id.startsWith("rate-"))
        .map((j) => provider.create({ clusterId, jobExecutionId: j.job_id, waitForTermination: false })),
    );
    const throttled = emulator.requests().filter((r) => r.status === 429).length;
    console.log(
      `      rate limit 40/s: 40 kills, ${emulator.requests().length} requests, ${throttled} throttled, ${lines.length} notices`,
    );
    expect(results.filter((r) => r.status === "rejected")).to.deep.equal([]);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(40);
  });

  it("a connection refused (nothing listening) is retried, then reported with the URL", async () => {
    const url = emulator.url;
    await emulator.close();
    const { provider, lines } = await testProvider(
      mrsTarget,
      { ...huaweiConfig(url), ...fast, "termination:maxAttempts": "3" },
      { timeScale: 0.05 },
    );
    let error: Error | undefined;
    try {
      await provider.create({ clusterId, jobExecutionId: "job-running" });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).to.equal("NetworkError");
    expect(error?.message).to.match(
      /failed after 3 attempt\(s\): connection refused \(ECONNREFUSED\) on GET http:\/\/127\.0\.0\.1/,
    );
    expect(lines.filter((l) => /connection refused; attempt \d of 3/.test(l))).to.have.length(2);
    emulator = await startEmulator({ seed: baseSeed() });
  });
});

describe("deadlines that hold: a wait ends at waitTimeoutSeconds even when every status read hangs", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  const cases = [
    {
      target: "MRS" as const,
      statusRoute: "mrs.get_job" as const,
      killRoute: "mrs.kill" as const,
      make: () => testProvider(mrsTarget, huaweiConfig(emulator.url)),
      inputs: { clusterId, jobExecutionId: "job-running", waitTimeoutSeconds: 3, preflight: false },
    },
    {
      target: "NodeMan" as const,
      statusRoute: "nodeman.task_result" as const,
      killRoute: "nodeman.revoke" as const,
      make: () => testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw")),
      inputs: { subscriptionId: 42, waitTimeoutSeconds: 3, preflight: false },
    },
  ];

  for (const c of cases) {
    it(`${c.target}: create returns within 3+5 s, recorded requested-but-incomplete, and update resumes`, async function () {
      this.timeout(20_000);
      // Default settings: a 30 s request timeout and 5 attempts, far past the wait's 3 s.
      const { provider } = await c.make();
      emulator.injectFault({
        route: c.statusRoute,
        after: c.killRoute,
        times: -1,
        fault: { kind: "hang", ms: Infinity },
      });
      const started = Date.now();
      const error = await caught(provider.create(c.inputs as never));
      const elapsed = Date.now() - started;
      expect(elapsed, error.message).to.be.below(8_000);
      expect(isTerminationIncompleteError(error), String(error)).to.equal(true);
      if (!isTerminationIncompleteError(error)) return;
      expect(error.message).to.match(/waitTimeoutSeconds=3/);
      expect(error.id).to.be.a("string").and.not.equal("");
      expect(error.properties.outcome).to.equal("requested");
      expect(error.properties).not.to.have.property("completedAt");
      expect(emulator.effectiveCount(c.killRoute)).to.equal(1);
      // At least one status read was sent after the kill and hung.
      expect(emulator.requests({ route: c.statusRoute }).some((r) => r.fault === "hang:Infinity")).to.equal(
        true,
      );
      console.log(
        `      ${c.target}: create rejected after ${(elapsed / 1000).toFixed(1)} s: ${error.message}`,
      );

      // The next `pulumi up`: the engine calls update with the recorded properties; reads work again.
      emulator.clearFaults();
      const { outs } = await provider.update(error.id, error.properties, c.inputs);
      expect(outs?.outcome).to.equal("terminated");
      expect(outs).to.have.property("completedAt");
      expect(emulator.effectiveCount(c.killRoute)).to.equal(1);
      expect(emulator.requests({ route: c.killRoute })).to.have.length(1);
    });
  }
});

describe("throttling: Retry-After: 0 on every read is not a tight loop", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  it("MRS: a few requests, then a clear error naming the throttling; no kill sent", async function () {
    this.timeout(20_000);
    // Real sleeps would take the backoff's ~40 s: the clock is shrunk, the counting is not.
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    emulator.injectFault({
      route: "mrs.get_job",
      times: -1,
      fault: { kind: "status", status: 429, retryAfterSeconds: 0 },
    });
    const error = await caught(
      provider.create({ clusterId, jobExecutionId: "job-running", preflight: false }),
    );
    const reads = emulator.requests({ route: "mrs.get_job" }).length;
    console.log(`      Retry-After: 0 on every read: ${reads} requests, then: ${error.message}`);
    expect(reads).to.be.at.least(2).and.at.most(10);
    expect(error.message)
      .to.match(/HTTP 429/)
      .and.match(/Throttled \(HTTP 429 Too Many Requests\)/);
    expect(error.message).to.match(new RegExp(`after ${reads} attempts`));
    expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
  });

  it("a throttled retry is spaced by the backoff even when Retry-After says 0", async () => {
    const slept: number[] = [];
    // A clock that moves only when the client sleeps.
    let clock = Date.now();
    const client = createHttpClient(
      {
        requestTimeoutMs: 5000,
        maxAttempts: 5,
        maxRetryMs: 60_000,
        maxConcurrency: 8,
        insecureSkipTlsVerify: false,
      },
      {
        reporter: { info: () => {}, warn: () => {} },
        now: () => clock,
        sleep: async (ms) => {
          slept.push(ms);
          clock += ms;
        },
        random: () => 0,
      },
    );
    emulator.injectFault({
      route: "mrs.get_job",
      times: 3,
      fault: { kind: "status", status: 429, retryAfterSeconds: 0 },
    });
    const response = await client.send({
      service: "MRS",
      operation: "read",
      method: "GET",
      url: `${emulator.url}/v2/${projectId}/clusters/${clusterId}/job-executions/job-running`,
    });
    expect(response.status).to.not.equal(429);
    // Equal jitter at random 0: half of 0.5 s, 1 s, 2 s.
    expect(slept.filter((ms) => ms > 0)).to.deep.equal([250, 500, 1000]);
  });
});
