/**
 * End-to-end: examples/yaml-mrs runs as README's "From Pulumi YAML" says, step by step. The steps
 * are read from README's shell block, so that the two cannot drift: its `pulumi config set`
 * lines (the emulator's address swapped for this one's), its `pulumi preview` / `up` / `destroy`,
 * and what its comments promise they show. The emulator has the demo seed of `npm run emulator`.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedState } from "../../emulator/seed";
import { PulumiStack, repoRoot } from "../../scripts/lib/pulumi";
import { pulumiCliOrSkip, sharedProgram } from "./program";

/** README's first shell block under "## From Pulumi YAML" that runs the example. */
function documentedSteps(): string[] {
  const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const section = readme.split("\n## From Pulumi YAML\n")[1]?.split("\n## ")[0] ?? "";
  const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.includes("cd examples/yaml-mrs"));
  if (!block) throw new Error('README "From Pulumi YAML" has no shell block that runs examples/yaml-mrs');
  return block.split("\n").filter((line) => line.trim() !== "");
}

/** `command   # comment` → the comment. */
const commentOf = (line: string) => line.split(/\s#\s/)[1]?.trim() ?? "";

describe("end-to-end: examples/yaml-mrs as README documents it", function () {
  this.timeout(900_000);
  let emulator: Emulator;
  let stack: PulumiStack;
  const steps = documentedSteps();
  const step = (command: string) => {
    const line = steps.find((s) => s.startsWith(`${command} `) || s === command);
    if (!line) throw new Error(`README's steps have no \`${command}\``);
    return line;
  };

  before(async function () {
    this.timeout(45 * 60_000);
    const binDir = await pulumiCliOrSkip(this);
    await sharedProgram(); // builds dist/, which the example's plugin path (../../bin) runs
    const seed = JSON.parse(
      readFileSync(path.join(repoRoot, "emulator", "seeds", "demo.json"), "utf8"),
    ) as SeedState;
    emulator = await startEmulator({ seed });
    expect(steps.some((s) => s.startsWith("npm run emulator"))).to.equal(true);
    stack = await PulumiStack.create(path.join(repoRoot, "examples", "yaml-mrs"), binDir, "dev");
  });

  after(async () => {
    await emulator?.close();
    stack?.dispose();
  });

  it("sets the documented config, the secret key as a secret", async () => {
    const sets = steps.filter((s) => s.startsWith("pulumi config set "));
    expect(sets.length).to.be.greaterThan(0);
    for (const line of sets) {
      const words = line.split("#")[0].trim().split(/\s+/).slice(3);
      const secret = words[0] === "--secret";
      const [key, value] = secret ? words.slice(1) : words;
      const actual = value === "http://127.0.0.1:8080" ? emulator.url : value;
      await stack.setConfig({ [key]: actual }, { secret });
    }
  });

  it("`pulumi preview` shows the documented line under the resource, and kills nothing", async () => {
    const promised = commentOf(step("pulumi preview")); // "under nightly: MRS job …: will be killed"
    const [, name, line] = /^under (\S+): (.*)$/.exec(promised) ?? [];
    expect(line, `README's preview comment: ${promised}`).to.be.a("string");
    const { output } = await stack.pulumi(["preview"]);
    const diagnostics = output.split("\nDiagnostics:\n")[1] ?? "";
    // How long the job has run depends on when the emulator started: any duration will do.
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    // The line names the host it read: README's emulator address, this emulator's here.
    const promisedLine = escape(
      line.replace(" at 127.0.0.1:8080:", ` at ${new URL(emulator.url).host}:`),
    ).replace(/ for \d+\S* at /, " for \\d+[hms][\\dm]* at ");
    expect(diagnostics).to.match(
      new RegExp(`${escape(`termination:index:MrsJobTermination (${name}):`)}\n {4}${promisedLine}\n`),
    );
    expect(emulator.requests({ route: "mrs.kill" })).to.deep.equal([]);
  });

  it("`pulumi up` kills the job once, with the documented outputs", async () => {
    const promised = commentOf(step("pulumi up")); // "outputs: stateBefore RUNNING, outcome terminated, …"
    const expected = Object.fromEntries(
      promised
        .replace(/^outputs:\s*/, "")
        .split(/,\s*/)
        .map((pair) => pair.split(/\s+/)),
    );
    expect(Object.keys(expected).length).to.be.greaterThan(0);
    await stack.pulumi(["up", "--yes"]);
    expect(await stack.outputs()).to.deep.equal(expected);
    expect(emulator.effectiveCount("mrs.kill")).to.equal(1);
  });

  it("`pulumi destroy` sends nothing that kills", async () => {
    step("pulumi destroy");
    await stack.pulumi(["destroy", "--yes"]);
    expect(emulator.requests({ route: "mrs.kill" })).to.have.length(1);
  });
});
