/**
 * `npm run test:examples`: type-checks every example the way a user has it, with the package
 * installed from the tarball that `npm pack` makes (testing/pack.ts). Also checks that the tarball
 * holds the build, the types and the README, and none of the tests or sources.
 */
import { cpSync, existsSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";
import { installPackages, packRepository, removeScratchDirs, scratchDir } from "../testing/pack";
import { repoRoot, runChecked } from "../testing/process";

const required = [
  "package/dist/index.js",
  "package/dist/index.d.ts",
  "package/README.md",
  "package/package.json",
];
const notForUsers = /^package\/(tests|provider|emulator|scripts|examples)\//;

async function checkTarball(tarball: string): Promise<void> {
  const contents = (await runChecked("tar", ["-tzf", tarball])).stdout.split("\n").filter(Boolean);
  const missing = required.filter((file) => !contents.includes(file));
  if (missing.length > 0) throw new Error(`the tarball lacks ${missing.join(", ")}`);
  const extra = contents.filter((file) => notForUsers.test(file));
  if (extra.length > 0)
    throw new Error(`the tarball holds files that are not for users:\n${extra.join("\n")}`);
  console.log(`tarball: ${contents.length} files, ${Math.ceil(statSync(tarball).size / 1024)} KiB`);
}

async function main(): Promise<void> {
  if (!existsSync(path.join(repoRoot, "dist", "index.js")))
    await runChecked("npm", ["run", "build", "--silent"], { cwd: repoRoot });
  const work = scratchDir("examples");
  const tarball = await packRepository(work);
  await checkTarball(tarball);
  const examples = path.join(repoRoot, "examples");
  for (const name of readdirSync(examples).sort()) {
    const example = path.join(examples, name);
    // A Pulumi YAML or Go example has no TypeScript (Go's is built by tests/e2e/example.test.ts).
    if (!existsSync(path.join(example, "tsconfig.json"))) continue;
    console.log(`example ${name}: installing from the tarball and type-checking`);
    const dir = path.join(work, name);
    cpSync(example, dir, { recursive: true, filter: (source) => path.basename(source) !== "node_modules" });
    await installPackages(dir, [`pulumi-termination@file:${tarball}`]);
    await runChecked("npx", ["--no-install", "tsc", "-p", "tsconfig.json"], { cwd: dir });
    console.log(`example ${name}: ok`);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  })
  .finally(removeScratchDirs);
