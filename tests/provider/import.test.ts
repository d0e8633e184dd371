/**
 * `pulumi import` of a termination by its id, for each target: `read` without any state rebuilds
 * the record (inputs and outputs) from the live target, sends only reads, and the record then
 * diffs clean against the inputs it names, so the next `up` does nothing. The real engine's run of
 * the same is tests/e2e/import.test.ts.
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import type { RecordedRequest } from "../../emulator/requestLog";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { yarnTarget } from "../../provider/targets/yarn/target";
import {
  baseSeed,
  bluekingConfig,
  caught,
  clusterId,
  findSecrets,
  huaweiConfig,
  projectId,
  testProvider,
} from "../helpers/fixtures";

/** The base seed, plus an MRS job someone killed by hand in the console and subscription 45 revoked by hand. */
function seed(): SeedState {
  const state = baseSeed();
  state.huawei!.projects![projectId].clusters[clusterId].jobs.push(
    {
      job_id: "job-killed",
      job_name: "by-hand",
      job_state: "KILLED",
      job_result: "KILLED",
      submitted_time: 500,
    },
    {
      job_id: "job-failed",
      job_name: "broke",
      job_state: "FAILED",
      job_result: "FAILED",
      submitted_time: 400,
    },
  );
  state.blueking!.subscriptions!.push({
    subscriptionId: 45,
    instances: [
      { instanceId: "host|instance|host|7", status: "FAILED" },
      { instanceId: "host|instance|host|8", status: "SUCCESS" },
    ],
  });
  return state;
}

type Instance = { instanceId: string; status: string; revoked?: true };

/** What may be sent by an import: reads. NodeMan's reads are POSTs to task_result. */
const readRoutes = [
  "mrs.get_job",
  "mrs.list_jobs",
  "nodeman.task_result",
  "yarn.get_app",
  "yarn.app_state",
  "yarn.cluster_info",
];
function onlyReads(requests: RecordedRequest[]): void {
  expect(requests.map((r) => r.route).filter((route) => !readRoutes.includes(route))).to.deep.equal([]);
  expect(requests.filter((r) => r.api !== "nodeman" && r.method !== "GET")).to.deep.equal([]);
}

describe("import: a termination rebuilt from the live target by its id", () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await startEmulator({ seed: seed() });
  });
  afterEach(() => emulator.close());

  describe("MrsJobTermination", () => {
    const mrs = () => testProvider(mrsTarget, huaweiConfig(emulator.url));

    it("mrs/<clusterId>/<jobExecutionId> of a job killed by hand: inputs and outcome as observed, only reads, then no diff", async () => {
      const { provider, lines } = await mrs();
      const read = await provider.read("mrs/cluster-1/job-killed");
      expect(read.id).to.equal("mrs/cluster-1/job-killed");
      expect(provider.inputsOf(read.props!)).to.deep.equal({ clusterId, jobExecutionId: "job-killed" });
      expect(read.props).to.include({
        clusterId,
        jobExecutionId: "job-killed",
        outcome: "already-finished",
        jobName: "by-hand",
        jobState: "KILLED",
        jobResult: "KILLED",
        imported: true,
      });
      expect(read.props?.killedJobExecutionIds).to.deep.equal([]);
      expect(read.props?.requestId).to.equal(undefined);
      // Both times are when the import looked: nothing was requested.
      expect(read.props?.completedAt).to.equal(read.props?.requestedAt);
      expect(Date.parse(read.props!.requestedAt)).to.be.within(Date.now() - 60_000, Date.now());
      onlyReads(emulator.requests());
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(1);
      // The next `up` of the same inputs: nothing changes, so the engine calls nothing more.
      const diff = await provider.diff(read.id!, read.props!, provider.inputsOf(read.props!));
      expect(diff.changes).to.equal(false);
      // And the engine's check of the imported inputs passes.
      expect((await provider.check({}, provider.inputsOf(read.props!))).failures).to.deep.equal([]);
      expect(lines.join("\n")).to.match(/imported.*nothing was sent/);
      expect(findSecrets(read, lines, emulator.requests())).to.deep.equal([]);
    });

    it("a program that adds an update-only argument the id did not carry: an update, which sends nothing", async () => {
      const { provider } = await mrs();
      const read = await provider.read("mrs/cluster-1/job-killed");
      const news = {
        ...provider.inputsOf(read.props!),
        waitTimeoutSeconds: 60,
        whenAlreadyFinished: "fail" as const,
      };
      expect(await provider.diff(read.id!, read.props!, news)).to.deep.include({
        changes: true,
        replaces: [],
      });
      const before = emulator.requests().length;
      const { outs } = await provider.update(read.id!, read.props!, news);
      expect(outs).to.include({ outcome: "already-finished", waitTimeoutSeconds: 60, imported: true });
      expect(emulator.requests().length).to.equal(before);
      // A changed target is a new termination: a replace, as for any record.
      expect(
        (await provider.diff(read.id!, read.props!, { clusterId, jobExecutionId: "job-running" })).replaces,
      ).to.deep.equal(["jobExecutionId"]);
    });

    it("a batch: mrs/<clusterId>/<id>,<id> names jobExecutionIds; a refresh of the record keeps it", async () => {
      const { provider } = await mrs();
      const read = await provider.read("mrs/cluster-1/job-killed,job-finished,job-failed");
      expect(provider.inputsOf(read.props!)).to.deep.equal({
        clusterId,
        jobExecutionIds: ["job-killed", "job-finished", "job-failed"],
      });
      expect(read.props?.outcome).to.equal("already-finished");
      expect(read.props?.jobs).to.deep.equal([
        { jobExecutionId: "job-killed", jobName: "by-hand", jobState: "KILLED", jobResult: "KILLED" },
        { jobExecutionId: "job-finished", jobName: "done", jobState: "FINISHED", jobResult: "SUCCEEDED" },
        { jobExecutionId: "job-failed", jobName: "broke", jobState: "FAILED", jobResult: "FAILED" },
      ]);
      const refreshed = await provider.read(read.id!, read.props!);
      expect(refreshed.props).to.deep.include({
        outcome: "already-finished",
        imported: true,
        jobs: read.props!.jobs,
      });
      onlyReads(emulator.requests());
    });

    it("settings after ?: mrs/<clusterId>/<job>?projectId=…&endpoint=… become inputs too", async () => {
      const { provider } = await testProvider(mrsTarget, {
        ...huaweiConfig(emulator.url),
        "huaweicloud:projectId": "not-this-one",
      });
      const endpoint = encodeURIComponent(emulator.url);
      const read = await provider.read(
        `mrs/cluster-1/job-killed?projectId=${projectId}&endpoint=${endpoint}`,
      );
      expect(provider.inputsOf(read.props!)).to.deep.equal({
        clusterId,
        jobExecutionId: "job-killed",
        projectId,
        endpoint: emulator.url,
      });
      expect(read.props?.jobState).to.equal("KILLED");
      expect(emulator.requests()[0].path).to.include(`/${projectId}/`);
    });

    it("an id create recorded (…@<epoch ms>) is importable; a batch's or selector's is refused, naming the form", async () => {
      const { provider } = await mrs();
      const read = await provider.read("mrs/cluster-1/job-killed@1700000000000");
      expect(provider.inputsOf(read.props!)).to.deep.equal({ clusterId, jobExecutionId: "job-killed" });
      for (const kind of ["batch", "selector"]) {
        const error = await caught(provider.read(`mrs/cluster-1/${kind}@1700000000000`));
        expect(error.message).to.include(`mrs/<clusterId>/<jobExecutionId>,<jobExecutionId>`);
        expect(error.message).to.include("does not list its jobs");
      }
      expect(emulator.requests({ route: "mrs.get_job" })).to.have.length(1);
    });

    it("a job still running is not imported: nothing terminated it; nothing is sent", async () => {
      const { provider } = await mrs();
      const error = await caught(provider.read("mrs/cluster-1/job-killed,job-running"));
      expect(error.message).to.match(/job-running.*RUNNING/);
      expect(error.message).to.include("nothing was sent");
      expect(error.message).to.include("pulumi up");
      onlyReads(emulator.requests());
    });

    it("a job or cluster that does not exist fails the import, saying so", async () => {
      const { provider } = await mrs();
      for (const id of ["mrs/cluster-1/job-nope", "mrs/cluster-nope/job-killed"]) {
        const error = await caught(provider.read(id));
        expect(error.message).to.match(/does not exist/);
        expect(error.message).to.include(id);
      }
      onlyReads(emulator.requests());
    });

    for (const [id, why] of [
      ["mrs/cluster-1", "no job"],
      ["cluster-1/job-killed", "no kind"],
      ["nodeman/42", "another target's"],
      ["mrs/cluster-1/job-killed/extra", "too many parts"],
      ["mrs/../job-killed", "a path id"],
      ["mrs/cluster-1/job-killed,,job-finished", "an empty id"],
      ["mrs/cluster-1/job-killed,job-killed", "a duplicate"],
      ["mrs/cluster-1/job-killed?bogus=1", "an unknown argument"],
      ["mrs/cluster-1/job-killed?clusterId=other", "the path's own field"],
      ["mrs/cluster-1/job-killed?region=nowhere", "a bad region"],
      ["", "empty"],
    ]) {
      it(`a malformed id (${why}: ${JSON.stringify(id)}) fails naming the expected form; nothing is sent`, async () => {
        const { provider } = await mrs();
        const error = await caught(provider.read(id));
        expect(error.message).to.include("mrs/<clusterId>/<jobExecutionId>");
        expect(error.message).to.include(JSON.stringify(id));
        expect(emulator.requests()).to.deep.equal([]);
      });
    }
  });

  describe("NodemanTaskTermination", () => {
    const nodeman = (route: "apigw" | "esb" = "apigw") =>
      testProvider(nodemanTarget, bluekingConfig(emulator.url, route));

    it("nodeman/<subscriptionId> of a subscription revoked by hand: statuses as observed, no revoke, then no diff", async () => {
      const { provider } = await nodeman();
      const read = await provider.read("nodeman/45");
      expect(provider.inputsOf(read.props!)).to.deep.equal({ subscriptionId: 45 });
      expect(read.props).to.deep.include({
        subscriptionId: 45,
        outcome: "nothing-running",
        resolvedRoute: "apigw",
        imported: true,
      });
      expect(
        (read.props?.instances as Instance[]).map((i) => [i.instanceId, i.status, i.revoked]),
      ).to.deep.equal([
        ["host|instance|host|7", "FAILED", undefined],
        ["host|instance|host|8", "SUCCESS", undefined],
      ]);
      onlyReads(emulator.requests());
      expect(emulator.requests({ route: "nodeman.revoke" })).to.deep.equal([]);
      expect((await provider.diff(read.id!, read.props!, provider.inputsOf(read.props!))).changes).to.equal(
        false,
      );
      expect((await provider.check({}, provider.inputsOf(read.props!))).failures).to.deep.equal([]);
    });

    it("nodeman/<subscriptionId>/<instanceId>,… names instanceIds: the listed ones finished, the others may run", async () => {
      const { provider } = await nodeman();
      const read = await provider.read("nodeman/42/host|instance|host|4");
      expect(provider.inputsOf(read.props!)).to.deep.equal({
        subscriptionId: 42,
        instanceIds: ["host|instance|host|4"],
      });
      expect((read.props?.instances as Instance[]).map((i) => [i.instanceId, i.status])).to.deep.equal([
        ["host|instance|host|4", "SUCCESS"],
      ]);
      expect(read.props?.skippedInstanceIds).to.deep.equal(["host|instance|host|4"]);
      onlyReads(emulator.requests());
    });

    it("settings after ?: ?route=esb is an input, and the read goes through the ESB", async () => {
      const { provider } = await testProvider(nodemanTarget, {
        ...bluekingConfig(emulator.url, "esb"),
        ...bluekingConfig(emulator.url, "apigw"),
      });
      const read = await provider.read("nodeman/43?route=esb");
      expect(provider.inputsOf(read.props!)).to.deep.equal({ subscriptionId: 43, route: "esb" });
      expect(read.props?.resolvedRoute).to.equal("esb");
      expect(emulator.requests().map((r) => r.transport)).to.deep.equal(["esb"]);
    });

    it("running instances are not imported: the error names them; nothing is sent", async () => {
      const { provider } = await nodeman();
      const error = await caught(provider.read("nodeman/42"));
      expect(error.message).to.include("host|instance|host|1 (RUNNING)");
      expect(error.message).to.include("nothing was sent");
      onlyReads(emulator.requests());
    });

    it("a listed instance the subscription does not have, or an unknown subscription, fails the import", async () => {
      const { provider } = await nodeman();
      expect((await caught(provider.read("nodeman/45/host|instance|host|99"))).message).to.include(
        "host|instance|host|99",
      );
      expect((await caught(provider.read("nodeman/4242"))).message).to.match(/does not exist/);
      onlyReads(emulator.requests());
    });

    for (const id of [
      "nodeman/abc",
      "nodeman/0",
      "nodeman/42/",
      "nodeman/42/not-an-instance",
      "mrs/cluster-1/job-killed",
    ]) {
      it(`a malformed id ${JSON.stringify(id)} fails naming the expected form`, async () => {
        const { provider } = await nodeman();
        const error = await caught(provider.read(id));
        expect(error.message).to.include("nodeman/<subscriptionId>");
        expect(emulator.requests()).to.deep.equal([]);
      });
    }
  });

  describe("YarnApplicationTermination", () => {
    const ts = 1_700_000_000_000;
    const app = (n: number) => `application_${ts}_${String(n).padStart(4, "0")}`;
    let rm: Emulator;
    beforeEach(async () => {
      rm = await startEmulator({
        seed: {
          yarn: {
            clusterTimestamp: ts,
            applications: [
              { name: "nightly-etl", user: "alice" },
              { name: "killed-by-hand", user: "alice", state: "KILLED", finalStatus: "KILLED" },
              { name: "short", user: "alice", state: "FINISHED", finalStatus: "SUCCEEDED" },
            ],
          },
        },
      });
    });
    afterEach(() => rm.close());
    const yarn = () => testProvider(yarnTarget, { "yarn:resourceManagerUrl": rm.url, "yarn:user": "alice" });

    it("yarn/<applicationId> of an application killed by hand: as observed, no kill, then no diff", async () => {
      const { provider } = await yarn();
      const read = await provider.read(`yarn/${app(2)}`);
      expect(provider.inputsOf(read.props!)).to.deep.equal({ applicationId: app(2) });
      expect(read.props).to.include({
        applicationId: app(2),
        outcome: "already-finished",
        state: "KILLED",
        finalStatus: "KILLED",
        imported: true,
      });
      expect(read.props?.killedApplicationIds).to.deep.equal([]);
      onlyReads(rm.requests());
      expect((await provider.diff(read.id!, read.props!, provider.inputsOf(read.props!))).changes).to.equal(
        false,
      );
    });

    it("a batch, and settings after ?: yarn/<id>,<id>?resourceManagerUrl=…", async () => {
      const { provider } = await testProvider(yarnTarget, { "yarn:user": "alice" });
      const read = await provider.read(
        `yarn/${app(2)},${app(3)}?resourceManagerUrl=${encodeURIComponent(rm.url)}`,
      );
      expect(provider.inputsOf(read.props!)).to.deep.equal({
        applicationIds: [app(2), app(3)],
        resourceManagerUrl: rm.url,
      });
      expect(
        (read.props?.applications as { applicationId: string; state: string }[]).map((a) => [
          a.applicationId,
          a.state,
        ]),
      ).to.deep.equal([
        [app(2), "KILLED"],
        [app(3), "FINISHED"],
      ]);
      onlyReads(rm.requests());
    });

    it("a running application is not imported; one the RM does not know fails; malformed ids name the form", async () => {
      const { provider } = await yarn();
      const running = await caught(provider.read(`yarn/${app(1)}`));
      expect(running.message).to.match(/RUNNING/);
      expect(running.message).to.include("nothing was sent");
      expect((await caught(provider.read(`yarn/${app(99)}`))).message).to.match(/does not exist/);
      for (const id of ["yarn/app_1", "yarn/", `yarn/${app(2)}/x`]) {
        expect((await caught(provider.read(id))).message).to.include("yarn/<applicationId>");
      }
      onlyReads(rm.requests());
      expect(rm.requests({ route: "yarn.kill" })).to.deep.equal([]);
    });
  });
});
