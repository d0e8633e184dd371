/**
 * Attack: a target deleted while the provider waits for it to stop. The kill or revoke went out;
 * what it targeted no longer exists, so nothing of it runs. Each test failed on main.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { TerminationIncompleteError } from "../../provider";
import { baseSeed, bluekingConfig, caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { mrsTarget, nodemanTarget, runningJob, seedWithJobs, type Props } from "./helpers";

describe("attack: targets that vanish mid-wait", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("MRS: a job deleted after its kill was accepted does not leave every later up (and refresh) failing", async () => {
    // The kill takes 60 s to show; the job record is deleted meanwhile.
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")], { mrsKillDelayMs: 60_000 }) });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobExecutionId: "jA", waitTimeoutSeconds: 2 };
    const created = provider.create(inputs);
    setTimeout(() => emulator.seed(baseSeed()), 150);
    const error = await caught(created);
    expect(error).to.be.instanceOf(TerminationIncompleteError, error.message);
    const record = (error as TerminationIncompleteError).properties as Props;
    // `pulumi refresh` keeps the record and marks it gone; then `pulumi up` must be able to finish.
    const { props } = await provider.read((error as TerminationIncompleteError).id, record);
    expect(props.targetGone).to.equal(true);
    const next = await provider.update((error as TerminationIncompleteError).id, props, inputs).then(
      ({ outs }) => `outcome ${String(outs.outcome)}`,
      (e: Error) => `failed: ${e.message}`,
    );
    expect(next.startsWith("failed"), next).to.equal(false);
  });

  it("NodeMan: a subscription deleted after its revoke was accepted does not leave every later up failing", async () => {
    // Revoked instances keep a RUNNING step for 60 s; the subscription is deleted meanwhile.
    emulator = await startEmulator({ seed: { ...baseSeed(), nodemanStepDelayMs: 60_000 } });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"), {
      timeScale: 0.01,
    });
    const inputs = { subscriptionId: 42, waitTimeoutSeconds: 2 };
    const created = provider.create(inputs);
    setTimeout(() => {
      const seed = baseSeed();
      seed.blueking!.subscriptions = seed.blueking!.subscriptions!.filter((s) => s.subscriptionId !== 42);
      emulator.seed(seed);
    }, 300);
    const error = await caught(created);
    expect(error).to.be.instanceOf(TerminationIncompleteError, error.message);
    const incomplete = error as TerminationIncompleteError;
    const next = await provider.update(incomplete.id, incomplete.properties as Props, inputs).then(
      ({ outs }) => `outcome ${String(outs.outcome)}`,
      (e: Error) => `failed: ${e.message}`,
    );
    expect(next.startsWith("failed"), next).to.equal(false);
  });
});
