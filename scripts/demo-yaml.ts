/**
 * `npm run demo:yaml`: the YAML door. Runs examples/yaml-mrs (a Pulumi YAML program, through the
 * provider plugin) against the emulator with the demo seed, as README's "From Pulumi YAML" does by
 * hand: `pulumi preview` (the line under the resource, no kill), `pulumi up`, then cleans up.
 */
import * as path from "node:path";
import { startEmulator } from "../emulator";
import { buildPackage, loadDemoSeed, runDemo } from "./lib/demo";
import { obtainPulumiCli, PulumiStack, repoRoot } from "./lib/pulumi";

async function main(): Promise<void> {
  console.log("\n=== building the package (the example runs the plugin from dist/)");
  await buildPackage();
  const binDir = await obtainPulumiCli({ onProgress: (line) => console.log(`  ${line}`) });
  const emulator = await startEmulator({ seed: loadDemoSeed() });
  const stack = await PulumiStack.create(path.join(repoRoot, "examples", "yaml-mrs"), binDir, "demo");
  try {
    // The demo seed's credentials and running job (README, "The emulator").
    await stack.setConfig({
      "huaweicloud:accessKey": "DEMOACCESSKEY0000001",
      "huaweicloud:projectId": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
      "huaweicloud:region": "cn-north-4",
      "huaweicloud:mrsEndpoint": emulator.url,
      "yaml-mrs:clusterId": "demo-cluster-0001",
      "yaml-mrs:jobExecutionId": "job-nightly-etl-0001",
    });
    await stack.setConfig({ "huaweicloud:secretKey": "demo-secret-key" }, { secret: true });
    console.log("\n=== pulumi preview (examples/yaml-mrs; reads only: no kill)");
    await stack.pulumi(["preview"], { echo: true });
    console.log(
      `  kills the emulator received during preview: ${emulator.requests({ route: "mrs.kill" }).length}`,
    );
    console.log("\n=== pulumi up");
    await stack.pulumi(["up", "--yes", "--skip-preview"], { echo: true });
    console.log("\n=== cleaning up (pulumi destroy sends nothing: a kill cannot be undone)");
    await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
  } finally {
    stack.dispose();
    await emulator.close();
  }
}

runDemo(main);
