/** Running a command and collecting what it printed: for the benchmark, the e2e tests and the scripts. */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..");

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Copy stdout and stderr to this process's as they arrive. */
  echo?: boolean;
  echoStderr?: boolean;
  /** SIGTERM after this long (SIGKILL 5 s later); the result then says `timedOut`. */
  timeoutMs?: number;
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  output: string;
  /** Wall time from spawn to exit. */
  ms: number;
  timedOut: boolean;
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    // A child that exits without reading its input must not crash this process with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    let stdout = "";
    let stderr = "";
    let output = "";
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGTERM");
            // One that ignores SIGTERM still ends: the deadline holds.
            setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
          }, options.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
      output += chunk;
      if (options.echo || options.echoStderr) process.stderr.write(chunk);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, output, ms: performance.now() - started, timedOut });
    });
  });
}

export class CommandFailedError extends Error {
  override name = "CommandFailedError";
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const why = result.timedOut ? "timed out" : `exited ${result.code}`;
    super(`${command} ${why}:\n${result.output.trim().slice(-3000)}`);
  }
}

/** `run`, throwing a CommandFailedError (with the output's tail) unless the command exits 0. */
export async function runChecked(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandFailedError([command, ...args].join(" "), result);
  return result;
}
