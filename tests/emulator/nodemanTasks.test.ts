import { expect } from "chai";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
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
    running_task: { id: number } | null;
    last_task: { id: number };
  }[];
}

describe("emulator: NodeMan subscription tasks", () => {
  let emulator: Emulator;
  const start = async (extra: Partial<SeedState> = {}) => {
    emulator = await startEmulator({ seed: baseSeed(extra) });
  };
  afterEach(() => emulator.close());

  const call = async (operation: Parameters<typeof gateway>[1], params: Record<string, unknown>) =>
    (await gateway(emulator, operation, params)).json<Envelope>();

  describe("revoke", () => {
    beforeEach(() => start());

    it("without a list, fails every PENDING/RUNNING instance at once and leaves the others", async () => {
      expect(await call("revoke", { subscription_id: 42 })).to.deep.equal({
        result: true,
        code: 0,
        message: "success",
        data: null,
      });
      expect(await instanceStatuses(emulator)).to.deep.equal({
        [HOST_1]: "FAILED",
        [HOST_2]: "FAILED",
        [HOST_IP]: "FAILED",
        [HOST_4]: "SUCCESS",
      });
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    });

    it("with a list, fails the listed instances whatever their status, ignoring unknown ids", async () => {
      const envelope = await call("revoke", {
        subscription_id: 42,
        instance_id_list: [HOST_4, HOST_1, "host|instance|host|999"],
      });
      expect(envelope.result).to.equal(true);
      expect(await instanceStatuses(emulator)).to.deep.equal({
        [HOST_1]: "FAILED",
        [HOST_2]: "RUNNING",
        [HOST_IP]: "PENDING",
        [HOST_4]: "FAILED",
      });
    });

    it("treats an empty list as no list, and accepts a subscription_id of digits (as DRF does)", async () => {
      expect((await call("revoke", { subscription_id: "42", instance_id_list: [] })).result).to.equal(true);
      expect(Object.values(await instanceStatuses(emulator))).to.deep.equal([
        "FAILED",
        "FAILED",
        "FAILED",
        "SUCCESS",
      ]);
    });

    it("answers 3800016 when nothing matches: no running instance, or no listed id", async () => {
      await call("revoke", { subscription_id: 42 });
      for (const params of [
        { subscription_id: 42 },
        { subscription_id: 42, instance_id_list: ["host|instance|host|999"] },
        { subscription_id: 43 },
      ]) {
        const envelope = await call("revoke", params);
        expect(envelope).to.include({ result: false, code: 3800016, data: null });
        expect(envelope.message).to.match(/（3800016）$/);
      }
      expect(emulator.effectiveCount("nodeman.revoke")).to.equal(1);
    });

    it("re-failing an already FAILED instance succeeds but is not effective", async () => {
      await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1] });
      expect((await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1] })).result).to.equal(
        true,
      );
      expect(emulator.requests({ route: "nodeman.revoke" }).map((r) => r.effective)).to.deep.equal([
        true,
        false,
      ]);
    });

    it("answers 3800003 for a subscription without a task and for an unknown one", async () => {
      for (const subscription_id of [44, 999]) {
        const envelope = await call("revoke", { subscription_id });
        expect(envelope).to.include({ result: false, code: 3800003 });
        expect(envelope.message)
          .to.include(String(subscription_id))
          .and.match(/（3800003）$/);
      }
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ['subscription_id "abc"', { subscription_id: "abc" }, "subscription_id"],
      ["no subscription_id", {}, "subscription_id"],
      ["subscription_id 4.2", { subscription_id: 4.2 }, "subscription_id"],
      ["instance_id_list not a list", { subscription_id: 42, instance_id_list: HOST_1 }, "instance_id_list"],
      ["instance_id_list of numbers", { subscription_id: 42, instance_id_list: [1] }, "instance_id_list"],
    ];
    for (const [what, params, field] of invalid) {
      it(`answers 3800001 naming the field for ${what}`, async () => {
        const envelope = await call("revoke", params);
        expect(envelope).to.include({ result: false, code: 3800001 });
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

  it("keeps a revoked instance's running step reading RUNNING for nodemanStepDelayMs, then FAILED", async () => {
    await start({ nodemanStepDelayMs: 250 });
    await call("revoke", { subscription_id: 42, instance_id_list: [HOST_1, HOST_4] });
    const stepsOf = async () => {
      const items = await nodemanData<TaskResultItem[]>(emulator, "task_result", { subscription_id: 42 });
      return Object.fromEntries(items.map((item) => [item.instance_id, [item.status, item.steps[0].status]]));
    };
    const during = await stepsOf();
    expect(during[HOST_1]).to.deep.equal(["FAILED", "RUNNING"]);
    expect(during[HOST_4]).to.deep.equal(["FAILED", "SUCCESS"]);
    await delay(300);
    const after = await stepsOf();
    expect(after[HOST_1]).to.deep.equal(["FAILED", "FAILED"]);
    expect(after[HOST_2]).to.deep.equal(["RUNNING", "RUNNING"]);
  });

  describe("task_result", () => {
    beforeEach(() => start());

    it("answers a bare list with pagesize -1 (the default), items in the documented shape", async () => {
      const items = await nodemanData<TaskResultItem[]>(emulator, "task_result", { subscription_id: 42 });
      expect(items).to.be.an("array").with.length(4);
      const item = items.find((candidate) => candidate.instance_id === HOST_IP)!;
      expect(item).to.include.all.keys(
        "instance_id",
        "status",
        "start_time",
        "finish_time",
        "create_time",
        "task_id",
        "record_id",
        "instance_info",
        "steps",
      );
      expect(item.instance_info).to.deep.equal({
        host: { bk_host_innerip: "127.0.0.1", bk_cloud_id: 0, bk_supplier_id: "0" },
      });
      expect(item.finish_time).to.equal(null);
      expect(item.start_time).to.match(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      expect(item.steps[0]).to.include.all.keys("id", "type", "status", "node_name");
      expect(item.steps[0].status).to.equal("PENDING");
    });

    it("pages with {total, list, status_counter} and filters by statuses and instance ids", async () => {
      const page = await nodemanData<{
        total: number;
        list: TaskResultItem[];
        status_counter: Record<string, number>;
      }>(emulator, "task_result", { subscription_id: 42, page: 2, pagesize: 3 });
      expect(page.total).to.equal(4);
      expect(page.list.map((item) => item.instance_id)).to.deep.equal([HOST_4]);
      expect(page.status_counter).to.deep.equal({ total: 4, RUNNING: 2, PENDING: 1, SUCCESS: 1 });
      const running = await nodemanData<TaskResultItem[]>(emulator, "task_result", {
        subscription_id: 42,
        statuses: ["RUNNING"],
        instance_id_list: [HOST_2, HOST_4],
      });
      expect(running.map((item) => item.instance_id)).to.deep.equal([HOST_2]);
      const detailed = await nodemanData<TaskResultItem[]>(emulator, "task_result", {
        subscription_id: 42,
        need_detail: true,
      });
      expect(detailed[0].steps[0]).to.have.property("log");
    });

    it("with nodemanPageLimit, answers even pagesize -1 one page at a time, {total, list}", async () => {
      await emulator.close();
      await start({ nodemanPageLimit: 3 });
      const first = await nodemanData<{ total: number; list: TaskResultItem[] }>(emulator, "task_result", {
        subscription_id: 42,
      });
      expect(first.total).to.equal(4);
      expect(first.list.map((item) => item.instance_id)).to.deep.equal([HOST_1, HOST_2, HOST_IP]);
      const second = await nodemanData<{ total: number; list: TaskResultItem[] }>(emulator, "task_result", {
        subscription_id: 42,
        page: 2,
        pagesize: 10,
      });
      expect(second.list.map((item) => item.instance_id)).to.deep.equal([HOST_4]);
    });

    it("serves seeded step statuses as they are; a revoke stops only the RUNNING step", async () => {
      await emulator.close();
      const seed = baseSeed({ nodemanStepDelayMs: 0 });
      seed.blueking!.subscriptions![0].instances = [
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
      ];
      emulator = await startEmulator({ seed });
      await call("revoke", { subscription_id: 42 });
      const items = await nodemanData<TaskResultItem[]>(emulator, "task_result", { subscription_id: 42 });
      expect(items.map((item) => [item.status, item.steps.map((step) => step.status)])).to.deep.equal([
        ["FAILED", ["SUCCESS", "FAILED", "PENDING"]],
        ["FAILED", ["FAILED", "PENDING"]],
      ]);
    });

    it("answers 3800001 for a bad pagesize and 3800003 for a subscription without a task", async () => {
      expect(await call("task_result", { subscription_id: 42, pagesize: 0 })).to.include({ code: 3800001 });
      expect(await call("task_result", { subscription_id: 42, need_detail: "yes" })).to.include({
        code: 3800001,
      });
      expect(await call("task_result", { subscription_id: 44 })).to.include({ code: 3800003 });
    });
  });

  it("answers 3800015 (task_result) and false (check_task_ready) for the next taskNotReadyFor calls", async () => {
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

  describe("instance_status and check_task_ready", () => {
    beforeEach(() => start());

    it("shows running_task only while PENDING/RUNNING, and never after a revoke", async () => {
      const statusOf = async () => {
        const data = await nodemanData<InstanceStatusEntry[]>(emulator, "instance_status", {
          subscription_id_list: [42, 999],
        });
        expect(data.map((entry) => entry.subscription_id)).to.deep.equal([42]);
        return Object.fromEntries(
          data[0].instances.map((i) => [i.instance_id, i.running_task === null ? null : i.status]),
        );
      };
      expect(await statusOf()).to.deep.equal({
        [HOST_1]: "RUNNING",
        [HOST_2]: "RUNNING",
        [HOST_IP]: "PENDING",
        [HOST_4]: null,
      });
      await call("revoke", { subscription_id: 42 });
      expect(await statusOf()).to.deep.equal({
        [HOST_1]: null,
        [HOST_2]: null,
        [HOST_IP]: null,
        [HOST_4]: null,
      });
    });

    it("requires subscription_id_list, and answers check_task_ready with a boolean", async () => {
      expect(await call("instance_status", {})).to.include({ code: 3800001 });
      expect(await call("instance_status", { subscription_id_list: "42" })).to.include({ code: 3800001 });
      expect(await call("check_task_ready", { subscription_id: 42 })).to.deep.equal({
        result: true,
        code: 0,
        message: "success",
        data: true,
      });
      expect(await call("check_task_ready", { subscription_id: 44 })).to.include({ code: 3800003 });
    });
  });
});
