/**
 * Attack: a target deleted while the provider waits for it to stop. The kill or revoke went out;
 * what it targeted no longer exists, so nothing of it runs. Each test failed on main.
 *
 * Decided (wave 3): a target that disappears after its termination was sent has stopped. A wait that
 * finds it gone, in `create` or in the `update` that resumes an incomplete record, ends with
 * `outcome: "terminated"`, `targetGone: true` and `completedAt`. The original tests had the deletion
 * land during create's wait and asserted, as their starting point, that create failed incomplete;
 * under the decision that create succeeds, so each is split in two: the deletion during create's
 * wait (create ends terminated and gone), and the deletion after a create whose wait timed out
 * (their original assertions: incomplete, then refresh marks it gone, then `up` finishes).
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { TerminationIncompleteError } from "../../provider";
import { baseSeed, bluekingConfig, caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { mrsTarget, nodemanTarget, runningJob, seedWithJobs, type Props } from "./helpers";

/** The base seed without subscription 42. */
function seedWithoutSubscription() {
  const seed = baseSeed();
  seed.blueking!.subscriptions = seed.blueking!.subscriptions!.filter((s) => s.subscriptionId !== 42);
  return seed;
}

describe("attack: targets that vanish mid-wait", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("MRS: a job deleted during create's wait, after its kill was accepted, ends the wait terminated and gone", async () => {
    // The kill takes 60 s to show; the job record is deleted meanwhile.
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")], { mrsKillDelayMs: 60_000 }) });
    const { provider, lines } = await testProvider(mrsTarget, huaweiConfig(emulator.url), {
      timeScale: 0.01,
    });
    const created = provider.create({ clusterId, jobExecutionId: "jA", waitTimeoutSeconds: 30 });
    setTimeout(() => emulator.seed(baseSeed()), 150);
    const { outs } = await created;
    expect(outs.outcome).to.equal("terminated");
    expect(outs.targetGone).to.equal(true);
    expect(outs.completedAt).to.be.a("string");
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
    expect(lines.join("\n")).to.match(/deleted after its termination was sent.*0176/);
  });

  it("MRS: a job deleted after its kill was accepted does not leave every later up (and refresh) failing", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")], { mrsKillDelayMs: 60_000 }) });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobExecutionId: "jA", waitTimeoutSeconds: 1 };
    const error = await caught(provider.create(inputs));
    expect(error).to.be.instanceOf(TerminationIncompleteError, error.message);
    emulator.seed(baseSeed());
    const record = (error as TerminationIncompleteError).properties as Props;
    // `pulumi refresh` keeps the record and marks it gone; then `pulumi up` must be able to finish.
    const { props } = await provider.read((error as TerminationIncompleteError).id, record);
    expect(props.targetGone).to.equal(true);
    const next = await provider.update((error as TerminationIncompleteError).id, props, inputs).then(
      ({ outs }) => `outcome ${String(outs.outcome)}`,
      (e: Error) => `failed: ${e.message}`,
    );
    expect(next.startsWith("failed"), next).to.equal(false);
    expect(next).to.equal("outcome terminated");
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
  });

  it("NodeMan: a subscription deleted during create's wait, after its revoke was accepted, ends the wait terminated and gone", async () => {
    // Revoked instances keep a RUNNING step for 60 s; the subscription is deleted meanwhile.
    emulator = await startEmulator({ seed: { ...baseSeed(), nodemanStepDelayMs: 60_000 } });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"), {
      timeScale: 0.01,
    });
    const created = provider.create({ subscriptionId: 42, waitTimeoutSeconds: 30 });
    setTimeout(() => emulator.seed(seedWithoutSubscription()), 300);
    const { outs } = await created;
    expect(outs.outcome).to.equal("terminated");
    expect(outs.targetGone).to.equal(true);
    expect(outs.completedAt).to.be.a("string");
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    expect(lines.join("\n")).to.match(/deleted after its termination was sent.*3800003/);
  });

  it("NodeMan: a subscription deleted after its revoke was accepted does not leave every later up failing", async () => {
    emulator = await startEmulator({ seed: { ...baseSeed(), nodemanStepDelayMs: 60_000 } });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"), {
      timeScale: 0.01,
    });
    const inputs = { subscriptionId: 42, waitTimeoutSeconds: 1 };
    const error = await caught(provider.create(inputs));
    expect(error).to.be.instanceOf(TerminationIncompleteError, error.message);
    emulator.seed(seedWithoutSubscription());
    const incomplete = error as TerminationIncompleteError;
    const next = await provider.update(incomplete.id, incomplete.properties as Props, inputs).then(
      ({ outs }) =>
        `outcome ${String(outs.outcome)} gone ${String(outs.targetGone)} at ${typeof outs.completedAt}`,
      (e: Error) => `failed: ${e.message}`,
    );
    expect(next.startsWith("failed"), next).to.equal(false);
    expect(next).to.equal("outcome terminated gone true at string");
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
  });
});
