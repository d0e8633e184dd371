/**
 * Running the real Pulumi CLI offline, for the demo and the end-to-end tests: a local file state
 * backend in a scratch directory, the passphrase secrets provider, no update check, no plugin
 * download, and Node 22 first on PATH for the language host and the provider process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { repoRoot, run, start, type RunResult, type Started } from "../../testing/process";

// The process runner is testing/process.ts; what callers of these helpers used from here stays here.
export { repoRoot, run, start, type RunResult, type Started };

/**
 * The last line of a provisioning script's stdout (a directory for PATH); fails with `missing`
 * and the script's stderr. `onProgress` gets each stderr line as it comes.
 */
async function lastLineOf(
  script: string,
  args: string[],
  missing: string,
  onProgress?: (line: string) => void,
): Promise<string> {
  const started = start("bash", [script, ...args], { echo: false, env: process.env });
  if (onProgress) forEachLine(started.child.stderr, onProgress);
  const result = await started.result;
  const lines = result.stdout.trim().split("\n");
  if (result.code !== 0 || lines.length === 0 || lines.at(-1) === "") {
    const shown = script.startsWith(repoRoot + path.sep) ? path.relative(repoRoot, script) : script;
    const command = [shown, ...args].join(" ");
    throw new Error(`${missing}: ${command} exited ${result.code}\n${result.stderr.trim()}`);
  }
  return lines.at(-1) as string;
}

/**
 * The directory to put first on PATH, from scripts/pulumi-cli.sh: that of a `pulumi` already on
 * PATH, or the per-machine cache, built from Go modules (minutes, once) when missing. It provides
 * `pulumi`, the Node.js and YAML language hosts and the dynamic-provider launcher (with a `pulumi`
 * from PATH but no YAML host there, it holds only the YAML host: the rest stays found on PATH).
 * `variant: "python"`: the same files with the Python language host beside them
 * (`scripts/pulumi-cli.sh python`). `onProgress` gets each line the script prints to stderr as it
 * comes (a cold build runs for minutes: the demo shows them rather than sit silent); `script` is
 * for tests.
 */
export async function obtainPulumiCli(
  options: { onProgress?: (line: string) => void; script?: string; variant?: "python" } = {},
): Promise<string> {
  const script = options.script ?? path.join(repoRoot, "scripts", "pulumi-cli.sh");
  return lastLineOf(script, options.variant ? [options.variant] : [], "no Pulumi CLI", options.onProgress);
}

/**
 * The bin/ of the Python environment that scripts/python-env.sh makes (cached per machine):
 * `python3` with `pulumi` from PyPI and the SDK from sdk/python. The Python language host runs the
 * `python3` on PATH: put it first, before `obtainPulumiCli({ variant: "python" })`.
 */
export async function obtainPythonEnv(): Promise<string> {
  return lastLineOf(path.join(repoRoot, "scripts", "python-env.sh"), [], "no Python environment");
}

/** Calls `each` with every complete line of a stream, as it arrives (and the unterminated rest at its end). */
function forEachLine(stream: NodeJS.ReadableStream | null, each: (line: string) => void): void {
  let rest = "";
  stream?.on("data", (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) each(line);
  });
  stream?.on("end", () => {
    if (rest !== "") each(rest);
  });
}

/** Which flags select the stack and its config file: commands differ in what they accept. */
function stackFlags(args: string[], stack: string, configFile: string): string[] {
  if (["preview", "up", "refresh", "destroy", "config", "import"].includes(args[0]))
    return ["--stack", stack, "--config-file", configFile];
  if (args[0] === "stack" && ["output", "export", "import"].includes(args[1])) return ["--stack", stack];
  return [];
}

export class PulumiStack {
  readonly env: NodeJS.ProcessEnv;
  readonly scratch: string;
  /** Every command's output, for the secret scan. */
  readonly transcript: string[] = [];

  private constructor(
    readonly programDir: string,
    readonly stackName: string,
    binDirs: string[],
  ) {
    this.scratch = mkdtempSync(path.join(tmpdir(), "pulumi-termination-"));
    // Node 22 (this process's node) first: the language host and the provider process run `node`.
    const pathEntries = [...binDirs, path.dirname(process.execPath), process.env.PATH ?? ""];
    this.env = {
      ...process.env,
      PATH: pathEntries.join(path.delimiter),
      PULUMI_HOME: path.join(this.scratch, "home"),
      PULUMI_BACKEND_URL: `file://${path.join(this.scratch, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      NO_COLOR: "1",
    };
  }

  /**
   * Creates the stack; its config file lives in the scratch directory, not in the program.
   * `binDir`: the directories to put first on PATH, in order (the CLI's, a Python environment's).
   */
  static async create(
    programDir: string,
    binDir: string | string[],
    stackName = "test",
  ): Promise<PulumiStack> {
    const stack = new PulumiStack(programDir, stackName, [binDir].flat());
    mkdirSync(path.join(stack.scratch, "state"), { recursive: true });
    await stack.pulumi(["login", stack.env.PULUMI_BACKEND_URL as string]);
    await stack.pulumi(["stack", "init", stackName]);
    return stack;
  }

  get configFile(): string {
    return path.join(this.scratch, `Pulumi.${this.stackName}.yaml`);
  }

  /** Runs `pulumi ARGS` non-interactively; throws on failure unless `allowFailure`. */
  async pulumi(
    args: string[],
    options: { allowFailure?: boolean; echo?: boolean; input?: string } = {},
  ): Promise<RunResult> {
    const result = await this.startPulumi(args, { ...options, detached: false }).result;
    if (result.code !== 0 && !options.allowFailure) {
      throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.output}`);
    }
    return result;
  }

  /**
   * Starts `pulumi ARGS` non-interactively, by default in a process group of its own as a terminal
   * runs it, so that `interrupt()` is a user's Ctrl-C. Its output joins the transcript when it ends.
   */
  startPulumi(args: string[], options: { echo?: boolean; input?: string; detached?: boolean } = {}): Started {
    const stackArgs = stackFlags(args, this.stackName, this.configFile);
    const started = start("pulumi", [...args, ...stackArgs, "--non-interactive"], {
      cwd: this.programDir,
      env: this.env,
      echo: options.echo,
      input: options.input,
      timeoutMs: 600_000,
      detached: options.detached ?? true,
    });
    const result = started.result.then((r) => {
      this.transcript.push(`$ pulumi ${args.join(" ")}\n${r.output}`);
      return r;
    });
    return { ...started, result };
  }

  async setConfig(values: Record<string, string>, options: { secret?: boolean } = {}): Promise<void> {
    for (const [key, value] of Object.entries(values)) {
      // Secret values go through standard input: never on a command line or in the transcript.
      if (options.secret) await this.pulumi(["config", "set", "--secret", key], { input: value });
      else await this.pulumi(["config", "set", "--plaintext", key, value]);
    }
  }

  async outputs(): Promise<Record<string, unknown>> {
    return JSON.parse((await this.pulumi(["stack", "output", "--json", "--show-secrets"])).stdout) as Record<
      string,
      unknown
    >;
  }

  async exportState(): Promise<string> {
    return (await this.pulumi(["stack", "export"])).stdout;
  }

  dispose(): void {
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/**
 * A Pulumi YAML project in a new directory: `name: NAME`, `runtime: yaml`, then `body` (YAML:
 * `config`, `resources`, `variables`, `outputs`, `plugins`…). Run it with `PulumiStack.create`;
 * the directory that scripts/pulumi-cli.sh prints holds `pulumi-language-yaml`.
 */
export function createYamlProject(body: string, name = "yaml-e2e"): string {
  const dir = mkdtempSync(path.join(tmpdir(), `pulumi-termination-${name}-`));
  writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: yaml\n${body}`);
  return dir;
}
