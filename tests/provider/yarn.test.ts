/**
 * YarnApplicationTermination against the emulator's YARN part: the lifecycle cases the real
 * ResourceManager is held to as well (tests/yarn/cases.ts), then the faults a real RM cannot be made
 * to produce here: a standby that redirects, odd kill answers, a kill meeting an application that
 * finishes, long listings, Kerberos.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedYarn, SeedYarnApp } from "../../emulator/yarn";
import type { TerminationIncompleteError } from "../../provider/errors";
import { listYarnApplications } from "../../provider/targets/yarn/lookups";
import { yarnTarget } from "../../provider/targets/yarn/target";
import { caught, testProvider } from "../helpers/fixtures";
import { yarnLifecycleCases } from "../yarn/cases";

const ts = 1_700_000_000_000;
const id = (n: number) => `application_${ts}_${String(n).padStart(4, "0")}`;
const silent = { info: () => {}, warn: () => {} };

async function rmWith(yarn: SeedYarn): Promise<Emulator> {
  return startEmulator({ seed: { yarn: { clusterTimestamp: ts, ...yarn } } });
}

const kills = (emulator: Emulator) => emulator.requests({ route: "yarn.kill" }).length;

describe("YARN: YarnApplicationTermination against the emulator", () => {
  let emulator: Emulator | undefined;
  let extra: Emulator | undefined;
  afterEach(async () => {
    await emulator?.close();
    await extra?.close();
    emulator = extra = undefined;
  });
  const start = async (apps: SeedYarnApp[], more: SeedYarn = {}) =>
    (emulator = await rmWith({ applications: apps, ...more }));
  const config = (url = emulator!.url, user = "alice") => ({
    "yarn:resourceManagerUrl": url,
    "yarn:user": user,
  });

  describe("the lifecycle cases the real ResourceManager is held to", () => {
    let server: Emulator;
    beforeEach(async () => {
      server = await rmWith({
        applications: [
          { name: "nightly-etl", user: "alice" },
          { name: "short", user: "alice", state: "FINISHED" },
          { name: "broken", user: "alice", state: "FAILED" },
        ],
      });
    });
    afterEach(() => server.close());
    yarnLifecycleCases(() => ({
      config: () => config(server.url),
      running: async () => id(1),
      ended: async () => ({ succeeded: id(2), failed: id(3) }),
      unknownId: async () => id(9999),
      kills: () => kills(server),
      requests: () => server.requests(),
      reset: () => server.clearRequests(),
      app: async (appId) => {
        const answer = await fetch(`${server.url}/ws/v1/cluster/apps/${appId}?user.name=alice`);
        return ((await answer.json()) as { app: Record<string, unknown> }).app;
      },
    }));
  });

  it("an HA pair whose first RM is a standby (307 with a Location): reaches the active one, never follows the redirect", async () => {
    await start([{ name: "job" }]);
    extra = await rmWith({ haState: "STANDBY", activeUrl: emulator!.url });
    const { provider } = await testProvider(yarnTarget, config(`${extra.url},${emulator!.url}`));
    const created = await provider.create({ applicationId: id(1) });
    expect(created.outs.outcome).to.equal("terminated");
    expect(kills(emulator!)).to.equal(1);
    // The standby was only asked which it is.
    expect(extra.requests().map((r) => r.route)).to.deep.equal(
      extra.requests().map(() => "yarn.cluster_info"),
    );
  });

  it("an RM that answers the kill as a standby (307) after it said it was active: asked again, killed once, the Location never followed", async () => {
    await start([{ name: "job" }]);
    extra = await rmWith({});
    emulator!.injectFault({
      route: "yarn.kill",
      fault: {
        kind: "reply",
        status: 307,
        body: "This is standby RM.",
        headers: { Location: `${extra.url}/followed` },
      },
    });
    const { provider } = await testProvider(yarnTarget, config(`${emulator!.url},${extra.url}`));
    const created = await provider.create({ applicationId: id(1) });
    expect(created.outs.outcome).to.equal("terminated");
    expect(kills(emulator!)).to.equal(2);
    expect(emulator!.effectiveCount("yarn.kill")).to.equal(1);
    expect(extra.requests().filter((r) => r.route !== "yarn.cluster_info")).to.deep.equal([]);
  });

  it("only standbys configured (307 without Location): a clear error naming each RM's state, nothing killed", async () => {
    await start([{ name: "job" }], { haState: "STANDBY" });
    extra = await rmWith({ haState: "STANDBY" });
    const { provider } = await testProvider(yarnTarget, config(`${emulator!.url},${extra.url}`));
    const error = await caught(provider.create({ applicationId: id(1) }));
    expect(error.message).to.match(/no active ResourceManager among the 2 configured .*STANDBY.*STANDBY/);
    expect(kills(emulator!) + kills(extra)).to.equal(0);
  });

  it("an HA pair with one RM down: the other, active, is used without waiting for the dead one's retries", async () => {
    await start([{ name: "job" }]);
    const { provider } = await testProvider(yarnTarget, {
      ...config(`http://127.0.0.1:1,${emulator!.url}`),
      "termination:maxRetrySeconds": "30",
    });
    const began = Date.now();
    const created = await provider.create({ applicationId: id(1) });
    expect(created.outs.outcome).to.equal("terminated");
    expect(Date.now() - began).to.be.below(20_000);
  });

  it("an application that finishes while the kill is in flight: already-finished, its final status SUCCEEDED as the RM said", async () => {
    await start([{ name: "racing", finishesOnKill: true }]);
    const { provider } = await testProvider(yarnTarget, config());
    const created = await provider.create({ applicationId: id(1) });
    expect(created.outs.outcome).to.equal("already-finished");
    expect(created.outs.state).to.equal("FINISHED");
    expect(created.outs.killedApplicationIds).to.deep.equal([]);
  });

  it("a kill answered 200 with no state (not the RM's answer): recorded incomplete, and the next up kills it", async () => {
    await start([{ name: "job" }]);
    emulator!.injectFault({ route: "yarn.kill", fault: { kind: "reply", status: 200, body: {} } });
    const { provider, lines } = await testProvider(yarnTarget, config());
    const inputs = { applicationId: id(1), waitTimeoutSeconds: 2 };
    const error = await caught(provider.create(inputs));
    expect(error.message).to.match(/may have gone through.*is a proxy in between/s);
    const { id: resourceId, properties } = error as TerminationIncompleteError;
    expect(properties.failedApplicationIds).to.deep.equal([id(1)]);
    expect(emulator!.effectiveCount("yarn.kill")).to.equal(0);
    // A refresh keeps it incomplete: with the same inputs, still a change (an update), naming the kill.
    const refreshed = (await provider.read(resourceId, properties)).props ?? {};
    expect(refreshed).to.deep.include({ outcome: "requested", failedApplicationIds: [id(1)] });
    expect(await provider.diff(resourceId, refreshed, inputs)).to.deep.include({
      changes: true,
      replaces: [],
    });
    expect(lines.some((line) => line.includes(`incomplete: the kill(s) of [${id(1)}]`))).to.equal(true);
    const updated = await provider.update(resourceId, refreshed, inputs);
    expect(updated.outs.killedApplicationIds).to.deep.equal([id(1)]);
    expect(updated.outs.failedApplicationIds).to.deep.equal([]);
    expect(updated.outs.state).to.equal("KILLED");
    expect(emulator!.effectiveCount("yarn.kill")).to.equal(1);
    expect(await provider.diff(resourceId, updated.outs, inputs)).to.deep.include({ changes: false });
  });

  it("an application whose kill may not have arrived and that the RM forgets since (404): the next up completes the record, not fails for ever", async () => {
    await start([{ name: "job" }]);
    emulator!.injectFault({ route: "yarn.kill", fault: { kind: "reply", status: 200, body: {} } });
    const { provider } = await testProvider(yarnTarget, config());
    const inputs = { applicationId: id(1), waitTimeoutSeconds: 2 };
    const error = (await caught(provider.create(inputs))) as TerminationIncompleteError;
    expect(error.properties.failedApplicationIds).to.deep.equal([id(1)]);
    // The RM restarts without its application history (or ages the application out): 404 for it.
    emulator!.seed({ yarn: { clusterTimestamp: ts, applications: [] } });
    const refreshed = (await provider.read(error.id, error.properties)).props ?? {};
    expect((await provider.diff(error.id, refreshed, inputs)).changes).to.equal(true);
    const next = await provider.update(error.id, refreshed, inputs).then(
      ({ outs }) => outs,
      (failure: Error) => failure.message,
    );
    expect(next, String(next)).to.be.an("object");
    const outs = next as Awaited<ReturnType<typeof provider.update>>["outs"];
    expect(outs.failedApplicationIds).to.deep.equal([]);
    expect(outs.outcome).to.equal("terminated");
    expect(outs.targetGone).to.equal(true);
    expect(await provider.diff(error.id, outs, inputs)).to.deep.include({ changes: false });
  });

  it("a state read answered 200 with no state fails the wait with a clear message, not a hang", async () => {
    await start([{ name: "job" }]);
    emulator!.injectFault({
      route: "yarn.app_state",
      times: -1,
      fault: { kind: "reply", status: 200, body: {} },
    });
    const { provider } = await testProvider(yarnTarget, config());
    const error = await caught(provider.create({ applicationId: id(1), waitTimeoutSeconds: 5 }));
    expect(error.message).to.match(/the answer has no state/);
    expect(kills(emulator!)).to.equal(1);
  });

  it("a kill that takes effect after a while (KILLING, then KILLED): the wait ends on KILLED, not on KILLING", async () => {
    await start([{ name: "slow" }], { killDelayMs: 300 });
    const { provider, lines } = await testProvider(yarnTarget, config());
    const created = await provider.create({ applicationId: id(1) });
    expect(created.outs.state).to.equal("KILLED");
    expect(created.outs.finalStatus).to.equal("KILLED");
    expect(emulator!.requests({ route: "yarn.app_state" }).length).to.be.greaterThan(1);
    expect(lines.join("\n")).to.not.match(/error/i);
  });

  it("a selector matches exactly on the client: another user's apps, another queue, tags in other case", async () => {
    await start([
      { name: "report", user: "alice", queue: "etl", applicationTags: ["Nightly", "team-a"] },
      { name: "report", user: "bob", queue: "etl", applicationTags: ["nightly"] },
      { name: "report", user: "alice", queue: "default", applicationTags: ["nightly"] },
      { name: "report", user: "alice", queue: "etl", applicationTags: ["weekly"] },
      { name: "report-2", user: "alice", queue: "etl", applicationTags: ["nightly"] },
    ]);
    const { provider } = await testProvider(yarnTarget, config());
    const inputs = {
      applicationSelector: { name: "report", user: "alice", queue: "root.etl", applicationTags: ["NIGHTLY"] },
    };
    const created = await provider.create(inputs);
    expect(created.outs.killedApplicationIds).to.deep.equal([id(1)]);
  });

  it("an RM that ignores the listing's filters and lists 10,000 finished apps: only the running ones match, maxApplications holds", async () => {
    await start([{ name: "live-1" }, { name: "live-2" }], {
      finishedHistory: 10_000,
      ignoresListFilters: true,
    });
    const { provider } = await testProvider(yarnTarget, config());
    const checked = await provider.check({}, { applicationSelector: { user: "alice" }, maxApplications: 2 });
    expect(checked.failures).to.deep.equal([]);
    const created = await provider.create({ applicationSelector: { user: "alice" }, maxApplications: 2 });
    expect(created.outs.killedApplicationIds).to.have.members([id(1), id(2)]);
    const listed = await listYarnApplications(
      { user: "alice", states: ["FINISHED"] },
      { config: { get: (key) => (config() as Record<string, string>)[key] }, env: {}, reporter: silent },
    );
    expect(listed).to.have.length(10_000);
  });

  it("a kill refused for another user (403, plain text) names the user to run as", async () => {
    await start([{ name: "alices", user: "alice" }]);
    const { provider } = await testProvider(yarnTarget, config(emulator!.url, "bob"));
    const error = await caught(provider.create({ applicationId: id(1) }));
    expect(error.message).to.match(
      /HTTP 403 .*Unauthorized attempt to kill appid .* by remote user bob.*set yarn:user/,
    );
  });

  it("an RM that asks for Kerberos (401 Negotiate): says it is not supported and where to read what to do", async () => {
    await start([{ name: "job" }]);
    emulator!.injectFault({
      route: "yarn.get_app",
      fault: {
        kind: "reply",
        status: 401,
        body: "Authentication required",
        headers: { "WWW-Authenticate": "Negotiate" },
      },
    });
    const { provider } = await testProvider(yarnTarget, config());
    const error = await caught(provider.create({ applicationId: id(1) }));
    expect(error.message).to.match(
      /HTTP 401 .*Kerberos \(SPNEGO\), which is not supported yet: see docs\/apis.md §3.6/,
    );
    expect(kills(emulator!)).to.equal(0);
  });

  it("refuses bad inputs and settings in check, naming each, sending nothing", async () => {
    await start([]);
    const { provider } = await testProvider(yarnTarget, {
      "yarn:resourceManagerUrl": `${emulator!.url},ftp://x`,
      "yarn:user": "a b",
    });
    const { failures = [] } = await provider.check(
      {},
      { applicationId: "application_x_1", applicationIds: [] },
    );
    const properties = failures.map(failureName);
    expect(properties).to.include.members(["applicationId", "applicationIds", "resourceManagerUrl", "user"]);
    const selector = await provider.check(
      {},
      { applicationSelector: { applicationTags: ["a,b"], states: ["DONE"], name: " x" } },
    );
    expect(selector.failures?.map(failureName)).to.include.members([
      "applicationSelector.applicationTags[0]",
      "applicationSelector.states[0]",
      "applicationSelector.name",
    ]);
    expect(emulator!.requests()).to.deep.equal([]);
  });
});
