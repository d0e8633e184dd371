/**
 * The package as a user has it: `npm run build`, `npm pack`, then `npm install` of the tarball
 * (with @pulumi/pulumi) into a temporary project. Also a plain-JS build of the benchmarks for the
 * in-process measurements, run with plain `node` as the dynamic-provider process runs the package.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repo = path.resolve(__dirname, "..");
export const pulumiVersion = "3.270.0";

export function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, {
    cwd,
    env: env ?? process.env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

const created: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pulumi-termination-bench-${label}-`));
  created.push(dir);
  return dir;
}

/** Removes every temporary directory this run made (the installed projects are large). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * Compiles bench/worker.ts and what it imports to plain JS; returns the path of worker.js. Type
 * errors (say, in code another change is halfway through) are reported but do not stop the bench:
 * tsc still emits.
 */
export function compileWorker(log: (line: string) => void): string {
  const out = tempDir("build");
  const tsc = path.join(repo, "node_modules", ".bin", "tsc");
  const options = [
    "--outDir",
    out,
    "--rootDir",
    repo,
    "--module",
    "commonjs",
    "--target",
    "ES2022",
    "--strict",
  ];
  const flags = ["--esModuleInterop", "--skipLibCheck", "--resolveJsonModule", "--types", "node"];
  try {
    run(tsc, [path.join(repo, "bench", "worker.ts"), ...options, ...flags], repo);
  } catch (error) {
    const output = String((error as { stdout?: string }).stdout ?? error);
    log(
      `tsc reported type errors (the build is used anyway):\n${output.trim().split("\n").slice(0, 5).join("\n")}`,
    );
  }
  const worker = path.join(out, "bench", "worker.js");
  if (!existsSync(worker)) throw new Error(`tsc emitted no ${worker}`);
  // The compiled files resolve axios and @pulumi/pulumi from the repository's node_modules.
  symlinkSync(path.join(repo, "node_modules"), path.join(out, "node_modules"));
  return worker;
}

export interface Installed {
  /** A project with pulumi-termination (from the tarball) and @pulumi/pulumi in node_modules. */
  dir: string;
  tarball: string;
}

export function packAndInstall(log: (line: string) => void): Installed {
  const dir = tempDir("app");
  log("npm run build");
  run("npm", ["run", "build", "--silent"], repo);
  const tarball = path.join(
    dir,
    run("npm", ["pack", "--silent", "--pack-destination", dir], repo).trim().split("\n").pop()!,
  );
  log(`npm install ${path.basename(tarball)} @pulumi/pulumi@${pulumiVersion} (--prefer-offline) in ${dir}`);
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "bench-app", private: true }, null, 2),
  );
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefer-offline",
      "--loglevel=error",
      tarball,
      `@pulumi/pulumi@${pulumiVersion}`,
    ],
    dir,
  );
  mkdirSync(path.join(dir, "programs"), { recursive: true });
  return { dir, tarball };
}
