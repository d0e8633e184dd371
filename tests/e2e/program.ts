/**
 * The end-to-end tests' Pulumi program, a project installed the way a user has it: from the
 * tarball that `npm pack` makes. What it declares is driven by stack config, so one install
 * serves every case.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { Emulator, SeedState } from "../../emulator";
import { obtainPulumiCli, type PulumiStack } from "../../scripts/lib/pulumi";
import {
  installPackages,
  packAndInstall,
  packRepository,
  pulumiVersion,
  removeScratchDirs,
  scratchDir,
} from "../../testing/pack";
import { baseSeed, clusterId, providerStackConfig } from "../../testing/seed";

const indexTs = `
import * as pulumi from "@pulumi/pulumi";
import { MrsJobTermination, NodemanTaskTermination } from "pulumi-termination";

const config = new pulumi.Config("e2e");

// Stands in for any resource whose output is not known during the first preview.
class IdSource extends pulumi.dynamic.Resource {
  declare readonly value: pulumi.Output<string>;
  constructor(name: string, value: string) {
    super({ create: async (inputs: any) => ({ id: name, outs: { value: inputs.seed } }) }, name, { seed: value, value: undefined });
  }
}

const jobId: pulumi.Input<string> = config.getBoolean("jobIdFromOutput")
  ? new IdSource("job-id-source", config.require("jobExecutionId")).value
  : config.require("jobExecutionId");

const triggers = config.get("trigger") ? [config.get("trigger")] : undefined;
const waitTimeoutSeconds = config.getNumber("waitTimeoutSeconds") ?? 60;

// A batch instead of the one job, when the stack names one (a JSON list).
const jobIds = config.getObject<string[]>("jobExecutionIds");
const job = new MrsJobTermination(
  "kill-job",
  {
    clusterId: config.require("clusterId"),
    ...(jobIds ? { jobExecutionIds: jobIds } : { jobExecutionId: jobId }),
    waitTimeoutSeconds,
    triggers,
  },
  // The \`import\` resource option, through the dynamic door (tests/e2e/import.test.ts).
  { import: config.get("importId") },
);

const instanceIds = config.getObject<string[]>("instanceIds");
const tasks = config.getBoolean("skipNodeman")
  ? undefined
  : new NodemanTaskTermination("revoke-tasks", {
      subscriptionId: config.requireNumber("subscriptionId"),
      instanceIds,
      waitTimeoutSeconds,
      triggers,
    });

export const mrsOutcome = job.outcome;
export const mrsJobState = job.jobState;
export const mrsRequestId = job.requestId;
export const nodemanOutcome = tasks?.outcome;
export const nodemanInstances = tasks?.instances;
`;

/**
 * The directory of the Pulumi CLI (scripts/pulumi-cli.sh). Outside CI a missing CLI skips the
 * calling suite with a message; with CI=true it fails it.
 */
export async function pulumiCliOrSkip(context: Mocha.Context, variant?: "python"): Promise<string> {
  try {
    return await obtainPulumiCli({ variant });
  } catch (error) {
    if (process.env.CI === "true") throw error;
    console.log(
      `      skipped: ${(error as Error).message.split("\n")[0]}. Run scripts/pulumi-cli.sh, or put a pulumi CLI on PATH.`,
    );
    context.skip();
  }
}

/**
 * Points a stack of the program at an emulator at `url` seeded with `seed`: the providers' config
 * (secrets through standard input) and the program's targets, `job-running` and subscription 42
 * unless `program` says otherwise.
 */
export async function configureStack(
  stack: PulumiStack,
  url: string,
  seed: SeedState = baseSeed(),
  program: Record<string, string> = {},
): Promise<void> {
  const config = providerStackConfig(seed, url);
  await stack.setConfig({
    "e2e:clusterId": clusterId,
    "e2e:jobExecutionId": "job-running",
    "e2e:subscriptionId": "42",
    ...program,
    ...config.plain,
  });
  await stack.setConfig(config.secret, { secret: true });
}

/** Kill and revoke requests the emulator has received: what a preview, refresh or destroy must not send. */
export function terminatingRequests(emulator: Emulator): { kills: number; revokes: number } {
  return {
    kills: emulator.requests({ route: "mrs.kill" }).length,
    revokes: emulator.requests({ route: "nodeman.revoke" }).length,
  };
}

/** The lines the CLI prints under one resource's heading in "Diagnostics:". */
export function diagnosticsOf(output: string, heading: string): string[] {
  const section = output.split("\nDiagnostics:\n")[1] ?? "";
  const lines = section.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  if (start < 0) return [];
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (!/^ {4}/.test(line) && line.trim() !== "") break;
    body.push(line.trim());
  }
  return body.filter(Boolean);
}

/** A stack's `nodemanInstances` output as instance id → status, for asserting on some of them. */
export function instanceStatuses(outputs: Record<string, unknown>): Record<string, string> {
  const instances = outputs.nodemanInstances as { instanceId: string; status: string }[];
  return Object.fromEntries(instances.map((i) => [i.instanceId, i.status]));
}

export interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/** The package's resources in a `pulumi stack export`. */
export function terminationResources(exported: string): StateResource[] {
  const { deployment } = JSON.parse(exported) as { deployment: { resources?: StateResource[] } };
  return (deployment.resources ?? []).filter((r) => /Termination$/.test(r.type));
}

let shared: Promise<string> | undefined;

/**
 * Builds and packs the package, installs it into a new project (testing/pack.ts) and writes the
 * program there: once per test run, shared by the e2e files (each has a stack of its own).
 * Returns the program's directory, removed when the run ends.
 */
export function sharedProgram(): Promise<string> {
  shared ??= (async () => {
    process.once("exit", removeScratchDirs);
    const { dir } = await packAndInstall(() => {});
    writeFileSync(path.join(dir, "Pulumi.yaml"), "name: e2e\nruntime: nodejs\nmain: index.ts\n");
    writeFileSync(path.join(dir, "index.ts"), indexTs);
    writeFileSync(
      path.join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: "es2020",
          module: "commonjs",
          esModuleInterop: true,
          skipLibCheck: true,
        },
      }),
    );
    return dir;
  })();
  return shared;
}

let plugin: Promise<string> | undefined;

/**
 * The directory of `pulumi-resource-termination` as npm installs it (the packed tarball) in a
 * project of its own, once per test run: the shared program's install changes version in another
 * test. Removed when the run ends.
 */
export function installedPlugin(): Promise<string> {
  plugin ??= (async () => {
    await sharedProgram(); // builds dist/
    const dir = scratchDir("plugin-app");
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", private: true }));
    await installPackages(dir, [await packRepository(dir), `@pulumi/pulumi@${pulumiVersion()}`]);
    return path.join(dir, "node_modules", "pulumi-termination", "bin");
  })();
  return plugin;
}

/**
 * The shared program's MRS half as a Pulumi YAML program through the provider plugin in `pluginDir`,
 * named `e2e` so that `configureStack` configures it too: `kill-job` of `e2e:jobExecutionId`, or of
 * `jobExecutionIds` (written into the program) when given. Create it with `createYamlProject(…, "e2e")`.
 */
export function pluginProgram(pluginDir: string, jobExecutionIds?: string[]): string {
  const target = jobExecutionIds
    ? `jobExecutionIds: ${JSON.stringify(jobExecutionIds)}`
    : "jobExecutionId: ${jobExecutionId}";
  return `
plugins:
  providers:
    - name: termination
      path: ${pluginDir}
config:
  clusterId:
    type: string
  jobExecutionId:
    type: string
  waitTimeoutSeconds:
    type: integer
    default: 60
resources:
  terminations:
    type: pulumi:providers:termination
    properties:
      huaweicloud:
        accessKey: \${huaweicloud:accessKey}
        secretKey: \${huaweicloud:secretKey}
        projectId: \${huaweicloud:projectId}
        mrsEndpoint: \${huaweicloud:mrsEndpoint}
  kill-job:
    type: termination:index:MrsJobTermination
    properties:
      clusterId: \${clusterId}
      ${target}
      waitTimeoutSeconds: \${waitTimeoutSeconds}
    options:
      provider: \${terminations}
outputs:
  mrsOutcome: \${kill-job.outcome}
  mrsJobState: \${kill-job.jobState}
`;
}
