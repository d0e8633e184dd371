/**
 * The package as a user has it: built, packed by `npm pack`, installed from the tarball into a
 * scratch project. Scratch directories are removed together at the end.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot, runChecked } from "./process";

const scratchDirs: string[] = [];

export function scratchDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `pulumi-termination-${label}-`));
  scratchDirs.push(dir);
  return dir;
}

/** Removes every scratch directory made so far (installed projects are large). */
export function removeScratchDirs(): void {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The @pulumi/pulumi version this checkout develops against: installed projects use the same. */
export function pulumiVersion(): string {
  const manifest = path.join(repoRoot, "node_modules", "@pulumi", "pulumi", "package.json");
  return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
}

/**
 * `npm pack` of the repository as it is built now (or of another package directory); returns the
 * tarball's path. The package's `prepack` (a build) runs only with `build: true`: callers that
 * built already, and copies without sources, pack what is there.
 */
export async function packRepository(
  into: string,
  from = repoRoot,
  options: { build?: boolean } = {},
): Promise<string> {
  const flags = options.build ? [] : ["--ignore-scripts"];
  const packed = await runChecked("npm", ["pack", "--silent", ...flags, "--pack-destination", into], {
    cwd: from,
  });
  return path.join(into, packed.stdout.trim().split("\n").at(-1) as string);
}

/**
 * A fresh clone of this repository's HEAD (committed work only), its dependencies installed by
 * `npm ci` and nothing built: what a newcomer has after `git clone`. Returns its directory.
 */
export async function freshClone(into: string): Promise<string> {
  const dir = path.join(into, "clone");
  await runChecked("git", ["clone", "--quiet", "--no-hardlinks", repoRoot, dir]);
  await runChecked("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
  });
  return dir;
}

/** `npm install` of the given specs into `dir`, offline when the cache allows it. */
export async function installPackages(dir: string, specs: string[]): Promise<void> {
  const flags = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];
  await runChecked("npm", ["install", ...flags, ...specs], { cwd: dir });
}

export interface Installed {
  /** A project with pulumi-termination (from the tarball) and @pulumi/pulumi in node_modules. */
  dir: string;
  tarball: string;
}

/** Builds and packs the repository, then installs the tarball and @pulumi/pulumi into a new project. */
export async function packAndInstall(log: (line: string) => void): Promise<Installed> {
  const dir = scratchDir("app");
  log("npm run build");
  await runChecked("npm", ["run", "build", "--silent"], { cwd: repoRoot });
  const tarball = await packRepository(dir);
  log(`npm install ${path.basename(tarball)} @pulumi/pulumi@${pulumiVersion()} in ${dir}`);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "app", private: true }, null, 2));
  await installPackages(dir, [tarball, `@pulumi/pulumi@${pulumiVersion()}`]);
  return { dir, tarball };
}
