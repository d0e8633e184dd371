/**
 * What a provider records is what its output table declares: a key recorded but not declared would
 * be missing from the generated types, the resource class and schema.json (and so every SDK).
 */
import { expect } from "chai";
import type { Emulator } from "../../emulator";
import { recordedOutputs, type OutputTable } from "../../provider/core/outputs";
import { mrsTarget } from "../../provider/targets/mrs/target";
import { nodemanTarget } from "../../provider/targets/nodeman/target";
import type { FieldTable } from "../../provider/validation/fields";
import {
  baseSeed,
  bluekingConfig,
  clusterId,
  emulatorPerTest,
  huaweiConfig,
  testProvider,
} from "../helpers/fixtures";

/** Every key of `values` (and of each item of a declared object list) that neither table declares. */
function undeclared(values: object, outputs: OutputTable, fields: FieldTable = {}, at = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const spec = outputs[key];
    if (!spec) return key in fields ? [] : [`${at}${key}`];
    if (spec.type !== "objectList" || !Array.isArray(value)) return [];
    return value.flatMap((item: object, i) =>
      undeclared(item, spec.item.properties, {}, `${at}${key}[${i}].`),
    );
  });
}

describe("every output a provider records is declared in its output table", () => {
  let emulator: Emulator;
  emulatorPerTest({ set: (started) => (emulator = started), get: () => emulator });

  const mrs = recordedOutputs(mrsTarget);
  const nodeman = recordedOutputs(nodemanTarget);

  it("finds a key the table does not declare, at the top and in a list item", () => {
    const record = { outcome: "terminated", clusterId, bogus: 1, jobs: [{ jobExecutionId: "j", odd: true }] };
    expect(undeclared(record, mrs, mrsTarget.fields)).to.deep.equal(["bogus", "jobs[0].odd"]);
  });

  it("MrsJobTermination: one job, a batch and a selector, then refreshes that find them gone", async () => {
    const { provider } = await testProvider(mrsTarget, huaweiConfig(emulator.url));
    const one = await provider.create({ clusterId, jobExecutionId: "job-running" });
    const batch = await provider.create({ clusterId, jobExecutionIds: ["job-accepted", "job-finished"] });
    const selector = await provider.create({ clusterId, jobSelector: { jobName: "nightly-etl" } });
    const recorded = [one.outs, batch.outs, selector.outs];
    expect(one.outs).to.include.keys("jobName", "jobs", "killedJobExecutionIds", "failedJobExecutionIds");

    // The job deleted: the single record says targetGone, the batch marks that job gone.
    const seed = baseSeed();
    const jobs = Object.values(seed.huawei!.projects!)[0].clusters[clusterId].jobs;
    Object.values(seed.huawei!.projects!)[0].clusters[clusterId].jobs = jobs.filter(
      (j) => j.job_id !== "job-accepted" && j.job_id !== "job-running",
    );
    emulator.seed(seed);
    const gone = await provider.read(one.id, one.outs);
    const batchGone = await provider.read(batch.id, batch.outs);
    expect(gone.props.targetGone).to.equal(true);
    expect(batchGone.props.jobs.some((j: { gone?: true }) => j.gone)).to.equal(true);
    recorded.push(gone.props, batchGone.props);

    for (const outs of recorded) expect(undeclared(outs, mrs, mrsTarget.fields)).to.deep.equal([]);
  });

  it("NodemanTaskTermination: a revoke, then a refresh that finds the subscription gone", async () => {
    const { provider } = await testProvider(nodemanTarget, bluekingConfig(emulator.url, "apigw"));
    const { id, outs } = await provider.create({ subscriptionId: 42 });
    expect(outs).to.include.keys("resolvedRoute", "instances");
    const seed = baseSeed();
    seed.blueking!.subscriptions = seed.blueking!.subscriptions!.filter((s) => s.subscriptionId !== 42);
    emulator.seed(seed);
    const { props } = await provider.read(id, outs);
    expect(props.targetGone).to.equal(true);
    for (const values of [outs, props])
      expect(undeclared(values, nodeman, nodemanTarget.fields)).to.deep.equal([]);
  });
});
