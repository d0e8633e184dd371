/** Running a command and collecting what it printed: for the benchmark, the e2e tests and the scripts. */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
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
  /** In a process group of its own, as a shell starts a foreground command: see `Started.interrupt`. */
  detached?: boolean;
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

export interface Started {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  readonly output: () => string;
  /** Sends SIGINT to the command's process group: what Ctrl-C in a terminal does (needs `detached`). */
  readonly interrupt: () => void;
  readonly result: Promise<RunResult>;
}

/** Starts a command; `result` settles when it has ended and its output is closed. */
export function start(command: string, args: string[], options: RunOptions = {}): Started {
  const started = performance.now();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
    detached: options.detached,
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
  const result = new Promise<RunResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr, output, ms: performance.now() - started, timedOut });
    });
  });
  const interrupt = () => {
    if (child.pid === undefined) throw new Error(`${command} has no process id`);
    process.kill(options.detached ? -child.pid : child.pid, "SIGINT");
  };
  return { child, output: () => output, interrupt, result };
}

export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return start(command, args, options).result;
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

/** The file a command `name` runs with this environment's PATH: the first executable file found. */
export function whichOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not there, or not executable: the shell goes on to the next directory too
    }
  }
  return undefined;
}
