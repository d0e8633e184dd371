import { failureName } from "../../provider/validation/fields";
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { NODEMAN_STATUSES } from "../../emulator/seed";
import { getNodemanSubscriptionStatus, isApiError, TerminationIncompleteError } from "../../provider";
import type { InstanceStatus } from "../../provider/targets/nodeman/outputs.generated";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import { UNKNOWN } from "../../provider/validation/fields";
import {
  baseSeed,
  bluekingConfig,
  caught,
  emulatorPerTest,
  findSecrets,
  secrets,
  testProvider,
} from "../helpers/fixtures";

describe("NodemanTaskTermination provider against the emulator", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  const revokes = () => emulator.requests({ route: "nodeman.revoke" });
  const statusOf = (outs: { instances?: { instanceId: string; status: string }[] }) =>
    Object.fromEntries((outs.instances ?? []).map((i) => [i.instanceId, i.status]));

  for (const route of ["apigw", "esb"] as const) {
    it(`revokes every running instance through the ${route} route and waits`, async () => {
      const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, route));
      const { id, outs } = await provider.create({ subscriptionId: 42 });
      expect(id).to.match(/^nodeman\/42@\d+$/);
      expect(outs).to.include({ outcome: "terminated", resolvedRoute: route });
      expect(statusOf(outs)).to.deep.equal({
        "host|instance|host|1": "FAILED",
        "host|instance|host|2": "FAILED",
        "host|instance|host|127.0.0.1-0-0": "FAILED",
        "host|instance|host|4": "SUCCESS",
      });
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
      const [revoke] = revokes();
      expect(revoke.transport).to.equal(route);
      if (route === "apigw") {
        expect(outs.requestId).to.be.a("string").and.not.equal("");
        expect(JSON.stringify(revoke.body)).not.to.include("bk_app_secret");
        expect(revoke.headers["x-bkapi-authorization"]).to.be.a("string");
      } else {
        expect(JSON.stringify(revoke.body)).to.include("bk_app_code");
      }
      expect(findSecrets(outs, lines, emulator.requests())).to.deep.equal([]);
    });
  }

  // Until wave 5 this test read "revokes only the listed instances, whatever their status" and
  // expected host 4 (SUCCESS) FAILED: the revoke sent it, and NodeMan marked a finished host failed.
  it("revokes only the listed instances that run: a finished one is reported, not sent, and keeps its result", async () => {
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { outs } = await provider.create({
      subscriptionId: 42,
      instanceIds: ["host|instance|host|1", "host|instance|host|4"],
    });
    expect(statusOf(outs)).to.deep.equal({
      "host|instance|host|1": "FAILED",
      "host|instance|host|4": "SUCCESS",
    });
    expect(outs.skippedInstanceIds).to.deep.equal(["host|instance|host|4"]);
    expect(
      (outs.instances as InstanceStatus[]).find((i) => i.instanceId === "host|instance|host|1"),
    ).to.include({
      revoked: true,
      taskId: 4200,
    });
    expect(revokes().map((r) => r.body)).to.deep.equal([
      { subscription_id: 42, instance_id_list: ["host|instance|host|1"] },
    ]);
    const records = emulator.state().nodeman.subscriptions[0].instances;
    expect(records.find((i) => i.instanceId === "host|instance|host|4")?.status).to.equal("SUCCESS");
    // One read before the revoke, the one create already makes; then the wait's.
    expect(emulator.requests().map((r) => r.route)[0]).to.equal("nodeman.task_result");
    expect(lines.join("\n")).not.to.include("host|instance|host|4 (SUCCESS) will");
    const live = await provider.read("nodeman/42@1", { subscriptionId: 42 });
    expect(statusOf(live.props)["host|instance|host|2"]).to.equal("RUNNING");
  });

  it("with none of the listed instances running, sends nothing: nothing-running, each reported", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { outs } = await provider.create({
      subscriptionId: 42,
      instanceIds: ["host|instance|host|4", "host|instance|host|77"],
    });
    expect(outs.outcome).to.equal("nothing-running");
    expect(outs.skippedInstanceIds).to.deep.equal(["host|instance|host|4", "host|instance|host|77"]);
    expect(statusOf(outs)).to.deep.equal({ "host|instance|host|4": "SUCCESS" });
    expect(revokes()).to.deep.equal([]);
    const error = await caught(
      provider.create({
        subscriptionId: 42,
        instanceIds: ["host|instance|host|4"],
        whenNothingRunning: "fail",
      }),
    );
    expect(error.message)
      .to.include("not running, left alone: host|instance|host|4 (SUCCESS)")
      .and.include("3800016")
      .and.include("whenNothingRunning");
    expect(revokes()).to.deep.equal([]);
  });

  it("records a revoke whose every answer was lost as incomplete (it may have gone through); the next up waits for it, sending no revoke", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    // Each attempt is done by NodeMan, then the connection drops: no answer ever says so.
    emulator.injectFault({ route: "nodeman.revoke", times: -1, fault: { kind: "reset-after-apply" } });
    const inputs = { subscriptionId: 42, waitTimeoutSeconds: 5 };
    const error = (await caught(provider.create(inputs))) as TerminationIncompleteError;
    emulator.clearFaults();
    expect(error.message).to.match(/the revoke may have gone through, but no answer said so/);
    expect(error.properties).to.include({ outcome: "requested" });
    const sent = revokes().length;
    expect(sent).to.be.greaterThan(1);
    const { outs } = await provider.update(error.id, error.properties, inputs);
    expect(outs).to.include({ outcome: "terminated" });
    expect(statusOf(outs)).to.include({ "host|instance|host|1": "FAILED" });
    expect(revokes().length).to.equal(sent);
  });

  it("treats 3800016 (nothing running) as done by default, recording the statuses", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { outs } = await provider.create({ subscriptionId: 43 });
    expect(outs.outcome).to.equal("nothing-running");
    expect(statusOf(outs)).to.deep.equal({ "host|instance|host|9": "SUCCESS" });
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(0);
  });

  it('fails on 3800016 with whenNothingRunning: "fail", naming the code', async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    const error = await caught(provider.create({ subscriptionId: 43, whenNothingRunning: "fail" }));
    expect(error.message).to.include("3800016").and.include("whenNothingRunning");
  });

  const apiErrors: [string, () => Record<string, string>, Record<string, unknown>, string, number][] = [
    [
      "a subscription without task",
      () => bluekingConfig(emulator.url, "apigw"),
      { subscriptionId: 44 },
      "3800003",
      200,
    ],
    [
      "an unknown subscription",
      () => bluekingConfig(emulator.url, "esb"),
      { subscriptionId: 999 },
      "3800003",
      200,
    ],
    // Until wave 5 the gateway's refusals read 401 and the ESB's 1306101: the gateway answers a
    // refused app or user 400/1640001 (bk-auth-validate.lua, errorx.lua new_invalid_args), the ESB
    // 1306000 (esb channel/base.py CommonAPIError); 1306101 means a component that cannot load.
    [
      "a wrong app secret on the gateway",
      () => ({ ...bluekingConfig(emulator.url, "apigw"), "blueking:appSecret": "x" + secrets.appSecret }),
      { subscriptionId: 42 },
      "1640001",
      400,
    ],
    [
      "a wrong app secret on the ESB",
      () => ({ ...bluekingConfig(emulator.url, "esb"), "blueking:appSecret": "x" + secrets.appSecret }),
      { subscriptionId: 42 },
      "1306000",
      200,
    ],
    [
      "a wrong user token on the gateway",
      () => ({ ...bluekingConfig(emulator.url, "apigw"), "blueking:bkToken": "x" + secrets.bkToken }),
      { subscriptionId: 42 },
      "1640001",
      400,
    ],
  ];
  for (const [name, config, inputs, code, status] of apiErrors) {
    it(`reports ${name} as ${code} (HTTP ${status}), without secrets`, async () => {
      const { provider, lines } = await testProvider(nodemanTarget, config());
      const error = await caught(provider.create(inputs));
      expect(isApiError(error), String(error)).to.equal(true);
      if (!isApiError(error)) return;
      expect({ code: error.code, status: error.httpStatus }).to.deep.equal({ code, status });
      expect(error.message).to.include(code).and.include("NodeMan");
      if (config()["blueking:apigwUrlTemplate"]) expect(error.message).to.match(/request id \S+/);
      expect(findSecrets(error.message, error.stack, lines, emulator.requests())).to.deep.equal([]);
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(0);
    });
  }

  it("waits while revoked steps still read RUNNING, then reports FAILED", async () => {
    await emulator.close();
    emulator = await startEmulator({ seed: { ...baseSeed(), nodemanStepDelayMs: 300 } });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { outs } = await provider.create({ subscriptionId: 42, instanceIds: ["host|instance|host|1"] });
    expect(statusOf(outs)).to.deep.equal({ "host|instance|host|1": "FAILED" });
    expect(lines.some((l) => /1 of 1 instance\(s\) still running; waiting/.test(l))).to.equal(
      true,
      lines.join("\n"),
    );
  });

  it("keeps polling while the task result is not ready (3800015)", async () => {
    const seed = baseSeed();
    seed.blueking!.subscriptions![0].taskNotReadyFor = 2;
    await emulator.close();
    emulator = await startEmulator({ seed });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    const { outs } = await provider.create({ subscriptionId: 42 });
    expect(outs.outcome).to.equal("terminated");
    expect(lines.some((l) => /task not ready yet/.test(l))).to.equal(true);
  });

  it("check with preflight: false validates without sending anything", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    expect(
      (
        await provider.check(
          {},
          { subscriptionId: 42, instanceIds: ["host|instance|host|1"], preflight: false },
        )
      ).failures,
    ).to.deep.equal([]);
    expect(
      (await provider.check({}, { subscriptionId: UNKNOWN, instanceIds: [UNKNOWN] })).failures,
    ).to.deep.equal([]);
    const bad = await provider.check(
      {},
      { subscriptionId: -1, instanceIds: ["host|instance|host|1", "nope"], route: "gateway" },
    );
    expect((bad.failures ?? []).map(failureName)).to.deep.equal([
      "subscriptionId",
      "instanceIds[1]",
      "route",
    ]);
    expect(emulator.requests()).to.deep.equal([]);
  });

  // The preview lines name the route and host and the instances (issue 17): until wave 5 they read
  // "NodeMan subscription 42: 3 of 4 instances RUNNING will be revoked".
  describe("preflight in check (read-only)", () => {
    const host = () => new URL(emulator.url).host;
    const table: [string, Record<string, unknown>, () => string][] = [
      [
        "every running instance",
        { subscriptionId: 42 },
        () =>
          `NodeMan subscription 42 via apigw at ${host()}: 3 of 4 instance(s) running will be revoked: host|instance|host|1, host|instance|host|127.0.0.1-0-0, host|instance|host|2`,
      ],
      [
        "listed instances, one finished and one unknown",
        {
          subscriptionId: 42,
          instanceIds: ["host|instance|host|1", "host|instance|host|4", "host|instance|host|77"],
        },
        () =>
          `NodeMan subscription 42 via apigw at ${host()}: 1 of 2 listed instance(s) running will be revoked: host|instance|host|1; not running, left alone: host|instance|host|4 (SUCCESS) (1 listed instance(s) not in the subscription: host|instance|host|77)`,
      ],
      [
        "nothing running",
        { subscriptionId: 43 },
        () => `NodeMan subscription 43 via apigw at ${host()}: nothing running: nothing to do`,
      ],
    ];
    for (const [name, inputs, line] of table) {
      it(`shows ${name}, sending only a read`, async () => {
        const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
        expect((await provider.check({}, inputs)).failures).to.deep.equal([]);
        expect(lines).to.deep.equal([line()]);
        expect(emulator.requests().map((r) => r.route)).to.deep.equal(["nodeman.task_result"]);
      });
    }

    it("names a handful of instances, then how many more", async () => {
      const seed = baseSeed();
      seed.blueking!.subscriptions!.push({
        subscriptionId: 45,
        instances: Array.from({ length: 8 }, (_, i) => ({
          instanceId: `host|instance|host|${10 + i}`,
          status: "RUNNING" as const,
        })),
      });
      emulator.seed(seed);
      const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      expect((await provider.check({}, { subscriptionId: 45 })).failures).to.deep.equal([]);
      expect(lines).to.deep.equal([
        `NodeMan subscription 45 via esb at ${host()}: 8 of 8 instance(s) running will be revoked: host|instance|host|10, host|instance|host|11, host|instance|host|12, host|instance|host|13, host|instance|host|14 and 3 more`,
      ]);
    });

    it("fails the preview on a subscription without task, naming subscriptionId", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      const { failures } = await provider.check({}, { subscriptionId: 999 });
      expect(failures?.map(failureName)).to.deep.equal(["subscriptionId"]);
      expect(failures?.[0].reason).to.include("3800003");
      expect(emulator.requests({ route: "nodeman.revoke" })).to.deep.equal([]);
    });
  });

  it("check explains missing credentials and endpoints", async () => {
    const { provider } = await testProvider(nodemanTarget, {});
    const text = ((await provider.check({}, { subscriptionId: 42 })).failures ?? [])
      .map((f) => f.reason)
      .join("\n");
    for (const expected of [
      "blueking:appCode",
      "BK_APP_SECRET",
      "BK_USERNAME",
      "blueking:apigwUrlTemplate",
      "BK_COMPONENT_API_URL",
    ]) {
      expect(text).to.include(expected);
    }
  });

  it("uses the ESB when only it is configured, the gateway when both are", async () => {
    const both = {
      ...bluekingConfig(emulator.url, "esb"),
      "blueking:apigwUrlTemplate": `${emulator.url}/api/{api_name}`,
    };
    const { provider } = await testProvider(nodemanTarget, both);
    expect(
      (await provider.create({ subscriptionId: 42, waitForTermination: false })).outs.resolvedRoute,
    ).to.equal("apigw");
    const esbOnly = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    expect((await esbOnly.provider.create({ subscriptionId: 43 })).outs.resolvedRoute).to.equal("esb");
  });
});

describe("NodemanTaskTermination: what counts as running", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  const H1 = "host|instance|host|1";
  const H2 = "host|instance|host|2";
  /** Subscription 50: host 1 RUNNING; host 2 FAILED with steps FAILED, PENDING (the later step will never run). */
  const failedWithPendingStep = (): SeedState => {
    const seed = baseSeed();
    seed.blueking!.subscriptions!.push({
      subscriptionId: 50,
      instances: [
        { instanceId: H1, status: "RUNNING" },
        {
          instanceId: H2,
          status: "FAILED",
          steps: [
            { id: "install", status: "FAILED" },
            { id: "start", status: "PENDING" },
          ],
        },
      ],
    });
    return seed;
  };

  it("does not count a PENDING step of a FAILED instance: preview and create", async () => {
    emulator = await startEmulator({ seed: failedWithPendingStep() });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    expect((await provider.check({}, { subscriptionId: 50 })).failures).to.deep.equal([]);
    expect(lines).to.deep.equal([
      `NodeMan subscription 50 via apigw at ${new URL(emulator.url).host}: 1 of 2 instance(s) running will be revoked: ${H1}`,
    ]);
    const { outs } = await provider.create({ subscriptionId: 50, waitTimeoutSeconds: 2 });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.instances).to.deep.equal([
      { instanceId: H1, status: "FAILED", taskId: 5000, revoked: true },
      { instanceId: H2, status: "FAILED", taskId: 5000 },
    ]);
  });

  it("keeps a revoked instance's PENDING steps PENDING (they never run) and reports it stopped", async () => {
    const seed = baseSeed();
    seed.nodemanStepDelayMs = 60_000;
    seed.blueking!.subscriptions!.push({
      subscriptionId: 51,
      instances: [
        {
          instanceId: H1,
          status: "PENDING",
          steps: [
            { id: "install", status: "PENDING" },
            { id: "start", status: "PENDING" },
          ],
        },
      ],
    });
    emulator = await startEmulator({ seed });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    const { outs } = await provider.create({ subscriptionId: 51, waitTimeoutSeconds: 2 });
    expect(outs.outcome).to.equal("terminated");
    const [snapshot] = emulator.state().nodeman.subscriptions.filter((s) => s.subscriptionId === 51);
    expect(snapshot.instances[0].steps.map((s) => s.status)).to.deep.equal(["PENDING", "PENDING"]);
  });
});

describe("NodemanTaskTermination: reading task_result to the end, exactly", () => {
  let emulator: Emulator;
  afterEach(async () => {
    await emulator.close();
  });

  const H1 = "host|instance|host|1";
  const H2 = "host|instance|host|2";
  const host = (n: number) => `host|instance|host|${n}`;
  const ok = (data: unknown) => ({ result: true, code: 0, message: "", data });
  const item = (instanceId: string, status: string, steps: string[] = [status]) => ({
    instance_id: instanceId,
    status,
    steps: steps.map((s, i) => ({ id: `s${i}`, status: s })),
  });
  /** The next task_result answers, in order. */
  const answers = (...bodies: unknown[]) => {
    for (const body of bodies)
      emulator.injectFault({ route: "nodeman.task_result", fault: { kind: "reply", status: 200, body } });
  };
  const preview = async (inputs: Record<string, unknown>) => {
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { failures } = await provider.check({}, inputs);
    expect(failures).to.deep.equal([]);
    return lines;
  };

  // Until wave 5 this seeded every status for the steps too and counted FAILED records with a
  // RUNNING step as "still stopping": steps only read PENDING, RUNNING, SUCCESS or FAILED, and an
  // item's status is computed from them (bk-nodeman task_tools.py collect_status), so such an item
  // reads RUNNING.
  it("counts every record status with every step status by the documented rule", async () => {
    const stepStatuses = ["PENDING", "RUNNING", "SUCCESS", "FAILED"] as const;
    const instances = NODEMAN_STATUSES.flatMap((status, i) =>
      stepStatuses.map((step, j) => ({
        instanceId: host(i * 100 + j + 1),
        status,
        steps: [
          { id: "first", status: "SUCCESS" as const },
          { id: "then", status: step },
        ],
      })),
    );
    const seed = baseSeed();
    seed.blueking!.subscriptions!.push({ subscriptionId: 60, instances });
    emulator = await startEmulator({ seed });
    const status = await getNodemanSubscriptionStatus(
      { subscriptionId: 60 },
      { config: { get: (key) => bluekingConfig(emulator.url, "esb")[key] }, env: {} },
    );
    // The item reads what its steps say; while they say PENDING, what the record says.
    const shown = (record: string, step: string) =>
      step === "PENDING" ? (record === "PENDING" ? "PENDING" : record) : step;
    const expected = Object.fromEntries(
      instances.map((i) => [
        i.instanceId,
        ["PENDING", "RUNNING"].includes(shown(i.status, i.steps[1].status)) ||
          i.steps[1].status === "RUNNING",
      ]),
    );
    expect(Object.fromEntries(status.instances.map((i) => [i.instanceId, i.running]))).to.deep.equal(
      expected,
    );
    const running = Object.values(expected).filter(Boolean).length;
    expect(running).to.equal(11);
    const [line] = await preview({ subscriptionId: 60 });
    expect(line).to.match(
      /^NodeMan subscription 60 via apigw at \S+: 11 of 36 instance\(s\) running will be revoked: .* and 6 more$/,
    );
  });

  it("reads every page when the service pages even pagesize -1: hundreds of instances", async () => {
    const seed = { ...baseSeed(), nodemanPageLimit: 50 };
    const instances = Array.from({ length: 300 }, (_, i) => ({
      instanceId: host(1000 + i),
      status: "RUNNING" as const,
    }));
    // Beyond the first page: a FAILED record whose step still runs (it reads RUNNING), which a
    // revoke without a list does not touch.
    instances[250] = {
      instanceId: host(1250),
      status: "FAILED",
      steps: [{ id: "s", status: "RUNNING" }],
    } as never;
    seed.blueking!.subscriptions!.push({ subscriptionId: 61, instances });
    emulator = await startEmulator({ seed });
    const [line] = await preview({ subscriptionId: 61 });
    expect(line).to.match(
      /: 300 of 300 instance\(s\) running will be revoked: host\|instance\|host\|1000, .* and 295 more$/,
    );
    expect(emulator.requests({ route: "nodeman.task_result" })).to.have.length(6);
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const error = await caught(provider.create({ subscriptionId: 61, waitTimeoutSeconds: 1 }));
    expect(error).to.be.instanceOf(TerminationIncompleteError);
    expect(error.message).to.include("1 of 300 instance(s) still running");
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
  });

  it("keeps only the listed instances, whatever the service's filter answered", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    answers(ok([item(H1, "RUNNING"), item(H2, "RUNNING"), item(host(4), "PENDING")]));
    expect(await preview({ subscriptionId: 42, instanceIds: [H1] })).to.deep.equal([
      `NodeMan subscription 42 via apigw at ${new URL(emulator.url).host}: 1 of 1 listed instance(s) running will be revoked: ${H1}`,
    ]);
  });

  it("never sends an empty instance_id_list, which NodeMan reads as every instance", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const error = await caught(provider.create({ subscriptionId: 42, instanceIds: [] }));
    expect(error.message).to.match(/^instanceIds: an empty list/);
    expect(emulator.requests({ route: "nodeman.revoke" })).to.deep.equal([]);
    const status = await getNodemanSubscriptionStatus(
      { subscriptionId: 42, instanceIds: [] },
      { config: { get: (key) => bluekingConfig(emulator.url, "apigw")[key] }, env: {} },
    );
    expect(status.instances).to.deep.equal([]);
  });

  it("says which listed instances vanished, and counts them as not running", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
    const inputs = { subscriptionId: 42, instanceIds: [H1, H2], waitForTermination: false };
    const { id, outs } = await provider.create(inputs);
    const seed = baseSeed();
    seed.blueking!.subscriptions![0].instances = [{ instanceId: H1, status: "FAILED" }];
    emulator.seed(seed);
    const { outs: after } = await provider.update(id, outs, { ...inputs, waitForTermination: true });
    expect(after.outcome).to.equal("terminated");
    expect(after.instances).to.deep.equal([
      { instanceId: H1, status: "FAILED", taskId: 4200, revoked: true },
    ]);
    expect(lines.join("\n")).to.include(`(1 listed instance(s) not in the subscription: ${H2})`);
  });

  it("names statuses outside the documented list and does not count them", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    answers(ok([item(H1, "REVOKED", ["RUNNING"]), item(H2, "running"), item(host(3), "RUNNING")]));
    expect(await preview({ subscriptionId: 42 })).to.deep.equal([
      `NodeMan subscription 42 via apigw at ${new URL(emulator.url).host}: 2 of 3 instance(s) running will be revoked: ${H1}, ${host(3)} (undocumented status REVOKED, running: not counted as running)`,
    ]);
  });

  const partial: [string, unknown[], RegExp][] = [
    [
      "a listing that ends before its total",
      [
        ok({ total: 5, list: [item(H1, "SUCCESS"), item(H2, "SUCCESS")] }),
        ok({ total: 5, list: [item(host(3), "SUCCESS")] }),
      ],
      /the listing ended after 3 of 5 instances/,
    ],
    [
      "a service that ignores page",
      [
        ok({ total: 4, list: [item(H1, "SUCCESS"), item(H2, "SUCCESS")] }),
        ok({ total: 4, list: [item(H1, "SUCCESS"), item(H2, "SUCCESS")] }),
      ],
      /page 2\)$|repeats earlier items/,
    ],
    ["an item without instance_id", [ok([{ status: "SUCCESS" }])], /an item has no instance_id or status/],
    ["an item without status", [ok([{ instance_id: H1 }])], /an item has no instance_id or status/],
    ["data that is no list", [ok({ items: [] })], /neither a list nor \{total, list\}/],
  ];
  for (const [name, bodies, message] of partial) {
    it(`refuses to count from ${name}`, async () => {
      emulator = await startEmulator({ seed: baseSeed() });
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
      answers(...bodies);
      const error = await caught(provider.read("nodeman/42@1", { subscriptionId: 42 }));
      expect(error.message).to.match(message);
    });
  }
});
