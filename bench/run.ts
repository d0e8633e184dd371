/**
 * `npm run bench [-- --runs N] [--quick] [--profile] [--engine-runs N] [--keep-temp] [--only LIST]`
 * runs the benchmarks (LIST: overhead,ratelimit,state,engine), prints the report, and writes it to
 * BENCHMARKS.md. Not part of the tests. docs/reliability.md (Performance) says what each benchmark measures.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  packAndInstall,
  pulumiVersion,
  removeScratchDirs,
  scratchDir,
  type Installed,
} from "../testing/pack";
import { repoRoot, run } from "../testing/process";
import { runEngine } from "./engine";
import type { OverheadResult } from "./overhead";
import type { ProfileSummary } from "./profile";
import type { RateLimitRow } from "./ratelimit";
import { markdown, overheadGoal, type Machine, type Results } from "./report";
import { runState } from "./state";

const sections = ["overhead", "ratelimit", "state", "engine"] as const;

function parseArgs(argv: string[]) {
  const value = (name: string) => {
    const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    return argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  };
  const quick = argv.includes("--quick");
  /** Profile the worst case of each target even when it is within the goal. */
  const profile = argv.includes("--profile");
  const runs = Number(value("--runs") ?? (quick ? 3 : 5));
  const only = new Set((value("--only") ?? sections.join(",")).split(","));
  for (const s of only)
    if (!(sections as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
  return {
    runs,
    only,
    profile,
    sizes: quick ? [100, 1000] : [100, 300, 1000],
    engineSizes: quick ? [25, 100] : [25, 100, 400],
    engineRuns: Number(value("--engine-runs") ?? (quick ? 1 : 3)),
    rateLimit: quick ? { n: 100, parallel: [16] } : { n: 400, parallel: [16, 64] },
  };
}

async function machine(): Promise<Machine> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="?([^"\n]+)/.exec(readFileSync("/etc/os-release", "utf8"))?.[1];
    } catch {
      return undefined;
    }
  })();
  return {
    cpu: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.version,
    pulumi: pulumiVersion(),
    os: `${osRelease ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
    date: new Date().toISOString(),
    loadStart: os.loadavg(),
    loadEnd: [],
    code: await codeVersion(),
  };
}

/** The commit measured, and whether provider/ differs from it: other changes land while a bench runs. */
async function codeVersion(): Promise<string> {
  const commit = await run("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot });
  if (commit.code !== 0) return "unknown (not a git checkout)";
  const status = await run("git", ["status", "--porcelain", "--", "provider"], { cwd: repoRoot });
  const dirty = status.stdout.trim() !== "";
  return `${commit.stdout.trim()}${dirty ? " with uncommitted changes in provider/" : ""}`;
}

/**
 * Compiles bench/worker.ts and what it imports to plain JS; returns the path of worker.js. Type
 * errors (say, in code another change is halfway through) are reported but do not stop the bench:
 * tsc still emits.
 */
async function compileWorker(log: (line: string) => void): Promise<string> {
  const out = scratchDir("bench-build");
  const tsc = path.join(repoRoot, "node_modules", ".bin", "tsc");
  const options = ["--outDir", out, "--rootDir", repoRoot, "--module", "commonjs", "--target", "ES2022"];
  const flags = ["--strict", "--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--types", "node"];
  const result = await run(tsc, [path.join(repoRoot, "bench", "worker.ts"), ...options, ...flags], {
    cwd: repoRoot,
  });
  if (result.code !== 0) {
    const head = result.output.trim().split("\n").slice(0, 5).join("\n");
    log(`tsc reported type errors (the build is used anyway):\n${head}`);
  }
  const worker = path.join(out, "bench", "worker.js");
  if (!existsSync(worker)) throw new Error(`tsc emitted no ${worker}`);
  // The compiled files resolve axios and @pulumi/pulumi from the repository's node_modules.
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(out, "node_modules"));
  return worker;
}

/** Runs one in-process section in the compiled worker under plain node; its stderr streams through. */
function worker<T>(workerJs: string, section: string, options: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerJs, section, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(stdout) as T) : reject(new Error(`worker ${section} exited ${code}`)),
    );
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const args = parseArgs(argv);
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`;
  const m = await machine();
  const log = (line: string) => console.error(`[bench] ${line}`);
  const results: Results = { runs: args.runs, profiles: [], notes: [] };
  /** A failing section is reported in BENCHMARKS.md; the others still run. */
  const section = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const message = `${name} failed: ${(error as Error).message.split("\n").slice(0, 3).join(" ")}`;
      log(message);
      results.notes.push(message);
      return undefined;
    }
  };

  log("compiling bench/ and provider/ to plain JS");
  const workerJs = await compileWorker(log);

  if (args.only.has("overhead")) {
    log(`1. provider overhead, N = ${args.sizes.join(", ")}, ${args.runs} runs each way`);
    const options = { runs: args.runs, sizes: args.sizes };
    results.overhead = await section("provider overhead", () =>
      worker<OverheadResult>(workerJs, "overhead", options),
    );
    // Profile before claiming anything is slow: the worst case of each target above the goal.
    const maxN = Math.max(...args.sizes);
    for (const target of ["MRS", "NodeMan"] as const) {
      const worst = (results.overhead?.rows ?? [])
        .filter((r) => r.target === target && r.n === maxN && (args.profile || r.ratio > overheadGoal))
        .sort((a, b) => b.ratio - a.ratio)[0];
      if (!worst) continue;
      const c = { target, concurrency: worst.concurrency, maxConcurrency: worst.maxConcurrency };
      log(`profiling ${target} at concurrency ${c.concurrency} (ratio ${worst.ratio.toFixed(3)})`);
      const summary = await section(`profile of ${target}`, () =>
        worker<ProfileSummary>(workerJs, "profile", { case: c, n: 1000 }),
      );
      if (summary) results.profiles.push({ case: c, summary });
    }
  }

  if (args.only.has("ratelimit")) {
    log(`4. rate limit, N = ${args.rateLimit.n}, parallel ${args.rateLimit.parallel.join(", ")}`);
    results.rateLimit = await section("rate limit", () =>
      worker<RateLimitRow[]>(workerJs, "ratelimit", args.rateLimit),
    );
  }

  let installed: Installed | undefined;
  if (args.only.has("state") || args.only.has("engine")) {
    installed = await section("npm run build / pack / install", () => packAndInstall(log));
  }
  if (args.only.has("state")) {
    log("3. state cost");
    results.state = await section("state cost", () => runState(installed, log));
  }
  if (args.only.has("engine")) {
    log(`2. pulumi up, N = ${args.engineSizes.join(", ")}, ${args.engineRuns} runs each way`);
    const options = { installed, sizes: args.engineSizes, runs: args.engineRuns, log };
    results.engine = await section("engine benchmark", () => runEngine(options));
  }

  m.loadEnd = os.loadavg();
  const report = markdown(results, m, command);
  writeFileSync(path.join(repoRoot, "BENCHMARKS.md"), report + "\n");
  console.log(report);
  log("wrote BENCHMARKS.md");
  if (!argv.includes("--keep-temp")) removeScratchDirs();
  // A section that failed is in the report, and the run says so by its exit status too.
  const failed = results.notes.filter((note) => note.includes(" failed: ")).length;
  if (failed > 0) {
    log(`${failed} section(s) failed: see the notes at the top of BENCHMARKS.md`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
