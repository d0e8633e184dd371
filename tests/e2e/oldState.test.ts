/**
 * End-to-end: a stack that the version before the restructure brought up (its `pulumi stack
 * export`, tests/e2e/fixtures/) is refreshed and destroyed by the package built from the working
 * tree. The state's `__provider` values load `pulumi-termination/providers/<name>` as that version
 * wrote them: a user's existing stack must keep working after an upgrade.
 */
import { expect } from "chai";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator, type SeedState } from "../../emulator";
import { PulumiStack } from "../../scripts/lib/pulumi";
import { findSecrets } from "../helpers/fixtures";
import {
  configureStack,
  pulumiCliOrSkip,
  sharedProgram,
  terminatingRequests,
  terminationResources,
} from "./program";

const fixtures = path.join(__dirname, "fixtures");
const oldState = readFileSync(path.join(fixtures, "state-before-restructure.json"), "utf8");
const oldSeed = JSON.parse(
  readFileSync(path.join(fixtures, "seed-before-restructure.json"), "utf8"),
) as SeedState;
/** Where the emulator listened when the state was written; the default provider's config holds it. */
const oldEmulatorUrl = "http://127.0.0.1:46041";

describe("end-to-end: a state written by the version before the restructure", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;

  const sent = () => terminatingRequests(emulator);

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    const programDir = await sharedProgram();
    emulator = await startEmulator({ seed: oldSeed });
    stack = await PulumiStack.create(programDir, binDir, "before-restructure");
    await configureStack(stack, emulator.url, oldSeed);
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
  });

  it("holds its secrets only as ciphertext, and __provider values that load the package by its public path", () => {
    expect(findSecrets(oldState)).to.deep.equal([]);
    expect(oldState).to.include(oldEmulatorUrl);
    expect(terminationResources(oldState).map((r) => r.inputs?.__provider)).to.satisfy(
      (providers: unknown[]) =>
        providers.every((p) =>
          /require\("pulumi-termination\/providers\/(mrsJobTermination|nodemanTaskTermination)"\)/.test(
            String(p),
          ),
        ),
    );
  });

  it("imports into a new stack; only the emulator's address is rewritten", async () => {
    const imported = path.join(stack.scratch, "old-state.json");
    writeFileSync(imported, oldState.replaceAll(oldEmulatorUrl, emulator.url));
    await stack.pulumi(["stack", "import", "--file", imported]);
    const providers = (state: string) =>
      Object.fromEntries(terminationResources(state).map((r) => [r.urn, r.inputs?.__provider]));
    expect(providers(await stack.exportState())).to.deep.equal(providers(oldState));
  });

  it("refreshes: reads both targets with the package built now and sends no kill or revoke", async () => {
    await stack.pulumi(["refresh", "--yes", "--skip-preview"]);
    expect(emulator.requests({ route: "mrs.get_job" }).map((r) => r.path)).to.satisfy((paths: string[]) =>
      paths.some((p) => p.endsWith("/clusters/cluster-1/job-executions/job-running")),
    );
    expect(emulator.requests({ route: "nodeman.task_result" }).length).to.be.greaterThan(0);
    expect(sent()).to.deep.equal({ kills: 0, revokes: 0 });
    const refreshed = terminationResources(await stack.exportState());
    expect(refreshed.map((r) => r.outputs?.jobState).filter(Boolean)).to.deep.equal(["RUNNING"]);
    expect(refreshed.every((r) => r.outputs?.targetGone === undefined)).to.equal(true);
  });

  it("destroys: both resources leave the state and nothing is sent", async () => {
    const { output } = await stack.pulumi(["destroy", "--yes", "--skip-preview"]);
    expect(output).to.match(/2 deleted|3 deleted/);
    expect(sent()).to.deep.equal({ kills: 0, revokes: 0 });
    expect(terminationResources(await stack.exportState())).to.deep.equal([]);
  });
});
