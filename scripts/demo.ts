/**
 * `npm run demo`: starts the emulator with a running MRS job and a NodeMan subscription with
 * running instances, runs `pulumi preview` then `pulumi up` on the root Pulumi.yaml program,
 * shows the targets before and after, and cleans up (destroy, scratch state, emulator).
 */
import { startEmulator, type Emulator } from "../emulator";
import { repoRoot, whichOnPath } from "../testing/process";
import { providerStackConfig } from "../testing/seed";
import { buildPackage, loadDemoSeed, runDemo } from "./lib/demo";
import { obtainPulumiCli, PulumiStack } from "./lib/pulumi";

function heading(text: string): void {
  console.log(`\n=== ${text}`);
}

function showTargets(emulator: Emulator): void {
  const { mrs, nodeman } = emulator.state();
  for (const [projectId, project] of Object.entries(mrs.projects)) {
    for (const [clusterId, cluster] of Object.entries(project.clusters)) {
      for (const job of cluster.jobs) {
        console.log(
          `  MRS ${projectId.slice(0, 8)}…/${clusterId} job ${job.job_id} (${job.job_name}): ${job.job_state}, result ${job.job_result}`,
        );
      }
    }
  }
  for (const subscription of nodeman.subscriptions) {
    const statuses = subscription.instances.map((i) => `${i.instanceId} ${i.status}`).join(", ");
    console.log(`  NodeMan subscription ${subscription.subscriptionId}: ${statuses}`);
  }
}

async function main(): Promise<void> {
  heading("building the package");
  await buildPackage();

  heading("obtaining the Pulumi CLI (a pulumi on PATH, the cache, or a one-time build from Go modules)");
  const binDir = await obtainPulumiCli({ onProgress: (line) => console.log(`  ${line}`) });

  const seed = loadDemoSeed();
  // A job that has been running for a while, so that the preview says for how long.
  for (const project of Object.values(seed.huawei?.projects ?? {})) {
    for (const cluster of Object.values(project.clusters)) {
      for (const job of cluster.jobs) {
        if (job.job_state === "RUNNING") job.started_time ??= Date.now() - (2 * 3600 + 13 * 60) * 1000;
      }
    }
  }
  const emulator = await startEmulator({ seed });
  console.log(`  emulator listening on ${emulator.url}`);
  const stack = await PulumiStack.create(repoRoot, binDir, "demo");
  try {
    // binDir may hold only the YAML host, the CLI then comes from PATH: say which one runs.
    console.log(`  using ${whichOnPath("pulumi", stack.env) ?? "pulumi from PATH"}`);
    const project = Object.keys(seed.huawei?.projects ?? {})[0];
    const cluster = Object.keys(seed.huawei?.projects?.[project].clusters ?? {})[0];
    const job = seed.huawei?.projects?.[project].clusters[cluster].jobs.find(
      (j) => j.job_state === "RUNNING",
    );
    if (!job) throw new Error("the demo seed lacks a running job");
    const config = providerStackConfig(seed, emulator.url);
    await stack.setConfig({
      "termination-demo:clusterId": cluster,
      "termination-demo:jobExecutionId": job.job_id,
      "termination-demo:subscriptionId": String(seed.blueking?.subscriptions?.[0].subscriptionId),
      ...config.plain,
    });
    await stack.setConfig(config.secret, { secret: true });

    heading("before");
    showTargets(emulator);
    heading("pulumi preview (reads only: no kill, no revoke)");
    await stack.pulumi(["preview"], { echo: true });
    const sentByPreview =
      emulator.requests({ route: "mrs.kill" }).length + emulator.requests({ route: "nodeman.revoke" }).length;
    console.log(`  kill and revoke requests the emulator received during preview: ${sentByPreview}`);
    heading("pulumi up");
    await stack.pulumi(["up", "--yes", "--skip-preview"], { echo: true });
    heading("after");
    showTargets(emulator);
    heading("cleaning up (pulumi destroy sends nothing: a termination cannot be undone)");
    await stack.pulumi(["destroy", "--yes", "--skip-preview"], { echo: false });
    await stack.pulumi(["stack", "rm", "--yes", "demo"], { echo: false, allowFailure: true });
  } finally {
    stack.dispose();
    await emulator.close();
  }
}

runDemo(main);
