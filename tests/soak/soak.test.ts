/**
 * The soak: 500 terminations (250 MRS kills, 250 NodeMan revokes) through the provider
 * objects against the emulator, with 10% of requests meeting a transient fault (5xx, 429,
 * connection reset, answer lost after the effect). Every termination must end `terminated`, and
 * each target must be terminated exactly once. Time and peak memory are printed for the README.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedState } from "../../emulator/seed";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import {
  baseSeed,
  bluekingConfig,
  clusterId,
  huaweiConfig,
  inParallel,
  projectId,
  testProvider,
} from "../helpers/fixtures";

const perTarget = 250;
/** What the engine does by default: many resources at once. */
const parallel = 16;

function soakSeed(): SeedState {
  const seed = baseSeed();
  seed.huawei!.projects![projectId].clusters[clusterId].jobs = Array.from({ length: perTarget }, (_, i) => ({
    job_id: `soak-${i}`,
    job_name: `soak-job-${i}`, // MRS job names hold no spaces (model_job_execution.go)
    job_state: "RUNNING" as const,
    job_result: "UNDEFINED" as const,
  }));
  seed.blueking!.subscriptions = Array.from({ length: perTarget }, (_, i) => ({
    subscriptionId: 1000 + i,
    instances: [{ instanceId: `host|instance|host|${i + 1}`, status: "RUNNING" as const }],
  }));
  return seed;
}

describe("soak: 500 terminations with 10% transient faults", function () {
  this.timeout(300_000);
  let emulator: Emulator;
  before(async () => {
    emulator = await startEmulator({ seed: soakSeed() });
  });
  after(async () => {
    await emulator.close();
  });

  it("ends every termination `terminated`, each target terminated exactly once", async () => {
    emulator.setRandomFaults({ probability: 0.1, seed: 20261122 });
    const settings = { "termination:requestTimeoutSeconds": "2", "termination:maxAttempts": "8" };
    const mrs = await testProvider(
      mrsTarget,
      { ...huaweiConfig(emulator.url), ...settings },
      { timeScale: 0.02 },
    );
    const nodeman = await testProvider(
      nodemanTarget,
      { ...bluekingConfig(emulator.url, "apigw"), ...settings },
      { timeScale: 0.02 },
    );

    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const started = process.hrtime.bigint();
    const outcomes = await inParallel(2 * perTarget, parallel, async (i) => {
      const index = i >> 1;
      const { outs } =
        i % 2 === 0
          ? await mrs.provider.create({ clusterId, jobExecutionId: `soak-${index}` })
          : await nodeman.provider.create({ subscriptionId: 1000 + index });
      return outs.outcome as string;
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);

    const requests = emulator.requests();
    const faulted = requests.filter((r) => r.fault !== undefined).length;
    const retries = [...mrs.lines, ...nodeman.lines].filter((l) => /attempt \d+ of|throttled/.test(l)).length;
    console.log(
      `      soak: ${outcomes.length} terminations in ${seconds.toFixed(1)}s, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB; ` +
        `${requests.length} requests, ${faulted} faulted (${((100 * faulted) / requests.length).toFixed(1)}%), ${retries} retries; ` +
        `effective kills ${emulator.effectiveCount("mrs.kill")}, effective revokes ${emulator.effectiveCount("nodeman.revoke")}`,
    );

    expect(outcomes.filter((o) => o !== "terminated")).to.deep.equal([]);
    expect(faulted).to.be.greaterThan(0);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(perTarget);
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(perTarget);
    const state = emulator.state();
    const jobs = JSON.stringify(state);
    expect(jobs.match(/"job_state":"KILLED"/g)?.length ?? 0).to.be.at.least(perTarget);
  });
});
