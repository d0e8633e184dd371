/**
 * The fault table: each fault against kill, revoke and the status calls. A case
 * survives when the termination ends `terminated` with exactly one effective kill or revoke.
 * The summary printed at the end is the figure quoted in the README.
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type Fault, type RouteName } from "../../emulator";
import { mrsTarget } from "../../provider/targets/mrs";
import { nodemanTarget } from "../../provider/targets/nodeman";
import {
  baseSeed,
  bluekingConfig,
  clusterId,
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
  beforeEach(async () => {
    emulator = await startEmulator({ seed: baseSeed() });
  });
  afterEach(async () => {
    await emulator.close();
  });
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
