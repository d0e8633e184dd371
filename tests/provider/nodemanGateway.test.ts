/**
 * NodemanTaskTermination against the BlueKing platform as its sources describe it (docs/apis.md
 * §1): a multi-tenant gateway (blueking:tenantId, blueking:apigwPathPrefix), the gateway's and the
 * ESB's own answers (throttling and faults whatever their HTTP status), several tasks per
 * subscription, tasks without a pipeline, and an unknown subscription after a lost answer.
 */
import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { isApiError, TerminationIncompleteError } from "../../provider";
import type { InstanceStatus } from "../../provider/targets/nodeman/outputs.generated";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { bluekingConfig, baseSeed, caught, findSecrets, testProvider } from "../helpers/fixtures";

const H1 = "host|instance|host|1";
const H2 = "host|instance|host|2";
const H5 = "host|instance|host|5";

describe("NodemanTaskTermination against the BlueKing platform", () => {
  let emulator: Emulator;
  const start = async (
    blueking: Partial<NonNullable<SeedState["blueking"]>> = {},
    extra: Partial<SeedState> = {},
  ) => {
    const seed = baseSeed(extra);
    seed.blueking = {
      ...seed.blueking,
      ...blueking,
      subscriptions: [...seed.blueking!.subscriptions!, ...(blueking.subscriptions ?? [])],
    };
    emulator = await startEmulator({ seed });
  };
  afterEach(() => emulator.close());
  const fast = { "termination:requestTimeoutSeconds": "2", "termination:maxRetrySeconds": "30" };

  describe("blueking:tenantId and blueking:apigwPathPrefix", () => {
    it("a tenant id: X-Bk-Tenant-Id on every gateway request, under system/ by default", async () => {
      await start({ multiTenant: true });
      const config = { ...bluekingConfig(emulator.url, "apigw"), "blueking:tenantId": "default" };
      const { provider, lines } = await testProvider(nodemanTarget, config);
      expect((await provider.check({}, { subscriptionId: 42 })).failures).to.deep.equal([]);
      const { outs } = await provider.create({ subscriptionId: 42 });
      expect(outs.outcome).to.equal("terminated");
      const requests = emulator.requests();
      expect(new Set(requests.map((r) => r.headers["x-bk-tenant-id"]))).to.deep.equal(new Set(["default"]));
      expect(
        requests.every((r) => r.path.startsWith("/api/bk-nodeman/prod/system/backend/api/subscription/")),
      ).to.equal(true);
      expect(requests.map((r) => r.route)).to.include.members(["nodeman.task_result", "nodeman.revoke"]);
      expect(findSecrets(lines, outs, requests)).to.deep.equal([]);
    });

    it("from the environment too (BK_TENANT_ID, BK_NODEMAN_APIGW_PATH_PREFIX) when the environment says where NodeMan is", async () => {
      await start();
      const { "blueking:apigwUrlTemplate": _template, ...credentials } = bluekingConfig(
        emulator.url,
        "apigw",
      );
      const env = {
        BK_API_URL_TMPL: `${emulator.url}/api/{api_name}`,
        BK_TENANT_ID: "acme",
        BK_NODEMAN_APIGW_PATH_PREFIX: "",
      };
      const { provider } = await testProvider(nodemanTarget, credentials, { env });
      await provider.create({ subscriptionId: 43 });
      // An empty environment variable counts as unset: the prefix follows the tenant id.
      expect(emulator.requests()[0]).to.deep.include({
        path: "/api/bk-nodeman/prod/system/backend/api/subscription/task_result/",
      });
      expect(emulator.requests()[0].headers["x-bk-tenant-id"]).to.equal("acme");
    });

    it('apigwPathPrefix: "system/" without a tenant id, and "" set in stack config with one', async () => {
      await start();
      const base = bluekingConfig(emulator.url, "apigw");
      const withPrefix = await testProvider(nodemanTarget, {
        ...base,
        "blueking:apigwPathPrefix": "system/",
      });
      await withPrefix.provider.create({ subscriptionId: 43 });
      expect(emulator.requests()[0].path).to.equal(
        "/api/bk-nodeman/prod/system/backend/api/subscription/task_result/",
      );
      expect(emulator.requests()[0].headers).not.to.have.property("x-bk-tenant-id");
      emulator.clearRequests();
      const explicit = await testProvider(nodemanTarget, {
        ...base,
        "blueking:tenantId": "default",
        "blueking:apigwPathPrefix": "",
      });
      await explicit.provider.create({ subscriptionId: 43 });
      expect(emulator.requests()[0].path).to.equal(
        "/api/bk-nodeman/prod/backend/api/subscription/task_result/",
      );
      expect(emulator.requests()[0].headers["x-bk-tenant-id"]).to.equal("default");
    });

    it("a tenant id left in the environment does not mix into the gateway stack config names", async () => {
      await start();
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"), {
        env: { BK_TENANT_ID: "acme", BK_NODEMAN_APIGW_PATH_PREFIX: "system/" },
      });
      await provider.create({ subscriptionId: 43 });
      expect(emulator.requests()[0].path).to.equal(
        "/api/bk-nodeman/prod/backend/api/subscription/task_result/",
      );
      expect(emulator.requests()[0].headers).not.to.have.property("x-bk-tenant-id");
    });

    const bad: [string, Record<string, string>, RegExp][] = [
      [
        "upper case",
        { "blueking:tenantId": "Acme" },
        /`blueking:tenantId` \(stack config\) must be a BlueKing tenant id.*got "Acme"/,
      ],
      ["a double hyphen", { "blueking:tenantId": "a--b" }, /got "a--b"/],
      ["a header injection", { "blueking:tenantId": "acme\r\nX-Evil: 1" }, /got "acme\\r\\nX-Evil: 1"/],
      ["a leading hyphen", { "blueking:tenantId": "-acme" }, /got "-acme"/],
      ["too long", { "blueking:tenantId": "a".repeat(33) }, /got "a{33}"/],
      ["too short", { "blueking:tenantId": "ab" }, /got "ab"/],
      [
        "a prefix without its slash",
        { "blueking:apigwPathPrefix": "system" },
        /`blueking:apigwPathPrefix` \(stack config\) must be "" or "system\/", got "system"/,
      ],
      ["another prefix", { "blueking:apigwPathPrefix": "/system/" }, /got "\/system\/"/],
    ];
    for (const [what, settings, reason] of bad) {
      it(`check refuses ${what}, naming the setting, before any request`, async () => {
        await start();
        const { provider } = await testProvider(nodemanTarget, {
          ...bluekingConfig(emulator.url, "apigw"),
          ...settings,
        });
        const { failures } = await provider.check({}, { subscriptionId: 42 });
        expect(failures?.map(failureName)).to.deep.equal(["route"]);
        expect(failures?.[0].reason).to.match(reason);
        expect(emulator.requests()).to.deep.equal([]);
      });
    }

    it("check refuses a tenant id on route esb (the ESB has no tenants) and accepts the longest tenant id", async () => {
      await start();
      const esb = await testProvider(nodemanTarget, {
        ...bluekingConfig(emulator.url, "esb"),
        "blueking:tenantId": "acme",
      });
      const { failures } = await esb.provider.check({}, { subscriptionId: 42 });
      expect(failures?.[0].reason).to.match(
        /`blueking:tenantId` \(stack config\) is set, but route "esb" cannot send a tenant/,
      );
      const longest = await testProvider(nodemanTarget, {
        ...bluekingConfig(emulator.url, "apigw"),
        "blueking:tenantId": `a${"b-".repeat(15)}c`,
        "termination:preflight": "false",
      });
      expect((await longest.provider.check({}, { subscriptionId: 42 })).failures).to.deep.equal([]);
    });

    it("a multi-tenant gateway without the tenant or the prefix: the gateway's refusal, with what to set", async () => {
      await start({ multiTenant: true });
      const base = bluekingConfig(emulator.url, "apigw");
      const noPrefix = await testProvider(nodemanTarget, base);
      const notFound = await caught(noPrefix.provider.create({ subscriptionId: 42 }));
      expect(isApiError(notFound) && notFound.code).to.equal("1640401");
      expect(notFound.message).to.include("blueking:apigwPathPrefix");
      const noTenant = await testProvider(nodemanTarget, { ...base, "blueking:apigwPathPrefix": "system/" });
      const forbidden = await caught(noTenant.provider.create({ subscriptionId: 42 }));
      expect(isApiError(forbidden) && [forbidden.code, forbidden.httpStatus]).to.deep.equal(["1640302", 403]);
      expect(forbidden.message).to.include("X-Bk-Tenant-Id is required").and.include("set blueking:tenantId");
      expect(emulator.effectiveCount()).to.equal(0);
    });
  });

  describe("the platform's own answers, whatever their HTTP status", () => {
    it("gateway throttling rewritten to HTTP 200 (1642902) is retried until the revoke goes through", async () => {
      await start({ statusRewrite200: true });
      emulator.injectFault({ route: "nodeman.revoke", times: 2, fault: { kind: "status", status: 429 } });
      const { provider, lines } = await testProvider(
        nodemanTarget,
        { ...bluekingConfig(emulator.url, "apigw"), ...fast },
        { timeScale: 0.05 },
      );
      const { outs } = await provider.create({ subscriptionId: 42 });
      expect(outs.outcome).to.equal("terminated");
      expect(emulator.requests({ route: "nodeman.revoke" }).map((r) => r.status)).to.deep.equal([
        200, 200, 200,
      ]);
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
      expect(
        lines.some((l) => /throttled \(HTTP 200, code 1642902, request id \S+, 1 of at most 10\)/.test(l)),
      ).to.equal(true, lines.join("\n"));
    });

    it("ESB throttling (HTTP 200, 1306429) is retried too", async () => {
      await start();
      emulator.injectFault({
        route: "nodeman.task_result",
        times: 1,
        fault: { kind: "status", status: 429 },
      });
      const { provider, lines } = await testProvider(
        nodemanTarget,
        { ...bluekingConfig(emulator.url, "esb"), ...fast },
        { timeScale: 0.05 },
      );
      expect((await provider.create({ subscriptionId: 42 })).outs.outcome).to.equal("terminated");
      expect(lines.some((l) => /throttled \(HTTP 200, code 1306429/.test(l))).to.equal(
        true,
        lines.join("\n"),
      );
    });

    it("a gateway refusal rewritten to HTTP 200 is not retried, and keeps its code and advice", async () => {
      await start({ statusRewrite200: true });
      const { provider } = await testProvider(nodemanTarget, {
        ...bluekingConfig(emulator.url, "apigw"),
        "blueking:bkToken": "expired",
      });
      const error = await caught(provider.create({ subscriptionId: 42 }));
      expect(isApiError(error) && [error.code, error.httpStatus]).to.deep.equal(["1640001", 200]);
      expect(error.message).to.include("the bk_token is invalid").and.include("check blueking:appCode");
      expect(emulator.requests()).to.have.length(1);
    });

    it("NodeMan failing (HTTP 500, 50000; through the ESB 200, 1306201) is retried; a revoke whose answer was lost counts once", async () => {
      await start();
      for (const route of ["apigw", "esb"] as const) {
        emulator.reset();
        emulator.injectFault({
          route: "nodeman.task_result",
          times: 1,
          fault: { kind: "status", status: 500 },
        });
        emulator.injectFault({ route: "nodeman.revoke", times: 1, fault: { kind: "reset-after-apply" } });
        const { provider } = await testProvider(
          nodemanTarget,
          { ...bluekingConfig(emulator.url, route), ...fast },
          { timeScale: 0.05 },
        );
        const { outs } = await provider.create({ subscriptionId: 42 });
        expect(outs.outcome, route).to.equal("terminated");
        expect(emulator.effectiveCount("nodeman.revoke"), route).to.equal(1);
      }
      emulator.reset();
      emulator.injectFault({ route: "nodeman.revoke", times: 1, fault: { kind: "status", status: 500 } });
      const esb = await testProvider(
        nodemanTarget,
        { ...bluekingConfig(emulator.url, "esb"), ...fast },
        { timeScale: 0.05 },
      );
      await esb.provider.create({ subscriptionId: 42 });
      expect(emulator.requests({ route: "nodeman.revoke" }).map((r) => r.status)).to.deep.equal([200, 200]);
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    });
  });

  describe("3800016 counts as done only for a subscription that has a task", () => {
    it("an unknown subscription fails create naming subscriptionId, with the revoke's answer lost or not, and nothing is revoked", async () => {
      await start();
      emulator.injectFault({ route: "nodeman.revoke", times: -1, fault: { kind: "reset-after-apply" } });
      emulator.injectFault({ route: "nodeman.task_result", times: 1, fault: { kind: "reset" } });
      const { provider } = await testProvider(
        nodemanTarget,
        { ...bluekingConfig(emulator.url, "apigw"), ...fast },
        { timeScale: 0.05 },
      );
      for (const inputs of [{ subscriptionId: 999 }, { subscriptionId: 44, preflight: false }]) {
        const error = await caught(provider.create(inputs));
        expect(isApiError(error) && error.code).to.equal("3800003");
        expect(error.message)
          .to.include(`subscription ${inputs.subscriptionId}`)
          .and.include("Check subscriptionId");
      }
      expect(emulator.requests({ route: "nodeman.revoke" })).to.deep.equal([]);
    });

    it("a subscription with a task: a lost answer then 3800016 is the earlier attempt's revoke; 3800016 on the first attempt is what finished since the read", async () => {
      await start();
      emulator.injectFault({ route: "nodeman.revoke", times: 1, fault: { kind: "reset-after-apply" } });
      const { provider } = await testProvider(
        nodemanTarget,
        { ...bluekingConfig(emulator.url, "apigw"), ...fast },
        { timeScale: 0.05 },
      );
      expect((await provider.create({ subscriptionId: 42 })).outs.outcome).to.equal("terminated");
      emulator.reset();
      emulator.injectFault({
        route: "nodeman.revoke",
        fault: {
          kind: "reply",
          status: 200,
          body: { result: false, code: 3800016, message: "no running task（3800016）", data: null },
        },
      });
      const { outs } = await provider.create({ subscriptionId: 42 });
      expect(outs.outcome).to.equal("nothing-running");
      expect((outs.instances as InstanceStatus[]).some((i) => "revoked" in i)).to.equal(false);
    });
  });

  describe("several tasks: the wait reads what the revoke acted on (task_id_list)", () => {
    /** Task 7001 is ours (hosts 1, 2 running); 7002 was triggered automatically since and runs host 5. */
    const ours = {
      subscriptionId: 70,
      tasks: [
        {
          taskId: 7001,
          instances: [
            { instanceId: H1, status: "RUNNING" as const },
            { instanceId: H2, status: "RUNNING" as const },
          ],
        },
        { taskId: 7002, isAutoTrigger: true, instances: [{ instanceId: H5, status: "RUNNING" as const }] },
      ],
    };

    it("a newer task triggered automatically: the read sees every latest record, not only the newest task's", async () => {
      await start({ subscriptions: [ours] });
      const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      expect((await provider.check({}, { subscriptionId: 70 })).failures).to.deep.equal([]);
      expect(lines[0]).to.match(
        /: 3 of 3 instance\(s\) running will be revoked: host\|instance\|host\|1, host\|instance\|host\|2, host\|instance\|host\|5$/,
      );
      const { outs } = await provider.create({ subscriptionId: 70, instanceIds: [H1] });
      expect(outs.instances).to.deep.equal([
        { instanceId: H1, status: "FAILED", taskId: 7001, revoked: true },
      ]);
      const reads = emulator
        .requests({ route: "nodeman.task_result" })
        .map((r) => r.body as Record<string, unknown>);
      expect(reads[1]).to.deep.include({ need_aggregate_all_tasks: true, instance_id_list: [H1] });
      expect(reads.slice(2).every((body) => JSON.stringify(body.task_id_list) === "[7001]")).to.equal(true);
      expect(
        emulator
          .state()
          .nodeman.subscriptions.at(-1)!
          .instances.map((i) => i.status),
      ).to.deep.equal(["FAILED", "RUNNING", "RUNNING"]);
    });

    it("a task started after the revoke is not mistaken for ours: refresh still reads ours", async () => {
      await start({ subscriptions: [ours] });
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      const { id, outs } = await provider.create({ subscriptionId: 70 });
      expect(outs.outcome).to.equal("terminated");
      // Host 1 runs again, in a task 7003 started since.
      const seed = baseSeed();
      const later = { taskId: 7003, instances: [{ instanceId: H1, status: "RUNNING" as const }] };
      const revoked = emulator.state().nodeman.subscriptions.at(-1)!;
      seed.blueking!.subscriptions!.push({
        subscriptionId: 70,
        tasks: [
          {
            taskId: 7001,
            instances: [
              { instanceId: H1, status: "FAILED" },
              { instanceId: H2, status: "FAILED" },
            ],
          },
          { taskId: 7002, instances: [{ instanceId: H5, status: "FAILED" }] },
          later,
        ],
      });
      expect(revoked.instances.map((i) => i.status)).to.deep.equal(["FAILED", "FAILED", "FAILED"]);
      emulator.seed(seed);
      const { props } = await provider.read(id, outs);
      expect(
        (props.instances as InstanceStatus[]).map((i) => [i.instanceId, i.status, i.taskId]),
      ).to.deep.equal([
        [H1, "FAILED", 7001],
        [H2, "FAILED", 7001],
        [H5, "FAILED", 7002],
      ]);
    });
  });

  it("an ESB that is gone (a 404 on its path) says to use the API gateway", async () => {
    await start();
    const config = { ...bluekingConfig(emulator.url, "esb"), "blueking:esbUrl": `${emulator.url}/removed` };
    const { provider } = await testProvider(nodemanTarget, config);
    const error = await caught(provider.create({ subscriptionId: 42 }));
    expect(isApiError(error) && error.httpStatus).to.equal(404);
    expect(error.message).to.include("removes the ESB").and.include("blueking:apigwUrlTemplate");
    expect(emulator.effectiveCount()).to.equal(0);
  });

  it("a wait that times out on a task without a pipeline says why", async () => {
    await start({
      subscriptions: [
        {
          subscriptionId: 71,
          taskId: 7100,
          pipelineId: "",
          instances: [{ instanceId: H1, status: "RUNNING" }],
        },
      ],
    });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const error = await caught(provider.create({ subscriptionId: 71, waitTimeoutSeconds: 1 }));
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    expect(error.message)
      .to.include("1 of 1 instance(s) still running")
      .and.include("task 7100 has no pipeline")
      .and.include("stop it in NodeMan");
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
  });

  it("at the limits: 5000 listed instances over pages of 500, half running: only those are sent, the rest reported", async function () {
    this.timeout(60_000);
    const instances = Array.from({ length: 5000 }, (_, i) => ({
      instanceId: `host|instance|host|${10_000 + i}`,
      status: i % 2 === 0 ? ("RUNNING" as const) : ("SUCCESS" as const),
    }));
    await start({ subscriptions: [{ subscriptionId: 72, instances }] }, { nodemanPageLimit: 500 });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const instanceIds = instances.map((i) => i.instanceId);
    const { outs } = await provider.create({ subscriptionId: 72, instanceIds, preflight: false });
    expect(outs.outcome).to.equal("terminated");
    const [revoke] = emulator.requests({ route: "nodeman.revoke" });
    expect((revoke.body as { instance_id_list: string[] }).instance_id_list).to.have.length(2500);
    expect(outs.skippedInstanceIds).to.have.length(2500);
    expect(new Set((outs.instances as InstanceStatus[]).map((i) => i.status))).to.deep.equal(
      new Set(["FAILED", "SUCCESS"]),
    );
    // The read before the revoke: 10 pages of 500.
    expect(emulator.requests({ route: "nodeman.task_result" }).length).to.be.at.least(20);
  });
});
