import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { NODEMAN_STATUSES } from "../../emulator/seed";
import { getNodemanSubscriptionStatus, isApiError, TerminationIncompleteError } from "../../provider";
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

  it("revokes only the listed instances, whatever their status", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { outs } = await provider.create({
      subscriptionId: 42,
      instanceIds: ["host|instance|host|1", "host|instance|host|4"],
    });
    expect(statusOf(outs)).to.deep.equal({
      "host|instance|host|1": "FAILED",
      "host|instance|host|4": "FAILED",
    });
    const live = await provider.read("nodeman/42@1", { subscriptionId: 42 });
    expect(statusOf(live.props)["host|instance|host|2"]).to.equal("RUNNING");
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
    [
      "a wrong app secret on the gateway",
      () => ({ ...bluekingConfig(emulator.url, "apigw"), "blueking:appSecret": "x" + secrets.appSecret }),
      { subscriptionId: 42 },
      "1640001",
      401,
    ],
    [
      "a wrong app secret on the ESB",
      () => ({ ...bluekingConfig(emulator.url, "esb"), "blueking:appSecret": "x" + secrets.appSecret }),
      { subscriptionId: 42 },
      "1306101",
      200,
    ],
    [
      "a wrong user token on the gateway",
      () => ({ ...bluekingConfig(emulator.url, "apigw"), "blueking:bkToken": "x" + secrets.bkToken }),
      { subscriptionId: 42 },
      "1640001",
      401,
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
    expect((bad.failures ?? []).map((f) => f.property)).to.deep.equal([
      "subscriptionId",
      "instanceIds[1]",
      "route",
    ]);
    expect(emulator.requests()).to.deep.equal([]);
  });

  describe("preflight in check (read-only)", () => {
    const table: [string, Record<string, unknown>, string][] = [
      [
        "every running instance",
        { subscriptionId: 42 },
        "NodeMan subscription 42: 3 of 4 instances RUNNING will be revoked",
      ],
      [
        "listed instances, one unknown",
        { subscriptionId: 42, instanceIds: ["host|instance|host|1", "host|instance|host|77"] },
        "NodeMan subscription 42: 1 of 1 instances RUNNING will be revoked (1 listed instance(s) not in the subscription: host|instance|host|77)",
      ],
      ["nothing running", { subscriptionId: 43 }, "NodeMan subscription 43: nothing running: nothing to do"],
    ];
    for (const [name, inputs, line] of table) {
      it(`shows ${name}, sending only a read`, async () => {
        const { provider, lines } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
        expect((await provider.check({}, inputs)).failures).to.deep.equal([]);
        expect(lines).to.deep.equal([line]);
        expect(emulator.requests().map((r) => r.route)).to.deep.equal(["nodeman.task_result"]);
      });
    }

    it("fails the preview on a subscription without task, naming subscriptionId", async () => {
      const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "esb"));
      const { failures } = await provider.check({}, { subscriptionId: 999 });
      expect(failures?.map((f) => f.property)).to.deep.equal(["subscriptionId"]);
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
    expect(lines).to.deep.equal(["NodeMan subscription 50: 1 of 2 instances RUNNING will be revoked"]);
    const { outs } = await provider.create({ subscriptionId: 50, waitTimeoutSeconds: 2 });
    expect(outs.outcome).to.equal("terminated");
    expect(outs.instances).to.deep.equal([
      { instanceId: H1, status: "FAILED" },
      { instanceId: H2, status: "FAILED" },
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
  const ok = (data: unknown) => ({ result: true, code: 0, message: "success", data });
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

  it("counts every instance status with every step status by the documented rule", async () => {
    const statuses = NODEMAN_STATUSES;
    const instances = statuses.flatMap((status, i) =>
      statuses.map((step, j) => ({
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
    const expected = Object.fromEntries(
      instances.map((i) => [
        i.instanceId,
        ["PENDING", "RUNNING"].includes(i.status) || i.steps[1].status === "RUNNING",
      ]),
    );
    expect(Object.fromEntries(status.instances.map((i) => [i.instanceId, i.running]))).to.deep.equal(
      expected,
    );
    expect(await preview({ subscriptionId: 60 })).to.deep.equal([
      "NodeMan subscription 60: 18 of 81 instances RUNNING will be revoked; 7 of 81 instances still stopping (a step reads RUNNING)",
    ]);
  });

  it("reads every page when the service pages even pagesize -1: hundreds of instances", async () => {
    const seed = { ...baseSeed(), nodemanPageLimit: 50 };
    const instances = Array.from({ length: 300 }, (_, i) => ({
      instanceId: host(1000 + i),
      status: "RUNNING" as const,
    }));
    // Beyond the first page: a FAILED record whose step still runs.
    instances[250] = {
      instanceId: host(1250),
      status: "FAILED",
      steps: [{ id: "s", status: "RUNNING" }],
    } as never;
    seed.blueking!.subscriptions!.push({ subscriptionId: 61, instances });
    emulator = await startEmulator({ seed });
    expect(await preview({ subscriptionId: 61 })).to.deep.equal([
      "NodeMan subscription 61: 299 of 300 instances RUNNING will be revoked; 1 of 300 instances still stopping (a step reads RUNNING)",
    ]);
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
      "NodeMan subscription 42: 1 of 1 instances RUNNING will be revoked",
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
    expect(after.instances).to.deep.equal([{ instanceId: H1, status: "FAILED" }]);
    expect(lines.join("\n")).to.include(`(1 listed instance(s) not in the subscription: ${H2})`);
  });

  it("names statuses outside the documented list and does not count them", async () => {
    emulator = await startEmulator({ seed: baseSeed() });
    answers(ok([item(H1, "REVOKED", ["RUNNING"]), item(H2, "running"), item(host(3), "RUNNING")]));
    expect(await preview({ subscriptionId: 42 })).to.deep.equal([
      "NodeMan subscription 42: 1 of 3 instances RUNNING will be revoked; 1 of 3 instances still stopping (a step reads RUNNING) (undocumented status REVOKED, running: not counted as running)",
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
