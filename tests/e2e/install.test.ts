/**
 * End-to-end: installing is real (issue 17.3). A fresh clone (git clone of HEAD, `npm ci`, nothing
 * built) packed with `npm pack` holds `dist/` (the `prepack` build), and the tarball installs into a
 * Pulumi program that previews against the emulator through the real engine.
 */
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import { freshClone, installPackages, packRepository, pulumiVersion, scratchDir } from "../../testing/pack";
import { baseSeed } from "../helpers/fixtures";
import { configureStack, pulumiCliOrSkip, terminatingRequests } from "./program";

const indexTs = `
import * as pulumi from "@pulumi/pulumi";
import { MrsJobTermination } from "pulumi-termination";

const config = new pulumi.Config("e2e");
const job = new MrsJobTermination("kill-job", {
  clusterId: config.require("clusterId"),
  jobExecutionId: config.require("jobExecutionId"),
});
export const outcome = job.outcome;
`;

describe("end-to-end: npm pack of a fresh clone installs and runs", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  let tarball: string;
  let clone: string;
  const work = scratchDir("fresh-clone");

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    clone = await freshClone(work);
    expect(existsSync(path.join(clone, "dist")), "a fresh clone has no build").to.equal(false);
    tarball = await packRepository(work, clone, { build: true });
    const app = path.join(work, "app");
    mkdirSync(app);
    writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true }));
    await installPackages(app, [tarball, `@pulumi/pulumi@${pulumiVersion()}`]);
    writeFileSync(path.join(app, "Pulumi.yaml"), "name: e2e\nruntime: nodejs\nmain: index.ts\n");
    writeFileSync(path.join(app, "index.ts"), indexTs);
    writeFileSync(
      path.join(app, "tsconfig.json"),
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
    emulator = await startEmulator({ seed: baseSeed() });
    stack = await PulumiStack.create(app, binDir, "installed");
    await configureStack(stack, emulator.url);
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
  });

  it("the tarball holds the build: dist/ with the library, the providers state loads and the plugin", () => {
    const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(files).to.include.members([
      "package/dist/index.js",
      "package/dist/index.d.ts",
      "package/dist/providers/mrsJobTermination.js",
      "package/dist/plugin/main.js",
      "package/bin/pulumi-resource-termination",
    ]);
  });

  it("installed into a program, it previews through the engine and sends no kill", async () => {
    const { output } = await stack.pulumi(["preview"]);
    expect(output).to.match(/MRS job nightly-etl \(job-running\) RUNNING.*: will be killed/);
    expect(output).to.match(/\+\s+\S*MrsJobTermination\s+kill-job\s+create/);
    expect(terminatingRequests(emulator)).to.deep.equal({ kills: 0, revokes: 0 });
  });
});
