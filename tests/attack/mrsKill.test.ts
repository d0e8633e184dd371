/**
 * Attack: the kill's own answer. Each test here failed on main when written (see the commit).
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { isTerminationIncompleteError, TerminationIncompleteError } from "../../provider";
import { caught, clusterId, huaweiConfig, testProvider } from "../helpers/fixtures";
import { jobStateOf, mrsTarget, runningJob, seedWithJobs, type Props } from "./helpers";

describe("attack: MRS kill answers", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  it("a kill whose answer is lost (applied, then every attempt cut off) records the resource as requested, so the next up does not call the job 'already finished'", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
    // The kill goes through, the connection drops; the retry is dropped too: the client never hears back.
    emulator.injectFault({ route: "mrs.kill", fault: { kind: "reset-after-apply" } });
    emulator.injectFault({ route: "mrs.kill", times: -1, fault: { kind: "reset" } });
    const config = { ...huaweiConfig(emulator.url), "termination:maxAttempts": "2" };
    const { provider } = await testProvider(mrsTarget, config, { timeScale: 0.01 });
    const inputs = { clusterId, jobExecutionId: "jA", whenAlreadyFinished: "fail" };
    const error = await caught(provider.create(inputs));
    expect(jobStateOf(emulator, "jA")).to.equal("KILLED");
    // The kill may have reached MRS (it did): the engine must keep a record to resume from.
    expect(isTerminationIncompleteError(error), `${error.name}: ${error.message}`).to.equal(true);
  });

  it("a kill answered 200 with a proxy's HTML page is not taken as accepted: the next up sends the kill again", async () => {
    emulator = await startEmulator({ seed: seedWithJobs([runningJob("jA")]) });
    emulator.injectFault({
      route: "mrs.kill",
      fault: {
        kind: "reply",
        status: 200,
        headers: { "Content-Type": "text/html" },
        body: "<html><body><h1>Corporate proxy</h1><p>Please sign in to continue.</p></body></html>",
      },
    });
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
    const inputs = { clusterId, jobExecutionId: "jA", waitTimeoutSeconds: 1 };
    const error = await caught(provider.create(inputs));
    expect(jobStateOf(emulator, "jA")).to.equal("RUNNING");
    // Whatever create said, the next `pulumi up` must get the job killed, not only wait for it again.
    if (error instanceof TerminationIncompleteError) {
      await provider.update(error.id, error.properties as Props, inputs).catch(() => undefined);
    } else {
      await provider.create(inputs).catch(() => undefined);
    }
    expect(jobStateOf(emulator, "jA"), `create said: ${error.message}`).to.equal("KILLED");
  });
});
