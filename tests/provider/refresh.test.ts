/**
 * `read` (pulumi refresh, up --refresh) on records whose target is gone, and what a failed refresh
 * hands the engine through @pulumi/pulumi's dynamic-provider host.
 */
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import { isApiError, NetworkError } from "../../provider";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import {
  baseSeed,
  bluekingConfig,
  caught,
  clusterId,
  emulatorPerTest,
  huaweiConfig,
  secrets,
  seedWithout,
  testProvider,
} from "../helpers/fixtures";
import { nodemanRefusal } from "../../testing/faults";

// What the host does with an error thrown by read (cmd/dynamic-provider/index.js): it prints
// `${e}: ${e.stack}` to stderr, which the engine shows as a diagnostic line, then passes `e` to the
// gRPC callback, which turns it into the status the engine reports on the resource.
const { serverErrorToStatus } = require(
  require.resolve("@grpc/grpc-js/build/src/server-call", {
    paths: [require.resolve("@pulumi/pulumi")],
  }),
) as { serverErrorToStatus: (error: Error) => { code: number; details: string } };

const hostStderr = (error: Error) => `${error}: ${error.stack}`;

describe("refresh (read)", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  describe("of a target that is gone keeps the record and says so", () => {
    it("NodeMan: the subscription no longer exists (3800003)", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      const { id, outs } = await provider.create({ subscriptionId: 42 });
      emulator.seed(seedWithout("subscription"));
      const { id: readId, props } = await provider.read(id, outs);
      expect(readId).to.equal(id);
      expect(props).to.deep.equal({ ...outs, targetGone: true });
      expect(emulator.requests({ route: "nodeman.revoke" })).to.have.length(1);
    });

    for (const what of ["job", "cluster"] as const) {
      it(`MRS: the ${what} no longer exists (${what === "job" ? "0176" : "12000003"})`, async () => {
        const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
        const { id, outs } = await provider.create({ clusterId, jobExecutionId: "job-running" });
        expect(outs.jobState).to.equal("KILLED");
        emulator.seed(seedWithout(what));
        const { props } = await provider.read(id, outs);
        expect(props).to.deep.equal({ ...outs, targetGone: true });
        expect(emulator.requests({ route: "mrs.kill" })).to.have.length(1);
      });
    }

    it("MRS batch: one job gone, another still there: not gone, that job marked gone", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const ids = ["job-running", "job-accepted"];
      const { id, outs } = await provider.create({ clusterId, jobExecutionIds: ids });
      emulator.seed(seedWithout("job"));
      const { props } = await provider.read(id, outs);
      expect(props.targetGone).to.equal(undefined);
      expect(props.jobs).to.deep.equal([
        {
          jobExecutionId: "job-running",
          jobName: "nightly-etl",
          jobState: "KILLED",
          jobResult: "KILLED",
          gone: true,
        },
        { jobExecutionId: "job-accepted", jobName: "queued", jobState: "ACCEPTED", jobResult: "UNDEFINED" },
      ]);
    });

    it("an up that resumes a wait and finds the target again drops targetGone", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      const inputs = { subscriptionId: 42, waitForTermination: false };
      const { id, outs } = await provider.create(inputs);
      expect(outs.outcome).to.equal("requested");
      const { outs: after } = await provider.update(
        id,
        { ...outs, targetGone: true },
        { ...inputs, waitForTermination: true },
      );
      expect(after.outcome).to.equal("terminated");
      expect(after).not.to.have.property("targetGone");
    });

    it("a target back again is no longer marked gone", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      const { id, outs } = await provider.create({ subscriptionId: 42 });
      emulator.seed(seedWithout("subscription"));
      const gone = await provider.read(id, outs);
      emulator.seed(baseSeed());
      const { props } = await provider.read(id, gone.props);
      expect(props).not.to.have.property("targetGone");
      expect(props.instances).to.have.length(4);
    });
  });

  it("of a task not ready (3800015) keeps the record as it was", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { id, outs } = await provider.create({ subscriptionId: 42 });
    emulator.injectFault({
      route: "nodeman.task_result",
      fault: nodemanRefusal(3800015, "not ready"),
    });
    expect((await provider.read(id, outs)).props).to.deep.equal(outs);
  });

  describe("still fails on anything else", () => {
    it("refused credentials (1640001) fail the refresh", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      const { id, outs } = await provider.create({ subscriptionId: 42 });
      const other = await testProvider(nodemanTarget, {
        ...bluekingConfig(emulator.url, "apigw"),
        "blueking:appSecret": "x" + secrets.appSecret,
      });
      const error = await caught(other.provider.read(id, outs));
      expect(isApiError(error) && error.code).to.equal("1640001");
    });

    it("an unreachable MRS endpoint fails the refresh", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url), { timeScale: 0.01 });
      const { id, outs } = await provider.create({ clusterId, jobExecutionId: "job-running" });
      await emulator.close();
      const error = await caught(provider.read(id, outs));
      expect(error).to.be.instanceOf(NetworkError);
      emulator = await startEmulator({ seed: baseSeed() });
    });

    // Until wave 3 this read 3800003 and asserted that create's wait failed on it. A subscription
    // gone after its revoke now ends the wait `terminated` and `targetGone` (tests/attack/vanish.test.ts,
    // errorCodes.test.ts); what stays true is that any other code during a wait fails create.
    it("a status read refused with another code (3800001) during a wait is not mistaken for gone by create", async () => {
      emulator.injectFault({
        route: "nodeman.task_result",
        times: -1,
        fault: nodemanRefusal(3800001, "bad request"),
      });
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      const error = await caught(provider.create({ subscriptionId: 42 }));
      expect(error.message).to.include("3800001");
    });

    it("MRS: a code named like an object's property (constructor) is not a gone code", async () => {
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const { id, outs } = await provider.create({ clusterId, jobExecutionId: "job-running" });
      emulator.injectFault({
        route: "mrs.get_job",
        fault: { kind: "reply", status: 400, body: { error_code: "constructor", error_msg: "odd" } },
      });
      const error = await caught(provider.read(id, outs));
      expect(error.message).to.include("constructor");
    });

    it("MRS: a status read refused with another code (APIGW.0301) during a wait is not mistaken for gone by create", async () => {
      emulator.injectFault({
        route: "mrs.get_job",
        times: -1,
        after: "mrs.kill",
        fault: { kind: "reply", status: 401, body: { error_code: "APIGW.0301", error_msg: "refused" } },
      });
      const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
      const error = await caught(provider.create({ clusterId, jobExecutionId: "job-running" }));
      expect(error.message).to.include("APIGW.0301").and.include("The termination request was sent");
    });
  });

  describe("a failed refresh reaches the user as its message, once, without stack paths", () => {
    it("the engine gets the message; the host's stderr line only points to it", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      const { id, outs } = await provider.create({ subscriptionId: 42 });
      emulator.injectFault({
        route: "nodeman.task_result",
        fault: nodemanRefusal(3800001, "bad"),
      });
      const error = await caught(provider.read(id, outs));
      const status = serverErrorToStatus(error);
      expect(status.details).to.equal(error.message);
      expect(status.details).to.include("3800001").and.include("NodeMan");
      const stderr = hostStderr(error);
      expect(stderr).to.equal(
        `NodemanTaskTermination ${id}: refresh failed: the error is reported on the resource`,
      );
      expect(stderr).not.to.include(error.message);
      expect(stderr).not.to.match(/\bat .*:\d+/);
      // The error stays what it was for code that catches it.
      expect(isApiError(error) && error.code).to.equal("3800001");
    });
  });
});
