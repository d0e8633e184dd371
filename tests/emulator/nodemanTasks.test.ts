/**
 * The emulator's NodeMan rules, one test (or table) per rule, each named after the rule and the
 * bk-nodeman source it follows (docs/apis.md §1).
 */
import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState, type SeedSubscription } from "../../emulator";
import {
  delay,
  esb,
  gateway,
  instanceStatuses,
  nodemanData,
  baseSeed,
  type Envelope,
  type TaskResultItem,
} from "./helpers";

const HOST_1 = "host|instance|host|1";
const HOST_2 = "host|instance|host|2";
const HOST_IP = "host|instance|host|127.0.0.1-0-0";
const HOST_4 = "host|instance|host|4";

interface InstanceStatusEntry {
  subscription_id: number;
  instances: {
    instance_id: string;
    status: string;
    running_task: { id: number; is_auto_trigger: boolean } | null;
    last_task: { id: number };
  }[];
}

interface Page {
  total: number;
  list: TaskResultItem[];
  status_counter: Record<string, number>;
}

/** Subscription 70: task 7001 ran hosts 1-3; task 7002, triggered automatically later, runs host 3 again and host 5. */
const twoTasks: SeedSubscription = {
  subscriptionId: 70,
  tasks: [
    {
      taskId: 7001,
      instances: [
        { instanceId: HOST_1, status: "RUNNING" },
        { instanceId: HOST_2, status: "SUCCESS" },
        { instanceId: "host|instance|host|3", status: "FAILED" },
      ],
    },
    {
      taskId: 7002,
      isAutoTrigger: true,
      instances: [
        { instanceId: "host|instance|host|3", status: "RUNNING" },
        { instanceId: "host|instance|host|5", status: "PENDING" },
      ],
    },
  ],
};

describe("emulator: NodeMan subscription tasks", () => {
  let emulator: Emulator;
  const start = async (extra: Partial<SeedState> = {}, subscriptions: SeedSubscription[] = []) => {
    const seed = baseSeed(extra);
    seed.blueking!.subscriptions!.push(...subscriptions);
    emulator = await startEmulator({ seed });
  };
  afterEach(() => emulator.close());

  const call = async (operation: Parameters<typeof gateway>[1], params: Record<string, unknown>) =>
    (await gateway(emulator, operation, params)).json<Envelope>();
  const items = (params: Record<string, unknown>) =>
    nodemanData<TaskResultItem[]>(emulator, "task_result", params);
  const byId = (list: TaskResultItem[]) => Object.fromEntries(list.map((i) => [i.instance_id, i.status]));

  describe("revoke (BN handler.py revoke, get_running_instance_records)", () => {
    beforeEach(() => start({}, [twoTasks]));

    it("success: data null and an empty message (BN generic.py ApiMixin.finalize_response)", async () => {
      expect(await call("revoke", { subscription_id: 42 })).to.deep.equal({
        result: true,
        code: 0,
        message: "",
        data: null,
      });
    });

    it("without a list: the latest PENDING/RUNNING records read FAILED, the others are untouched", async () => {
      await call("revoke", { subscription_id: 42 });
      expect(await instanceStatuses(emulator)).to.deep.equal({
        [HOST_1]: "FAILED",
        [HOST_2]: "FAILED",
        [HOST_IP]: "FAILED",
        [HOST_4]: "SUCCESS",
      });
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    });

    it("with a list: the named latest records are marked FAILED whatever their status, while a finished host's steps stay SUCCESS, so task_result still shows SUCCESS", async () => {
      const envelope = await call("revoke", {
        subscription_id: 42,
        instance_id_list: [HOST_4, HOST_1, "host|instance|host|999"],
      });
      expect(envelope.result).to.equal(true);
      expect(await instanceStatuses(emulator)).to.deep.equal({
        [HOST_1]: "FAILED",
        [HOST_2]: "RUNNING",
        [HOST_IP]: "PENDING",
        [HOST_4]: "SUCCESS",
      });
      const records = Object.fromEntries(
        emulator.state().nodeman.subscriptions[0].instances.map((i) => [i.instanceId, i.status]),
      );
      expect(records).to.include({ [HOST_1]: "FAILED", [HOST_4]: "FAILED" });
    });

    it("an empty list is no list (`if not instance_id_list`), and subscription_id may be digits (DRF IntegerField)", async () => {
      expect((await call("revoke", { subscription_id: "42", instance_id_list: [] })).result).to.equal(true);
      expect(await instanceStatuses(emulator)).to.deep.equal({
        [HOST_1]: "FAILED",
        [HOST_2]: "FAILED",
        [HOST_IP]: "FAILED",
        [HOST_4]: "SUCCESS",
      });
    });

    it("a repeated revoke with a list succeeds again (no status filter), changing nothing", async () => {
      await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1] });
      expect((await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1] })).result).to.equal(
        true,
      );
      expect(emulator.requests({ route: "nodeman.revoke" }).map((r) => r.effective)).to.deep.equal([
        true,
        false,
      ]);
    });

    it("records before the task: 3800016 when nothing matches, an unknown subscription or one without a task included", async () => {
      await call("revoke", { subscription_id: 42 });
      for (const params of [
        { subscription_id: 42 },
        { subscription_id: 42, instance_id_list: ["host|instance|host|999"] },
        // RevokeSubscriptionSerializer's ListField has no child type: numbers pass and match nothing.
        { subscription_id: 42, instance_id_list: [1] },
        { subscription_id: 43 },
        { subscription_id: 44 },
        { subscription_id: 999 },
      ]) {
        const envelope = await call("revoke", params);
        expect(envelope, JSON.stringify(params)).to.include({ result: false, code: 3800016, data: null });
        expect(envelope.message).to.match(/（3800016）$/);
      }
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    });

    it("acts on the latest record of each instance across tasks (is_latest), not only the newest task's", async () => {
      await call("revoke", { subscription_id: 70 });
      const latest = await nodemanData<TaskResultItem[]>(emulator, "task_result", {
        subscription_id: 70,
        need_aggregate_all_tasks: true,
      });
      expect(Object.fromEntries(latest.map((i) => [i.instance_id, [i.task_id, i.status]]))).to.deep.equal({
        [HOST_1]: [7001, "FAILED"],
        [HOST_2]: [7001, "SUCCESS"],
        "host|instance|host|3": [7002, "FAILED"],
        "host|instance|host|5": [7002, "FAILED"],
      });
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['subscription_id "abc"', { subscription_id: "abc" }, "subscription_id"],
      ["no subscription_id", {}, "subscription_id"],
      ["subscription_id 4.2", { subscription_id: 4.2 }, "subscription_id"],
      ["instance_id_list not a list", { subscription_id: 42, instance_id_list: HOST_1 }, "instance_id_list"],
    ];
    for (const [what, params, field] of invalid) {
      it(`3800001 naming the field for ${what}`, async () => {
        const envelope = await call("revoke", params);
        expect(envelope).to.include({ result: false, code: 3800001, errors: null });
        expect(envelope.message).to.match(new RegExp(`^${field}: .*（3800001）$`));
        expect(Object.values(await instanceStatuses(emulator))).to.include("RUNNING");
      });
    }

    it("works the same through the ESB", async () => {
      const envelope = (
        await esb(emulator, "revoke", { subscription_id: 42, instance_id_list: [HOST_2] })
      ).json<Envelope>();
      expect(envelope.result).to.equal(true);
      expect((await instanceStatuses(emulator))[HOST_2]).to.equal("FAILED");
    });
  });

  it("revoke of a subscription whose newest task has no pipeline force-fails it and leaves the records as they are (H4)", async () => {
    await start({}, [
      {
        subscriptionId: 71,
        taskId: 7100,
        pipelineId: "",
        instances: [{ instanceId: HOST_1, status: "RUNNING" }],
      },
    ]);
    expect((await call("revoke", { subscription_id: 71 })).result).to.equal(true);
    const [item] = await items({ subscription_id: 71 });
    expect(item).to.include({ status: "RUNNING", pipeline_id: "" });
    expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
  });

  it("an item's status is computed from its steps (BN task_tools.py get_subscription_task_instance_status, collect_status)", async () => {
    // [record status, step statuses, what task_result shows]
    const cases: [string, string[], string][] = [
      ["RUNNING", ["SUCCESS", "RUNNING", "PENDING"], "RUNNING"],
      ["RUNNING", ["SUCCESS", "SUCCESS"], "SUCCESS"],
      ["FAILED", ["SUCCESS", "SUCCESS"], "SUCCESS"],
      ["FAILED", ["SUCCESS", "RUNNING"], "RUNNING"],
      ["RUNNING", ["FAILED", "RUNNING"], "FAILED"],
      ["FAILED", ["PENDING", "PENDING"], "FAILED"],
      ["PENDING", ["PENDING"], "PENDING"],
      ["RUNNING", ["PENDING", "PENDING"], "RUNNING"],
      ["TERMINATED", ["SUCCESS", "PENDING"], "TERMINATED"],
      ["SUCCESS", [], "SUCCESS"],
    ];
    const id = (i: number) => `host|instance|host|${i + 1}`;
    await start({}, [
      {
        subscriptionId: 72,
        instances: cases.map(([record, steps], i) => ({
          instanceId: id(i),
          status: record as "RUNNING",
          steps: steps.map((status, j) => ({ id: `s${j}`, status: status as "RUNNING" })),
        })),
      },
    ]);
    const shown = byId(await items({ subscription_id: 72 }));
    expect(cases.map(([record, steps], i) => [record, steps, shown[id(i)]])).to.deep.equal(cases);
  });

  it("a seed cannot give a step a status steps never read (only PENDING, RUNNING, SUCCESS, FAILED)", async () => {
    const seed = baseSeed();
    seed.blueking!.subscriptions![0].instances![0].steps = [{ id: "s", status: "TERMINATED" as never }];
    const error = await startEmulator({ seed }).then(
      () => new Error("the seed was accepted"),
      (refused: Error) => refused,
    );
    expect(error.message).to.match(/steps\[0\]\.status must be one of PENDING, RUNNING, SUCCESS, FAILED$/);
    await start();
  });

  it("a revoked step winds down: the item reads RUNNING for nodemanStepDelayMs, then FAILED; a revoked finished host reads SUCCESS throughout", async () => {
    await start({ nodemanStepDelayMs: 250 });
    await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1, HOST_4] });
    const shown = async () =>
      Object.fromEntries(
        (await items({ subscription_id: 42 })).map((item) => [
          item.instance_id,
          [item.status, item.steps[0].status],
        ]),
      );
    const during = await shown();
    expect(during[HOST_1]).to.deep.equal(["RUNNING", "RUNNING"]);
    expect(during[HOST_4]).to.deep.equal(["SUCCESS", "SUCCESS"]);
    await delay(300);
    const after = await shown();
    expect(after[HOST_1]).to.deep.equal(["FAILED", "FAILED"]);
    expect(after[HOST_4]).to.deep.equal(["SUCCESS", "SUCCESS"]);
    expect(after[HOST_2]).to.deep.equal(["RUNNING", "RUNNING"]);
  });

  it("a revoke stops only the RUNNING step: steps that had not started stay PENDING, finished ones keep their result", async () => {
    await start({}, [
      {
        subscriptionId: 73,
        instances: [
          {
            instanceId: HOST_1,
            status: "RUNNING",
            steps: [
              { id: "a", status: "SUCCESS" },
              { id: "b", status: "RUNNING" },
              { id: "c", status: "PENDING" },
            ],
          },
          {
            instanceId: HOST_2,
            status: "FAILED",
            steps: [
              { id: "a", status: "FAILED" },
              { id: "b", status: "PENDING" },
            ],
          },
        ],
      },
    ]);
    await call("revoke", { subscription_id: 73 });
    const list = await items({ subscription_id: 73 });
    expect(
      Object.fromEntries(
        list.map((item) => [item.instance_id, [item.status, item.steps.map((s) => s.status)]]),
      ),
    ).to.deep.equal({
      [HOST_1]: ["FAILED", ["SUCCESS", "FAILED", "PENDING"]],
      [HOST_2]: ["FAILED", ["FAILED", "PENDING"]],
    });
  });

  describe("task_result (BN handler.py task_result)", () => {
    beforeEach(() => start({}, [twoTasks]));

    it("a bare list with pagesize -1 (the default), items in the documented shape, newest record first", async () => {
      const list = await items({ subscription_id: 42 });
      expect(list.map((i) => i.instance_id)).to.deep.equal([HOST_4, HOST_IP, HOST_2, HOST_1]);
      const item = list.find((candidate) => candidate.instance_id === HOST_IP)!;
      expect(item).to.include.all.keys(
        "instance_id",
        "status",
        "start_time",
        "finish_time",
        "create_time",
        "task_id",
        "record_id",
        "pipeline_id",
        "instance_info",
        "steps",
      );
      expect(item).to.include({ task_id: 4200, pipeline_id: "pipeline-4200", finish_time: null });
      expect(item.instance_info).to.deep.equal({
        host: { bk_host_innerip: "127.0.0.1", bk_cloud_id: 0, bk_supplier_id: "0" },
      });
      expect(item.start_time).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(item.steps[0]).to.include.all.keys(
        "id",
        "type",
        "status",
        "node_name",
        "pipeline_id",
        "target_hosts",
      );
      expect(item.steps[0].status).to.equal("PENDING");
      expect(item.steps[0].target_hosts[0].sub_steps[0]).to.include({ status: "PENDING", log: "" });
    });

    it("pages by ascending record id, each page newest first; total counts the filtered set, status_counter every latest record", async () => {
      const first = await nodemanData<Page>(emulator, "task_result", {
        subscription_id: 42,
        page: 1,
        pagesize: 3,
      });
      expect(first.list.map((i) => i.instance_id)).to.deep.equal([HOST_IP, HOST_2, HOST_1]);
      const second = await nodemanData<Page>(emulator, "task_result", {
        subscription_id: 42,
        page: 2,
        pagesize: 3,
      });
      expect(second.total).to.equal(4);
      expect(second.list.map((i) => i.instance_id)).to.deep.equal([HOST_4]);
      const running = await nodemanData<Page>(emulator, "task_result", {
        subscription_id: 42,
        statuses: ["RUNNING"],
        instance_id_list: [HOST_2, HOST_4],
        pagesize: 10,
      });
      expect(running.list.map((i) => i.instance_id)).to.deep.equal([HOST_2]);
      expect(running.total).to.equal(1);
      expect(running.status_counter).to.deep.equal({ total: 4, RUNNING: 2, PENDING: 1, SUCCESS: 1 });
    });

    it("an empty instance_id_list or statuses matches nothing (`is not None`)", async () => {
      expect(await items({ subscription_id: 42, instance_id_list: [] })).to.deep.equal([]);
      expect(await items({ subscription_id: 42, statuses: [] })).to.deep.equal([]);
      const page = await nodemanData<Page>(emulator, "task_result", {
        subscription_id: 42,
        instance_id_list: [],
        pagesize: 10,
      });
      expect(page).to.deep.include({ total: 0, list: [] });
    });

    it("need_detail puts the log in the sub-steps", async () => {
      await call("revoke", { subscription_id: 42 });
      const [item] = await items({ subscription_id: 42, need_detail: true, instance_id_list: [HOST_1] });
      expect(item.steps[0].target_hosts[0].sub_steps[0].log).to.equal("the task was revoked");
      expect(item.steps[0]).not.to.have.property("log");
    });

    it("without task_id_list: only the newest task, by creation", async () => {
      expect(byId(await items({ subscription_id: 70 }))).to.deep.equal({
        "host|instance|host|3": "RUNNING",
        "host|instance|host|5": "PENDING",
      });
    });

    it("task_id_list: the latest record of each instance among those tasks; an id not the subscription's answers 3800003", async () => {
      const list = await items({ subscription_id: 70, task_id_list: [7001] });
      expect(byId(list)).to.deep.equal({
        [HOST_1]: "RUNNING",
        [HOST_2]: "SUCCESS",
        "host|instance|host|3": "FAILED",
      });
      const both = await items({ subscription_id: 70, task_id_list: [7001, 7002] });
      expect(Object.fromEntries(both.map((i) => [i.instance_id, i.task_id]))).to.deep.equal({
        [HOST_1]: 7001,
        [HOST_2]: 7001,
        "host|instance|host|3": 7002,
        "host|instance|host|5": 7002,
      });
      expect(await call("task_result", { subscription_id: 70, task_id_list: [7001, 4200] })).to.include({
        result: false,
        code: 3800003,
      });
    });

    it("need_aggregate_all_tasks: the latest record of each instance across every task, without the readiness check", async () => {
      await emulator.close();
      await start({}, [{ ...twoTasks, tasks: twoTasks.tasks!.map((t) => ({ ...t, taskNotReadyFor: 5 })) }]);
      expect(await call("task_result", { subscription_id: 70 })).to.include({ code: 3800015 });
      const list = await items({ subscription_id: 70, need_aggregate_all_tasks: true });
      expect(Object.fromEntries(list.map((i) => [i.instance_id, i.task_id]))).to.deep.equal({
        [HOST_1]: 7001,
        [HOST_2]: 7001,
        "host|instance|host|3": 7002,
        "host|instance|host|5": 7002,
      });
    });

    it("3800001 for a bad pagesize or need_detail, 3800003 for a subscription without a task or unknown", async () => {
      expect(await call("task_result", { subscription_id: 42, pagesize: 0 })).to.include({ code: 3800001 });
      expect(await call("task_result", { subscription_id: 42, need_detail: "yes" })).to.include({
        code: 3800001,
      });
      for (const subscription_id of [44, 999]) {
        const envelope = await call("task_result", { subscription_id });
        expect(envelope).to.include({ result: false, code: 3800003 });
        expect(envelope.message)
          .to.include(String(subscription_id))
          .and.match(/（3800003）$/);
      }
    });
  });

  it("nodemanPageLimit: even pagesize -1 is answered one page at a time, {total, list}", async () => {
    await start({ nodemanPageLimit: 3 });
    const first = await nodemanData<Page>(emulator, "task_result", { subscription_id: 42 });
    expect(first.total).to.equal(4);
    expect(first.list.map((item) => item.instance_id)).to.deep.equal([HOST_IP, HOST_2, HOST_1]);
    const second = await nodemanData<Page>(emulator, "task_result", {
      subscription_id: 42,
      page: 2,
      pagesize: 10,
    });
    expect(second.list.map((item) => item.instance_id)).to.deep.equal([HOST_4]);
  });

  it("not ready: 3800015 (task_result) and false (check_task_ready) for the next taskNotReadyFor calls", async () => {
    const seed = baseSeed();
    seed.blueking?.subscriptions?.forEach((subscription) => (subscription.taskNotReadyFor = 2));
    emulator = await startEmulator({ seed });
    const notReady = await call("task_result", { subscription_id: 42 });
    expect(notReady).to.include({ result: false, code: 3800015 });
    expect(notReady.message).to.match(/（3800015）$/);
    expect((await call("check_task_ready", { subscription_id: 42 })).data).to.equal(false);
    expect((await call("check_task_ready", { subscription_id: 42 })).data).to.equal(true);
    expect((await call("task_result", { subscription_id: 42 })).result).to.equal(true);
  });

  it("a task whose creation failed: 3800014 from task_result and check_task_ready (BN CreateSubscriptionTaskError)", async () => {
    await start({}, [
      {
        subscriptionId: 74,
        createError: "no host in scope",
        instances: [{ instanceId: HOST_1, status: "PENDING" }],
      },
    ]);
    for (const operation of ["task_result", "check_task_ready"] as const) {
      const envelope = await call(operation, { subscription_id: 74 });
      expect(envelope, operation).to.include({ result: false, code: 3800014 });
      expect(envelope.message)
        .to.include("no host in scope")
        .and.match(/（3800014）$/);
    }
  });

  describe("instance_status (BN handler.py instance_status)", () => {
    beforeEach(() => start({}, [twoTasks]));
    const entries = async (ids: number[]) =>
      nodemanData<InstanceStatusEntry[]>(emulator, "instance_status", { subscription_id_list: ids });

    it("running_task once per task (keyed by task id), the computed status, last_task; unknown subscriptions left out", async () => {
      const data = await entries([42, 70, 999]);
      expect(data.map((entry) => entry.subscription_id)).to.deep.equal([42, 70]);
      const running = (entry: InstanceStatusEntry) =>
        Object.fromEntries(entry.instances.map((i) => [i.instance_id, i.running_task]));
      // 42: three instances run in task 4200; the last record of the task carries running_task.
      expect(running(data[0])).to.deep.equal({
        [HOST_1]: null,
        [HOST_2]: null,
        [HOST_IP]: { id: 4200, is_auto_trigger: false },
        [HOST_4]: null,
      });
      expect(running(data[1])).to.deep.equal({
        [HOST_1]: { id: 7001, is_auto_trigger: false },
        [HOST_2]: null,
        "host|instance|host|3": null,
        "host|instance|host|5": { id: 7002, is_auto_trigger: true },
      });
      expect(data[1].instances.map((i) => [i.last_task.id, i.status])).to.deep.equal([
        [7001, "RUNNING"],
        [7001, "SUCCESS"],
        [7002, "RUNNING"],
        [7002, "PENDING"],
      ]);
      await call("revoke", { subscription_id: 42 });
      expect(Object.values(running((await entries([42]))[0]))).to.deep.equal([null, null, null, null]);
    });

    it("requires subscription_id_list", async () => {
      expect(await call("instance_status", {})).to.include({ code: 3800001 });
      expect(await call("instance_status", { subscription_id_list: "42" })).to.include({ code: 3800001 });
    });
  });

  describe("check_task_ready (BN handler.py check_task_ready)", () => {
    beforeEach(() => start({}, [twoTasks]));

    it("a boolean; 3800003 for a subscription without a task; task_id_list picks the tasks", async () => {
      expect(await call("check_task_ready", { subscription_id: 42 })).to.deep.equal({
        result: true,
        code: 0,
        message: "",
        data: true,
      });
      expect(await call("check_task_ready", { subscription_id: 44 })).to.include({ code: 3800003 });
      expect((await call("check_task_ready", { subscription_id: 70, task_id_list: [7001] })).data).to.equal(
        true,
      );
      expect(await call("check_task_ready", { subscription_id: 70, task_id_list: [1] })).to.include({
        code: 3800003,
      });
    });
  });
});
