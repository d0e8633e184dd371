/**
 * End-to-end: the examples run as their pages say, step by step: examples/yaml-mrs (README, "From
 * Pulumi YAML", `pulumi preview|up|destroy`), examples/go-mrs (docs/sdks.md, "Go, step by step",
 * `go run . preview|up|destroy`, the Go SDK through the Automation API) and examples/python-nodeman
 * (docs/sdks.md, "Python, step by step", `pulumi preview|up|destroy` of a `runtime: python` program
 * on the Python SDK). The steps are read from the page's
 * shell block, so that the two cannot drift: its `pulumi config set` lines (the emulator's address
 * swapped for this one's), its preview / up / destroy, and what its comments promise they show. The
 * emulator has the demo seed of `npm run emulator`.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { startEmulator, type Emulator } from "../../emulator";
import type { SeedState } from "../../emulator/seed";
import { obtainPythonEnv, PulumiStack, repoRoot, run } from "../../scripts/lib/pulumi";
import { whichOnPath } from "../../testing/process";
import { pulumiCliOrSkip, sharedProgram } from "./program";

/** The first shell block under "## `section`" of `doc` (README.md, or a page of docs/) that runs examples/`example`. */
function documentedSteps(doc: string, section: string, example: string): string[] {
  const readme = readFileSync(path.join(repoRoot, doc), "utf8");
  const text = readme.split(`\n## ${section}\n`)[1]?.split("\n## ")[0] ?? "";
  const block = [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((m) => m[1])
    .find((b) => b.includes(`cd examples/${example}`));
  if (!block) throw new Error(`${doc} "${section}" has no shell block that runs examples/${example}`);
  return block.split("\n").filter((line) => line.trim() !== "");
}

/** `command   # comment` → the comment. */
const commentOf = (line: string) => line.split(/\s#\s/)[1]?.trim() ?? "";

interface Example {
  /** Its folder under examples/. */
  example: string;
  /** Where its steps are documented: README.md (the default) or a page of docs/, and the section. */
  doc?: string;
  section: string;
  /** The documented command of an operation: `pulumi preview`, `go run . preview`. */
  command(op: "preview" | "up" | "destroy"): string;
  /** Runs a documented line on the stack (whose config file is in its scratch directory); its output. */
  execute(stack: PulumiStack, line: string): Promise<string>;
  /** Skips the suite when a tool it needs is missing outside CI. */
  prerequisite?(context: Mocha.Context): void;
  /** The directories first on PATH (default: the CLI's), as the README's `export PATH` puts them. */
  path?(context: Mocha.Context): Promise<string[]>;
  /** The resource whose preview line README promises, and the emulator route that terminates it. */
  target: { type: string; route: "mrs.kill" | "nodeman.revoke" };
}

function describeExample({
  example,
  doc = "README.md",
  section,
  command,
  execute,
  prerequisite,
  path: pathOf,
  target,
}: Example): void {
  describe(`end-to-end: examples/${example} as ${doc} documents it`, function () {
    this.timeout(900_000);
    let emulator: Emulator;
    let stack: PulumiStack;
    const steps = documentedSteps(doc, section, example);
    const step = (text: string) => {
      const line = steps.find((s) => s.startsWith(`${text} `) || s === text);
      if (!line) throw new Error(`README's steps have no \`${text}\``);
      return line;
    };

    before(async function () {
      this.timeout(45 * 60_000);
      const binDirs = pathOf ? await pathOf(this) : [await pulumiCliOrSkip(this)];
      prerequisite?.(this);
      await sharedProgram(); // builds dist/, which the example's plugin path (../../bin) runs
      const seed = JSON.parse(
        readFileSync(path.join(repoRoot, "emulator", "seeds", "demo.json"), "utf8"),
      ) as SeedState;
      emulator = await startEmulator({ seed });
      expect(steps.some((s) => s.startsWith("npm run emulator"))).to.equal(true);
      step("pulumi stack init dev");
      stack = await PulumiStack.create(path.join(repoRoot, "examples", example), binDirs, "dev");
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
        // README's emulator address (alone, or the start of a URL template), this emulator's here.
        const actual = value.startsWith("http://127.0.0.1:8080")
          ? emulator.url + value.slice("http://127.0.0.1:8080".length)
          : value;
        await stack.setConfig({ [key]: actual }, { secret });
      }
    });

    it(`\`${command("preview")}\` shows the documented line under the resource, and terminates nothing`, async () => {
      const promised = commentOf(step(command("preview"))); // "under nightly: MRS job …: will be killed"
      const [, name, line] = /^under (\S+): (.*)$/.exec(promised) ?? [];
      expect(line, `README's preview comment: ${promised}`).to.be.a("string");
      const output = await execute(stack, step(command("preview")));
      const diagnostics = output.split("\nDiagnostics:\n")[1] ?? "";
      // How long the job has run depends on when the emulator started: any duration will do.
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      // The line names the host it read: README's emulator address, this emulator's here.
      const promisedLine = escape(
        line.replace(" at 127.0.0.1:8080:", ` at ${new URL(emulator.url).host}:`),
      ).replace(/ for \d+\S* at /, " for \\d+[hms][\\dm]* at ");
      expect(diagnostics).to.match(
        new RegExp(`${escape(`${target.type} (${name}):`)}\n {4}${promisedLine}\n`),
      );
      expect(emulator.requests({ route: target.route })).to.deep.equal([]);
    });

    it(`\`${command("up")}\` terminates once, with the documented outputs`, async () => {
      const promised = commentOf(step(command("up"))); // "outputs: stateBefore RUNNING, outcome terminated, …"
      const expected = Object.fromEntries(
        promised
          .replace(/^outputs:\s*/, "")
          .split(/,\s*/)
          .map((pair) => pair.split(/\s+/))
          // A number in the comment is a number output (a count).
          .map(([key, value]) => [key, /^\d+$/.test(value) ? Number(value) : value]),
      );
      expect(Object.keys(expected).length).to.be.greaterThan(0);
      await execute(stack, step(command("up")));
      expect(await stack.outputs()).to.deep.equal(expected);
      expect(emulator.effectiveCount(target.route)).to.equal(1);
    });

    it(`\`${command("destroy")}\` sends nothing that terminates`, async () => {
      await execute(stack, step(command("destroy")));
      expect(emulator.requests({ route: target.route })).to.have.length(1);
    });
  });
}

/** A documented line's words, without its comment. */
const wordsOf = (line: string) => line.split(/\s#\s/)[0].trim().split(/\s+/);

describeExample({
  example: "yaml-mrs",
  section: "From Pulumi YAML",
  command: (op) => `pulumi ${op}`,
  execute: async (stack, line) => (await stack.pulumi(wordsOf(line).slice(1))).output,
  target: { type: "termination:index:MrsJobTermination", route: "mrs.kill" },
});

describeExample({
  example: "go-mrs",
  doc: "docs/sdks.md",
  section: "Go, step by step",
  command: (op) => `go run . ${op}`,
  // `go run . OP` as documented, told where the stack's config is (the test keeps it out of the example).
  execute: async (stack, line) => {
    const [go, ...args] = wordsOf(line);
    const op = args.pop() as string;
    const result = await run(go, [...args, "-config-file", stack.configFile, op], {
      cwd: stack.programDir,
      env: stack.env,
      timeoutMs: 900_000,
    });
    stack.transcript.push(`$ ${line}\n${result.output}`);
    if (result.code !== 0) throw new Error(`${line} exited ${result.code}:\n${result.output}`);
    return result.output;
  },
  target: { type: "termination:index:MrsJobTermination", route: "mrs.kill" },
  prerequisite: (context) => {
    if (whichOnPath("go", process.env) || process.env.CI === "true") return;
    console.log("      skipped: `go` is not on PATH. Install Go to run examples/go-mrs.");
    context.skip();
  },
});

describeExample({
  example: "python-nodeman",
  doc: "docs/sdks.md",
  section: "Python, step by step",
  command: (op) => `pulumi ${op}`,
  execute: async (stack, line) => (await stack.pulumi(wordsOf(line).slice(1))).output,
  // README's PATH: the environment's python3 (pulumi, pulumi_termination), then the CLI with the Python host.
  path: async (context) => {
    const cli = await pulumiCliOrSkip(context, "python");
    return [await obtainPythonEnv(), cli];
  },
  target: { type: "termination:index:NodemanTaskTermination", route: "nodeman.revoke" },
});
